"""Workers' entry points: ids in, one service call, safe to run twice (or concurrently).

acks_late + reject_on_worker_lost: a task whose worker dies is delivered again; the row lock
and status make the second delivery send nothing that was already sent.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import (
    Outcome,
    broadcast_fan_out,
    dispatch_now,
    notification_send,
    notifications_send_batch,
    notifications_sweep,
)

logger = logging.getLogger(__name__)

# The database itself being unreachable: the whole task tries again later, nothing was sent.
DATABASE_DOWN = (OperationalError, InterfaceError)
TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": DATABASE_DOWN,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 10,
}


def _follow_up(task, results) -> dict[str, int]:
    """Messages that should be tried again soon are handed to a worker with a countdown, grouped
    by wait; the sweeper catches anything this does not (long waits, broker down). Run eagerly
    (unit tests), a countdown would run at once, so the sweeper is left to it."""
    waits: dict[float, list[int]] = {}
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        if result.outcome in (Outcome.RETRY, Outcome.DEFERRED) and result.retry_in is not None:
            waits.setdefault(round(result.retry_in, 1), []).append(result.notification_id)
    if not task.request.is_eager:
        for wait, ids in waits.items():
            dispatch_now(ids, countdown=wait)
    return counts


@shared_task(bind=True, **TASK_OPTIONS)
def notification_send_task(self, notification_id: int) -> dict[str, int]:
    """Send one message."""
    return _follow_up(self, [notification_send(notification_id=notification_id)])


@shared_task(bind=True, **TASK_OPTIONS)
def notifications_send_batch_task(self, notification_ids: list[int]) -> dict[str, int]:
    """Send a chunk of messages through one SMTP connection."""
    return _follow_up(self, notifications_send_batch(notification_ids=notification_ids))


@shared_task(**TASK_OPTIONS)
def notifications_sweep_task() -> dict[str, int]:
    """Periodic (beat): hand every waiting message that is due to the workers."""
    result = notifications_sweep()
    return {"notifications": result.notifications, "broadcasts": result.broadcasts}


@shared_task(**TASK_OPTIONS)
def broadcast_fan_out_task(broadcast_id: int) -> int:
    """Turn a sent broadcast into outbox rows, in chunks."""
    return broadcast_fan_out(broadcast_id=broadcast_id)
