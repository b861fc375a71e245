"""When reminders are due, for domain apps that queue them ahead (`due_at=`)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# The evening before: late enough to be relevant, early enough to plan the next morning.
REMINDER_TIME = dt.time(18, 0)


def due_day_before(starts_at: dt.datetime, *, at: dt.time = REMINDER_TIME) -> dt.datetime:
    """The day before `starts_at` at `at`, centre time (daylight saving handled); if that moment
    has passed or is after the start, now (the reminder goes out at once)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local_start = timezone.localtime(starts_at, zone)
    due = dt.datetime.combine(local_start.date() - dt.timedelta(days=1), at, tzinfo=zone)
    now = timezone.now()
    if due >= starts_at or due <= now:
        return now if now < starts_at else starts_at
    return due
