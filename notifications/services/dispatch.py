"""Sending: lock the row, send, record; and the sweeper that hands waiting messages to workers.

A message is sent inside the transaction that holds its row lock and is marked sent in that
same transaction, so a duplicate task skips it and a crash before the commit leaves it waiting
(see docs/adr/0003-notification-outbox.md for the one window this cannot close).

This module sends one message or a chunk; how an outcome is recorded lives in `delivery`,
backoff and the sweeper in `retries`. Their public names are re-exported here, the module the
rest of the code imports from.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from ..channels import Outbound, Receipt
from ..channels.email import email_message
from ..exceptions import (
    DeliveryError,
    MissingEmailError,
    MissingPhoneError,
    TransientChannelError,
)
from ..kinds import Channel, KindSpec, kind_spec
from ..models import Notification, NotificationEventKind, NotificationStatus
from ..ratelimit import rate_limiter
from ..recipients import Recipient
from ..rendering import render_email, render_sms
from ..routing import PreferenceBook
from ..tokens import absolute_url, preferences_url, unsubscribe_url
from .delivery import MARK_SENT_FIELDS, Outcome, SendResult, _event, _fail, _mark_sent
from .retries import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    SweepResult,
    _transient,
    backoff,
    notifications_sweep,
)

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_MAX_SECONDS",
    "DUE_TOLERANCE",
    "MARK_SENT_FIELDS",
    "SEND_FIELDS",
    "Outcome",
    "Peek",
    "SendResult",
    "SweepResult",
    "backoff",
    "lock_pending",
    "notification_send",
    "notifications_send_batch",
    "notifications_sweep",
]

logger = logging.getLogger(__name__)

# Clocks of web and worker machines differ a little; a message due in a second is due.
DUE_TOLERANCE = dt.timedelta(seconds=2)


def notification_send(
    *, notification_id: int, outbound: Outbound | None = None, now: dt.datetime | None = None
) -> SendResult:
    """Send one message if it is waiting and due. Safe to call any number of times, also
    concurrently: only one call sends, the others find it locked or sent and do nothing."""
    notification_id = int(notification_id)
    peek = _peek([notification_id]).get(notification_id)
    if outbound is not None:
        return _send(notification_id, peek, outbound, now)
    with Outbound() as own:
        return _send(notification_id, peek, own, now)


def notifications_send_batch(
    *, notification_ids: list[int], now: dt.datetime | None = None
) -> list[SendResult]:
    """Send a chunk through one SMTP connection; a failing message does not stop the others."""
    ids = list(dict.fromkeys(int(pk) for pk in notification_ids))
    results: list[SendResult] = []
    peeks = _peek(ids)  # one query for the chunk; each row is checked again under its lock
    with Outbound() as outbound:
        for index, pk in enumerate(ids):
            result = _send(pk, peeks.get(pk), outbound, now)
            results.append(result)
            if result.outcome == Outcome.DEFERRED:
                # The rate limit is used up: the rest of the chunk waits for the same window.
                results.extend(
                    SendResult(rest, Outcome.DEFERRED, result.retry_in) for rest in ids[index + 1 :]
                )
                break
    return results


# What sending reads from a row (the rest of it stays in the database).
SEND_FIELDS = (
    "id",
    "public_id",
    "kind",
    "channel",
    "user_id",
    "recipient_name",
    "address",
    "language",
    "context",
    "dedupe_key",
    "due_at",
    "retry_after",
    "status",
    "attempts",
)


def lock_pending(notification_id: int) -> Notification | None:
    """The waiting row, locked for this transaction; None if it is sent, gone, or locked by a
    worker that is sending it right now (SKIP LOCKED: never wait behind a slow server)."""
    if connection.vendor == "postgresql":
        return _lock_pending_postgresql(notification_id)
    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(pk=notification_id, status=NotificationStatus.PENDING)
        .only(*SEND_FIELDS)
        .order_by()[:1]
    )
    return rows[0] if rows else None


def _lock_pending_postgresql(notification_id: int) -> Notification | None:
    """The same query as the ORM's, written once: building it and the model instance through
    the queryset costs more than the round trip."""
    sql, attnames = _lock_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [notification_id, NotificationStatus.PENDING.value])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    context = attnames.index("context")
    if isinstance(values[context], str):  # jsonb arrives as text; the field decodes it
        values[context] = Notification._meta.get_field("context").from_db_value(
            values[context], None, connection
        )
    return Notification.from_db(connection.alias, attnames, values)


@functools.cache
def _lock_sql() -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    meta = Notification._meta
    wanted = {meta.get_field(name).attname for name in SEND_FIELDS}
    # from_db() expects the loaded fields in the model's order.
    attnames = [field.attname for field in meta.concrete_fields if field.attname in wanted]
    columns = ", ".join(quote(meta.get_field(name).column) for name in attnames)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608 (names only)
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('status').column)} = %s "
        "LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    return sql, attnames


Peek = tuple[str, dt.datetime, dt.datetime | None]  # channel, due_at, retry_after


def _peek(ids: list[int]) -> dict[int, Peek]:
    """The waiting rows among `ids`, unlocked: a cheap first look (one query per chunk), so the
    rate limit is not spent on messages that are sent already or not due."""
    if not ids:
        return {}
    return {
        pk: (channel, due_at, retry_after)
        for pk, channel, due_at, retry_after in Notification.objects.filter(
            pk__in=ids, status=NotificationStatus.PENDING
        )
        .order_by()
        .values_list("pk", "channel", "due_at", "retry_after")
    }


def _is_due(due_at: dt.datetime, retry_after: dt.datetime | None, now: dt.datetime) -> bool:
    if due_at > now + DUE_TOLERANCE:
        return False
    return retry_after is None or retry_after <= now + DUE_TOLERANCE


def _send(
    notification_id: int, peek: Peek | None, outbound: Outbound, now: dt.datetime | None
) -> SendResult:
    if peek is None:  # sent, cancelled, failed or gone when the chunk was read
        return SendResult(notification_id, Outcome.SKIPPED)
    channel, due_at, retry_after = peek
    if not _is_due(due_at, retry_after, now or timezone.now()):
        return SendResult(notification_id, Outcome.SKIPPED)
    wait = rate_limiter(channel).acquire()
    if wait:
        return SendResult(notification_id, Outcome.DEFERRED, retry_in=wait)

    # Errors are recorded for staff, in the centre's language; templates switch to the
    # recipient's language themselves.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        notification = lock_pending(notification_id)
        if notification is None:
            return SendResult(notification_id, Outcome.SKIPPED)
        current = now or timezone.now()
        if not _is_due(notification.due_at, notification.retry_after, current):
            return SendResult(notification_id, Outcome.SKIPPED)
        return _deliver(notification, outbound, current)


def _deliver(notification: Notification, outbound: Outbound, now: dt.datetime) -> SendResult:
    spec = kind_spec(notification.kind)
    if _unsubscribed(notification, spec):
        notification.status = NotificationStatus.CANCELLED
        notification.last_error = gettext("The recipient unsubscribed from these messages.")
        notification.save(update_fields=["status", "last_error", "updated_at"])
        _event(notification, NotificationEventKind.CANCELLED, notification.last_error, now)
        return SendResult(notification.pk, Outcome.CANCELLED)
    try:
        receipt = _compose_and_send(notification, spec, outbound)
    except TransientChannelError as error:
        return _transient(notification, str(error), now)
    except DeliveryError as error:
        return _fail(notification, str(error), now)
    except DatabaseError:
        raise  # the transaction is broken: roll back, the task retries, the row still waits
    except Exception as error:
        logger.exception("notification %s: unexpected error", notification.pk)
        return _fail(
            notification,
            gettext("Unexpected error: %(error)s")
            % {"error": f"{error.__class__.__name__}: {error}"},
            now,
        )
    _mark_sent(notification, receipt, now)
    return SendResult(notification.pk, Outcome.SENT)


def _unsubscribed(notification: Notification, spec: KindSpec) -> bool:
    """Checked again at sending: an unsubscribe after queueing stops a later reminder."""
    if spec.is_locked(notification.channel):
        return False
    recipient = Recipient(
        user_id=notification.user_id,
        email=notification.address if notification.channel == Channel.EMAIL else "",
        phone=notification.address if notification.channel == Channel.SMS else "",
    )
    book = PreferenceBook.load([recipient], [notification.kind])
    return book.choice(recipient, notification.kind, notification.channel) is False


def _compose_and_send(notification: Notification, spec: KindSpec, outbound: Outbound) -> Receipt:
    if not notification.address:
        raise MissingEmailError if notification.channel == Channel.EMAIL else MissingPhoneError
    can_unsubscribe = not spec.is_locked(notification.channel)
    link = unsubscribe_url(notification.public_id) if can_unsubscribe else None
    context = dict(notification.context)
    if not context.get("url") and isinstance(context.get("path"), str):
        context["url"] = absolute_url(context["path"])
    context |= {
        "recipient_name": notification.recipient_name,
        "unsubscribe_url": link,
        "preferences_url": preferences_url() if notification.user_id else None,
        "site_url": absolute_url("/"),
    }
    if notification.channel == Channel.EMAIL:
        rendered = render_email(
            kind=notification.kind, language=notification.language, context=context
        )
        message = email_message(
            notification=notification,
            rendered=rendered,
            unsubscribe_url=link,
            connection=outbound.email_connection(),
        )
        return outbound.send_email(message)
    text = render_sms(kind=notification.kind, language=notification.language, context=context)
    return outbound.send_sms(
        to=notification.address,
        text=text.text,
        reference=notification.public_id.hex,
        segments=text.segments,
    )
