"""iCalendar feeds of meetings (RFC 5545), as phone calendars expect them."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting, MeetingStatus

PRODID = "-//Miejski Osrodek Kultury//Zapisy na zajecia//PL"


def calendar_build(*, name: str, meetings: Iterable[Meeting], domain: str) -> Calendar:
    tz = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at.astimezone(tz))
        event.add("dtend", meeting.ends_at.astimezone(tz))
        event.add("last-modified", meeting.updated_at)
        summary = str(meeting.group)
        if meeting.status == MeetingStatus.CANCELLED:
            event.add("status", "CANCELLED")
            # Many phone calendars ignore STATUS; the title says it too.
            summary = f"[{MeetingStatus.CANCELLED.label.upper()}] {summary}"
        else:
            event.add("status", "CONFIRMED")
        # A changed meeting gets a higher sequence so calendars replace their copy.
        event.add("sequence", 1 if meeting.changed_by_id else 0)
        event.add("summary", summary)
        event.add(
            "location",
            f"{meeting.room.name}, {meeting.room.venue.name}, {meeting.room.venue.address}",
        )
        if meeting.note:
            event.add("description", meeting.note)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar
