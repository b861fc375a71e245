"""The lottery for places: 3,000 applications over 150 groups, allocated and published.

From the fair-allocation issue: "allocation of 3,000 applications over 150 groups, reported
against a bulk-insert baseline of the same number of result rows measured in the same run,
with a bounded query count."

setup: a published season of its own that is never `Season.objects.current()` (it ended years
ago, so the catalogue benchmark's count is untouched), in lottery mode, its application window
closed; 150 groups of 15 places (2,250 places) in 30 activities, ages 7–9; 3,000 families
(bulk, one child of 8 with the enrollment consent) each with one application of three ranked
groups drawn with a fixed seed, popularity skewed (a third of the groups take most first
choices), and 300 of them (10 %) continuing participants of the activity of their first choice
in an earlier season of their own.

run (in this process, on the bench database, no HTTP):
1. `allocation_bulk_insert` (the baseline): `bulk_create` of as many `AllocationDecision` rows
   as the run will write (counted by a first, discarded run), in one transaction rolled back.
   Rows/s.
2. `allocation_run`: `services.allocation_run` with a fixed seed (load, lottery, record inputs
   and decisions). Rows written per second, ratio to the bulk insert; `extra.queries` is its
   query count, which must not exceed `MAX_RUN_QUERIES` (it does not grow with the number of
   applications: bulk inserts of 1,000 rows).
3. `allocation_publish`: `services.allocation_publish` of that run (group locks, enrollments,
   events, counters, one message per household). Rows (enrollments) per second, ratio to the
   bulk insert; `extra.queries` bounded by `MAX_PUBLISH_QUERIES`.
4. The database is checked: per group ACTIVE <= capacity, counters equal the recount, exactly
   one ACTIVE or WAITLISTED enrollment per placed or waiting decision, one message per
   household. A violation fails the benchmark after the figures are kept.
The issue sets no target; the figures are reported with their ratios.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from .harness import BenchmarkError, Context, Result, benchmark

APPLICATIONS = 3000
GROUPS = 150
ACTIVITIES = 30
CAPACITY = 15
CONTINUING = 300
SEED = 20260901
MAX_RUN_QUERIES = 30
MAX_PUBLISH_QUERIES = 60
EMAIL_DOMAIN = "lottery.bench.example.pl"
SEASON_PREFIX = "Bench lottery"


def _seasons():
    """(previous, lottery) seasons of their own, both long over and never the current one."""
    from django.utils import timezone

    from clubs.models import AllocationMode, Season

    current = Season.objects.current()
    tz = timezone.get_default_timezone()
    year = min(timezone.localdate(), current.starts_on if current else timezone.localdate()).year
    year -= 6
    seasons = []
    for offset, mode in ((0, AllocationMode.FIRST_COME), (1, AllocationMode.LOTTERY)):
        start = year + offset
        seasons.append(
            Season.objects.create(
                name=f"{SEASON_PREFIX} {start}/{start + 1}",
                starts_on=dt.date(start, 9, 1),
                ends_on=dt.date(start + 1, 6, 30),
                age_reference_date=dt.date(start, 9, 1),
                enrollment_opens_at=dt.datetime(start, 8, 25, 18, 0, tzinfo=tz),
                applications_open_at=dt.datetime(start, 6, 1, 8, 0, tzinfo=tz),
                applications_close_at=dt.datetime(start, 6, 8, 20, 0, tzinfo=tz),
                allocation_mode=mode,
                is_published=True,
            )
        )
    if Season.objects.current() != current:
        raise BenchmarkError("a bench lottery season became the current season")
    return seasons


def setup(ctx: Context) -> None:
    from django.db import transaction

    from clubs.models import Activity, Group, Room, Venue
    from enrollment.models import Application, ApplicationChoice, Enrollment, EnrollmentStatus

    from .bench_enrollment import families_bulk_create

    rng = random.Random(SEED)
    with transaction.atomic():
        previous, season = _seasons()
        venue = Venue.objects.order_by("pk").first()
        room = Room.objects.filter(venue=venue).order_by("pk").first()
        if room is None:
            raise BenchmarkError("seed_demo made no room")
        activities = Activity.objects.bulk_create(
            Activity(
                name=f"Losowanie {n:02d}",
                slug=f"bench-losowanie-{n:02d}",
                kind="section",
                category="dance",
                venue=venue,
            )
            for n in range(ACTIVITIES)
        )
        groups = Group.objects.bulk_create(
            Group(
                activity=activities[n % ACTIVITIES],
                season=season,
                name=f"Grupa {n:03d}",
                capacity=CAPACITY,
                age_min=7,
                age_max=9,
                room=room,
            )
            for n in range(GROUPS)
        )
        old_groups = Group.objects.bulk_create(
            Group(
                activity=activity,
                season=previous,
                name="Grupa zeszłoroczna",
                capacity=CONTINUING,
                age_min=0,
                age_max=20,
                room=room,
            )
            for activity in activities
        )
        users, children = families_bulk_create(
            count=APPLICATIONS,
            email_domain=EMAIL_DOMAIN,
            family="Losowa",
            birth_date=dt.date(season.starts_on.year - 8, 3, 15),
        )
        applications = Application.objects.bulk_create(
            Application(season=season, participant=child, submitted_by=user)
            for user, child in zip(users, children, strict=True)
        )
        popular = groups[: GROUPS // 3]
        choices = []
        firsts = []
        for application in applications:
            first = rng.choice(popular) if rng.random() < 0.7 else rng.choice(groups)
            rest = rng.sample([g for g in groups if g.pk != first.pk], 2)
            firsts.append(first)
            choices += [
                ApplicationChoice(application=application, rank=rank, group=group)
                for rank, group in enumerate([first, *rest], start=1)
            ]
        ApplicationChoice.objects.bulk_create(choices, batch_size=2000)
        old_by_activity = {g.activity_id: g for g in old_groups}
        Enrollment.objects.bulk_create(
            Enrollment(
                participant=children[n],
                group=old_by_activity[firsts[n].activity_id],
                status=EnrollmentStatus.ACTIVE,
                requested_at=previous.enrollment_opens_at,
                requested_by=users[n],
            )
            for n in rng.sample(range(APPLICATIONS), CONTINUING)
        )


def _season():
    from clubs.models import Season

    season = Season.objects.filter(
        name__startswith=SEASON_PREFIX, allocation_mode="lottery"
    ).first()
    if season is None:
        raise BenchmarkError("no bench lottery season: the setup did not run")
    return season


def _timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        value = function()
        elapsed = time.perf_counter() - started
    return value, elapsed, len(queries.captured_queries)


def _bulk_insert_rows(run, rows: int) -> tuple[float, int]:
    """Seconds to bulk-insert `rows` decision rows like the run's, rolled back."""
    from django.db import transaction

    from enrollment.models import AllocationDecision, Application

    application = Application.objects.filter(season=run.season).order_by("pk").first()
    template = run.decisions.order_by("pk").first()
    with transaction.atomic():
        _, elapsed, queries = _timed(
            lambda: AllocationDecision.objects.bulk_create(
                [
                    AllocationDecision(
                        run=run,
                        application=application,
                        group_id=template.group_id,
                        outcome=template.outcome,
                        rank=template.rank,
                        tier_position=template.tier_position,
                        tier_name=template.tier_name,
                        tier_kind=template.tier_kind,
                        lottery_position=n + 1,
                        sequence=n + 1,
                        reason_code=template.reason_code,
                        reason_params=template.reason_params,
                    )
                    for n in range(rows)
                ],
                batch_size=1000,
            )
        )
        transaction.set_rollback(True)
    return elapsed, queries


