import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.scheduling import due_day_before

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def frozen_now(monkeypatch):
    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def test_the_evening_before_in_centre_time_across_a_clock_change(frozen_now):
    frozen_now(dt.datetime(2026, 3, 1, 12, 0, tzinfo=WARSAW))
    # Clocks go forward on 29 March 2026: Saturday 18:00 is CET, Monday 10:00 is CEST.
    assert due_day_before(dt.datetime(2026, 3, 30, 10, 0, tzinfo=WARSAW)) == dt.datetime(
        2026, 3, 29, 18, 0, tzinfo=WARSAW
    )


def test_a_meeting_added_late_is_reminded_at_once(frozen_now):
    now = dt.datetime(2026, 3, 13, 20, 0, tzinfo=WARSAW)
    frozen_now(now)
    assert due_day_before(dt.datetime(2026, 3, 14, 10, 0, tzinfo=WARSAW)) == now


def test_a_meeting_in_the_past_is_not_reminded_later_than_it_starts(frozen_now):
    frozen_now(dt.datetime(2026, 3, 14, 12, 0, tzinfo=WARSAW))
    start = dt.datetime(2026, 3, 14, 10, 0, tzinfo=WARSAW)
    assert due_day_before(start) == start
