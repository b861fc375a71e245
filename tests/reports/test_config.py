"""Age brackets and rows of the form: overlaps and gaps are refused whole, nothing saved."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from clubs.models import Category
from reports.config import (
    BracketSpec,
    RowSpec,
    age_brackets_problems,
    age_brackets_replace,
    current_brackets,
    current_rows,
    report_rows_problems,
    report_rows_replace,
)
from reports.exceptions import ReportConfigError
from reports.models import AgeBracket, ReportRow, Section


def test_the_seeded_defaults_are_a_valid_k07_layout(db):
    brackets = current_brackets()
    assert [(b.age_min, b.age_max) for b in brackets] == [(0, 15), (16, 24), (25, 59), (60, None)]
    assert age_brackets_problems(brackets) == []
    assert report_rows_problems(current_rows()) == []
    assert set(ReportRow.objects.values_list("section", flat=True)) == set(Section.values)


@pytest.mark.parametrize(
    "brackets",
    [
        [BracketSpec("a", 0, 15), BracketSpec("b", 15, None)],  # overlap at 15
        [BracketSpec("a", 0, 15), BracketSpec("b", 17, None)],  # 16 in no bracket
        [BracketSpec("a", 1, 15), BracketSpec("b", 16, None)],  # 0 in no bracket
        [BracketSpec("a", 0, 15), BracketSpec("b", 16, 80)],  # 81+ in no bracket
        [BracketSpec("a", 0, None), BracketSpec("b", 16, None)],  # open bracket overlaps
        [BracketSpec("a", 0, 15), BracketSpec("b", 16, 10), BracketSpec("c", 11, None)],
        [BracketSpec("a", 0, 15), BracketSpec("a", 16, None)],  # same label twice
        [],
    ],
)
def test_brackets_that_overlap_or_leave_gaps_are_refused_and_nothing_changes(db, brackets):
    before = list(AgeBracket.objects.values_list("pk", "label", "age_min", "age_max"))
    assert age_brackets_problems(brackets)
    with pytest.raises(ReportConfigError) as caught:
        age_brackets_replace(brackets=brackets)
    assert caught.value.messages
    assert list(AgeBracket.objects.values_list("pk", "label", "age_min", "age_max")) == before


@given(cuts=st.lists(st.integers(min_value=1, max_value=110), max_size=8, unique=True))
def test_any_partition_of_ages_passes_and_any_shift_of_a_boundary_fails(cuts):
    starts = [0, *sorted(cuts)]
    brackets = [
        BracketSpec(f"b{i}", start, (starts[i + 1] - 1) if i + 1 < len(starts) else None)
        for i, start in enumerate(starts)
    ]
    assert age_brackets_problems(brackets) == []
    if len(brackets) > 1:
        first = brackets[0]
        widened = [BracketSpec(first.label, 0, first.age_max + 1), *brackets[1:]]
        narrowed = [BracketSpec(first.label, 0, first.age_max - 1), *brackets[1:]]
        assert age_brackets_problems(widened)  # overlap
        if first.age_max >= 1:
            assert age_brackets_problems(narrowed)  # gap


def test_valid_brackets_replace_the_old_ones(db):
    age_brackets_replace(brackets=[BracketSpec("dzieci", 0, 12), BracketSpec("reszta", 13, None)])
    assert list(AgeBracket.objects.values_list("label", "age_min", "age_max")) == [
        ("dzieci", 0, 12),
        ("reszta", 13, None),
    ]


def _rows_covering_all() -> list[RowSpec]:
    return [RowSpec(section, "wszystko", 1, tuple(Category.values)) for section in Section.values]


def test_rows_with_a_category_twice_or_missing_are_refused_and_nothing_changes(db):
    before = list(ReportRow.objects.values_list("pk", "label", "categories"))
    overlapping = [*_rows_covering_all(), RowSpec(Section.CLUBS, "taniec", 2, ("dance",))]
    missing = [
        RowSpec(s, "prawie wszystko", 1, tuple(c for c in Category.values if c != "dance"))
        for s in Section.values
    ]
    for rows in (overlapping, missing):
        assert report_rows_problems(rows)
        with pytest.raises(ReportConfigError):
            report_rows_replace(rows=rows)
    assert list(ReportRow.objects.values_list("pk", "label", "categories")) == before
    assert report_rows_problems(_rows_covering_all()) == []


def test_the_settings_page_saves_a_valid_set_and_refuses_an_overlap(client, director):
    client.force_login(director)
    url = reverse("reports:settings")
    assert client.get(url).status_code == 200

    def post(rows):
        data = {
            "save": "brackets",
            "brackets-TOTAL_FORMS": str(len(rows)),
            "brackets-INITIAL_FORMS": "0",
            "brackets-MIN_NUM_FORMS": "0",
            "brackets-MAX_NUM_FORMS": "1000",
        }
        for i, (label, low, high) in enumerate(rows):
            data[f"brackets-{i}-label"] = label
            data[f"brackets-{i}-age_min"] = str(low)
            data[f"brackets-{i}-age_max"] = "" if high is None else str(high)
        return client.post(url, data)

    before = list(AgeBracket.objects.values_list("label", "age_min", "age_max"))
    response = post([("a", 0, 20), ("b", 18, None)])
    assert response.status_code == 400
    assert b"data-problems" in response.content
    assert list(AgeBracket.objects.values_list("label", "age_min", "age_max")) == before

    response = post([("a", 0, 17), ("b", 18, None)])
    assert response.status_code == 302
    assert list(AgeBracket.objects.values_list("label", "age_min", "age_max")) == [
        ("a", 0, 17),
        ("b", 18, None),
    ]


def test_the_settings_page_keeps_unchanged_rows(client, director):
    """Submitting the page as shown saves the same rows (initial forms are kept)."""
    client.force_login(director)
    url = reverse("reports:settings")
    rows = list(ReportRow.objects.all())
    data = {
        "save": "rows",
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": str(len(rows)),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"rows-{i}-section"] = row.section
        data[f"rows-{i}-label"] = row.label
        data[f"rows-{i}-position"] = str(row.position)
        data[f"rows-{i}-categories"] = row.categories
    before = sorted((r.section, r.label, tuple(sorted(r.categories))) for r in rows)
    assert client.post(url, data).status_code == 302
    after = sorted((r.section, r.label, tuple(r.categories)) for r in ReportRow.objects.all())
    assert after == before
