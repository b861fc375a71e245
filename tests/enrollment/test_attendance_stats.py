import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import Role
from clubs.models import Meeting, MeetingStatus
from enrollment.attendance_sheet import status_abbreviations
from enrollment.attendance_stats import (
    BadMonthError,
    group_sheet,
    group_stats,
    month_parse,
    month_previous,
)
from enrollment.models import AttendanceMark
from tests.enrollment.test_attendance import _enroll, _meeting
from tests.factories import WARSAW, GroupFactory, InstructorFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_MONTH = month_previous(timezone.localdate().replace(day=1))


@pytest.fixture
def setup():
    """As in test_attendance: a group with its instructor and coordinator, a meeting starting
    this hour, and two enrolled children."""
    group = GroupFactory(capacity=30)
    instructor = UserFactory(roles=[Role.INSTRUCTOR])
    group.instructors.add(InstructorFactory(user=instructor))
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    group.activity.coordinators.add(coordinator)
    guardian, kids = _enroll(group, children=2)
    return {
        "group": group,
        "instructor": instructor,
        "coordinator": coordinator,
        "guardian": guardian,
        "kids": kids,
        "meeting": _meeting(group),
    }


def _meeting_on(group, day: dt.date, *, status=MeetingStatus.SCHEDULED) -> Meeting:
    starts_at = dt.datetime.combine(day, dt.time(17, 0), tzinfo=WARSAW)
    return Meeting.objects.create(
        group=group,
        date=day,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        room=group.room,
        status=status,
    )


def _month_meetings(group, month=LAST_MONTH, days=(3, 10, 17, 24)) -> list[Meeting]:
    return [_meeting_on(group, month.replace(day=day)) for day in days]


def _mark(meeting, participant, status, by, *, minutes=0) -> AttendanceMark:
    return AttendanceMark.objects.create(
        meeting=meeting,
        participant=participant,
        status=status,
        marked_by=by,
        marked_at=meeting.starts_at + dt.timedelta(minutes=minutes),
    )


def _expected(meetings) -> dict[tuple[int, int], str]:
    """The current mark per (meeting, participant), computed from the rows one by one."""
    current: dict[tuple[int, int], AttendanceMark] = {}
    for mark in AttendanceMark.objects.filter(meeting__in=meetings):
        key = (mark.meeting_id, mark.participant_id)
        if key not in current or (mark.marked_at, mark.pk) > (
            current[key].marked_at,
            current[key].pk,
        ):
            current[key] = mark
    return {key: mark.status for key, mark in current.items()}


def _stats_url(group, month=LAST_MONTH, name="attendance:group-stats") -> str:
    return f"{reverse(name, args=[group.pk])}?month={month:%Y-%m}"


# --- selectors ---------------------------------------------------------------------------------


def test_month_parse():
    assert month_parse("2026-02") == dt.date(2026, 2, 1)
    assert month_parse("", today=dt.date(2026, 11, 25)) == dt.date(2026, 11, 1)
    for bad in ("2026-13", "2026", "abc", "1800-01", "2026-1-1"):
        with pytest.raises(BadMonthError):
            month_parse(bad)


def test_numbers_equal_counts_from_the_rows_and_corrections_win(setup):
    group, (ala, ola), by = setup["group"], setup["kids"], setup["instructor"]
    meetings = _month_meetings(group)
    cancelled = _meeting_on(group, LAST_MONTH.replace(day=27), status=MeetingStatus.CANCELLED)
    earlier = _month_meetings(group, month=month_previous(LAST_MONTH), days=(5,))
    plan = [
        (meetings[0], ala, "absent", 0),
        (meetings[0], ala, "present", 30),  # a correction: present counts
        (meetings[0], ola, "late", 0),
        (meetings[1], ala, "excused", 0),
        (meetings[1], ola, "present", 0),
        (meetings[1], ola, "absent", 5),  # a correction: absent counts
        (meetings[2], ala, "present", 0),
        (meetings[3], ola, "excused", 0),
        (cancelled, ala, "present", 0),  # not held: not counted
        (earlier[0], ala, "absent", 0),  # another month
    ]
    for meeting, child, status, minutes in plan:
        _mark(meeting, child, status, by, minutes=minutes)

    stats = group_stats(group=group, month=LAST_MONTH)

    expected = _expected(meetings)
    overall = Counter(expected.values())
    assert stats.held == meetings
    assert stats.tally.present == overall["present"] == 2
    assert stats.tally.late == overall["late"] == 1
    assert stats.tally.absent == overall["absent"] == 1
    assert stats.tally.excused == overall["excused"] == 2
    assert stats.tally.attended == 3
    assert stats.tally.rate == pytest.approx(3 / 6)
    rows = {row.participant: row.tally for row in stats.participants}
    for child in (ala, ola):
        mine = Counter(s for (_m, pid), s in expected.items() if pid == child.pk)
        tally = rows[child]
        assert (tally.present, tally.late, tally.absent, tally.excused) == (
            mine["present"],
            mine["late"],
            mine["absent"],
            mine["excused"],
        )
    assert rows[ala].attended == 2 and rows[ola].attended == 1
    by_month = {
        row.month: (row.meetings, row.tally.attended, row.tally.marked) for row in stats.months
    }
    assert by_month == {month_previous(LAST_MONTH): (1, 0, 1), LAST_MONTH: (4, 3, 6)}


