"""Settings for the Celery worker that the real-service tests start as a subprocess
(tests/notifications/test_reliability.py). The test passes DATABASE_URL (its test database),
CELERY_BROKER_URL (its own redis-server) and VAR_DIR (a temporary folder) in the environment.
"""

import os

from .settings import *  # noqa: F403

# Messages are recorded in a table of the test database, in the sending transaction.
EMAIL_BACKEND = "tests.notifications.mailbox.RecordingEmailBackend"
NOTIFICATIONS_SMS_BACKEND = "notifications.channels.sms.locmem.LocmemSmsBackend"
NOTIFICATIONS_RATE_LIMITS = {"email": "", "sms": ""}
NOTIFICATIONS_RATE_LIMIT_REDIS_URL = ""
# Fast recovery, so a test waits seconds, not minutes.
NOTIFICATIONS_DISPATCH_GRACE_SECONDS = int(
    os.environ.get("NOTIFICATIONS_DISPATCH_GRACE_SECONDS", "1")
)
NOTIFICATIONS_SWEEP_LEASE_SECONDS = int(os.environ.get("NOTIFICATIONS_SWEEP_LEASE_SECONDS", "5"))
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.tasks.notifications_sweep_task",
        "schedule": float(os.environ.get("NOTIFICATIONS_SWEEP_SECONDS", "1")),
    },
}
CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
# A task whose worker was killed comes back within seconds, not after an hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "10")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
