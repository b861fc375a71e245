"""Delivery bookkeeping: a send's outcome, recorded on the row and in its event log."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import logging
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.utils import timezone

from ..channels import Receipt
from ..models import Notification, NotificationEvent, NotificationEventKind, NotificationStatus

# The name these records had before sending was split into modules, kept for log filters.
logger = logging.getLogger("notifications.services.dispatch")


class Outcome(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # already sent, being sent by another worker, or not due yet
    DEFERRED = "deferred"  # the channel's rate limit is used up; nothing was changed


@dataclass(frozen=True)
class SendResult:
    notification_id: int
    outcome: Outcome
    # Seconds until the next try, when a worker task should make it (short waits only).
    retry_in: float | None = None


def _mark_sent(notification: Notification, receipt: Receipt, now: dt.datetime) -> None:
    """The row marked sent and its `sent` event, still under the row lock. On PostgreSQL one
    statement (an UPDATE feeding the INSERT of the event), elsewhere two."""
    notification.status = NotificationStatus.SENT
    notification.sent_at = now
    notification.attempts += 1
    notification.provider_id = receipt.provider_id[:200]
    notification.segments = receipt.segments
    notification.last_error = ""
    notification.retry_after = None
    if connection.vendor != "postgresql":
        notification.save(update_fields=MARK_SENT_FIELDS)
        _event(notification, NotificationEventKind.SENT, "", now)
        return
    notification.updated_at = timezone.now()  # as auto_now would set it
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_sql(),
            [
                notification.status,
                notification.sent_at,
                notification.attempts,
                notification.provider_id,
                notification.segments,
                notification.last_error,
                notification.updated_at,
                notification.pk,
                now,
                NotificationEventKind.SENT.value,
                "",
            ],
        )
        if cursor.rowcount != 1:  # the row is locked by this transaction: it cannot be gone
            raise DatabaseError(f"notification {notification.pk}: marking it sent changed nothing")


MARK_SENT_FIELDS = [
    "status",
    "sent_at",
    "attempts",
    "provider_id",
    "segments",
    "last_error",
    "retry_after",
    "updated_at",
]


@functools.cache
def _mark_sent_sql() -> str:
    quote = connection.ops.quote_name
    rows, events = Notification._meta, NotificationEvent._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    assignments = ", ".join(
        f"{column(rows, name)} = %s"
        for name in ("status", "sent_at", "attempts", "provider_id", "segments", "last_error")
    )
    # Only quoted column and table names are formatted in; every value is a parameter.
    return (
        f"WITH updated AS (UPDATE {quote(rows.db_table)} SET {assignments}, "  # noqa: S608
        f"{column(rows, 'retry_after')} = NULL, {column(rows, 'updated_at')} = %s "
        f"WHERE {column(rows, 'id')} = %s RETURNING {column(rows, 'id')}) "
        f"INSERT INTO {quote(events.db_table)} ({column(events, 'notification')}, "
        f"{column(events, 'at')}, {column(events, 'event')}, {column(events, 'detail')}) "
        f"SELECT {column(rows, 'id')}, %s, %s, %s FROM updated"
    )


def _fail(notification: Notification, reason: str, now: dt.datetime) -> SendResult:
    notification.status = NotificationStatus.FAILED
    notification.attempts += 1
    notification.last_error = reason
    notification.retry_after = None
    notification.save(
        update_fields=["status", "attempts", "last_error", "retry_after", "updated_at"]
    )
    _event(notification, NotificationEventKind.FAILED, reason, now)
    logger.warning("notification %s failed: %s", notification.pk, reason)
    return SendResult(notification.pk, Outcome.FAILED)


def _event(notification: Notification, event: str, detail: str, now: dt.datetime) -> None:
    NotificationEvent.objects.create(notification=notification, at=now, event=event, detail=detail)
