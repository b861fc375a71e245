"""Writes of the notifications app. The public API for domain apps:

- `notification_queue(...)`, `notifications_queue_many(requests=[QueueRequest(...)])`: write
  messages in the caller's transaction (sent after commit or at `due_at`);
- `notifications_cancel(dedupe_key=...)`: withdraw messages that have not gone out yet.
"""

from .broadcasts import broadcast_create, broadcast_fan_out, broadcast_send
from .dispatch import (
    Outcome,
    SendResult,
    SweepResult,
    backoff,
    lock_pending,
    notification_send,
    notifications_send_batch,
    notifications_sweep,
)
from .outbox import (
    QueueRequest,
    dispatch_now,
    dispatch_on_commit,
    notification_cancel,
    notification_queue,
    notification_retry,
    notifications_cancel,
    notifications_queue_many,
)
from .preferences import notification_unsubscribe, preference_set, preferences_save

__all__ = [
    "Outcome",
    "QueueRequest",
    "SendResult",
    "SweepResult",
    "backoff",
    "broadcast_create",
    "broadcast_fan_out",
    "broadcast_send",
    "dispatch_now",
    "dispatch_on_commit",
    "lock_pending",
    "notification_cancel",
    "notification_queue",
    "notification_retry",
    "notification_send",
    "notification_unsubscribe",
    "notifications_cancel",
    "notifications_queue_many",
    "notifications_send_batch",
    "notifications_sweep",
    "preference_set",
    "preferences_save",
]
