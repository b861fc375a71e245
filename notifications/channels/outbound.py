"""The channels a batch sends through: one SMTP connection and one SMS adapter, opened on first
use and reused for every message of the batch."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.mail import get_connection

from .. import conf
from ..exceptions import ChannelUnreachableError, PermanentChannelError, TransientChannelError
from .email import SMTP_ERRORS, smtp_error
from .sms import get_sms_backend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    segments: int | None = None


class Outbound:
    """Once a server or gateway does not answer, the rest of the batch fails fast on that
    channel (and waits for its backoff) instead of each message waiting for its own timeout."""

    def __init__(self, *, email_connection=None, sms_backend=None):
        self._email = email_connection
        self._email_open = False
        self._sms = sms_backend
        self.email_opens = 0
        self._unreachable: dict[str, ChannelUnreachableError] = {}

    def __enter__(self) -> Outbound:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def email_connection(self):
        self._raise_if_unreachable("email")
        if self._email is None:
            self._email = get_connection(
                fail_silently=False, timeout=conf.get("NOTIFICATIONS_EMAIL_TIMEOUT")
            )
        if not self._email_open:
            try:
                self._email.open()
            except SMTP_ERRORS as exc:
                raise self._remember("email", smtp_error(exc)) from exc
            self._email_open = True
            self.email_opens += 1
        return self._email

    def send_email(self, message) -> Receipt:
        try:
            accepted = message.get_connection().send_messages([message])
        except SMTP_ERRORS as exc:
            error = smtp_error(exc)
            if isinstance(error, TransientChannelError):
                # The connection may be dead (disconnect, timeout): reconnect for the next one.
                self._close_email()
            raise error from exc
        if accepted != 1:
            raise PermanentChannelError(_nothing_accepted())
        return Receipt(provider_id=message.extra_headers["Message-ID"])

    def sms_backend(self):
        if self._sms is None:
            self._sms = get_sms_backend()
            self._sms.open()
        return self._sms

    def send_sms(self, *, to: str, text: str, reference: str, segments: int) -> Receipt:
        self._raise_if_unreachable("sms")
        try:
            receipt = self.sms_backend().send(to=to, text=text, reference=reference)
        except ChannelUnreachableError as error:
            raise self._remember("sms", error) from error
        return Receipt(provider_id=receipt.provider_id, segments=receipt.parts or segments)

    def _remember(self, channel: str, error):
        if isinstance(error, ChannelUnreachableError):
            self._unreachable[channel] = error
        return error

    def _raise_if_unreachable(self, channel: str) -> None:
        if channel in self._unreachable:
            raise ChannelUnreachableError(self._unreachable[channel].message)

    def _close_email(self) -> None:
        if self._email is not None and self._email_open:
            try:
                self._email.close()
            except SMTP_ERRORS:
                logger.debug("closing a broken e-mail connection failed", exc_info=True)
        self._email_open = False

    def close(self) -> None:
        self._close_email()
        if self._sms is not None:
            self._sms.close()


def _nothing_accepted() -> str:
    from django.utils.translation import gettext

    return gettext("The e-mail backend accepted no message.")
