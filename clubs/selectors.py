"""Reads of the catalogue, with their related rows loaded in a fixed number of queries."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Group, Instructor, Meeting, Season, WeeklySlot


def season_current(*, on: dt.date | None = None) -> Season | None:
    return Season.objects.current(on=on)


def group_list_public(*, season: Season | None = None) -> QuerySet[Group]:
    """Published groups with everything a catalogue card shows."""
    groups = Group.objects.published()
    if season is not None:
        groups = groups.filter(season=season)
    return groups.select_related("activity", "season", "room__venue").prefetch_related(
        Prefetch("slots", queryset=WeeklySlot.objects.select_related("room__venue")),
        Prefetch("instructors", queryset=Instructor.objects.order_by("last_name", "first_name")),
    )


def meeting_list_for_group(
    *, group: Group, since: dt.datetime | None = None, limit: int | None = None
) -> QuerySet[Meeting]:
    meetings = group.meetings.select_related("room__venue").order_by("starts_at")
    if since is not None:
        meetings = meetings.filter(ends_at__gte=since)
    return meetings[:limit] if limit else meetings


def meeting_list_upcoming(*, group: Group, limit: int = 6) -> list[Meeting]:
    return list(meeting_list_for_group(group=group, since=timezone.now(), limit=limit))
