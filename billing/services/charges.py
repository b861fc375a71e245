"""The monthly billing run: one charge per billable enrollment per calendar month.

The rule is in `proration`, the reads in `run_data`, the per-enrollment answer in `billables`;
this module builds the charges with their frozen discount lines, writes them once per period
and, after the run commits, tells each household what it owes (`billing_run_finish`).

Discounts follow `billing.services.quotes` on the prorated fee; the lines are frozen on the
charge. The database keeps it to one run per period and one charge per enrollment per period,
so a second beat, a retried task or the office's command changes nothing.

The names other modules import from here (the rule, the dates, `run_data_load`,
`cancelled_meetings_credit`) are re-exported below so that existing imports keep working.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Household

from ..exceptions import BillingRunExistsError
from ..models import Allocation, BillingRun, Charge, CreditNote, DiscountKind, Payment
from ..models.fields import ZERO
from .billables import billable_for
from .credits import CREDIT_LOOKBACK_DAYS, cancelled_meetings_credit
from .ledger import households_allocate
from .proration import (
    GENERAL_RULE,
    MIN_DAYS_TO_PAY,
    ONE_DAY,
    PRORATION_RULES,
    Semester,
    due_date,
    due_day,
    money,
    month_end,
    months_left_in_year,
    period_check,
    period_label,
    prorate,
    proration_rule_text,
    second_semester_start,
)
from .quotes import DiscountContext, age_on, child_position, discounts_apply
from .run_data import (
    BILLED_STATUSES,
    ENTRY_STATUSES,
    Billable,
    EnrollmentRow,
    Kid,
    RunData,
    run_data_load,
)

__all__ = [
    "BATCH_SIZE",
    "BILLED_STATUSES",
    "CREDIT_LOOKBACK_DAYS",
    "ENTRY_STATUSES",
    "GENERAL_RULE",
    "MIN_DAYS_TO_PAY",
    "ONE_DAY",
    "PRORATION_RULES",
    "Billable",
    "EnrollmentRow",
    "Kid",
    "RunData",
    "Semester",
    "billable_for",
    "billing_run",
    "billing_run_exists",
    "billing_run_finish",
    "billing_runs_finish_pending",
    "cancelled_meetings_credit",
    "charges_build",
    "due_date",
    "due_day",
    "households_with_credit",
    "money",
    "month_end",
    "months_left_in_year",
    "period_check",
    "period_label",
    "prorate",
    "proration_rule_text",
    "run_data_load",
    "second_semester_start",
]

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


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
        kids += [kid for kid in data.billed.get(household_id, ()) if kid.pk not in billed]
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


def households_credit_spend(household_ids) -> None:
    """Spend unallocated money of `household_ids` on their new charges (locks who has some)."""
    with_credit = households_with_credit(household_ids)
    if with_credit:
        list(Household.objects.select_for_update().filter(pk__in=with_credit).order_by("pk"))
        households_allocate(with_credit)


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

    households_credit_spend(Charge.objects.filter(run=run).values("household_id"))

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
