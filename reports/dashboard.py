"""The dashboards: per group fill rate, waiting list, open offers, attendance trend and overdue
fees, for the groups a member of staff runs. Reads only.

Each figure is a correlated subquery on the group row, so the list page is one query (plus the
paginator's count) whatever the number of groups, enrollments, marks or charges, and sorting by
any figure happens in SQL.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from billing.models import Allocation, Charge
from clubs.models import Group, Meeting, MeetingStatus, Season
from enrollment.models import Enrollment, EnrollmentStatus

from .attendance import ATTENDED, MONTH, current_marks, mark_counts

TREND_DAYS = 28
ZERO = Decimal("0.00")


def _count(queryset, *, group_field: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.filter(**{group_field: OuterRef("pk")})
            .order_by()
            .values(group_field)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _sum(queryset, *, group_field: str, amount: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.filter(**{group_field: OuterRef("pk")})
            .order_by()
            .values(group_field)
            .annotate(total=Sum(amount))
            .values("total")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _rate(attended: str, marked: str):
    return Cast(F(attended), FloatField()) / NullIf(Cast(F(marked), FloatField()), 0.0)


def groups_with_figures(groups: QuerySet[Group], *, now: dt.datetime | None = None):
    """The groups annotated with every dashboard figure."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    recent = now - dt.timedelta(days=TREND_DAYS)
    earlier = recent - dt.timedelta(days=TREND_DAYS)
    held = Q(meeting__status=MeetingStatus.SCHEDULED, meeting__starts_at__lt=now)
    marks = current_marks().filter(held)
    window_recent = Q(meeting__starts_at__gte=recent)
    window_earlier = Q(meeting__starts_at__gte=earlier, meeting__starts_at__lt=recent)
    overdue_charges = Charge.objects.filter(due_on__lt=today)
    return (
        groups.select_related("activity", "season")
        .annotate(
            fill=Case(
                When(capacity=0, then=Value(0.0)),
                default=Cast(F("places_taken"), FloatField()) / Cast(F("capacity"), FloatField()),
                output_field=FloatField(),
            ),
            offers=_count(
                Enrollment.objects.filter(status=EnrollmentStatus.OFFERED), group_field="group"
            ),
            recent_marked=_count(marks.filter(window_recent), group_field="meeting__group"),
            recent_attended=_count(
                marks.filter(window_recent, status__in=ATTENDED), group_field="meeting__group"
            ),
            earlier_marked=_count(marks.filter(window_earlier), group_field="meeting__group"),
            earlier_attended=_count(
                marks.filter(window_earlier, status__in=ATTENDED), group_field="meeting__group"
            ),
            charged_overdue=_sum(overdue_charges, group_field="enrollment__group", amount="amount"),
            paid_overdue=_sum(
                Allocation.objects.filter(charge__due_on__lt=today),
                group_field="charge__enrollment__group",
                amount="amount",
            ),
        )
        .annotate(
            attendance=_rate("recent_attended", "recent_marked"),
            attendance_before=_rate("earlier_attended", "earlier_marked"),
            overdue=F("charged_overdue") - F("paid_overdue"),
        )
    )


@dataclass(frozen=True)
class Summary:
    groups: int
    capacity: int
    taken: int
    waiting: int
    offers: int
    overdue: Decimal

    @property
    def fill(self) -> float | None:
        return self.taken / self.capacity if self.capacity else None


def summary(groups: QuerySet[Group], *, now: dt.datetime | None = None) -> Summary:
    """Totals over every group of the (filtered) list, in four queries."""
    today = timezone.localtime(now or timezone.now()).date()
    ids = groups.order_by().values("pk")
    totals = Group.objects.filter(pk__in=ids).aggregate(
        n=Count("pk"),
        capacity=Coalesce(Sum("capacity"), 0),
        taken=Coalesce(Sum("places_taken"), 0),
        waiting=Coalesce(Sum("waitlist_length"), 0),
    )
    offers = Enrollment.objects.filter(group__in=ids, status=EnrollmentStatus.OFFERED).count()
    charged = Charge.objects.filter(enrollment__group__in=ids, due_on__lt=today).aggregate(
        total=Sum("amount")
    )["total"]
    paid = Allocation.objects.filter(
        charge__enrollment__group__in=ids, charge__due_on__lt=today
    ).aggregate(total=Sum("amount"))["total"]
    return Summary(
        groups=totals["n"],
        capacity=totals["capacity"],
        taken=totals["taken"],
        waiting=totals["waiting"],
        offers=offers,
        overdue=(charged or ZERO) - (paid or ZERO),
    )


@dataclass(frozen=True)
class MonthRate:
    month: dt.date
    marked: int
    attended: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.marked if self.marked else None


def attendance_by_month(
    groups: QuerySet[Group], *, season: Season | None, now: dt.datetime | None = None
) -> list[MonthRate]:
    """The attendance rate of the groups per month of the season, up to now (one query)."""
    if season is None:
        return []
    now = now or timezone.now()
    meetings = Meeting.objects.filter(
        group__in=groups.order_by().values("pk"),
        group__season=season,
        status=MeetingStatus.SCHEDULED,
        starts_at__lt=now,
    )
    rows = sorted(mark_counts(meetings, {"month": MONTH}), key=lambda row: row["month"])
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        result.append(MonthRate(month=month, marked=row["marked"], attended=row["attended"]))
    return result
