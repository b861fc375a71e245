"""Figures for the city and for grant reports: participants per activity and month, meetings
held and hours delivered per instructor. Counts only; names only for those who may see them
(`permissions.people_scope`). Each table is one SQL aggregate."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from clubs.models import Group
from enrollment.models import Enrollment, EnrollmentStatus

from .annual import Period, held_meetings, hours_of

MONTHS = range(1, 13)


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def member_in_month(year: int, month: int, prefix: str = "") -> Q:
    """An enrollment holding a place at some time in the month, in a season running then."""
    first, following = _month_bounds(year, month)
    start = dt.datetime.combine(following, dt.time.min, tzinfo=timezone.get_current_timezone())
    p = prefix
    return (
        Q(**{f"{p}requested_at__lt": start})
        & Q(**{f"{p}group__season__starts_on__lt": following})
        & Q(**{f"{p}group__season__ends_on__gte": first})
        & (
            Q(**{f"{p}status": EnrollmentStatus.ACTIVE, f"{p}ends_on__isnull": True})
            | Q(
                **{
                    f"{p}status__in": (
                        EnrollmentStatus.ACTIVE,
                        EnrollmentStatus.WITHDRAWN,
                        EnrollmentStatus.MOVED,
                    ),
                    f"{p}ends_on__gte": first,
                }
            )
        )
    )


@dataclass
class ActivityMonths:
    activity_id: int
    name: str
    kind: str
    months: list[int]

    @property
    def peak(self) -> int:
        return max(self.months, default=0)


def participants_per_month(*, year: int, groups: QuerySet[Group]) -> list[ActivityMonths]:
    """Distinct participants of each activity in each month of the year (one query)."""
    annotations = {
        f"m{month}": Count("participant_id", distinct=True, filter=member_in_month(year, month))
        for month in MONTHS
    }
    any_month = Q()
    for month in MONTHS:
        any_month |= member_in_month(year, month)
    rows = (
        Enrollment.objects.filter(any_month, group__in=groups.values("pk"))
        .values("group__activity_id", "group__activity__name", "group__activity__kind")
        .annotate(**annotations)
        .order_by("group__activity__name", "group__activity_id")
    )
    return [
        ActivityMonths(
            activity_id=row["group__activity_id"],
            name=row["group__activity__name"],
            kind=row["group__activity__kind"],
            months=[row[f"m{month}"] for month in MONTHS],
        )
        for row in rows
    ]


def month_totals(rows: list[ActivityMonths]) -> list[int]:
    return [sum(row.months[i] for row in rows) for i in range(12)]


def people_per_activity(*, year: int, groups: QuerySet[Group], scope: Q) -> QuerySet:
    """Names behind `participants_per_month` (distinct person and activity), within `scope`."""
    any_month = Q()
    for month in MONTHS:
        any_month |= member_in_month(year, month)
    return (
        Enrollment.objects.filter(any_month, scope, group__in=groups.values("pk"))
        .values(
            "group__activity__name",
            "participant_id",
            "participant__last_name",
            "participant__first_name",
            "participant__birth_date",
        )
        .distinct()
        .order_by(
            "group__activity__name",
            "participant__last_name",
            "participant__first_name",
            "participant_id",
        )
    )


@dataclass
class InstructorHours:
    instructor_id: int | None
    name: str
    months: list[int] = field(default_factory=lambda: [0] * 12)
    duration: dt.timedelta = dt.timedelta(0)

    @property
    def meetings(self) -> int:
        return sum(self.months)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.duration)


def instructor_hours(
    *, year: int, groups: QuerySet[Group], now: dt.datetime | None = None
) -> list[InstructorHours]:
    """Meetings held and hours delivered per instructor and month (one query). A meeting of a
    group with two instructors counts for each; a group without one is listed as such."""
    period = Period(year=year, now=now or timezone.now())
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = (
        held_meetings(period)
        .filter(group__in=groups.values("pk"))
        .annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .values(
            "month",
            "group__instructors__id",
            "group__instructors__last_name",
            "group__instructors__first_name",
        )
        .annotate(meetings=Count("pk"), duration=Sum(duration))
        .order_by()
    )
    found: dict[int | None, InstructorHours] = {}
    for row in rows:
        key = row["group__instructors__id"]
        item = found.get(key)
        if item is None:
            name = (
                f"{row['group__instructors__first_name']} {row['group__instructors__last_name']}"
                if key is not None
                else ""
            )
            item = found[key] = InstructorHours(instructor_id=key, name=name)
        month = row["month"]
        if isinstance(month, dt.datetime) and timezone.is_aware(month):
            month = timezone.localtime(month)
        item.months[month.month - 1] += row["meetings"]
        item.duration += row["duration"] or dt.timedelta(0)
    return sorted(found.values(), key=lambda i: (i.instructor_id is None, i.name.lower()))
