"""The annual report's numbers equal counts computed independently from the rows."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from reports.annual import Measure, annual_report, people_behind, units_behind, year_parse
from reports.exceptions import BadYearError
from reports.models import AgeBracket, Section

from .seed import WARSAW, build_centre, decimal_hours, expected

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=WARSAW)


def _section(report, name):
    return next(s for s in report.sections if s.section == name)


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_report_equals_counts_from_the_rows(year):
    build_centre(seed=year)
    brackets = list(AgeBracket.objects.all())
    want = expected(year, NOW, brackets)

    report = annual_report(year=year, now=NOW)

    assert sum(len(f["members"]) for f in want.values()) > 20  # not a vacuous comparison
    assert sum(f["marked"] for f in want.values()) > 20
    assert [b.pk for b in report.brackets] == [b.pk for b in brackets]
    for name, figures in want.items():
        total = _section(report, name).total
        assert total.units == len(figures["units"]), name
        assert total.members == len(figures["members"]), name
        assert total.by_bracket == [len(s) for s in figures["by_bracket"]], name
        assert total.graduates == len(figures["graduates"]), name
        assert total.graduates_by_bracket == [len(s) for s in figures["graduates_by_bracket"]]
        assert total.meetings == figures["meetings"], name
        assert total.hours == decimal_hours(figures["minutes"]), name
        assert (total.marked, total.attended) == (figures["marked"], figures["attended"]), name
        # brackets partition the ages: they add up to the members
        assert sum(total.by_bracket) == total.members
    assert report.total.members == sum(len(f["members"]) for f in want.values())
    assert report.unmapped == []


@pytest.mark.django_db
def test_rows_add_up_to_their_table_and_follow_the_configured_categories():
    build_centre(seed=3)
    report = annual_report(year=2025, now=NOW)
    ensembles = _section(report, Section.ENSEMBLES)
    by_label = {row.label: row.figures for row in ensembles.rows}
    # the seeded ensembles are dance, vocal and photography (counted in "inne")
    assert by_label["taneczne"].units == 1
    assert by_label["wokalne i chóralne"].units == 1
    assert by_label["inne"].units == 1
    assert by_label["teatralne"].units == 0
    for section in report.sections:
        assert sum(r.figures.members for r in section.rows) == section.total.members
        assert sum(r.figures.meetings for r in section.rows) == section.total.meetings


@pytest.mark.django_db
@pytest.mark.parametrize("measure", Measure.PEOPLE)
def test_every_figure_of_people_drills_down_to_exactly_that_many(measure):
    build_centre(seed=11)
    report = annual_report(year=2025, now=NOW)
    checked = 0
    for section in report.sections:
        for line in section.rows:
            value = getattr(line.figures, measure)
            people = people_behind(
                year=2025, measure=measure, section=section.section, row_key=line.key, now=NOW
            )
            assert people.count() == value
            by_bracket = getattr(
                line.figures, "by_bracket" if measure == "members" else "graduates_by_bracket"
            )
            for bracket, count in zip(report.brackets, by_bracket, strict=True):
                assert (
                    people_behind(
                        year=2025,
                        measure=measure,
                        section=section.section,
                        row_key=line.key,
                        bracket=bracket,
                        now=NOW,
                    ).count()
                    == count
                )
                checked += count
        total = people_behind(year=2025, measure=measure, section=section.section, now=NOW)
        assert total.count() == getattr(section.total, measure)
    assert checked > 0


@pytest.mark.django_db
def test_units_drill_down_to_the_activities_counted():
    build_centre(seed=5)
    report = annual_report(year=2025, now=NOW)
    for section in report.sections:
        assert units_behind(year=2025, section=section.section, now=NOW).count() == (
            section.total.units
        )


@pytest.mark.django_db
def test_a_year_without_data_is_all_zeros_and_says_so(client, director):
    build_centre(seed=1)
    report = annual_report(year=2010, now=NOW)
    assert report.is_empty
    assert report.total.members == report.total.meetings == report.total.units == 0

    client.force_login(director)
    response = client.get(reverse("reports:annual"), {"year": "2010"})
    assert response.status_code == 200
    assert b"data-empty-year" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "1999", "2101", "20x5"])
def test_a_bad_year_answers_400(client, director, value):
    client.force_login(director)
    assert client.get(reverse("reports:annual"), {"year": value}).status_code == 400
    assert client.get(reverse("reports:annual-xlsx"), {"year": value}).status_code == 400
    with pytest.raises(BadYearError):
        year_parse(value)


def test_no_year_means_last_year():
    assert year_parse("", today=dt.date(2027, 2, 10)) == 2026


def _queries(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


@pytest.mark.django_db
def test_the_report_runs_a_fixed_number_of_queries():
    build_centre(seed=2, people=10, groups_per_activity=1)
    small = _queries(lambda: annual_report(year=2025, now=NOW))
    build_centre(seed=4, people=60, groups_per_activity=3)
    large = _queries(lambda: annual_report(year=2025, now=NOW))
    assert small == large <= 6


@pytest.mark.django_db
def test_the_pages_query_count_does_not_grow_with_rows(client, director):
    client.force_login(director)
    build_centre(seed=2, people=10, groups_per_activity=1)
    url = reverse("reports:annual")
    small = _queries(lambda: client.get(url, {"year": "2025"}))
    build_centre(seed=9, people=60, groups_per_activity=3)
    large = _queries(lambda: client.get(url, {"year": "2025"}))
    assert small == large


@pytest.mark.django_db
def test_the_xlsx_has_the_screen_numbers(client, director):
    build_centre(seed=6)
    report = annual_report(year=2025)
    client.force_login(director)

    response = client.get(reverse("reports:annual-xlsx"), {"year": "2025"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    for section, sheet in zip(report.sections, workbook.worksheets, strict=True):
        header = [c.value for c in sheet[3]]
        assert header[:3] == [gettext("Row of the form"), gettext("Units"), gettext("Members")]
        totals = [c.value for c in sheet[3 + len(section.rows) + 1]]
        assert totals[0] == gettext("Total")
        assert totals[1:3] == [section.total.units, section.total.members]
        n = len(report.brackets)
        assert totals[3 : 3 + n] == section.total.by_bracket


@pytest.mark.django_db
def test_the_pdf_is_a_pdf(client, director):
    pytest.importorskip("weasyprint")
    build_centre(seed=6, people=8, groups_per_activity=1)
    client.force_login(director)
    response = client.get(reverse("reports:annual-pdf"), {"year": "2025"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_drill_down_pages_query_count_does_not_grow_with_rows(client, office):
    client.force_login(office)
    url = reverse("reports:annual-people")
    query = {"year": "2025", "section": "clubs", "measure": "members"}
    build_centre(seed=2, people=10, groups_per_activity=1)
    small = _queries(lambda: client.get(url, query))
    build_centre(seed=9, people=80, groups_per_activity=3)
    response = client.get(url, query)
    assert response.context["page_obj"].paginator.count > 10
    large = _queries(lambda: client.get(url, query))
    assert small == large
