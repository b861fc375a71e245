"""The report's configuration as a whole: checks that the age brackets and the form rows
partition what they cover (no overlap, no gap), and replaces them in one transaction.

A half-saved configuration would make the annual report count someone twice or not at all, so
a set that does not pass is refused whole and nothing is saved.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.db import transaction
from django.utils.translation import gettext as _

from clubs.models import Category

from .exceptions import ReportConfigError
from .models import AgeBracket, ReportRow, Section

MAX_AGE = 120


@dataclass(frozen=True)
class BracketSpec:
    label: str
    age_min: int
    age_max: int | None


@dataclass(frozen=True)
class RowSpec:
    section: str
    label: str
    position: int
    categories: tuple[str, ...]


def age_brackets_problems(brackets: Sequence[BracketSpec]) -> list[str]:
    """What is wrong with a set of brackets: they must cover 0 years and up, each age once."""
    problems: list[str] = []
    if not brackets:
        return [_("Give at least one age bracket.")]
    ordered = sorted(brackets, key=lambda b: b.age_min)
    for bracket in ordered:
        if bracket.age_max is not None and bracket.age_max < bracket.age_min:
            problems.append(
                _("“%(label)s” ends (%(max)d) before it starts (%(min)d).")
                % {"label": bracket.label, "min": bracket.age_min, "max": bracket.age_max}
            )
    if problems:
        return problems
    if ordered[0].age_min != 0:
        problems.append(
            _("Ages 0–%(end)d are in no bracket: the first bracket must start at 0.")
            % {"end": ordered[0].age_min - 1}
        )
    for before, after in pairwise(ordered):
        if before.age_max is None or after.age_min <= before.age_max:
            problems.append(
                _("“%(a)s” and “%(b)s” overlap: an age may be in one bracket only.")
                % {"a": before.label, "b": after.label}
            )
        elif after.age_min > before.age_max + 1:
            problems.append(
                _("Ages %(start)d–%(end)d are in no bracket (between “%(a)s” and “%(b)s”).")
                % {
                    "start": before.age_max + 1,
                    "end": after.age_min - 1,
                    "a": before.label,
                    "b": after.label,
                }
            )
    if ordered[-1].age_max is not None:
        problems.append(
            _("Ages from %(start)d up are in no bracket: leave the last bracket's end empty.")
            % {"start": ordered[-1].age_max + 1}
        )
    labels = [b.label.strip().lower() for b in ordered]
    if len(set(labels)) != len(labels):
        problems.append(_("Two brackets have the same label."))
    return problems


def report_rows_problems(rows: Sequence[RowSpec]) -> list[str]:
    """In each table, every activity category must be counted in exactly one row."""
    problems: list[str] = []
    category_labels = dict(Category.choices)
    section_labels = dict(Section.choices)
    for section in Section.values:
        in_section = [row for row in rows if row.section == section]
        seen: dict[str, str] = {}
        labels = set()
        for row in in_section:
            key = row.label.strip().lower()
            if key in labels:
                problems.append(
                    _("Table “%(table)s” has two rows called “%(label)s”.")
                    % {"table": section_labels[section], "label": row.label}
                )
            labels.add(key)
            for category in row.categories:
                if category not in category_labels:
                    problems.append(_("Unknown category “%(c)s”.") % {"c": category})
                elif category in seen and seen[category] != row.label:
                    problems.append(
                        _(
                            "Table “%(table)s”: category “%(category)s” is in two rows, "
                            "“%(a)s” and “%(b)s”."
                        )
                        % {
                            "table": section_labels[section],
                            "category": category_labels[category],
                            "a": seen[category],
                            "b": row.label,
                        }
                    )
                else:
                    seen[category] = row.label
        missing = [label for value, label in Category.choices if value not in seen]
        if missing:
            problems.append(
                _("Table “%(table)s”: no row counts these categories: %(missing)s.")
                % {"table": section_labels[section], "missing": ", ".join(map(str, missing))}
            )
    return problems


@transaction.atomic
def age_brackets_replace(*, brackets: Iterable[BracketSpec]) -> list[AgeBracket]:
    """Replace every age bracket with these, or raise `ReportConfigError` and save nothing."""
    brackets = list(brackets)
    problems = age_brackets_problems(brackets)
    if problems:
        raise ReportConfigError(messages=problems)
    AgeBracket.objects.all().delete()
    return AgeBracket.objects.bulk_create(
        AgeBracket(label=b.label.strip(), age_min=b.age_min, age_max=b.age_max)
        for b in sorted(brackets, key=lambda b: b.age_min)
    )


@transaction.atomic
def report_rows_replace(*, rows: Iterable[RowSpec]) -> list[ReportRow]:
    """Replace every row of the form with these, or raise `ReportConfigError` and save nothing."""
    rows = list(rows)
    problems = report_rows_problems(rows)
    if problems:
        raise ReportConfigError(messages=problems)
    ReportRow.objects.all().delete()
    return ReportRow.objects.bulk_create(
        ReportRow(
            section=row.section,
            label=row.label.strip(),
            position=row.position,
            categories=sorted(set(row.categories)),
        )
        for row in rows
    )


def current_brackets() -> list[BracketSpec]:
    return [BracketSpec(b.label, b.age_min, b.age_max) for b in AgeBracket.objects.all()]


def current_rows() -> list[RowSpec]:
    return [
        RowSpec(r.section, r.label, r.position, tuple(r.categories))
        for r in ReportRow.objects.all()
    ]
