import datetime as dt

import pytest

from clubs.models import Meeting
from clubs.services import meetings_generate, public_holidays
from tests.factories import (
    WARSAW,
    ClosurePeriodFactory,
    GroupFactory,
    RoomFactory,
    UserFactory,
    VenueFactory,
    WeeklySlotFactory,
)
from tests.testapp.models import MeetingRecord

pytestmark = pytest.mark.django_db

SEASON_START = dt.date(2026, 9, 1)
SEASON_END = dt.date(2027, 6, 30)
# Polish public holidays in the 2026/2027 season, written out by hand (independent of `holidays`).
HOLIDAYS = {
    dt.date(2026, 11, 1),
    dt.date(2026, 11, 11),
    dt.date(2026, 12, 24),
    dt.date(2026, 12, 25),
    dt.date(2026, 12, 26),
    dt.date(2027, 1, 1),
    dt.date(2027, 1, 6),
    dt.date(2027, 3, 28),
    dt.date(2027, 3, 29),
    dt.date(2027, 5, 1),
    dt.date(2027, 5, 3),
    dt.date(2027, 5, 16),
    dt.date(2027, 5, 27),
}
BEFORE_SEASON = dt.datetime(2026, 8, 1, tzinfo=WARSAW)


def weekdays(iso_weekday: int, *, skip=frozenset()) -> list[dt.date]:
    day, found = SEASON_START, []
    while day <= SEASON_END:
        if day.isoweekday() == iso_weekday and day not in HOLIDAYS and day not in skip:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def meeting_dates(group) -> list[dt.date]:
    return list(group.meetings.order_by("date").values_list("date", flat=True))


def test_24_december_is_a_public_holiday_from_2025():
    days = public_holidays(range(2024, 2028))
    assert dt.date(2024, 12, 24) not in days
    assert dt.date(2025, 12, 24) in days
    assert dt.date(2026, 12, 24) in days


def test_generates_one_meeting_per_slot_day_skipping_holidays():
    slot = WeeklySlotFactory(weekday=4)  # Thursday: 24 December and Corpus Christi fall on it

    result = meetings_generate(group=slot.group, now=BEFORE_SEASON)

    expected = weekdays(4)
    assert result.created == len(expected)
    assert meeting_dates(slot.group) == expected
    assert dt.date(2026, 12, 24) not in expected
    assert dt.date(2026, 12, 31) in expected
    assert dt.date(2027, 5, 27) not in expected


def test_closures_of_the_centre_and_of_a_venue():
    slot = WeeklySlotFactory(weekday=2)
    group = slot.group
    ClosurePeriodFactory(
        season=group.season, starts_on=dt.date(2027, 1, 18), ends_on=dt.date(2027, 1, 31)
    )
    other_venue = VenueFactory()
    ClosurePeriodFactory(
        season=group.season,
        name="Remont OBOK",
        venue=other_venue,
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 10, 31),
    )

    meetings_generate(group=group, now=BEFORE_SEASON)

    winter_break = {dt.date(2027, 1, 19), dt.date(2027, 1, 26)}
    assert meeting_dates(group) == weekdays(2, skip=winter_break)
    assert dt.date(2026, 10, 6) in meeting_dates(group)  # the other venue's closure

    obok_group = GroupFactory(season=group.season, room=RoomFactory(venue=other_venue))
    WeeklySlotFactory(group=obok_group, weekday=2)
    meetings_generate(group=obok_group, now=BEFORE_SEASON)
    october = {dt.date(2026, 10, d) for d in (6, 13, 20, 27)}
    assert meeting_dates(obok_group) == weekdays(2, skip=winter_break | october)


def test_local_time_holds_across_dst_changes():
    slot = WeeklySlotFactory(weekday=2, starts_at=dt.time(17, 0), ends_at=dt.time(18, 30))
    meetings_generate(group=slot.group, now=BEFORE_SEASON)

    before_autumn = Meeting.objects.get(date=dt.date(2026, 10, 20))
    after_autumn = Meeting.objects.get(date=dt.date(2026, 10, 27))
    after_spring = Meeting.objects.get(date=dt.date(2027, 3, 30))

    for meeting in (before_autumn, after_autumn, after_spring):
        local = meeting.starts_at.astimezone(WARSAW)
        assert (local.hour, local.minute) == (17, 0)
        assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=90)
    assert before_autumn.starts_at.astimezone(dt.UTC).hour == 15  # CEST, UTC+2
    assert after_autumn.starts_at.astimezone(dt.UTC).hour == 16  # CET, UTC+1
    assert after_spring.starts_at.astimezone(dt.UTC).hour == 15


