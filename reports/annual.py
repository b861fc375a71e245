"""The annual statistics report (GUS K-07 style) for a calendar year. Reads only.

Every figure is one SQL aggregate grouped by the activities' kind and category (at most 44
groups of rows), mapped to the form's rows in Python: six queries whatever the size of the
centre. The definitions (docs/adr/0009-reports-app.md):

- a meeting *held* in the year: not cancelled, started within the year and before now;
- a *unit* is an ensemble or a club (an activity) with a meeting held in the year; for courses
  the unit is a course edition (a group);
- a *member* is a person in a unit: an enrollment that held a place at some time in the year
  (active, or ended by a withdrawal or a move on or after 1 January), requested before the year
  ended, in a group with a meeting held in the year. A person in two ensembles counts twice,
  in two groups of one ensemble once (as GUS counts members);
- a *graduate* completed a course edition that ended in the year (its season's last day), still
  active on that day;
- ages are completed years on 31 December of the year, i.e. the year minus the year of birth;
- attendance counts each person's current (latest) mark once per held meeting.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import ActivityKind, Category, Meeting, MeetingStatus
from enrollment.models import AttendanceStatus, Enrollment, EnrollmentStatus

from .attendance import mark_counts
from .exceptions import BadYearError
from .models import SECTION_KINDS, AgeBracket, ReportRow, Section, section_of_kind

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
MIN_YEAR, MAX_YEAR = 2000, 2100
KIND = "group__activity__kind"
CATEGORY = "group__activity__category"


class Measure:
    UNITS = "units"
    MEMBERS = "members"
    GRADUATES = "graduates"
    PEOPLE = (MEMBERS, GRADUATES)


def year_parse(value: str | None, *, today: dt.date | None = None) -> int:
    """A year given as digits; empty means last year (the return is filed for a past year)."""
    if value in (None, ""):
        return (today or timezone.localdate()).year - 1
    try:
        year = int(str(value).strip())
    except ValueError as exc:
        raise BadYearError() from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadYearError()
    return year


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class Period:
    year: int
    now: dt.datetime

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def start(self) -> dt.datetime:
        return _midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return _midnight(dt.date(self.year + 1, 1, 1))


def held_meetings(period: Period) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        starts_at__gte=period.start,
        starts_at__lt=min(period.end, period.now),
    )


def members_in_year(period: Period) -> QuerySet[Enrollment]:
    """Enrollments that make someone a member in the year (see the module's docstring)."""
    during = Q(status=EnrollmentStatus.ACTIVE, ends_on__isnull=True) | Q(
        status__in=(EnrollmentStatus.ACTIVE, EnrollmentStatus.WITHDRAWN, EnrollmentStatus.MOVED),
        ends_on__gte=period.first_day,
    )
    return Enrollment.objects.filter(
        during,
        requested_at__lt=period.end,
        group_id__in=held_meetings(period).values("group_id"),
    )


def graduates_in_year(period: Period) -> QuerySet[Enrollment]:
    today = timezone.localtime(period.now).date()
    return Enrollment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=F("group__season__ends_on")),
        status=EnrollmentStatus.ACTIVE,
        group__activity__kind=ActivityKind.COURSE,
        group__season__ends_on__gte=period.first_day,
        group__season__ends_on__lte=period.last_day,
        group__season__ends_on__lt=today,
    )


def bracket_q(bracket: AgeBracket, year: int, prefix: str = "participant__") -> Q:
    """Born in the years that make the age (on 31 December) fall in the bracket."""
    q = Q(**{f"{prefix}birth_date__lte": dt.date(year - bracket.age_min, 12, 31)})
    if bracket.age_max is not None:
        q &= Q(**{f"{prefix}birth_date__gte": dt.date(year - bracket.age_max, 1, 1)})
    return q


def _pair(unit_field: str):
    """A key of (participant, unit) for COUNT(DISTINCT ...), portable to SQLite."""
    return Concat(
        Cast("participant_id", CharField()),
        Value(":"),
        Cast(unit_field, CharField()),
        output_field=CharField(),
    )


def _unit_field(section: str) -> str:
    return "group_id" if section == Section.COURSES else "group__activity_id"