def _check(run) -> list[str]:
    from django.db.models import Count, F, Q

    from clubs.models import Group
    from enrollment import services
    from enrollment.models import Enrollment, EnrollmentStatus
    from notifications.models import Notification

    problems = []
    groups = Group.objects.filter(season=run.season).annotate(
        active=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE))
    )
    over = groups.filter(active__gt=F("capacity")).count()
    if over:
        problems.append(f"{over} groups over capacity")
    for group in groups:
        if (group.places_taken, group.waitlist_length) != services.group_counters_recount(
            group=group
        ):
            problems.append(f"counters of group {group.pk} differ from the recount")
    decided = run.decisions.filter(outcome__in=["placed", "waitlisted"]).count()
    made = Enrollment.objects.filter(group__season=run.season).count()
    if decided != made:
        problems.append(f"{decided} decisions but {made} enrollments")
    messages = Notification.objects.filter(kind="allocation_result", dedupe_key__startswith=(
        f"allocation:{run.season_id}:"
    )).count()  # fmt: skip
    if messages != APPLICATIONS:  # one household, one guardian per application here
        problems.append(f"{messages} result messages for {APPLICATIONS} households")
    return problems


@benchmark(
    "allocation",
    setup=setup,
    description="lottery of 3,000 applications over 150 groups: run and publish",
)
def run(ctx: Context) -> list[Result]:
    from django.db import transaction

    from enrollment import services
    from enrollment.models import AllocationRun

    from .harness import django_close_connections

    season = _season()
    # A first run, discarded, counts the rows a run writes (and warms the code paths).
    with transaction.atomic():
        probe = services.allocation_run(season=season, seed=SEED)
        rows = probe.decisions.count()
        transaction.set_rollback(True)

    probe = services.allocation_run(season=season, seed=SEED)
    insert_s, insert_queries = _bulk_insert_rows(probe, rows)
    AllocationRun.objects.filter(pk=probe.pk).delete()
    baseline = ctx.result(
        "allocation_bulk_insert",
        rows / insert_s,
        "rows/s",
        description=f"bulk_create of {rows} decision rows (batches of 1,000), rolled back",
        duration_s=insert_s,
        requests=rows,
        extra={"queries": insert_queries},
    )
    ctx.baselines["allocation_bulk_insert"] = baseline

    lottery, run_s, run_queries = _timed(lambda: services.allocation_run(season=season, seed=SEED))
    results = [
        baseline,
        ctx.result(
            "allocation_run",
            rows / run_s,
            "rows/s",
            baseline="allocation_bulk_insert",
            description=(
                f"allocation_run: {APPLICATIONS} applications, {GROUPS} groups, {rows} decisions"
            ),
            duration_s=run_s,
            requests=rows,
            extra={"queries": run_queries, "max_queries": MAX_RUN_QUERIES, "seed": SEED},
        ),
    ]
    made, publish_s, publish_queries = _timed(
        lambda: services.allocation_publish(run=lottery, actor=None)
    )
    results.append(
        ctx.result(
            "allocation_publish",
            made / publish_s,
            "rows/s",
            baseline="allocation_bulk_insert",
            description=f"allocation_publish: {made} enrollments, events, one message per family",
            duration_s=publish_s,
            requests=made,
            extra={"queries": publish_queries, "max_queries": MAX_PUBLISH_QUERIES},
        )
    )
    problems = _check(lottery)
    if run_queries > MAX_RUN_QUERIES:
        problems.append(f"allocation_run took {run_queries} queries (> {MAX_RUN_QUERIES})")
    if publish_queries > MAX_PUBLISH_QUERIES:
        problems.append(f"allocation_publish took {publish_queries} queries")
    django_close_connections()
    if problems:
        raise BenchmarkError("; ".join(problems))
    return results
