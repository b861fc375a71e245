"""The monthly billing run: one charge per billable enrollment per calendar month.

Proration rule (one rule for every plan; `proration_rule_text()` says it to people):

- MONTHLY: the monthly fee times the share of the month's scheduled (not cancelled) meetings of
  the group that fall inside the enrollment's span, rounded half up to the grosz.
- PER_MEETING: the price of a meeting times the month's scheduled meetings inside the span; a
  meeting the centre cancels after the charge is credited (`cancelled_meetings_credit`).
- SEMESTER: charged once per semester, in the first month in which the enrollment has a meeting
  (the semester's first month, or a late joiner's first month): the fee times the share of the
  semester's scheduled meetings inside the span. Semesters: the season's start to the day before
  `BILLING_SECOND_SEMESTER_STARTS` (1 February), then to the season's end.
- PASS (*karnet*): the full price of N entries, in the first month with a meeting, and again in a
  month by which the participant has used every entry bought so far (present or late, counted in
  the group's meetings before the month). Not prorated.
- ANNUAL_DUES: once per calendar year per participant and activity, in the first month with a
  meeting (January for continuing members): whole months count, the fee times the months from
  the joining month to December over 12 (a member who joined in an earlier year pays in full).
  Clubs think in months of membership, not in meetings, so dues follow months.

The span runs from activation (the first event to ACTIVE) to the last day (`ends_on`, set by a
withdrawal; for a move, the day before the move), within the season. A month in which the span
holds no scheduled meeting of the group charges nothing: no row.

Discounts follow `billing.services.quotes` on the prorated fee; the lines are frozen on the
charge. The database keeps it to one run per period and one charge per enrollment per period,
so a second beat, a retried task or the office's command changes nothing. After the run commits,
`billing_run_finish` tells each household what it owes and marks the run finished.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clubs.models import Meeting, MeetingStatus
from enrollment.models import (
    AttendanceMark,
    AttendanceStatus,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Household,
)

from ..exceptions import BillingError, BillingRunExistsError
from ..models import (
    Allocation,
    BillingRun,
    Charge,
    CreditNote,
    CreditReason,
    DiscountKind,
    FeePlan,
    FeePlanKind,
    Payment,
)
from ..models.fields import GROSZ, ZERO
from .ledger import households_allocate
from .quotes import DiscountContext, age_on, child_position, discounts_apply, plan_label

logger = logging.getLogger(__name__)
S = EnrollmentStatus
BATCH_SIZE = 1000
BILLED_STATUSES = (S.ACTIVE, S.WITHDRAWN, S.MOVED)
ENTRY_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
ONE_DAY = dt.timedelta(days=1)

PRORATION_RULES = {
    FeePlanKind.MONTHLY: gettext_lazy(
        "Joining or leaving during a month: the monthly fee is multiplied by the share of the "
        "month's scheduled meetings of the group that fall within the enrollment, rounded to "
        "the grosz. A month without such meetings is not charged."
    ),
    FeePlanKind.PER_MEETING: gettext_lazy(
        "Each month is charged for the meetings held within the enrollment: the price of one "
        "meeting times the scheduled meetings. A meeting cancelled by the centre is credited."
    ),
    FeePlanKind.SEMESTER: gettext_lazy(
        "The semester fee is charged once, in the first month of the semester or of the "
        "enrollment, multiplied by the share of the semester's scheduled meetings that fall "
        "within the enrollment, rounded to the grosz."
    ),
    FeePlanKind.PASS: gettext_lazy(
        "A pass is charged in full when the enrollment starts and again in the month after "
        "all its entries have been used. Passes are not prorated."
    ),
    FeePlanKind.ANNUAL_DUES: gettext_lazy(
        "Annual dues are charged once per calendar year, in January or in the month of "
        "joining: the yearly fee times the months from the month of joining to December, "
        "divided by 12."
    ),
}
GENERAL_RULE = gettext_lazy(
    "Joining or leaving during a period: a monthly or semester fee is multiplied by the share "
    "of the period's scheduled meetings (not cancelled) that fall within the enrollment, "
    "rounded half up to the grosz; a period without such meetings is not charged. Meetings "
    "cancelled by the centre are credited on fees by meetings held. Passes are charged in full; "
    "annual dues by whole months left in the year."
)


def proration_rule_text(plan: FeePlan | None = None) -> str:
    """The proration rule for people: the general one, or the one of `plan`'s kind ("" if free)."""
    if plan is None:
        return str(GENERAL_RULE)
    rule = PRORATION_RULES.get(plan.kind)
    return str(rule) if rule else ""


