"""Settling enrollment changes made after a month was charged.

An enrollment that becomes ACTIVE after its month's run (a late joiner, an accepted offer, a
move into a group, an approval) would otherwise never pay for that month: the next run charges
the next month only. `late_activations_charge` charges it what the run would have, had it run
after the activation (the same `run_data_load`, `billable_for` and `charges_build`), once per
enrollment and period (the charge's unique constraint). `enrollment_changes_settle` does that
and then credits the unused part of charged periods (`unused_credits`); the periodic
`enrollment_changes_settle_task` calls it. See docs/adr/0014-credits-for-unused-months.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from enrollment.models import EnrollmentEvent, EnrollmentStatus

from .. import messages
from ..models import BillingRun, Charge
from .charges import BATCH_SIZE, charges_build, households_credit_spend
from .run_data import run_data_load
from .unused_credits import unused_periods_credit

S = EnrollmentStatus
# An activation stamped just before the run started may have committed after the run read the
# enrollments; such an enrollment is looked at again (the run's charge, if any, is kept).
RUN_READ_MARGIN = dt.timedelta(minutes=5)
# The sweep runs every few minutes: this month and the one before are enough to catch up.
LATE_LOOKBACK_DAYS = 62


@dataclass(frozen=True)
class Settled:
    charges: int
    credits: int


def late_activations_charge(*, now: dt.datetime | None = None, enrollment_ids=None) -> int:
    """Charge each enrollment that became ACTIVE after its month's run for that month.

    Safe to run any number of times. Returns the charges created.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = (today - dt.timedelta(days=LATE_LOOKBACK_DAYS)).replace(day=1)
    runs = {run.period: run for run in BillingRun.objects.filter(period__gte=since)}
    if not runs:
        return 0
    earliest = min(run.started_at for run in runs.values()) - RUN_READ_MARGIN
    activations = (
        EnrollmentEvent.objects.filter(
            to_status=S.ACTIVE,
            at__gte=earliest,
            # Only seasons under way: a place taken in June for September waits for its run.
            enrollment__group__season__starts_on__lte=today,
            enrollment__group__season__ends_on__gte=since,
        )
        .exclude(from_status=S.ACTIVE)  # ACTIVE -> ACTIVE records a withdrawal
        .order_by("at", "pk")
    )
    if enrollment_ids is not None:
        activations = activations.filter(enrollment_id__in=list(enrollment_ids))
    due: dict[dt.date, dict[int, int | None]] = defaultdict(dict)  # period -> enrollment -> actor
    for enrollment_id, at, actor_id in activations.values_list("enrollment_id", "at", "actor_id"):
        period = timezone.localdate(at).replace(day=1)
        run = runs.get(period)
        if run is not None and at >= run.started_at - RUN_READ_MARGIN:
            due[period].setdefault(enrollment_id, actor_id)
    if not due:
        return 0
    charged = set(
        Charge.objects.filter(
            period__in=list(due),
            enrollment_id__in={pk for items in due.values() for pk in items},
        ).values_list("enrollment_id", "period")
    )
    created = 0
    for period in sorted(due):
        todo = {pk: actor for pk, actor in due[period].items() if (pk, period) not in charged}
        if todo:
            created += _period_charge(runs[period], todo)
    return created


@transaction.atomic
def _period_charge(run: BillingRun, actors: dict[int, int | None]) -> int:
    # Under the run's row lock: two sweeps of one period take turns, the second sees the charges.
    BillingRun.objects.select_for_update().get(pk=run.pk)
    data = run_data_load(run.period, enrollment_ids=list(actors))
    charges = charges_build(data, run=None)
    for charge in charges:
        charge.created_by_id = actors.get(charge.enrollment_id)
    Charge.objects.bulk_create(charges, batch_size=BATCH_SIZE)
    households_credit_spend({charge.household_id for charge in charges})
    # Tell each household what it owes now (the run's message went out without these).
    messages.late_charges_fee_due_queue(
        charge_ids=[charge.pk for charge in charges], period=run.period
    )
    return len(charges)


def enrollment_changes_settle(*, now: dt.datetime | None = None) -> Settled:
    """Charge late activations, then credit the unused part of charged periods."""
    now = now or timezone.now()
    charges = late_activations_charge(now=now)
    credits = unused_periods_credit(today=timezone.localdate(now))
    return Settled(charges=charges, credits=credits)
