"""What billing reads of enrollments: a run's data, and when each enrollment held its place.

`run_data_load` reads everything one period needs in a fixed number of queries, whatever the
number of enrollments, into plain rows (`RunData`); `billables` computes from them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, Max, Min, OuterRef, Q, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from clubs.models import Meeting, MeetingStatus
from enrollment.models import (
    AttendanceMark,
    AttendanceStatus,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
)

from ..models import Charge, FeePlan, FeePlanKind
from .proration import ONE_DAY, month_end, semester_of

S = EnrollmentStatus
BILLED_STATUSES = (S.ACTIVE, S.WITHDRAWN, S.MOVED)
ENTRY_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass(slots=True)
class EnrollmentRow:
    """What the run reads of an enrollment and its participant: plain values, no model rows."""

    pk: int
    participant_id: int
    group_id: int
    status: str
    ends_on: dt.date | None
    requested_on: dt.date
    household_id: int
    birth_date: dt.date
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class Kid:
    """A participant as `quotes.child_position` sees one."""

    pk: int
    birth_date: dt.date


@dataclass
class Billable:
    """One enrollment's charge being prepared."""

    enrollment: EnrollmentRow
    plan: FeePlan
    base: Decimal
    base_label: str
    meetings: list[int] = field(default_factory=list)


@dataclass
class RunData:
    """Everything the run reads, loaded with a fixed number of queries."""

    period: dt.date
    plans: dict[int, FeePlan]
    enrollments: list[EnrollmentRow]
    activated: dict[int, dt.date]
    ended: dict[int, dt.date]
    meetings: dict[int, list[tuple[int, dt.date]]]
    charged_now: set[int]
    semester_charged: set[tuple[int, dt.date]]
    passes: dict[int, int]
    dues_paid: set[tuple[int, int]]
    entries: dict[tuple[int, int], int]
    labels: dict[int, str] = field(default_factory=dict)
    shared: dict[tuple, Billable | None] = field(default_factory=dict)
    # Per household, the participants already charged in the period (a late charge after the
    # run counts them for the sibling discount as the run would have).
    billed: dict[int, list[Kid]] = field(default_factory=dict)


def run_data_load(period: dt.date, *, enrollment_ids=None) -> RunData:
    """Read what the run needs: plans, enrollments, spans, meetings, earlier charges, entries.

    With `enrollment_ids`, only those enrollments (a late charge after the period's run).
    """
    last = month_end(period)
    plans = {
        plan.group_id: plan
        for plan in FeePlan.objects.exclude(kind=FeePlanKind.FREE)
        .filter(group__season__starts_on__lte=last, group__season__ends_on__gte=period)
        .select_related("group__season", "group__activity")
    }
    period_start = timezone.make_aware(dt.datetime.combine(period, dt.time.min))
    candidates = Enrollment.objects.filter(
        group_id__in=list(plans),
        status__in=BILLED_STATUSES,
        participant__household__closed_at__isnull=True,
    ).filter(
        Q(status=S.ACTIVE)
        | Q(ends_on__gte=period)
        | Q(ends_on__isnull=True, updated_at__gte=period_start)
    )
    if enrollment_ids is not None:
        candidates = candidates.filter(pk__in=list(enrollment_ids))
    enrollments = [
        EnrollmentRow(*row)
        for row in candidates.order_by("pk")
        .annotate(requested_on=TruncDate("requested_at"))
        .values_list(
            "pk",
            "participant_id",
            "group_id",
            "status",
            "ends_on",
            "requested_on",
            "participant__household_id",
            "participant__birth_date",
            "participant__first_name",
            "participant__last_name",
        )
    ]
    ids = candidates.values("pk")

    activated: dict[int, dt.date] = {}
    ended: dict[int, dt.date] = {}
    for row in (
        EnrollmentEvent.objects.filter(
            enrollment_id__in=ids, to_status__in=(S.ACTIVE, S.MOVED, S.WITHDRAWN)
        )
        .values("enrollment_id", "to_status")
        # Local days: activation is the first day ACTIVE, an end the last move or withdrawal.
        .annotate(
            day=Case(
                When(to_status=S.ACTIVE, then=Min(TruncDate("at"))), default=Max(TruncDate("at"))
            )
        )
    ):
        if row["to_status"] == S.ACTIVE:
            activated[row["enrollment_id"]] = row["day"]
        else:
            ended[row["enrollment_id"]] = row["day"] - ONE_DAY

    # Meetings: the month for every plan, the whole semester for semester plans.
    window = Q(date__gte=period, date__lte=last)
    for group_id, plan in plans.items():
        if plan.kind == FeePlanKind.SEMESTER:
            season = plan.group.season
            semester = semester_of(season, max(period, season.starts_on))
            window |= Q(group_id=group_id, date__gte=semester.starts_on, date__lte=semester.ends_on)
    meetings: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for meeting_id, group_id, day in (
        Meeting.objects.filter(group_id__in=list(plans), status=MeetingStatus.SCHEDULED)
        .filter(window)
        .order_by("date", "pk")
        .values_list("pk", "group_id", "date")
    ):
        meetings[group_id].append((meeting_id, day))

    charged_now: set[int] = set()
    semester_charged: set[tuple[int, dt.date]] = set()
    passes: dict[int, int] = defaultdict(int)
    for enrollment_id, kind, charged_period in Charge.objects.filter(
        Q(period=period) | Q(kind__in=(FeePlanKind.SEMESTER, FeePlanKind.PASS)),
        enrollment_id__in=ids,
    ).values_list("enrollment_id", "kind", "period"):
        if charged_period == period:
            charged_now.add(enrollment_id)
        if kind == FeePlanKind.SEMESTER:
            semester_charged.add((enrollment_id, charged_period))
        elif kind == FeePlanKind.PASS:
            passes[enrollment_id] += 1

    dues_paid = set(
        Charge.objects.filter(
            kind=FeePlanKind.ANNUAL_DUES,
            period__gte=period.replace(month=1),
            # The period itself counts for a late charge (a move within the club after the run).
            period__lte=period,
            enrollment__participant_id__in=candidates.values("participant_id"),
        ).values_list("enrollment__participant_id", "enrollment__group__activity_id")
    )

    entries: dict[tuple[int, int], int] = {}
    pass_groups = [gid for gid, plan in plans.items() if plan.kind == FeePlanKind.PASS]
    if pass_groups:
        newer = AttendanceMark.objects.filter(
            meeting_id=OuterRef("meeting_id"), participant_id=OuterRef("participant_id")
        ).filter(
            Q(marked_at__gt=OuterRef("marked_at"))
            | Q(marked_at=OuterRef("marked_at"), pk__gt=OuterRef("pk"))
        )
        for participant_id, group_id, used in (
            AttendanceMark.objects.filter(
                meeting__group_id__in=pass_groups,
                meeting__date__lt=period,
                participant_id__in=candidates.filter(group_id__in=pass_groups).values(
                    "participant_id"
                ),
            )
            .exclude(Exists(newer))
            .filter(status__in=ENTRY_STATUSES)
            .values("participant_id", "meeting__group_id")
            .annotate(used=Count("meeting_id", distinct=True))
            .values_list("participant_id", "meeting__group_id", "used")
        ):
            entries[(participant_id, group_id)] = used

    billed: dict[int, list[Kid]] = defaultdict(list)
    if enrollment_ids is not None:
        for household_id, participant_id, birth_date in (
            Charge.objects.filter(
                period=period,
                household_id__in=candidates.values("participant__household_id"),
                enrollment__isnull=False,
            )
            .values_list(
                "household_id", "enrollment__participant_id", "enrollment__participant__birth_date"
            )
            .distinct()
        ):
            billed[household_id].append(Kid(participant_id, birth_date))

    return RunData(
        period=period,
        plans=plans,
        enrollments=enrollments,
        activated=activated,
        ended=ended,
        meetings=meetings,
        charged_now=charged_now,
        semester_charged=semester_charged,
        passes=passes,
        dues_paid=dues_paid,
        entries=entries,
        billed=billed,
    )


