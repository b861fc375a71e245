"""Notification errors. Each carries a message for the person who reads it: the domain
developer (programming errors), the member of staff (delivery log) or the author of a broadcast.
"""

from django.utils.translation import gettext_lazy as _


class NotificationError(Exception):
    message = _("The notification could not be processed.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


# --- Programming errors in a caller: raised at once, inside the caller's transaction. ---------
class UnknownKindError(NotificationError):
    def __init__(self, kind: str):
        super().__init__(_("Unknown notification kind “%(kind)s”.") % {"kind": kind})


class InvalidNotificationError(NotificationError):
    message = _("The notification request is invalid.")


class OutsideTransactionError(NotificationError):
    message = _(
        "Queue notifications inside the transaction of the change that causes them "
        "(transaction.atomic)."
    )


# --- Why one message cannot be delivered: the row is marked failed with this reason. ---------
class DeliveryError(NotificationError):
    """Sending this message cannot succeed as it is; retrying will not help."""

    message = _("The message cannot be delivered.")


class MissingAddressError(DeliveryError):
    message = _("The recipient has no e-mail address or phone number.")


class MissingEmailError(MissingAddressError):
    message = _("The recipient has no e-mail address.")


class MissingPhoneError(MissingAddressError):
    message = _("The recipient has no phone number.")


class InvalidEmailError(DeliveryError):
    message = _("The e-mail address is not valid.")


class InvalidPhoneError(DeliveryError):
    message = _("The phone number is not valid.")


class NotMobilePhoneError(InvalidPhoneError):
    message = _("The phone number is not a mobile number, so it cannot receive SMS.")


class RenderError(DeliveryError):
    message = _("The message template could not be rendered.")


class PermanentChannelError(DeliveryError):
    """The e-mail server or SMS gateway refused the message for good."""

    message = _("The message was refused.")


class TransientChannelError(NotificationError):
    """The e-mail server or SMS gateway is unavailable for now; try again later."""

    message = _("The channel is unavailable for now.")


class ChannelUnreachableError(TransientChannelError):
    """The server or gateway did not answer at all: the rest of a batch does not wait for it."""

    message = _("The e-mail server or SMS gateway cannot be reached.")


# --- Actions of staff and broadcast authors. --------------------------------------------------
class NotRetryableError(NotificationError):
    message = _("Only a failed message can be sent again.")


class NotCancellableError(NotificationError):
    message = _("Only a message that is still waiting can be cancelled.")


class UnknownRecipientSourceError(NotificationError):
    message = _("This list of recipients is not available.")


class AudienceNotAllowedError(NotificationError):
    message = _("You cannot send messages to these recipients.")


class BroadcastNotDraftError(NotificationError):
    message = _("This message has already been sent.")


class BroadcastAudienceChangedError(NotificationError):
    message = _("The list of recipients changed since the preview. Check it again and send.")


class BroadcastEmptyAudienceError(NotificationError):
    message = _("Nobody on this list can receive the message.")


class InvalidUnsubscribeLinkError(NotificationError):
    message = _("This unsubscribe link is not valid.")


class EssentialKindError(NotificationError):
    message = _("This kind of message cannot be switched off.")
