"""The monthly billing run for 10,000 active enrollments, against a bulk insert of its rows.

From the billing issue: "the monthly run for 10,000 active enrollments as a ratio to a bulk
insert of the same charge rows in the same run (target at most 3x), with a query count that does
not grow per enrollment".

setup: a published season of its own, years before the current one (so no other benchmark sees
it), 50 groups of 200 places with a monthly fee plan (every fifth group by meetings held), four
meetings per group in the season's November (one cancelled in every seventh group: a 3/4
month), 10,000 families (guardian, household, one child, consent) each with one ACTIVE
enrollment and its activation event, one in ten households holding a card discount and one in
twenty some credit from an earlier payment.

run (each measurement inside a transaction that is rolled back, so every round starts equal):
1. `billing_bulk_insert`: `Charge.objects.bulk_create` of the very rows the run creates (built
   beforehand by the run's own code, same columns, `charges.BATCH_SIZE`), charges/s.
2. `billing_run`: `billing.services.charges.billing_run(period)`: the whole run, i.e. loading,
   proration, discounts, the bulk insert, spending the credit of the households that have some
   (the "fee due" messages are queued after commit by `billing_run_finish_task`, not in the
   run); charges/s as a ratio to (1). Target: at least 1/3 (the run takes at most three times
   the bulk insert). `extra.queries` is the run's query count: its queries other than the
   inserts are measured again at a tenth of the enrollments and must be the same; the inserts
   are one per BATCH_SIZE rows.
The best of ROUNDS rounds of each is kept (the least disturbed by the machine).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from .harness import BenchmarkError, Context, Result, benchmark

ENROLLMENTS = 10_000
GROUPS = 50
ROUNDS_QUICK = 2
ROUNDS_FULL = 3
TARGET_RATIO = 1 / 3
EMAIL_DOMAIN = "billing.bench.example.pl"
SEASON_PREFIX = "Bench billing"


class _Rollback(Exception):
    pass


def _season():
    from clubs.models import Season

    return Season.objects.get(name__startswith=SEASON_PREFIX)


def _period() -> dt.date:
    return dt.date(_season().starts_on.year, 11, 1)


def setup(ctx: Context) -> None:
    from django.db import transaction
    from django.utils import timezone

    from billing.models import (
        DiscountGrant,
        DiscountKind,
        DiscountRule,
        FeePlan,
        FeePlanKind,
        Payment,
    )
    from clubs.models import Activity, Group, Meeting, MeetingStatus, Room, Season
    from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentStatus

    current = Season.objects.current()
    if current is None:
        raise BenchmarkError("seed_demo made no published season")
    tz = timezone.get_default_timezone()
    year = min(timezone.localdate(), current.starts_on).year - 5
    with transaction.atomic():
        season = Season.objects.create(
            name=f"{SEASON_PREFIX} {year}/{year + 1}",
            starts_on=dt.date(year, 9, 1),
            ends_on=dt.date(year + 1, 6, 30),
            age_reference_date=dt.date(year, 9, 1),
            enrollment_opens_at=dt.datetime(year, 8, 25, 18, 0, tzinfo=tz),
            is_published=True,
        )
        if Season.objects.current() != current:
            raise BenchmarkError(f"the bench season {season} became the current season")
        room = Room.objects.filter(venue__activities__is_active=True).order_by("pk").first()
        activity = Activity.objects.filter(venue_id=room.venue_id).order_by("pk").first()
        groups = Group.objects.bulk_create(
            Group(
                activity=activity,
                season=season,
                name=f"Rozliczana {n:02d}",
                capacity=ENROLLMENTS // GROUPS,
                age_min=7,
                age_max=12,
                room=room,
                places_taken=ENROLLMENTS // GROUPS,
            )
            for n in range(GROUPS)
        )
        FeePlan.objects.bulk_create(
            FeePlan(
                group=group,
                kind=FeePlanKind.PER_MEETING if n % 5 == 0 else FeePlanKind.MONTHLY,
                amount=Decimal("30.00") if n % 5 == 0 else Decimal("120.00"),
            )
            for n, group in enumerate(groups)
        )
        november = [dt.date(year, 11, day) for day in (4, 11, 18, 25)]
        Meeting.objects.bulk_create(
            Meeting(
                group=group,
                date=day,
                starts_at=dt.datetime.combine(day, dt.time(17, 0), tzinfo=tz),
                ends_at=dt.datetime.combine(day, dt.time(18, 0), tzinfo=tz),
                room=room,
                status=MeetingStatus.CANCELLED
                if n % 7 == 0 and i == 3
                else MeetingStatus.SCHEDULED,
            )
            for n, group in enumerate(groups)
            for i, day in enumerate(november)
        )
        users, children = _families(ENROLLMENTS, birth_date=dt.date(year - 8, 3, 15))
        joined = dt.datetime(year, 9, 1, 12, 0, tzinfo=tz)
        enrollments = Enrollment.objects.bulk_create(
            Enrollment(
                participant=child,
                group=groups[n % GROUPS],
                status=EnrollmentStatus.ACTIVE,
                requested_at=joined,
                requested_by=users[n],
            )
            for n, child in enumerate(children)
        )
        EnrollmentEvent.objects.bulk_create(
            EnrollmentEvent(enrollment=e, from_status="", to_status=EnrollmentStatus.ACTIVE)
            for e in enrollments
        )
        EnrollmentEvent.objects.filter(enrollment__group__season=season).update(at=joined)
        DiscountRule.objects.get_or_create(
            kind=DiscountKind.LARGE_FAMILY_CARD, defaults={"percent": Decimal("25")}
        )
        DiscountGrant.objects.bulk_create(
            DiscountGrant(
                household_id=child.household_id,
                kind=DiscountKind.LARGE_FAMILY_CARD,
                card_number=f"KDR{n:07d}",
                valid_until=dt.date(year + 2, 1, 1),
                granted_by=users[0],
            )
            for n, child in enumerate(children)
            if n % 10 == 0
        )
        Payment.objects.bulk_create(
            Payment(
                household_id=child.household_id,
                amount=Decimal("50.00"),
                method="cash",
                received_on=dt.date(year, 10, 20),
            )
            for n, child in enumerate(children)
            if n % 20 == 0
        )


def _reference(n: int) -> str:
    """A transfer reference of its own for family n: random ones collide among 10,000 (about a
    one-in-three chance), so the bench numbers them in the references' alphabet. The prefix is
    not "MOK-", so they cannot collide with the random ones other benchmarks' families get in
    the same database."""
    from enrollment.models.households import REFERENCE_ALPHABET

    digits = []
    for _ in range(6):
        n, digit = divmod(n, len(REFERENCE_ALPHABET))
        digits.append(REFERENCE_ALPHABET[digit])
    return "BEN-" + "".join(reversed(digits))


def _families(count: int, *, birth_date: dt.date) -> tuple[list, list]:
    """`count` guardians, each with a household of one child, in a few bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from enrollment.models import GuardianRights, Guardianship, Household, Participant

    unusable = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            email=f"rodzic{n:05d}@{EMAIL_DOMAIN}",
            first_name="Rodzic",
            last_name=f"Rozliczany{n:05d}",
            password=unusable,
        )
        for n in range(count)
    )
    households = Household.objects.bulk_create(
        Household(name=f"Rodzina Rozliczana {n:05d}", transfer_reference=_reference(n))
        for n in range(count)
    )
    Guardianship.objects.bulk_create(
        Guardianship(household=household, user=user, rights=GuardianRights.FULL)
        for household, user in zip(households, users, strict=True)
    )
    children = Participant.objects.bulk_create(
        Participant(
            household=household,
            first_name=f"Dziecko{n:05d}",
            last_name="Rozliczane",
            birth_date=birth_date,
        )
        for n, household in enumerate(households)
    )
    return users, children