def test_regenerating_changes_nothing():
    slot = WeeklySlotFactory(weekday=1)
    meetings_generate(group=slot.group, now=BEFORE_SEASON)
    before = list(Meeting.objects.order_by("pk").values_list("pk", "date", "starts_at"))

    result = meetings_generate(group=slot.group, now=BEFORE_SEASON)

    assert (result.created, result.updated, result.removed, result.kept) == (0, 0, 0, [])
    assert list(Meeting.objects.order_by("pk").values_list("pk", "date", "starts_at")) == before


def test_changed_slot_time_moves_only_future_untouched_meetings():
    slot = WeeklySlotFactory(weekday=3, starts_at=dt.time(16, 0), ends_at=dt.time(17, 0))
    group = slot.group
    meetings_generate(group=group, now=BEFORE_SEASON)
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=WARSAW)
    moved_by_hand = Meeting.objects.get(date=dt.date(2027, 2, 3))
    moved_by_hand.starts_at += dt.timedelta(hours=2)
    moved_by_hand.ends_at += dt.timedelta(hours=2)
    moved_by_hand.changed_by = UserFactory()
    moved_by_hand.save()

    slot.starts_at, slot.ends_at = dt.time(16, 30), dt.time(17, 30)
    slot.save()
    meetings_generate(group=group, now=now)

    past = Meeting.objects.get(date=dt.date(2026, 11, 25))
    future = Meeting.objects.get(date=dt.date(2026, 12, 2))
    assert past.starts_at.astimezone(WARSAW).time() == dt.time(16, 0)
    assert future.starts_at.astimezone(WARSAW).time() == dt.time(16, 30)
    moved_by_hand.refresh_from_db()
    assert moved_by_hand.starts_at.astimezone(WARSAW).time() == dt.time(18, 0)


def test_removed_slot_keeps_held_changed_and_recorded_meetings():
    slot = WeeklySlotFactory(weekday=5)
    group = slot.group
    meetings_generate(group=group, now=BEFORE_SEASON)
    total = group.meetings.count()
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=WARSAW)
    held = group.meetings.filter(starts_at__lte=now).count()
    with_attendance = Meeting.objects.get(date=dt.date(2027, 1, 8))
    MeetingRecord.objects.create(meeting=with_attendance)
    cancelled = Meeting.objects.get(date=dt.date(2027, 1, 15))
    cancelled.status = "cancelled"
    cancelled.changed_by = UserFactory()
    cancelled.save()

    slot.delete()
    result = meetings_generate(group=group, now=now)

    assert result.removed == total - held - 2
    assert len(result.kept) == held + 2
    assert set(group.meetings.filter(starts_at__gt=now).values_list("date", flat=True)) == {
        dt.date(2027, 1, 8),
        dt.date(2027, 1, 15),
    }
    assert MeetingRecord.objects.filter(meeting=with_attendance).exists()


def test_new_closure_removes_future_meetings_but_not_those_with_attendance():
    slot = WeeklySlotFactory(weekday=1)
    group = slot.group
    meetings_generate(group=group, now=BEFORE_SEASON)
    recorded = Meeting.objects.get(date=dt.date(2027, 2, 8))
    MeetingRecord.objects.create(meeting=recorded)
    ClosurePeriodFactory(
        season=group.season, starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 2, 14)
    )

    result = meetings_generate(group=group, now=BEFORE_SEASON)

    assert result.removed == 1  # 1 February; 8 February has an attendance record
    assert [m.date for m in result.kept] == [dt.date(2027, 2, 8)]
    assert not group.meetings.filter(date=dt.date(2027, 2, 1)).exists()


def test_slot_room_overrides_group_room():
    room = RoomFactory()
    slot = WeeklySlotFactory(weekday=2, room=room)
    meetings_generate(group=slot.group, now=BEFORE_SEASON)
    assert set(slot.group.meetings.values_list("room", flat=True)) == {room.pk}
