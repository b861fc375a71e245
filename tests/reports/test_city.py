"""Figures for the city: participants per activity and month, hours per instructor."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clubs.models import Group, Meeting, MeetingStatus
from enrollment.models import Enrollment, EnrollmentStatus
from reports.city import instructor_hours, participants_per_month

from .seed import WARSAW, build_centre, decimal_hours

S = EnrollmentStatus
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=WARSAW)


def _expected_months(year):
    counts: dict[int, list[set]] = {}
    for e in Enrollment.objects.select_related("group__season"):
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            start = dt.datetime.combine(following, dt.time.min, tzinfo=WARSAW)
            season = e.group.season
            holds = (e.status == S.ACTIVE and e.ends_on is None) or (
                e.status in (S.ACTIVE, S.WITHDRAWN, S.MOVED)
                and e.ends_on is not None
                and e.ends_on >= first
            )
            if (
                holds
                and e.requested_at < start
                and season.starts_on < following
                and season.ends_on >= first
            ):
                counts.setdefault(e.group.activity_id, [set() for _ in range(12)])[month - 1].add(
                    e.participant_id
                )
    return {k: [len(s) for s in v] for k, v in counts.items() if any(v)}


@pytest.mark.django_db
def test_participants_per_activity_and_month_equal_the_rows():
    build_centre(seed=21)
    rows = participants_per_month(year=2025, groups=Group.objects.all())
    assert {r.activity_id: r.months for r in rows} == _expected_months(2025)
    assert sum(sum(r.months) for r in rows) > 0


@pytest.mark.django_db
def test_hours_per_instructor_equal_the_rows():
    build_centre(seed=22)
    expected: dict = {}
    for m in Meeting.objects.prefetch_related("group__instructors"):
        local = m.starts_at.astimezone(WARSAW)
        if m.status != MeetingStatus.SCHEDULED or local.year != 2025 or m.starts_at >= NOW:
            continue
        for key in [i.pk for i in m.group.instructors.all()] or [None]:
            item = expected.setdefault(key, [0, 0])
            item[0] += 1
            item[1] += int((m.ends_at - m.starts_at).total_seconds() // 60)
    found = instructor_hours(year=2025, groups=Group.objects.all(), now=NOW)
    assert {i.instructor_id: (i.meetings, i.hours) for i in found} == {
        k: (n, decimal_hours(minutes)) for k, (n, minutes) in expected.items()
    }


@pytest.mark.django_db
def test_the_export_has_counts_and_names_only_on_request(client, office):
    build_centre(seed=23, people=12, groups_per_activity=1)
    client.force_login(office)
    url = reverse("reports:city-xlsx")
    plain = load_workbook(io.BytesIO(client.get(url, {"year": "2025"}).content))
    assert len(plain.worksheets) == 2  # participants, instructors: no personal data
    named = load_workbook(io.BytesIO(client.get(url, {"year": "2025", "names": "1"}).content))
    assert len(named.worksheets) == 3
    rows = list(named.worksheets[2].iter_rows(min_row=2, values_only=True))
    people = {
        (r[0], r[3]) for r in rows
    }  # (activity, birth date) pairs: a person once per activity
    assert len(rows) == len(set(rows)) and people


@pytest.mark.django_db
def test_the_city_page_query_count_does_not_grow_with_rows(client, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office)
    url = reverse("reports:city")
    build_centre(seed=2, people=10, groups_per_activity=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"year": "2025"}).status_code == 200
    build_centre(seed=9, people=60, groups_per_activity=3)
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"year": "2025"})
    assert len(small) == len(large)


@pytest.mark.django_db
def test_the_city_page_filters_by_kind_and_sorts(client, office):
    build_centre(seed=24, people=30, groups_per_activity=1)
    client.force_login(office)
    url = reverse("reports:city")
    response = client.get(url, {"year": "2025", "kind": "course", "sort": "-peak"})
    assert response.status_code == 200
    rows = list(response.context["activities"])
    assert rows and {r.kind for r in rows} == {"course"}
    assert [r.peak for r in rows] == sorted((r.peak for r in rows), reverse=True)
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("reports:city-xlsx"), {"year": "2025", "kind": "course"}).content
        )
    )
    assert workbook.worksheets[0].max_row == len(rows) + 2  # header, rows, total