def money(value) -> Decimal:
    return Decimal(value).quantize(GROSZ, rounding=ROUND_HALF_UP)


def prorate(fee: Decimal, held: int, total: int) -> Decimal:
    """`fee` times held/total, rounded half up to the grosz; 0 when nothing was held."""
    if total <= 0 or held <= 0:
        return ZERO
    if held >= total:
        return money(fee)
    return money(Decimal(fee) * held / total)


def months_left_in_year(joined: dt.date, period: dt.date) -> int:
    """Whole months of dues owed in `period`'s year: from the joining month to December."""
    if joined.year < period.year:
        return 12
    return 13 - max(joined.month, 1)


# --- settings --------------------------------------------------------------------------------


def due_day() -> int:
    return min(max(int(getattr(settings, "BILLING_DUE_DAY", 10)), 1), 28)


# A charge created late (a run for the current month after its due day, a late joiner) still
# gives the family this many days to pay, so nothing is overdue the day it appears.
MIN_DAYS_TO_PAY = 14


def due_date(period: dt.date, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return max(period.replace(day=due_day()), today + dt.timedelta(days=MIN_DAYS_TO_PAY))


def second_semester_start(season_start: dt.date) -> dt.date:
    """The first `BILLING_SECOND_SEMESTER_STARTS` ("MM-DD") after the season's first day."""
    month, day = (int(part) for part in settings.BILLING_SECOND_SEMESTER_STARTS.split("-"))
    candidate = dt.date(season_start.year, month, day)
    if candidate <= season_start:
        candidate = dt.date(season_start.year + 1, month, day)
    return candidate


def month_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def period_check(period: dt.date) -> dt.date:
    if not isinstance(period, dt.date) or isinstance(period, dt.datetime) or period.day != 1:
        raise BillingError(_("A billing period is a month, given by its first day."))
    return period


def period_label(period: dt.date) -> str:
    """ "listopad 2026" / "November 2026" in the active language."""
    from django.utils.dates import MONTHS

    return f"{MONTHS[period.month]} {period.year}"


# --- the plan of one run ---------------------------------------------------------------------


@dataclass
class Semester:
    starts_on: dt.date
    ends_on: dt.date


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


def _semester_of(season, day: dt.date) -> Semester:
    second = second_semester_start(season.starts_on)
    if second > season.ends_on or day < second:
        return Semester(season.starts_on, min(second - ONE_DAY, season.ends_on))
    return Semester(second, season.ends_on)


def run_data_load(period: dt.date) -> RunData:
    """Read what the run needs: plans, enrollments, spans, meetings, earlier charges, entries."""
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
            semester = _semester_of(season, max(period, season.starts_on))
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
            period__lt=period,
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
    )


def _span(data: RunData, enrollment: EnrollmentRow, season) -> tuple[dt.date, dt.date] | None:
    starts = data.activated.get(enrollment.pk)
    if starts is None:
        if enrollment.status != S.ACTIVE:
            return None  # never held a place (a withdrawn request): nothing to bill
        starts = enrollment.requested_on
    ends = enrollment.ends_on or data.ended.get(enrollment.pk) or season.ends_on
    starts, ends = max(starts, season.starts_on), min(ends, season.ends_on)
    return (starts, ends) if starts <= ends else None


