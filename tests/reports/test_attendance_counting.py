"""Attendance counts each person's latest mark per meeting: a correction replaces the earlier
mark on the dashboard's monthly chart and in the annual report alike, on SQLite (NOT EXISTS a
later mark) and on PostgreSQL (DISTINCT ON over the latest-mark index)."""

import datetime as dt

import pytest

from clubs.models import ActivityKind, Group, Meeting, MeetingStatus
from enrollment.models import AttendanceMark, AttendanceStatus
from reports.annual import Period, annual_report, held_meetings
from reports.attendance import MONTH, mark_counts
from reports.dashboard import attendance_by_month
from tests.enrollment.factories import ParticipantFactory
from tests.factories import ActivityFactory, GroupFactory, SeasonFactory, UserFactory

from .seed import WARSAW

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=WARSAW)
A, P, L, E = (
    AttendanceStatus.ABSENT,
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
)


def _meeting(group, starts, status=MeetingStatus.SCHEDULED) -> Meeting:
    return Meeting.objects.create(
        group=group,
        date=starts.date(),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        room=group.room,
        status=status,
    )


@pytest.fixture
def corrected(db):
    """Two months of one group's meetings, with corrections (some at the same minute: the later
    row wins) and marks that must not count (a cancelled meeting, a meeting not yet held)."""
    staff = UserFactory()
    season = SeasonFactory()
    group = GroupFactory(
        activity=ActivityFactory(kind=ActivityKind.SECTION), season=season, capacity=10
    )
    january = _meeting(group, dt.datetime(2026, 1, 12, 17, tzinfo=WARSAW))
    february = _meeting(group, dt.datetime(2026, 2, 9, 17, tzinfo=WARSAW))
    cancelled = _meeting(
        group, dt.datetime(2026, 2, 16, 17, tzinfo=WARSAW), status=MeetingStatus.CANCELLED
    )
    coming = _meeting(group, dt.datetime(2026, 3, 2, 17, tzinfo=WARSAW))
    a, b, c, d = (ParticipantFactory(consents=[]) for _ in range(4))

    def mark(meeting, participant, status, minutes):
        AttendanceMark.objects.create(
            meeting=meeting,
            participant=participant,
            status=status,
            marked_by=staff,
            marked_at=meeting.starts_at + dt.timedelta(minutes=minutes),
        )

    # January: a present, then corrected twice, absent last; b present then late at the same
    # minute (the later row, late, counts); d late then absent at the same minute (absent).
    mark(january, a, A, 0)
    mark(january, a, P, 10)
    mark(january, b, P, 5)
    mark(january, b, L, 5)
    mark(january, d, L, 7)
    mark(january, d, A, 7)
    mark(january, a, A, 20)
    # February: c absent, corrected to present; a present once; the correction of a mark
    # written earlier than it counts by the time marked, not by the row's order.
    mark(february, c, P, 30)
    mark(february, c, A, 0)
    mark(february, a, E, 0)
    mark(february, a, P, 3)
    mark(cancelled, a, P, 0)
    mark(coming, a, P, 0)
    return {"season": season, "group": group}


def test_the_monthly_chart_counts_only_the_latest_mark(corrected):
    months = attendance_by_month(Group.objects.all(), season=corrected["season"], now=NOW)
    assert [(m.month, m.marked, m.attended) for m in months] == [
        (dt.date(2026, 1, 1), 3, 1),
        (dt.date(2026, 2, 1), 2, 2),
    ]


def test_the_annual_report_counts_only_the_latest_mark(corrected):
    report = annual_report(year=2026, now=NOW)
    assert (report.total.marked, report.total.attended) == (5, 3)
    assert report.total.meetings == 2


def test_mark_counts_group_by_the_keys_given(corrected):
    meetings = held_meetings(Period(year=2026, now=NOW))
    rows = mark_counts(meetings, {"kind": "group__activity__kind", "month": MONTH})
    got = sorted((r["kind"], r["month"].month, r["marked"], r["attended"]) for r in rows)
    assert got == [(ActivityKind.SECTION, 1, 3, 1), (ActivityKind.SECTION, 2, 2, 2)]
    assert mark_counts(meetings.none(), {"kind": "group__activity__kind"}) == []
