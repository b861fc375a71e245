import datetime as dt

import pytest
from icalendar import Calendar

from clubs.models import Meeting, MeetingStatus
from clubs.services import meetings_generate
from tests.factories import WARSAW, GroupFactory, UserFactory, WeeklySlotFactory

pytestmark = pytest.mark.django_db


def test_group_calendar_parses_back_with_every_meeting(client):
    slot = WeeklySlotFactory(weekday=2, starts_at=dt.time(17, 0), ends_at=dt.time(18, 0))
    group = slot.group
    meetings_generate(group=group, now=dt.datetime(2026, 8, 1, tzinfo=WARSAW))
    cancelled = Meeting.objects.get(date=dt.date(2026, 10, 27))
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.changed_by = UserFactory()
    cancelled.save()

    response = client.get(f"/groups/{group.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == group.meetings.count()
    assert calendar["VERSION"] == "2.0"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Warsaw"
    by_uid = {str(event["UID"]): event for event in events}
    assert len(by_uid) == len(events)
    event = by_uid[f"meeting-{cancelled.pk}@testserver"]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    start = event.decoded("DTSTART")
    assert start == dt.datetime(2026, 10, 27, 17, 0, tzinfo=WARSAW)
    assert start.utcoffset() == dt.timedelta(hours=1)
    regular = by_uid[f"meeting-{group.meetings.get(date=dt.date(2026, 10, 20)).pk}@testserver"]
    assert regular["STATUS"] == "CONFIRMED"
    assert regular.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)
    assert group.room.venue.name in str(regular["LOCATION"])


def test_calendar_of_a_missing_or_hidden_group_is_404(client):
    hidden = GroupFactory(is_published=False)
    assert client.get(f"/groups/{hidden.pk}/calendar.ics").status_code == 404
    assert client.get("/groups/424242/calendar.ics").status_code == 404
