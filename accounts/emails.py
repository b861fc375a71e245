"""E-mails of the sign-up flow, sent in the recipient's language.

accounts sits upstream of every app, notifications included, so these go out through Django's
mail API directly; they are few, short and sent while the person waits for them.
"""

import hashlib
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import User
from .tokens import VERIFICATION_DAYS, email_verification_token

# One account e-mail per address per interval: the forms cannot be used to flood a mailbox.
MAIL_INTERVAL_SECONDS = 120

AbsoluteUri = Callable[[str], str]


def mail_slot_take(*, email: str) -> bool:
    """Reserve the address's e-mail slot; False while a message went there recently."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    # cache.add is atomic in the shared caches (Redis, Memcached): two requests cannot both win.
    return cache.add(f"accounts:mail-slot:{digest}", True, timeout=MAIL_INTERVAL_SECONDS)


def verification_link(*, user: User, absolute_uri: AbsoluteUri, next_url: str = "") -> str:
    # An account without a usable password (see services.user_sign_up) chooses one on the way.
    name = "accounts:verify" if user.has_usable_password() else "accounts:verify-password"
    path = reverse(
        name,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_verification_token.make_token(user),
        },
    )
    if next_url:
        path = f"{path}?{urlencode({'next': next_url})}"
    return absolute_uri(path)


def verification_email_send(
    *, user: User, absolute_uri: AbsoluteUri, next_url: str = "", repeated: bool = False
) -> None:
    """Send the link that confirms the address and activates the account."""
    with translation.override(user.language):
        _send(
            user=user,
            subject=_("Confirm your e-mail address"),
            template="accounts/email/verify.txt",
            context={
                "link": verification_link(user=user, absolute_uri=absolute_uri, next_url=next_url),
                "set_password": not user.has_usable_password(),
                "repeated": repeated,
                "days": VERIFICATION_DAYS,
            },
        )


def account_exists_email_send(*, user: User, absolute_uri: AbsoluteUri) -> None:
    """Tell the owner of an address that tried to sign up again how to get in instead."""
    with translation.override(user.language):
        _send(
            user=user,
            subject=_("You already have an account"),
            template="accounts/email/account_exists.txt",
            context={
                "login_link": absolute_uri(reverse("accounts:login")),
                "reset_link": absolute_uri(reverse("accounts:password_reset")),
            },
        )


def _send(*, user: User, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, {"user": user, **context})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