def billable_for(data: RunData, enrollment: EnrollmentRow) -> Billable | None:
    """What `enrollment` owes for the run's period under the proration rule (None: nothing)."""
    if enrollment.pk in data.charged_now:
        return None
    plan = data.plans[enrollment.group_id]
    season = plan.group.season
    span = _span(data, enrollment, season)
    if span is None:
        return None
    if plan.kind not in (FeePlanKind.MONTHLY, FeePlanKind.PER_MEETING):
        return _billable(data, enrollment, plan, span)
    # Monthly fees depend on the group and the span only: most enrollments share one answer.
    key = (enrollment.group_id, span)
    if key not in data.shared:
        data.shared[key] = _billable(data, enrollment, plan, span)
    shared = data.shared[key]
    if shared is None:
        return None
    return Billable(enrollment, plan, shared.base, shared.base_label, shared.meetings)


def _billable(data: RunData, enrollment: EnrollmentRow, plan, span) -> Billable | None:
    season = plan.group.season
    starts, ends = span
    period, last = data.period, month_end(data.period)
    group_meetings = data.meetings.get(enrollment.group_id, [])
    month = [(pk, day) for pk, day in group_meetings if period <= day <= last]
    in_span = [pk for pk, day in month if starts <= day <= ends]
    if not in_span:
        return None
    kind = plan.kind
    label = data.labels.get(plan.pk)
    if label is None:
        label = data.labels[plan.pk] = plan_label(plan)
    if kind == FeePlanKind.MONTHLY:
        base = prorate(plan.amount, len(in_span), len(month))
        if len(in_span) < len(month):
            label = _("%(plan)s × %(held)s/%(total)s meetings") % {
                "plan": label,
                "held": len(in_span),
                "total": len(month),
            }
        return Billable(enrollment, plan, base, label)
    if kind == FeePlanKind.PER_MEETING:
        base = money(plan.amount * len(in_span))
        label = _("%(plan)s × %(count)s meetings") % {"plan": label, "count": len(in_span)}
        return Billable(enrollment, plan, base, label, meetings=in_span)
    if kind == FeePlanKind.SEMESTER:
        semester = _semester_of(season, max(period, season.starts_on))
        first_month = semester.starts_on.replace(day=1)
        if any(
            (enrollment.pk, month_start) in data.semester_charged
            for month_start in _months(first_month, period)
        ):
            return None
        whole = [
            day for _pk, day in group_meetings if semester.starts_on <= day <= semester.ends_on
        ]
        held = [day for day in whole if starts <= day <= ends]
        base = prorate(plan.amount, len(held), len(whole))
        if len(held) < len(whole):
            label = _("%(plan)s × %(held)s/%(total)s meetings") % {
                "plan": label,
                "held": len(held),
                "total": len(whole),
            }
        return Billable(enrollment, plan, base, label)
    if kind == FeePlanKind.PASS:
        bought = data.passes.get(enrollment.pk, 0)
        if bought:
            used = data.entries.get((enrollment.participant_id, enrollment.group_id), 0)
            if not plan.entries or used < bought * plan.entries:
                return None
        return Billable(enrollment, plan, money(plan.amount), label)
    if kind == FeePlanKind.ANNUAL_DUES:
        if (enrollment.participant_id, plan.group.activity_id) in data.dues_paid:
            return None
        months = months_left_in_year(starts, period)
        base = prorate(plan.amount, months, 12)
        if months < 12:
            label = _("%(plan)s × %(months)s/12 months") % {"plan": label, "months": months}
        return Billable(enrollment, plan, base, label)
    return None


