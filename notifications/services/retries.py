"""Retries and the sweeper: backoff after a passing error; due messages handed to workers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .. import conf
from ..models import Broadcast, BroadcastStatus, Notification, NotificationEventKind
from .delivery import Outcome, SendResult, _event, _fail
from .outbox import dispatch_on_commit

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min ... up to an hour."""
    return dt.timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    )


def _transient(notification: Notification, reason: str, now: dt.datetime) -> SendResult:
    attempt = notification.attempts + 1
    if attempt >= conf.get("NOTIFICATIONS_MAX_ATTEMPTS"):
        return _fail(  # counts this attempt
            notification,
            gettext("Gave up after %(count)s attempts: %(error)s")
            % {"count": attempt, "error": reason},
            now,
        )
    notification.attempts = attempt
    delay = backoff(notification.attempts)
    countdown = delay.total_seconds()
    by_task = countdown <= conf.MAX_TASK_COUNTDOWN_SECONDS
    grace = dt.timedelta(seconds=conf.get("NOTIFICATIONS_DISPATCH_GRACE_SECONDS"))
    notification.last_error = reason
    notification.retry_after = now + delay
    # A worker task tries again after a short wait; the sweeper is the safety net, or the only
    # way for long waits (a long Celery countdown on Redis could run twice).
    notification.next_attempt_at = notification.retry_after + (grace if by_task else dt.timedelta())
    notification.save(
        update_fields=["attempts", "last_error", "retry_after", "next_attempt_at", "updated_at"]
    )
    _event(notification, NotificationEventKind.ERROR, reason, now)
    return SendResult(notification.pk, Outcome.RETRY, retry_in=countdown if by_task else None)


@dataclass(frozen=True)
class SweepResult:
    notifications: int
    broadcasts: int


def notifications_sweep(*, now: dt.datetime | None = None, limit: int | None = None) -> SweepResult:
    """Hand to the workers every waiting message whose time has come: queued while the broker
    was down, lost with a killed worker, due after a backoff, or scheduled for later."""
    now = now or timezone.now()
    limit = limit or conf.get("NOTIFICATIONS_SWEEP_LIMIT")
    lease = dt.timedelta(seconds=conf.get("NOTIFICATIONS_SWEEP_LEASE_SECONDS"))
    grace = dt.timedelta(seconds=conf.get("NOTIFICATIONS_DISPATCH_GRACE_SECONDS"))
    with transaction.atomic():
        ids = list(
            Notification.objects.due_for_sweep(now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            # Not picked again for a while, so a long backlog is not enqueued twice.
            Notification.objects.filter(pk__in=ids).update(next_attempt_at=now + lease)
            dispatch_on_commit(ids)
        broadcast_ids = list(
            Broadcast.objects.filter(
                status=BroadcastStatus.QUEUED, queued_at__lte=now - grace
            ).values_list("pk", flat=True)
        )
        if broadcast_ids:
            from .broadcasts import fan_out_on_commit

            for broadcast_id in broadcast_ids:
                fan_out_on_commit(broadcast_id)
    return SweepResult(notifications=len(ids), broadcasts=len(broadcast_ids))
