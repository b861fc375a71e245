"""Domain errors of billing, each with a message for the person in front of the screen."""

from django.utils.translation import gettext_lazy as _


class BillingError(Exception):
    default_message = _("This cannot be done.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidAmountError(BillingError):
    default_message = _(
        "Enter an amount greater than zero, at most 99 999,99 zł, in złoty and grosze."
    )


class HouseholdClosedError(BillingError):
    default_message = _("This household is closed: it takes no new payments or charges.")


class BillingRunExistsError(BillingError):
    default_message = _("The charges for this month have already been created.")


class StatementError(BillingError):
    """A bank statement that cannot be imported; nothing of it was saved."""

    default_message = _("The statement cannot be imported.")


class GatewayError(BillingError):
    default_message = _("The payment gateway refused the request.")