def _months(first: dt.date, before: dt.date):
    month = first
    while month < before:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def charges_build(data: RunData, *, run: BillingRun | None, actor=None) -> list[Charge]:
    """The run's charges (unsaved), with the discount rule's lines frozen."""
    billables = [b for b in (billable_for(data, e) for e in data.enrollments) if b]
    by_household: dict[int, list[Billable]] = defaultdict(list)
    for billable in billables:
        by_household[billable.enrollment.household_id].append(billable)
    context = DiscountContext.load(by_household)
    grants = defaultdict(list)
    for grant in context.grants:
        grants[grant.household_id].append(grant)
    senior = context.rules.get(DiscountKind.SENIOR)
    due_on = due_date(data.period)
    describe = _("%(activity)s, %(group)s: %(participant)s")
    run_id = run.pk if run is not None else None
    actor_id = actor.pk if actor is not None else None
    quotes: dict[tuple[Decimal, str], object] = {}
    charges = []
    for household_id, items in by_household.items():
        household_context = DiscountContext(rules=context.rules, grants=grants[household_id])
        billed = {item.enrollment.participant_id: item.enrollment for item in items}
        kids = [Kid(row.participant_id, row.birth_date) for row in billed.values()]
        for item in items:
            row = item.enrollment
            position = (
                child_position(Kid(row.participant_id, row.birth_date), kids)
                if len(kids) > 1
                else 1
            )
            if (
                not grants[household_id]
                and position == 1
                and (senior is None or age_on(row.birth_date, data.period) < senior.min_age)
            ):
                steps = []  # the rule has nothing to apply: no grant, first child, not a senior
            else:
                steps = household_context.steps(
                    household_id=household_id,
                    participant_id=row.participant_id,
                    birth_date=row.birth_date,
                    on=data.period,
                    child_position=position,
                )
            if steps:
                quote = discounts_apply(item.base, steps, base_label=item.base_label)
            else:  # the same fee with no discount: one quote for all who pay it
                plain = (item.base, item.base_label)
                if plain not in quotes:
                    quotes[plain] = discounts_apply(item.base, [], base_label=item.base_label)
                quote = quotes[plain]
            lines = quote.as_json()
            if item.meetings:
                lines[0]["meetings"] = item.meetings
            group = item.plan.group
            charges.append(
                Charge(
                    household_id=household_id,
                    enrollment_id=row.pk,
                    run_id=run_id,
                    period=data.period,
                    kind=item.plan.kind,
                    description=(
                        describe
                        % {
                            "activity": group.activity.name,
                            "group": group.name,
                            "participant": f"{row.first_name} {row.last_name}",
                        }
                    )[:200],
                    base_amount=quote.base,
                    amount=quote.total,
                    lines=lines,
                    due_on=due_on,
                    created_by_id=actor_id,
                )
            )
    return charges


def households_with_credit(household_ids) -> list[int]:
    """Households among `household_ids` holding money not yet spent (one query)."""
    used = Allocation.objects.filter(payment_id=OuterRef("pk")).values("payment_id")
    used_note = Allocation.objects.filter(credit_note_id=OuterRef("pk")).values("credit_note_id")
    spare_payments = Payment.objects.annotate(
        used=Coalesce(Subquery(used.annotate(total=Sum("amount")).values("total")), ZERO)
    ).filter(amount__gt=F("used"), household_id=OuterRef("pk"))
    spare_notes = CreditNote.objects.annotate(
        used=Coalesce(Subquery(used_note.annotate(total=Sum("amount")).values("total")), ZERO)
    ).filter(amount__gt=F("used"), household_id=OuterRef("pk"))
    return list(
        Household.objects.filter(pk__in=household_ids)
        .filter(Exists(spare_payments) | Exists(spare_notes))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def billing_run(period: dt.date, actor=None) -> BillingRun:
    """Create the charges of `period` (a month's first day) for every billable enrollment.

    Once per period: a second call raises BillingRunExistsError and changes nothing.
    """
    period = period_check(period)
    try:
        with transaction.atomic():
            run = BillingRun.objects.create(period=period, started_by=actor)
    except IntegrityError:
        raise BillingRunExistsError() from None
    data = run_data_load(period)
    charges = charges_build(data, run=run, actor=actor)
    Charge.objects.bulk_create(charges, batch_size=BATCH_SIZE)

    with_credit = households_with_credit(Charge.objects.filter(run=run).values("household_id"))
    if with_credit:
        list(Household.objects.select_for_update().filter(pk__in=with_credit).order_by("pk"))
        households_allocate(with_credit)

    run.charges_created = len(charges)
    run.total = sum((charge.amount for charge in charges), ZERO)
    run.save(update_fields=["charges_created", "total"])
    transaction.on_commit(lambda: _finish_later(run.pk))
    return run


def _finish_later(run_id: int) -> None:
    from .. import tasks

    try:
        tasks.billing_run_finish_task.delay(run_id)
    except Exception:  # the broker is down: the periodic sweep finishes the run
        logger.warning("billing run %s: could not enqueue its messages", run_id, exc_info=True)


def billing_run_finish(run_id: int) -> int:
    """Tell each household of the run what it owes (FEE_DUE), then mark the run finished.

    Apart from the run so that 10,000 messages do not lengthen its transaction; once per run
    (the finished mark under the run's lock, and the messages' dedupe keys). Returns messages.
    """
    from .. import messages

    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run_id)
        if run.finished_at is not None:
            return 0
        queued = messages.fee_due_queue(run=run)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        return queued


