"""Notification settings with their defaults, read at call time so tests can override them.

The values come from the "Notifications" block of `config/settings.py` (environment-driven).
"""

from django.conf import settings

DEFAULTS = {
    "NOTIFICATIONS_SMS_BACKEND": "notifications.channels.sms.console.ConsoleSmsBackend",
    "NOTIFICATIONS_SMS_TRANSLITERATE": True,
    "NOTIFICATIONS_SMS_MAX_SEGMENTS": 2,
    "NOTIFICATIONS_RATE_LIMITS": {"email": "10/s", "sms": "5/s"},
    "NOTIFICATIONS_RATE_LIMIT_REDIS_URL": "",
    "NOTIFICATIONS_BASE_URL": "http://127.0.0.1:8000",
    "NOTIFICATIONS_EMAIL_TIMEOUT": 20,
    "NOTIFICATIONS_MAX_ATTEMPTS": 8,
    "NOTIFICATIONS_DISPATCH_GRACE_SECONDS": 60,
    "NOTIFICATIONS_SWEEP_LEASE_SECONDS": 300,
    "NOTIFICATIONS_SWEEP_LIMIT": 5000,
    "NOTIFICATIONS_BATCH_SIZE": 50,
    "SMSAPI_TOKEN": "",
    "SMSAPI_SENDER": "",
    "SMSAPI_URL": "https://api.smsapi.pl/",
    "SMSAPI_TEST_MODE": False,
    "SMSAPI_TIMEOUT": 10,
}

# Celery countdowns stay short: a long ETA on Redis is re-delivered after the visibility timeout
# (DESIGN.md); anything later is left to the sweeper, which reads `next_attempt_at`.
MAX_TASK_COUNTDOWN_SECONDS = 300


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
