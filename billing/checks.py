"""System checks of the billing settings: a payment request with a wrong account number would
send parents' money nowhere, so `manage.py check` (and every start) fails on one."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .qr import account_is_valid, nip_is_valid

GATEWAYS = ("simulator", "przelewy24")


@register(Tags.compatibility, deploy=False)
def billing_settings_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    account = getattr(settings, "BILLING_ACCOUNT_NUMBER", "")
    if not account_is_valid(account):
        errors.append(
            Error(
                f"BILLING_ACCOUNT_NUMBER {account!r} is not a valid Polish account number "
                "(26 digits, IBAN checksum).",
                hint="Set BILLING_ACCOUNT_NUMBER to the centre's account, e.g. in .env.",
                id="billing.E001",
            )
        )
    nip = getattr(settings, "BILLING_NIP", "")
    if nip and not nip_is_valid(nip):
        errors.append(
            Error(f"BILLING_NIP {nip!r} is not a valid NIP (10 digits).", id="billing.E002")
        )
    if not getattr(settings, "BILLING_RECIPIENT_NAME", "").strip():
        errors.append(Error("BILLING_RECIPIENT_NAME is empty.", id="billing.E003"))
    gateway = getattr(settings, "BILLING_GATEWAY", "simulator")
    if gateway not in GATEWAYS:
        errors.append(
            Error(f"BILLING_GATEWAY {gateway!r} is not one of {GATEWAYS}.", id="billing.E004")
        )
    elif gateway == "przelewy24":
        missing = [
            name
            for name in ("P24_MERCHANT_ID", "P24_POS_ID", "P24_CRC", "P24_API_KEY")
            if not str(getattr(settings, name, "")).strip()
        ]
        if missing:
            errors.append(
                Error(
                    f"BILLING_GATEWAY is przelewy24 but {', '.join(missing)} not set.",
                    id="billing.E005",
                )
            )
    return errors
