import datetime as dt

import pytest

from clubs.models import Meeting
from enrollment import services
from notifications.models import Notification
from notifications.services import preference_set
from tests.enrollment.factories import family
from tests.factories import WARSAW, GroupFactory, WeeklySlotFactory

pytestmark = pytest.mark.django_db


def test_reminders_go_to_families_who_asked_for_them_once_the_evening_before():
    group = GroupFactory()
    WeeklySlotFactory(group=group, weekday=3, starts_at=dt.time(17, 0), ends_at=dt.time(18, 0))
    day = dt.date(2027, 3, 10)  # a Wednesday
    meeting = Meeting.objects.create(
        group=group,
        slot=group.slots.get(),
        date=day,
        starts_at=dt.datetime(2027, 3, 10, 17, 0, tzinfo=WARSAW),
        ends_at=dt.datetime(2027, 3, 10, 18, 0, tzinfo=WARSAW),
        room=group.room,
    )
    wants, [child] = family()
    silent, [other] = family()
    services.enrollment_request(participants=[child], group=group, requested_by=wants)
    services.enrollment_request(participants=[other], group=group, requested_by=silent)
    preference_set(user=wants, kind="meeting_reminder", channel="email", enabled=True)

    services.meeting_reminders_queue(day=day)
    services.meeting_reminders_queue(day=day)

    [reminder] = Notification.objects.filter(kind="meeting_reminder")
    assert reminder.user_id == wants.pk
    assert reminder.due_at == dt.datetime(2027, 3, 9, 18, 0, tzinfo=WARSAW)
    assert reminder.dedupe_key.startswith(f"meeting-reminder:{meeting.pk}:202703101700:")


def test_no_meetings_no_reminders():
    assert services.meeting_reminders_queue(day=dt.date(2027, 3, 10)) == 0
