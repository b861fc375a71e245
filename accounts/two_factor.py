"""Two-factor login for staff: TOTP devices and one-time backup codes (django-otp).

Who must use it is `permissions.needs_two_factor`; `middleware.StaffTwoFactorMiddleware` sends
such a person to set it up or to enter a code before any other page. A wrong code counts as a
failed login for the account and address (django-axes), so guessing codes locks out like
guessing passwords.
"""

from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

BACKUP_DEVICE_NAME = "backup"
TOTP_DEVICE_NAME = "authenticator"


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator (a new secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (segno; no image request, no script)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, dark="#000", light="#fff", omitsize=False)


def totp_manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def backup_codes_create(*, user: User) -> list[str]:
    """New backup codes; the old ones stop working. Shown once: only the codes are stored."""
    count = getattr(settings, "ACCOUNTS_BACKUP_CODES", 10)
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(count)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalize(code: str) -> str:
    return "".join(code.split()).lower()


def _lockout_credentials(user: User) -> dict:
    return {"username": user.email.lower()}


def is_locked_out(request: HttpRequest, *, user: User) -> bool:
    return AxesProxyHandler.is_locked(request, _lockout_credentials(user))


def _count_failure(request: HttpRequest, user: User) -> None:
    # The signal Django sends for a wrong password: django-axes counts it the same way, and
    # marks the request locked out once the limit is reached (its middleware then answers).
    user_login_failed.send(sender=__name__, credentials=_lockout_credentials(user), request=request)


def totp_confirm(request: HttpRequest, *, device: TOTPDevice, code: str) -> bool:
    """Confirm a new authenticator with its first code; on success the session is verified."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        ok = device.verify_token(_normalize(code))
        if ok:
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    if not ok:
        _count_failure(request, device.user)
        return False
    otp_login(request, device)
    return True


def code_verify(request: HttpRequest, *, user: User, code: str) -> bool:
    """Check a code from the authenticator or a backup code; on success the session is
    verified, on failure the attempt is counted for the lockout."""
    token = _normalize(code)
    verified = None
    if token:
        with transaction.atomic():
            for device in devices_for_user(user, confirmed=True, for_verify=True):
                if device.verify_token(token):
                    verified = device
                    break
    if verified is None:
        _count_failure(request, user)
        return False
    otp_login(request, verified)
    return True


def has_authenticator(user: User) -> bool:
    """A confirmed authenticator app. Backup codes alone do not count: when the office removes
    a lost phone's device in the admin, the person sets up a new one at the next login."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
