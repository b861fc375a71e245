"""Sign-up and e-mail confirmation.

Nothing here tells the caller whether an address already has an account: the pages answer the
same either way, and only the owner of the mailbox learns what happened.
"""

import logging

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from . import emails
from .emails import AbsoluteUri
from .models import User

logger = logging.getLogger(__name__)


def user_awaits_verification(user: User) -> bool:
    # There is no "verified at" field: an inactive account that has never logged in is one
    # that signed up and has not confirmed yet. An account the office deactivated has logged
    # in before, and must not be able to reactivate itself through an e-mail link.
    return not user.is_active and user.last_login is None


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).order_by("pk").first()


@sensitive_variables("password")
def user_sign_up(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    language: str,
    absolute_uri: AbsoluteUri,
    next_url: str = "",
) -> None:
    """Create an inactive account and e-mail it a confirmation link; if the address already has
    an account, e-mail its owner instead."""
    email = email.strip().lower()
    existing = user_by_email(email=email)
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email,
                    password,
                    is_active=False,
                    first_name=first_name,
                    last_name=last_name,
                    phone=phone,
                    language=language,
                )
        except IntegrityError:
            # A concurrent sign-up with the same address won the unique constraint.
            existing = user_by_email(email=email)
        else:
            logger.info("accounts: user %s signed up", user.pk)
            emails.mail_slot_take(email=email)
            emails.verification_email_send(user=user, absolute_uri=absolute_uri, next_url=next_url)
            return
    # Hash anyway, so the time taken does not tell that the address is in use.
    make_password(password)
    if existing is None or not emails.mail_slot_take(email=email):
        return
    if user_awaits_verification(existing):
        # Whoever signed up first may not own the mailbox (pre-registering someone else's
        # address to take the account over later). Drop the password chosen then, and with it
        # every link sent so far; the owner chooses a password when confirming.
        existing.set_unusable_password()
        existing.save(update_fields=["password"])
        emails.verification_email_send(
            user=existing, absolute_uri=absolute_uri, next_url=next_url, repeated=True
        )
    elif existing.is_active:
        emails.account_exists_email_send(user=existing, absolute_uri=absolute_uri)


def verification_resend(*, email: str, absolute_uri: AbsoluteUri, next_url: str = "") -> None:
    """Send a new confirmation link to an account that awaits one (at most one e-mail per
    address per interval); to an active account, say how to log in."""
    user = user_by_email(email=email)
    if user is None:
        return
    awaits = user_awaits_verification(user)
    if not (awaits or user.is_active) or not emails.mail_slot_take(email=user.email):
        return
    if awaits:
        emails.verification_email_send(user=user, absolute_uri=absolute_uri, next_url=next_url)
    else:
        emails.account_exists_email_send(user=user, absolute_uri=absolute_uri)


@sensitive_variables("password")
@transaction.atomic
def user_activate(*, user: User, password: str | None = None) -> User:
    """Activate an account whose owner opened the confirmation link (and chose a password)."""
    fields = ["is_active"]
    if password is not None:
        user.set_password(password)
        fields.append("password")
    user.is_active = True
    user.save(update_fields=fields)
    logger.info("accounts: user %s confirmed the e-mail address", user.pk)
    return user