def hours_of(duration: dt.timedelta) -> Decimal:
    """Hours to one decimal place (what the city's forms ask for)."""
    seconds = Decimal(int(duration.total_seconds()))
    return (seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    brackets: int
    units: int = 0
    members: int = 0
    by_bracket: list[int] = field(default_factory=list)
    graduates: int = 0
    graduates_by_bracket: list[int] = field(default_factory=list)
    meetings: int = 0
    duration: dt.timedelta = dt.timedelta(0)
    marked: int = 0
    attended: int = 0

    def __post_init__(self):
        self.by_bracket = self.by_bracket or [0] * self.brackets
        self.graduates_by_bracket = self.graduates_by_bracket or [0] * self.brackets

    def add(self, other: "Figures") -> None:
        self.units += other.units
        self.members += other.members
        self.by_bracket = [a + b for a, b in zip(self.by_bracket, other.by_bracket, strict=True)]
        self.graduates += other.graduates
        self.graduates_by_bracket = [
            a + b
            for a, b in zip(self.graduates_by_bracket, other.graduates_by_bracket, strict=True)
        ]
        self.meetings += other.meetings
        self.duration += other.duration
        self.marked += other.marked
        self.attended += other.attended

    @property
    def hours(self) -> Decimal:
        return hours_of(self.duration)

    @property
    def rate(self) -> float | None:
        return self.attended / self.marked if self.marked else None

    @property
    def percent(self) -> str:
        return "" if self.rate is None else f"{round(self.rate * 100)}%"


@dataclass
class RowReport:
    row: ReportRow | None  # None: categories that no row counts (a configuration gap)
    label: str
    figures: Figures

    @property
    def key(self) -> str:
        return str(self.row.pk) if self.row else "none"


@dataclass
class SectionReport:
    section: str
    label: str
    rows: list[RowReport]
    total: Figures

    @property
    def is_courses(self) -> bool:
        return self.section == Section.COURSES


@dataclass
class AnnualReport:
    year: int
    brackets: list[AgeBracket]
    sections: list[SectionReport]
    total: Figures
    unmapped: list[str]  # "kind / category" labels counted in no row

    @property
    def is_empty(self) -> bool:
        return self.total.meetings == 0 and self.total.members == 0 and self.total.graduates == 0


def _row_map(rows: list[ReportRow]) -> dict[tuple[str, str], ReportRow]:
    """(section, category) -> row; the first row wins if a hand-edited set overlaps."""
    mapping: dict[tuple[str, str], ReportRow] = {}
    for row in rows:
        for category in row.categories:
            mapping.setdefault((row.section, category), row)
    return mapping


def annual_report(*, year: int, now: dt.datetime | None = None) -> AnnualReport:
    """The report for a year, in six queries (rows, brackets and four aggregates)."""
    period = Period(year=year, now=now or timezone.now())
    rows = list(ReportRow.objects.all())
    brackets = list(AgeBracket.objects.all())
    n = len(brackets)
    mapping = _row_map(rows)
    figures: dict[tuple[str, str], Figures] = {}

    def at(kind: str, category: str) -> Figures:
        return figures.setdefault((kind, category), Figures(brackets=n))

    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    for item in (
        held_meetings(period)
        .values(KIND, CATEGORY)
        .annotate(
            activities=Count("group__activity", distinct=True),
            groups=Count("group", distinct=True),
            meetings=Count("pk"),
            duration=Sum(duration),
        )
        .order_by()
    ):
        cell = at(item[KIND], item[CATEGORY])
        section = section_of_kind(item[KIND])
        cell.units = item["groups"] if section == Section.COURSES else item["activities"]
        cell.meetings = item["meetings"]
        cell.duration = item["duration"] or dt.timedelta(0)

    for source, target in ((members_in_year, "members"), (graduates_in_year, "graduates")):
        annotations = {}
        for unit in ("group_id", "group__activity_id"):
            tag = "g" if unit == "group_id" else "a"
            annotations[f"{tag}_all"] = Count(_pair(unit), distinct=True)
            for i, bracket in enumerate(brackets):
                annotations[f"{tag}_{i}"] = Count(
                    _pair(unit), distinct=True, filter=bracket_q(bracket, year)
                )
        for item in source(period).values(KIND, CATEGORY).annotate(**annotations).order_by():
            cell = at(item[KIND], item[CATEGORY])
            tag = "g" if section_of_kind(item[KIND]) == Section.COURSES else "a"
            counts = [item[f"{tag}_{i}"] for i in range(n)]
            if target == "members":
                cell.members, cell.by_bracket = item[f"{tag}_all"], counts
            else:
                cell.graduates, cell.graduates_by_bracket = item[f"{tag}_all"], counts

    keys = {"kind": "group__activity__kind", "category": "group__activity__category"}
    for item in mark_counts(held_meetings(period), keys):
        cell = at(item["kind"], item["category"])
        cell.marked, cell.attended = item["marked"], item["attended"]

    category_labels = dict(Category.choices)
    kind_labels = dict(ActivityKind.choices)
    sections, total, unmapped = [], Figures(brackets=n), []
    for section, label in Section.choices:
        reports = {
            row.pk: RowReport(row=row, label=row.label, figures=Figures(brackets=n))
            for row in rows
            if row.section == section
        }
        gap = RowReport(row=None, label=str(_("not in any row")), figures=Figures(brackets=n))
        section_total = Figures(brackets=n)
        for (kind, category), cell in figures.items():
            if kind not in SECTION_KINDS[section]:
                continue
            row = mapping.get((section, category))
            target = reports[row.pk] if row else gap
            if row is None:
                unmapped.append(
                    f"{kind_labels.get(kind, kind)} / {category_labels.get(category, category)}"
                )
            target.figures.add(cell)
            section_total.add(cell)
        row_reports = list(reports.values())
        if (
            gap.figures.units
            or gap.figures.members
            or gap.figures.meetings
            or gap.figures.graduates
        ):
            row_reports.append(gap)
        total.add(section_total)
        sections.append(
            SectionReport(section=section, label=str(label), rows=row_reports, total=section_total)
        )
    return AnnualReport(
        year=year, brackets=brackets, sections=sections, total=total, unmapped=sorted(set(unmapped))
    )


# --- drill-down ----------------------------------------------------------------------------------


def _categories_for(section: str, row_key: str | None) -> list[str] | None:
    """The categories a row counts; None for the whole table."""
    if row_key in (None, "", "all"):
        return None
    rows = list(ReportRow.objects.filter(section=section))
    if row_key == "none":
        counted = {c for row in rows for c in row.categories}
        return [c for c in Category.values if c not in counted]
    for row in rows:
        if str(row.pk) == row_key:
            return list(row.categories)
    return []


def people_behind(
    *,
    year: int,
    measure: str,
    section: str,
    row_key: str | None = None,
    bracket: AgeBracket | None = None,
    now: dt.datetime | None = None,
) -> QuerySet:
    """The (participant, unit) pairs behind a figure of members or graduates, as rows of
    values: exactly as many as the figure counts."""
    period = Period(year=year, now=now or timezone.now())
    source = members_in_year if measure == Measure.MEMBERS else graduates_in_year
    queryset = source(period).filter(**{f"{KIND}__in": SECTION_KINDS[section]})
    categories = _categories_for(section, row_key)
    if categories is not None:
        queryset = queryset.filter(**{f"{CATEGORY}__in": categories})
    if bracket is not None:
        queryset = queryset.filter(bracket_q(bracket, year))
    fields = [
        "participant_id",
        "participant__first_name",
        "participant__last_name",
        "participant__birth_date",
        "group__activity_id",
        "group__activity__name",
    ]
    if section == Section.COURSES:
        fields += ["group_id", "group__name"]
    return (
        queryset.values(*fields)
        .distinct()
        .order_by("participant__last_name", "participant__first_name", *fields)
    )


def units_behind(*, year: int, section: str, row_key: str | None = None, now=None) -> QuerySet:
    """The activities (or, for courses, groups) counted as units of a row."""
    period = Period(year=year, now=now or timezone.now())
    queryset = held_meetings(period).filter(**{f"{KIND}__in": SECTION_KINDS[section]})
    categories = _categories_for(section, row_key)
    if categories is not None:
        queryset = queryset.filter(**{f"{CATEGORY}__in": categories})
    fields = ["group__activity_id", "group__activity__name", "group__activity__kind"]
    if section == Section.COURSES:
        fields += ["group_id", "group__name"]
    return (
        queryset.values(*fields)
        .annotate(meetings=Count("pk"))
        .order_by("group__activity__name", *fields)
    )
