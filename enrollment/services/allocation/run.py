"""The run of a season: load the lottery's inputs, draw (or reuse) the seed, allocate, and record
the dry run with its inputs and decisions; also the scheduled runs at the close of each window."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clubs.models import Group, Season, age_on

from ...allocation_selectors import WindowState, seasons_with_lottery, window_state
from ...exceptions import AllocationError, AllocationPublishedError, AllocationWindowOpenError
from ...models import (
    PLACE_STATUSES,
    AllocationDecision,
    AllocationRun,
    AllocationTier,
    AllocationTierKind,
    Application,
    ApplicationChoice,
    Enrollment,
    EnrollmentStatus,
    allocation_reason,
)
from .lottery import Member, Seat, Tier, Unit, allocate

logger = logging.getLogger(__name__)

S = EnrollmentStatus
K = AllocationTierKind
DEFAULT_TIERS = (
    (1, K.CONTINUING, "Kontynuujący zajęcia"),
    (2, K.SIBLING, "Rodzeństwo dzieci już przyjętych"),
    (3, K.GENERAL, "Pozostali"),
)
DECISION_BATCH = 1000


def allocation_tiers() -> list[Tier]:
    rows = [Tier(t.position, t.kind, t.name) for t in AllocationTier.objects.order_by("position")]
    return rows or [Tier(*row) for row in DEFAULT_TIERS]


def _previous_season_id(season: Season) -> int | None:
    previous = Season.objects.filter(starts_on__lt=season.starts_on).order_by("-starts_on").first()
    return previous.pk if previous else None


def allocation_inputs(*, season: Season) -> tuple[list[Unit], list[Seat], list[int]]:
    """Everything the lottery needs, in a fixed number of queries: units, seats and the
    households that already hold a place in the season."""
    groups = list(
        Group.objects.by_lottery()
        .filter(season=season)
        .values_list("pk", "capacity", "places_taken", "age_min", "age_max", "activity_id")
    )
    activity_of = {pk: activity for pk, _c, _t, _a, _b, activity in groups}
    seats = [Seat(pk, max(cap - taken, 0), lo, hi) for pk, cap, taken, lo, hi, _ in groups]
    current = Application.objects.current().filter(season=season)
    applications = list(
        current.values_list(
            "pk",
            "participant_id",
            "participant__household_id",
            "participant__birth_date",
            "bundle_key",
        ).order_by("pk")
    )
    preferences: dict[int, list[int]] = defaultdict(list)
    for application_id, group_id in (
        ApplicationChoice.objects.filter(application__in=current)
        .order_by("application_id", "rank")
        .values_list("application_id", "group_id")
    ):
        preferences[application_id].append(group_id)
    continuing: dict[int, set[int]] = defaultdict(set)
    previous = _previous_season_id(season)
    if previous is not None:
        for participant_id, activity_id in Enrollment.objects.filter(
            Q(status=S.ACTIVE) | Q(status=S.WITHDRAWN, ends_on__isnull=False),
            group__season_id=previous,
            participant_id__in=current.values("participant_id"),
        ).values_list("participant_id", "group__activity_id"):
            continuing[participant_id].add(activity_id)
    placed: dict[int, set[int]] = defaultdict(set)  # household -> its participants with a place
    for household_id, participant_id in Enrollment.objects.filter(
        status__in=PLACE_STATUSES,
        group__season=season,
        participant__household_id__in=current.values("participant__household_id"),
    ).values_list("participant__household_id", "participant_id"):
        placed[household_id].add(participant_id)
    households_placed = sorted(placed)
    reference = season.reference_date
    bundles: dict[str, list[tuple]] = defaultdict(list)
    for row in applications:
        pk, _participant, _household, _birth, bundle = row
        bundles[f"b:{bundle}" if bundle else f"a:{pk:012d}"].append(row)
    units = []
    for key, rows in bundles.items():
        prefs = tuple(preferences[rows[0][0]])
        wanted = {activity_of.get(group_id) for group_id in prefs}
        units.append(
            Unit(
                key=key,
                members=tuple(
                    Member(pk, household, age_on(birth, reference))
                    for pk, _p, household, birth, _b in rows
                ),
                preferences=prefs,
                continuing=any(continuing[participant] & wanted for _a, participant, *_ in rows),
                sibling_placed=any(
                    placed[household] - {participant for _a, participant, *_ in rows}
                    for _a, _p, household, *_ in rows
                ),
            )
        )
    return units, seats, households_placed


def allocation_run(
    *,
    season: Season,
    seed: int | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> AllocationRun:
    """A dry run of the lottery for a season after its window closed. Without `seed` the
    season's recorded seed is used (the first run's), or a new one is drawn and recorded."""
    now = now or timezone.now()
    if window_state(season=season, now=now) is not WindowState.CLOSED:
        raise AllocationWindowOpenError()
    with transaction.atomic():
        # The season's row lock makes the first run (and so the seed) one, even if the task
        # and a coordinator start it at the same moment.
        season = Season.objects.select_for_update().get(pk=season.pk)
        runs = AllocationRun.objects.filter(season=season)
        if runs.filter(published_at__isnull=False).exists():
            raise AllocationPublishedError()
        if seed is None:
            first = runs.order_by("started_at", "pk").values_list("seed", flat=True).first()
            seed = first if first is not None else secrets.randbits(62)
        tiers = allocation_tiers()
        units, seats, households_placed = allocation_inputs(season=season)
        decisions = allocate(units=units, seats=seats, tiers=tiers, seed=seed)
        run = AllocationRun.objects.create(
            season=season,
            seed=seed,
            started_by=actor,
            started_at=now,
            inputs={
                "tiers": [[t.position, t.kind, t.name] for t in tiers],
                "free": {str(seat.id): seat.free for seat in seats},
                "applications": len([m for unit in units for m in unit.members]),
                "units": [
                    [
                        unit.key,
                        [m.application_id for m in unit.members],
                        list(unit.preferences),
                        unit.continuing,
                        unit.sibling_placed,
                    ]
                    for unit in sorted(units, key=lambda u: u.key)
                ],
                "households_placed": households_placed,
            },
        )
        AllocationDecision.objects.bulk_create(
            [
                AllocationDecision(
                    run=run,
                    application_id=d.application_id,
                    group_id=d.group_id,
                    outcome=d.outcome,
                    rank=d.rank,
                    tier_position=d.tier.position,
                    tier_name=d.tier.name,
                    tier_kind=d.tier.kind,
                    lottery_position=d.lottery_position,
                    sequence=d.sequence,
                    reason_code=d.reason_code,
                    reason_params=d.reason_params,
                )
                for d in decisions
            ],
            batch_size=DECISION_BATCH,
        )
    return run


def allocation_windows_close(*, now: dt.datetime | None = None) -> list[AllocationRun]:
    """At the close of each application window: draw and record the seed and make the dry run
    for the coordinators. Seasons that already have a run are left alone."""
    now = now or timezone.now()
    due = (
        seasons_with_lottery()
        .filter(applications_close_at__lte=now)
        .exclude(allocation_runs__isnull=False)
    )
    runs = []
    for season in due.order_by("pk"):
        try:
            runs.append(allocation_run(season=season, actor=None, now=now))
        except AllocationError as error:
            # Left for the coordinator's dry run page, which shows the same refusal.
            logger.warning("no dry run at the close of %s: %s", season, error.message)
            continue
    return runs


def decision_explained(decision: AllocationDecision) -> str:
    return allocation_reason(decision.reason_code, decision.reason_params)
