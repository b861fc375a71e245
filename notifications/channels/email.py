"""E-mail: a multipart message (plain text and HTML) per notification, and SMTP errors sorted
into "try again later" and "this will never work"."""

from __future__ import annotations

import functools
import secrets
import smtplib
import sys
from email.mime.multipart import MIMEMultipart
from email.policy import Compat32
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart, forbid_multi_line_headers
from django.utils.translation import gettext

from ..exceptions import ChannelUnreachableError, PermanentChannelError, TransientChannelError
from ..rendering import RenderedEmail


def message_id_for(public_id) -> str:
    """Stable per notification: a message sent again after a crash carries the same Message-ID,
    which lets receiving servers and mail clients drop the duplicate."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<notification-{public_id}@{domain}>"


def email_message(
    *,
    notification,
    rendered: RenderedEmail,
    unsubscribe_url: str | None,
    connection,
) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": message_id_for(notification.public_id),
        "X-MOK-Notification": str(notification.public_id),
        "X-MOK-Dedupe-Key": notification.dedupe_key,
        "Auto-Submitted": "auto-generated",
    }
    if unsubscribe_url:
        # RFC 8058 one-click unsubscribe: mail clients POST to the link.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = NotificationEmail(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


class NotificationEmail(EmailMultiAlternatives):
    """Django's multipart e-mail, byte for byte, built for less: header values that repeat from
    message to message (the sender's encoded name, a subject) are encoded once per process, and
    short ASCII header lines are written as they are instead of through `email.header`'s folding
    machinery (which returns them unchanged). Checked against Django's own output in
    tests/notifications/test_rendering.py."""

    def _create_alternatives(self, msg):
        if not self.alternatives:
            return super()._create_alternatives(msg)
        encoding = self.encoding or settings.DEFAULT_CHARSET
        body_msg = msg
        msg = _Multipart(
            _subtype=self.alternative_subtype,
            boundary=_boundary([self.body, *(alt.content for alt in self.alternatives)]),
            encoding=encoding,
        )
        if self.body:
            msg.attach(body_msg)
        for alternative in self.alternatives:
            msg.attach(self._create_mime_attachment(alternative.content, alternative.mimetype))
        return msg


BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


def _boundary(texts) -> str | None:
    """A boundary as the e-mail generator makes one (`===============<19 digits>==`), chosen
    here so that the generator does not compile a regular expression per message to check it.
    It must not occur in any part: a plain substring test is stricter than the generator's (a
    line of its own); encoded parts cannot contain it (quoted-printable writes `=` as `=3D`,
    base64 has no run of `=`). None (the generator chooses) in the unlikely case it does."""
    boundary = "=" * 15 + f"{secrets.randbelow(sys.maxsize):0{BOUNDARY_DIGITS}d}" + "=="
    if any(not isinstance(text, str) or boundary in text for text in texts):
        return None
    return boundary


@functools.lru_cache(maxsize=512)
def _header(name: str, value: str, encoding: str | None) -> tuple[str, str]:
    return forbid_multi_line_headers(name, value, encoding)


class _Policy(Compat32):
    """compat32 as Django uses it; a header line that fits and needs no encoding or folding is
    written directly, any other is folded by compat32 (and remembered: they repeat)."""

    def _fold(self, name, value, sanitize):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
            and value == " ".join(value.split())  # one space between words, none at the ends
        ):
            return f"{name}: {value}{self.linesep}"
        if isinstance(value, str):
            return _fold(name, value, sanitize, self.linesep, self.max_line_length)
        return super()._fold(name, value, sanitize)


@functools.lru_cache(maxsize=512)
def _fold(name: str, value: str, sanitize: bool, linesep: str, max_line_length) -> str:
    return Compat32(linesep=linesep, max_line_length=max_line_length)._fold(name, value, sanitize)


POLICY = _Policy()


class _Multipart(SafeMIMEMultipart):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = POLICY

    def __setitem__(self, name, val):
        name, val = _header(name, str(val), self.encoding)
        MIMEMultipart.__setitem__(self, name, val)


def smtp_error(exc: Exception) -> Exception:
    """The notification error for an exception raised while handing a message to the server."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        detail = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
        error = gettext("E-mail server refused the recipient: %(detail)s") % _detail(detail)
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentChannelError(error)
        return TransientChannelError(error)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # A configuration problem, not this message's: keep it waiting until it is fixed.
        return TransientChannelError(
            gettext("E-mail server login failed: %(detail)s") % _detail(f"{exc.smtp_code}")
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        error = gettext("E-mail server answered: %(detail)s") % _detail(detail)
        if 500 <= exc.smtp_code < 600:
            return PermanentChannelError(error)
        return TransientChannelError(error)
    # Disconnected, refused, timed out: nothing answered.
    return ChannelUnreachableError(
        gettext("E-mail server unavailable: %(detail)s")
        % _detail(f"{exc.__class__.__name__}: {exc}")
    )


def _text(reply) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)


def _detail(detail: str) -> dict[str, str]:
    return {"detail": detail}


SMTP_ERRORS = (smtplib.SMTPException, OSError)