def _rolled_back(work):
    """Run `work()` in a transaction that is then undone; returns (result, seconds)."""
    from django.db import transaction

    box = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            box["result"] = work()
            box["seconds"] = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return box["result"], box["seconds"]


def _query_count(period, *, limit: int | None = None) -> tuple[int, int]:
    """(queries, charges) of one rolled-back run; `limit` leaves only that many enrollments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.services import charges
    from enrollment.models import Enrollment, EnrollmentStatus

    def work():
        if limit is not None:
            keep = Enrollment.objects.filter(group__season=_season()).order_by("pk")[:limit]
            Enrollment.objects.filter(group__season=_season()).exclude(
                pk__in=list(keep.values_list("pk", flat=True))
            ).update(status=EnrollmentStatus.REJECTED)
        with CaptureQueriesContext(connection) as queries:
            run = charges.billing_run(period)
        # The inserts come in batches of BATCH_SIZE rows: counted apart, as batches.
        inserts = sum(q["sql"].startswith("INSERT") for q in queries.captured_queries)
        return (len(queries) - inserts, inserts), run.charges_created

    return _rolled_back(work)[0]


@benchmark(
    "billing",
    setup=setup,
    description="the monthly billing run for 10,000 active enrollments vs. a bulk insert",
)
def run(ctx: Context) -> list[Result]:
    from billing.models import Charge
    from billing.services import charges

    period = _period()
    rounds = ROUNDS_QUICK if ctx.config.quick else ROUNDS_FULL
    rows = charges.charges_build(charges.run_data_load(period), run=None)
    if len(rows) != ENROLLMENTS:
        raise BenchmarkError(f"the run would create {len(rows)} charges, not {ENROLLMENTS}")

    def bulk_insert():
        for row in rows:
            row.pk = None
        Charge.objects.bulk_create(rows, batch_size=charges.BATCH_SIZE)
        return len(rows)

    bulk_seconds = min(_rolled_back(bulk_insert)[1] for _ in range(rounds))
    run_times = []
    for _ in range(rounds):
        created, seconds = _rolled_back(lambda: charges.billing_run(period).charges_created)
        if created != ENROLLMENTS:
            raise BenchmarkError(f"the run created {created} charges, not {ENROLLMENTS}")
        run_times.append(seconds)
    run_seconds = min(run_times)
    (queries, inserts), counted = _query_count(period)
    (small_queries, small_inserts), small = _query_count(period, limit=ENROLLMENTS // 10)
    if counted != ENROLLMENTS or small != ENROLLMENTS // 10:
        raise BenchmarkError(f"query-count runs created {counted} and {small} charges")

    def finish():  # the after-commit step, timed alone
        run_row = charges.billing_run(period)
        started = time.perf_counter()
        queued = charges.billing_run_finish(run_row.pk)
        return queued, time.perf_counter() - started

    (messages, finish_seconds), _total = _rolled_back(finish)
    if messages != ENROLLMENTS:
        raise BenchmarkError(f"the run's messages: {messages}, not {ENROLLMENTS}")

    bulk = ctx.result(
        "billing_bulk_insert",
        ENROLLMENTS / bulk_seconds,
        "charges/s",
        description="bulk_create of the run's 10,000 charge rows (the baseline of billing_run)",
        duration_s=bulk_seconds,
    )
    result = ctx.result(
        "billing_run",
        ENROLLMENTS / run_seconds,
        "charges/s",
        description="billing_run for 10,000 active enrollments, ratio to billing_bulk_insert",
        duration_s=run_seconds,
        extra={
            "queries": queries + inserts,
            "queries_other_than_inserts": queries,
            "insert_batches": inserts,
            f"queries_other_than_inserts_at_{ENROLLMENTS // 10}": small_queries,
            f"insert_batches_at_{ENROLLMENTS // 10}": small_inserts,
            "slowdown_vs_bulk_insert": round(run_seconds / bulk_seconds, 2),
            "run_seconds": [round(s, 3) for s in run_times],
        },
    )
    fee_due = ctx.result(
        "billing_fee_due",
        messages / finish_seconds,
        "messages/s",
        description="after the run: one FEE_DUE per household through the outbox (reported)",
        duration_s=finish_seconds,
    )
    result.baseline, result.baseline_value = bulk.name, bulk.value
    result.ratio = result.value / bulk.value
    result.target = TARGET_RATIO
    result.target_met = result.ratio >= TARGET_RATIO
    if queries != small_queries:
        raise BenchmarkError(
            f"the run's queries other than inserts grow with enrollments: {small_queries} at "
            f"{ENROLLMENTS // 10}, {queries} at {ENROLLMENTS}"
        )
    return [bulk, result, fee_due]