def test_meetings_not_yet_started_are_not_held(setup):
    group, child, by = setup["group"], setup["kids"][0], setup["instructor"]
    month = timezone.localdate().replace(day=1)
    future = _meeting_on(group, timezone.localdate() + dt.timedelta(days=40))
    Meeting.objects.filter(pk=future.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    _mark(future, child, "present", by)

    stats = group_stats(group=group, month=month)

    assert future not in stats.held
    assert setup["meeting"] in stats.held  # the fixture's meeting started this hour
    assert stats.tally.marked == 0


def test_three_unexcused_absences_in_a_row_are_flagged_and_an_excused_one_breaks_it(setup):
    group, (ala, ola), by = setup["group"], setup["kids"], setup["instructor"]
    meetings = _month_meetings(group)
    for meeting, status in zip(meetings, ("present", "absent", "absent", "absent"), strict=True):
        _mark(meeting, ala, status, by)
    for meeting, status in zip(meetings, ("absent", "absent", "excused", "absent"), strict=True):
        _mark(meeting, ola, status, by)

    stats = group_stats(group=group, month=LAST_MONTH)

    assert [(row.participant, row.streak) for row in stats.flagged] == [(ala, 3)]
    assert {row.participant: row.streak for row in stats.participants}[ola] == 1
    assert group_stats(group=group, month=LAST_MONTH, streak_limit=4).flagged == []


def test_a_correction_of_the_last_absence_clears_the_flag(setup):
    group, ala, by = setup["group"], setup["kids"][0], setup["instructor"]
    meetings = _month_meetings(group, days=(3, 10, 17))
    for meeting in meetings:
        _mark(meeting, ala, "absent", by)
    _mark(meetings[-1], ala, "excused", by, minutes=10)

    assert group_stats(group=group, month=LAST_MONTH).flagged == []


def test_the_coordinator_sees_the_flag_on_the_page(client, setup):
    group, ala, by = setup["group"], setup["kids"][0], setup["instructor"]
    for meeting in _month_meetings(group, days=(3, 10, 17)):
        _mark(meeting, ala, "absent", by)
    client.force_login(setup["coordinator"])

    response = client.get(_stats_url(group))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="streak-flags"' in html and str(ala) in html


def test_stats_query_count_does_not_grow(setup, django_assert_num_queries):
    group, by = setup["group"], setup["instructor"]
    meetings = _month_meetings(group, days=(3,))
    _mark(meetings[0], setup["kids"][0], "present", by)
    with django_assert_num_queries(3):
        group_stats(group=group, month=LAST_MONTH)
    with django_assert_num_queries(4):
        group_sheet(group=group, month=LAST_MONTH)

    more = _month_meetings(group, days=(10, 17, 24, 28))
    for _ in range(5):
        _enroll(group)
    kids = [e.participant for e in group.enrollments.select_related("participant")]
    for meeting in more:
        for child in kids:
            _mark(meeting, child, "late", by)

    with django_assert_num_queries(3):
        stats = group_stats(group=group, month=LAST_MONTH)
    with django_assert_num_queries(4):
        sheet = group_sheet(group=group, month=LAST_MONTH)
    assert len(stats.participants) == len(sheet.rows) == 7
    assert len(sheet.meetings) == 5


def test_pages_query_count_does_not_grow(client, setup, django_assert_max_num_queries):
    group, by = setup["group"], setup["instructor"]
    [first] = _month_meetings(group, days=(1,))
    _mark(first, setup["kids"][0], "present", by)
    client.force_login(setup["coordinator"])
    urls = [
        _stats_url(group),
        _stats_url(group, name="attendance:group-sheet"),
        _stats_url(group, name="attendance:group-sheet-xlsx"),
    ]
    small = {}
    for url in urls:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)

    for _ in range(4):
        _enroll(group)
    kids = [e.participant for e in group.enrollments.select_related("participant")]
    for meeting in _month_meetings(group):
        for child in kids:
            _mark(meeting, child, "absent", by)

    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("instructor", 200),
        ("coordinator", 200),
        ("director", 200),
        ("office", 200),
        ("other_instructor", 404),
        ("other_coordinator", 404),
        ("guardian", 404),
    ],
)
@pytest.mark.parametrize(
    "name", ["attendance:group-stats", "attendance:group-sheet", "attendance:group-sheet-xlsx"]
)
def test_permission_matrix(client, setup, who, expected, name):
    group = setup["group"]
    other_instructor = UserFactory(roles=[Role.INSTRUCTOR])
    InstructorFactory(user=other_instructor)
    users = {
        "instructor": setup["instructor"],
        "coordinator": setup["coordinator"],
        "director": UserFactory(roles=[Role.DIRECTOR]),
        "office": UserFactory(roles=[Role.OFFICE]),
        "other_instructor": other_instructor,
        "other_coordinator": UserFactory(roles=[Role.COORDINATOR]),
        "guardian": setup["guardian"],
    }
    client.force_login(users[who])

    response = client.get(_stats_url(group, name=name))

    assert response.status_code == expected


