"""Message kinds and channels: which channels a kind uses by default, which a person may add,
and which kinds are essential (cannot be switched off).

A domain app names a kind with `Kind.<NAME>` and passes the context keys listed in
`required_context`; more keys are allowed and reach the templates as they are. Optional keys the
templates use: `reason`, `position` (waiting list), `ends_on`, `place`, `url` (absolute link)
or `path` (a link on this site, e.g. "/family/"), `period_label`, `account_number`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import UnknownKindError


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class Kind(models.TextChoices):
    ENROLLMENT_PENDING = "enrollment_pending", _("enrollment request received")
    ENROLLMENT_ACCEPTED = "enrollment_accepted", _("enrollment accepted")
    ENROLLMENT_REJECTED = "enrollment_rejected", _("enrollment not accepted")
    ENROLLMENT_WAITLISTED = "enrollment_waitlisted", _("placed on the waiting list")
    ENROLLMENT_WITHDRAWN = "enrollment_withdrawn", _("enrollment ended")
    WAITLIST_OFFER = "waitlist_offer", _("place offered from the waiting list")
    OFFER_EXPIRING = "offer_expiring", _("offer of a place about to expire")
    OFFER_EXPIRED = "offer_expired", _("offer of a place expired")
    MEETING_REMINDER = "meeting_reminder", _("meeting reminder the day before")
    MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled")
    MEETING_MOVED = "meeting_moved", _("meeting moved")
    FEE_DUE = "fee_due", _("fee due")
    FEE_OVERDUE = "fee_overdue", _("fee overdue")
    FEE_OVERDUE_ALERT = "fee_overdue_alert", _("overdue fee: alert to staff")
    PAYMENT_RECEIVED = "payment_received", _("payment received")
    CONSENT_EXPIRING = "consent_expiring", _("consent expiring")
    FAMILY_CARD_EXPIRING = "family_card_expiring", _("Large Family Card expiring")
    GROUP_BROADCAST = "group_broadcast", _("message to a group")
    GUARDIAN_INVITATION = "guardian_invitation", _("invitation to a family account")
    ALLOCATION_RESULT = "allocation_result", _("results of the lottery for places")
    REENROLLMENT_INVITATION = "reenrollment_invitation", _("invitation to continue next season")


EMAIL = frozenset({Channel.EMAIL})
SMS = frozenset({Channel.SMS})
BOTH = EMAIL | SMS
NONE: frozenset[Channel] = frozenset()


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    # Essential kinds always go out on their default channels; preferences can only add channels.
    essential: bool
    default_channels: frozenset[Channel]
    optional_channels: frozenset[Channel] = NONE
    required_context: tuple[str, ...] = ()
    description: str = ""

    @property
    def channels(self) -> tuple[Channel, ...]:
        """Every channel a person may have for this kind, in a fixed order."""
        offered = self.default_channels | self.optional_channels
        return tuple(channel for channel in Channel if channel in offered)

    def is_locked(self, channel: Channel) -> bool:
        """True when the person cannot switch this channel off."""
        return self.essential and channel in self.default_channels


_GROUP = ("activity_name", "group_name")

SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            Kind.ENROLLMENT_PENDING,
            essential=True,
            default_channels=EMAIL,
            required_context=("participant_name", *_GROUP),
        ),
        KindSpec(
            Kind.ENROLLMENT_ACCEPTED,
            essential=True,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("participant_name", *_GROUP),
        ),
        KindSpec(
            Kind.ENROLLMENT_REJECTED,
            essential=True,
            default_channels=EMAIL,
            required_context=("participant_name", *_GROUP),
        ),
        KindSpec(
            Kind.ENROLLMENT_WAITLISTED,
            essential=True,
            default_channels=EMAIL,
            required_context=("participant_name", *_GROUP),
        ),
        KindSpec(
            Kind.ENROLLMENT_WITHDRAWN,
            essential=True,
            default_channels=EMAIL,
            required_context=("participant_name", *_GROUP),
        ),
        KindSpec(
            Kind.WAITLIST_OFFER,
            essential=True,
            default_channels=BOTH,
            required_context=("participant_name", *_GROUP, "offer_expires_at"),
        ),
        KindSpec(
            Kind.OFFER_EXPIRING,
            essential=True,
            default_channels=BOTH,
            required_context=("participant_name", *_GROUP, "offer_expires_at"),
        ),
        KindSpec(
            # Sent to an e-mail address that may have no account yet.
            Kind.GUARDIAN_INVITATION,
            essential=True,
            default_channels=EMAIL,
            required_context=("family_name", "inviter_name"),
        ),
        KindSpec(
            Kind.OFFER_EXPIRED,
            essential=True,
            default_channels=EMAIL,
            required_context=("participant_name", *_GROUP),
        ),
        KindSpec(
            # Opt-in: nothing is sent until the person switches a channel on.
            Kind.MEETING_REMINDER,
            essential=False,
            default_channels=NONE,
            optional_channels=BOTH,
            required_context=(*_GROUP, "starts_at"),
        ),
        KindSpec(
            Kind.MEETING_CANCELLED,
            essential=True,
            default_channels=BOTH,
            required_context=(*_GROUP, "starts_at"),
        ),
        KindSpec(
            Kind.MEETING_MOVED,
            essential=True,
            default_channels=BOTH,
            required_context=(*_GROUP, "old_starts_at", "starts_at"),
        ),
        KindSpec(
            Kind.FEE_DUE,
            essential=False,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("amount", "due_on", "transfer_title"),
        ),
        KindSpec(
            # Overdue stages (1 reminder, 2 second reminder, 3 final notice) are formal notices.
            Kind.FEE_OVERDUE,
            essential=True,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("stage", "amount", "due_on", "transfer_title"),
        ),
        KindSpec(
            # To the coordinators of the charge's activity (the office when it has none) after
            # the family's reminders went unanswered: the last overdue stage. Part of the
            # staff's work, so it cannot be switched off.
            Kind.FEE_OVERDUE_ALERT,
            essential=True,
            default_channels=EMAIL,
            required_context=("amount", "due_on", "family_name", "transfer_title"),
        ),
        KindSpec(
            Kind.PAYMENT_RECEIVED,
            essential=False,
            default_channels=EMAIL,
            required_context=("amount", "received_on"),
        ),
        KindSpec(
            Kind.CONSENT_EXPIRING,
            essential=False,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("participant_name", "consent_name", "expires_on"),
        ),
        KindSpec(
            Kind.FAMILY_CARD_EXPIRING,
            essential=False,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("expires_on",),
        ),
        KindSpec(
            # One message per household with every child's result (`results`: a list of
            # {participant_name, outcome, activity_name, group_name, rank, position}).
            Kind.ALLOCATION_RESULT,
            essential=True,
            default_channels=EMAIL,
            required_context=("family_name", "season_name", "results"),
        ),
        KindSpec(
            # One message per household after a season rollover (`groups`: a list of
            # {participant_name, activity_name, group_name, url}); `priority_opens_at` and
            # `enrollment_opens_at` are ISO datetimes, the first may be empty.
            Kind.REENROLLMENT_INVITATION,
            essential=False,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("family_name", "season_name", "groups"),
        ),
        KindSpec(
            Kind.GROUP_BROADCAST,
            essential=False,
            default_channels=EMAIL,
            optional_channels=SMS,
            required_context=("subject", "body", "audience_label"),
        ),
    )
}


def kind_spec(kind: str) -> KindSpec:
    try:
        return SPECS[kind]
    except KeyError:
        raise UnknownKindError(kind) from None