def billing_runs_finish_pending(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Finish runs whose messages were never queued (the broker was down at commit)."""
    pending = BillingRun.objects.filter(
        finished_at__isnull=True, started_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    return sum(billing_run_finish(run_id) for run_id in list(pending))


def billing_run_exists(period: dt.date) -> bool:
    return BillingRun.objects.filter(period=period).exists()


# --- meetings cancelled after charging --------------------------------------------------------

CREDIT_LOOKBACK_DAYS = 120


def cancelled_meetings_credit(*, today: dt.date | None = None) -> int:
    """Credit one meeting's price (after the charge's discounts) on each per-meeting charge for
    every charged meeting the centre cancelled after charging. Idempotent by the note's key."""
    today = today or timezone.localdate()
    cancelled = {
        pk: (group_id, day, changed)
        for pk, group_id, day, changed in Meeting.objects.filter(
            status=MeetingStatus.CANCELLED,
            date__gte=(today - dt.timedelta(days=CREDIT_LOOKBACK_DAYS)).replace(day=1),
        ).values_list("pk", "group_id", "date", "updated_at")
    }
    if not cancelled:
        return 0
    groups = {group_id for group_id, _day, _changed in cancelled.values()}
    months = {day.replace(day=1) for _group, day, _changed in cancelled.values()}
    charges = Charge.objects.filter(
        kind=FeePlanKind.PER_MEETING,
        enrollment__group_id__in=groups,
        period__in=months,
    ).select_related("enrollment__group__fee_plan", "household")
    due: list[tuple[Charge, int, dt.date, str]] = []
    for charge in charges:
        charged = set((charge.lines[0].get("meetings") or []) if charge.lines else [])
        for meeting_id in sorted(charged & set(cancelled)):
            _group, day, changed = cancelled[meeting_id]
            if changed > charge.created_at:
                due.append((charge, meeting_id, day, f"meeting:{meeting_id}:charge:{charge.pk}"))
    done = set(
        CreditNote.objects.filter(key__in=[key for *_rest, key in due]).values_list(
            "key", flat=True
        )
    )
    issued = 0
    for charge, _meeting_id, day, key in due:
        if key in done:
            continue
        if _meeting_credit(charge, day, key):
            issued += 1
    return issued


def _meeting_credit(charge: Charge, day: dt.date, key: str) -> bool:
    from django.utils import translation

    from .ledger import credit_note_issue

    plan = charge.enrollment.group.fee_plan
    price = plan.amount
    if charge.base_amount > 0 and charge.amount != charge.base_amount:
        price = money(price * charge.amount / charge.base_amount)
    with transaction.atomic():
        credited = charge.credit_notes.aggregate(total=Sum("amount"))["total"] or ZERO
        amount = min(price, charge.amount - credited)
        if amount <= 0:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Meeting on %(date)s cancelled by the centre") % {
                "date": day.strftime("%d.%m.%Y")
            }
        credit_note_issue(
            household=charge.household,
            amount=amount,
            reason=CreditReason.CANCELLED_MEETING,
            note=note,
            charge=charge,
            key=key,
        )
    return True