def test_anonymous_is_sent_to_log_in(client, setup):
    response = client.get(_stats_url(setup["group"]))

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("value", ["2026-13", "nonsense", "2026-00"])
def test_a_bad_month_answers_a_message(client, setup, value):
    group = setup["group"]
    client.force_login(setup["instructor"])
    url = f"{reverse('attendance:group-stats', args=[group.pk])}"

    with translation.override("en"):
        page = client.get(url, {"month": value}, HTTP_ACCEPT_LANGUAGE="en")
        sheet = client.get(
            reverse("attendance:group-sheet", args=[group.pk]),
            {"month": value},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        xlsx = client.get(
            reverse("attendance:group-sheet-xlsx", args=[group.pk]),
            {"month": value},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    for response in (page, sheet, xlsx):
        assert response.status_code == 400
        assert "is not a month" in response.content.decode()


def test_the_stats_page_has_a_month_picker_and_numbers(client, setup):
    group, ala, by = setup["group"], setup["kids"][0], setup["instructor"]
    [meeting] = _month_meetings(group, days=(3,))
    _mark(meeting, ala, "late", by)
    client.force_login(setup["instructor"])

    html = client.get(_stats_url(group)).content.decode()

    assert f'name="month" value="{LAST_MONTH:%Y-%m}"' in html
    assert 'id="group-rate">100%<' in html


def _xlsx(client, group, month=LAST_MONTH, language="pl"):
    response = client.get(
        _stats_url(group, month=month, name="attendance:group-sheet-xlsx"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-{month:%Y-%m}.xlsx"')
    return load_workbook(io.BytesIO(response.content)).active


def test_the_xlsx_sheet_has_cells_and_totals(client, setup):
    group, (ala, ola), by = setup["group"], setup["kids"], setup["instructor"]
    meetings = _month_meetings(group, days=(3, 10, 17))
    _meeting_on(group, LAST_MONTH.replace(day=24), status=MeetingStatus.CANCELLED)
    _mark(meetings[0], ala, "absent", by)
    _mark(meetings[0], ala, "present", by, minutes=5)  # the correction wins
    _mark(meetings[1], ala, "late", by)
    _mark(meetings[2], ala, "excused", by)
    _mark(meetings[0], ola, "absent", by)
    _mark(meetings[1], ola, "present", by)
    client.force_login(setup["instructor"])

    ws = _xlsx(client, group, language="en")

    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    header_index = next(i for i, row in enumerate(values) if row[0] == "No.")
    header = values[header_index]
    assert header == [
        "No.",
        "Participant",
        *[f"{m.date:%d.%m}" for m in meetings],
        "Attended",
        "Absent",
        "Excused",
    ]
    rows = {row[1]: row for row in values[header_index + 1 : header_index + 3]}
    assert rows[str(ala)][2:] == ["P", "L", "E", 2, 0, 1]
    assert rows[str(ola)][2:] == ["A", "P", None, 1, 1, 0]
    totals = values[header_index + 3]
    assert totals[1:] == ["Attended", 1, 2, 0, 3, 1, 1]
    assert values[1][:2] == ["Group", group.name]
    assert values[2][:2] == ["Activity", group.activity.name]
    assert values[3][:2] == ["Instructors", str(group.instructors.get())]
    assert values[4][0] == "Month"
    assert values[-1][0] == "P = present, A = absent, E = excused, L = late"
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == f"${header_index + 1}:${header_index + 1}"
    assert ws.cell(row=header_index + 1, column=1).font.b
    assert ws.column_dimensions["B"].width == 28


def test_the_xlsx_uses_the_active_languages_abbreviations(client, setup):
    group, ala, by = setup["group"], setup["kids"][0], setup["instructor"]
    [meeting] = _month_meetings(group, days=(3,))
    _mark(meeting, ala, "absent", by)
    client.force_login(setup["instructor"])

    ws = _xlsx(client, group)

    cells = [cell.value for row in ws.iter_rows() for cell in row]
    assert status_abbreviations()["absent"] in cells


def test_the_print_sheet_shows_the_same_cells(client, setup):
    group, ala, by = setup["group"], setup["kids"][0], setup["instructor"]
    [meeting] = _month_meetings(group, days=(3,))
    _mark(meeting, ala, "late", by)
    client.force_login(setup["coordinator"])

    html = client.get(_stats_url(group, name="attendance:group-sheet")).content.decode()

    # The print layout is a static stylesheet (the Content-Security-Policy allows no inline style).
    assert "css/sheet.css" in html
    assert "@media print" in Path(finders.find("css/sheet.css")).read_text(encoding="utf-8")
    assert f"{meeting.date:%d.%m}" in html
    assert f"<td>{status_abbreviations()['late']}</td>" in html
