"""E-mail: a multipart message (plain text and HTML) per notification, and SMTP errors sorted
into "try again later" and "this will never work"."""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


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
