"""Signed, expiring tokens for the e-mail confirmation link."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

VERIFICATION_DAYS = 3


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password reset token, with its own salt and its own lifetime.

    The hash covers what activation or a first log-in changes (`is_active`, `last_login`), so a
    link works once; a changed password or address voids it too.
    """

    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"
    timeout = VERIFICATION_DAYS * 24 * 60 * 60

    def _make_hash_value(self, user, timestamp: int) -> str:
        last_login = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{user.pk}{user.password}{user.email}{user.is_active}{last_login}{timestamp}"

    def check_token(self, user, token: str | None) -> bool:
        # Django's check_token measures age against settings.PASSWORD_RESET_TIMEOUT, which
        # belongs to password resets; this one measures against `timeout`.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > self.timeout:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


email_verification_token = EmailVerificationTokenGenerator()
