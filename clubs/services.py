"""Writes to the catalogue."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from .models import ClosurePeriod, Group, Meeting, MeetingStatus


@dataclass
class MeetingGenerationResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    # Meetings no longer in the schedule that were kept: held already, changed by a person,
    # or holding records (attendance) that must never be deleted.
    kept: list[Meeting] = field(default_factory=list)


def public_holidays(years: range) -> holidays.HolidayBase:
    """Polish public holidays (24 December included from 2025 on)."""
    return holidays.country_holidays("PL", years=list(years))


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def meetings_generate(*, group: Group, now: dt.datetime | None = None) -> MeetingGenerationResult:
    """Bring the group's meetings in line with its weekly slots for the whole season.

    Idempotent: creates what is missing, moves untouched future meetings to a changed slot time,
    and removes untouched future meetings that left the schedule unless something refers to them.
    """
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    season = group.season
    slots = list(group.slots.select_related("room"))
    closures = list(ClosurePeriod.objects.filter(season=season))
    free_days = public_holidays(range(season.starts_on.year, season.ends_on.year + 1))

    wanted: dict[tuple[int, dt.date], tuple[dt.datetime, dt.datetime, int]] = {}
    for slot in slots:
        room_id = slot.room_id or group.room_id
        venue_id = slot.room.venue_id if slot.room_id else group.room.venue_id
        for day in _days(season.starts_on, season.ends_on):
            if day.isoweekday() != slot.weekday or day in free_days:
                continue
            if any(closure.covers(day, venue_id) for closure in closures):
                continue
            starts = dt.datetime.combine(day, slot.starts_at, tzinfo=tz)
            ends = dt.datetime.combine(day, slot.ends_at, tzinfo=tz)
            wanted[(slot.pk, day)] = (starts, ends, room_id)

    result = MeetingGenerationResult()
    with transaction.atomic():
        existing = {(m.slot_id, m.date): m for m in group.meetings.all()}
        to_create = []
        for key, (starts, ends, room_id) in wanted.items():
            meeting = existing.get(key)
            if meeting is None:
                to_create.append(
                    Meeting(
                        group=group,
                        slot_id=key[0],
                        date=key[1],
                        starts_at=starts,
                        ends_at=ends,
                        room_id=room_id,
                    )
                )
            elif (
                meeting.changed_by_id is None
                and meeting.status == MeetingStatus.SCHEDULED
                and meeting.starts_at > now
                and (meeting.starts_at, meeting.ends_at, meeting.room_id) != (starts, ends, room_id)
            ):
                meeting.starts_at, meeting.ends_at, meeting.room_id = starts, ends, room_id
                meeting.save(update_fields=["starts_at", "ends_at", "room", "updated_at"])
                result.updated += 1
        Meeting.objects.bulk_create(to_create)
        result.created = len(to_create)

        for key, meeting in existing.items():
            if key in wanted:
                continue
            if meeting.changed_by_id is not None or meeting.starts_at <= now:
                result.kept.append(meeting)
                continue
            try:
                with transaction.atomic():
                    meeting.delete()
            except (ProtectedError, RestrictedError):
                result.kept.append(meeting)
            else:
                result.removed += 1
    return result