# --- one enrollment's life, for corrections after charging -----------------------------------


@dataclass(frozen=True, slots=True)
class Life:
    """When an enrollment held its place, read as the run reads it (`_span`)."""

    starts: dt.date  # the first day ACTIVE (the request's day when no event says so)
    last_day: dt.date | None  # `ends_on`, else the day before the move or withdrawal
    ended_at: dt.datetime | None  # when the end became known (the withdrawal or move event)
    ended_by_id: int | None  # who ended it; None for the system
    moved: bool


def enrollment_lives(enrollments) -> dict[int, Life]:
    """The `Life` of each of `enrollments` (model rows), in one query of their events."""
    rows = {enrollment.pk: enrollment for enrollment in enrollments}
    activated: dict[int, dt.date] = {}
    ended: dict[int, dt.date] = {}
    end_event: dict[int, tuple[dt.datetime, int | None]] = {}
    for enrollment_id, from_status, to_status, at, actor_id in (
        EnrollmentEvent.objects.filter(
            enrollment_id__in=list(rows), to_status__in=(S.ACTIVE, S.MOVED, S.WITHDRAWN)
        )
        .order_by("at", "pk")
        .values_list("enrollment_id", "from_status", "to_status", "at", "actor_id")
    ):
        day = timezone.localdate(at)
        if to_status == S.ACTIVE:
            activated.setdefault(enrollment_id, day)
        else:
            ended[enrollment_id] = day - ONE_DAY
        # The end is known from the first of: a withdrawal recorded (ACTIVE -> ACTIVE with its
        # last day), a move, or a withdrawal taking effect.
        if from_status == S.ACTIVE or to_status == S.MOVED:
            end_event.setdefault(enrollment_id, (at, actor_id))
    lives = {}
    for pk, enrollment in rows.items():
        last_day = enrollment.ends_on or ended.get(pk)
        at, actor_id = end_event.get(pk, (None, None))
        if last_day is not None and at is None:
            at = enrollment.updated_at
        lives[pk] = Life(
            starts=activated.get(pk) or timezone.localdate(enrollment.requested_at),
            last_day=last_day,
            ended_at=at,
            ended_by_id=actor_id,
            moved=enrollment.status == S.MOVED,
        )
    return lives
