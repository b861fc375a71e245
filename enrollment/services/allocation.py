"""Fair allocation: applications during a window, the lottery run and its publication.

The lottery itself (`allocate`) is a pure function of its inputs and the seed: it never reads
the database nor the global RNG, so the same inputs and seed always give the same decisions.
See docs/adr/0007-fair-allocation-lottery.md.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clubs.models import Group, Season, age_on
from notifications.kinds import Kind
from notifications.recipients import Recipient
from notifications.services import QueueRequest, notifications_queue_many

from ..allocation_selectors import WindowState, seasons_with_lottery, window_state
from ..exceptions import (
    AllocationError,
    AllocationPublishedError,
    AllocationStaleError,
    AllocationWindowOpenError,
    AlreadyAppliedError,
    AlreadyEnrolledError,
    ApplicationError,
    ApplicationWindowError,
    DuplicatePreferenceError,
    HouseholdClosedError,
)
from ..locking import groups_lock
from ..models import (
    LIVE_STATUSES,
    MAX_PREFERENCES,
    PLACE_STATUSES,
    AllocationDecision,
    AllocationOutcome,
    AllocationRun,
    AllocationTier,
    AllocationTierKind,
    Application,
    ApplicationChoice,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Guardianship,
    Participant,
    PriorityTier,
    allocation_reason,
)
from .enrollments import _check_participant
from .places import micros

S = EnrollmentStatus
K = AllocationTierKind
O = AllocationOutcome  # noqa: E741 - the outcome choices, as S is the status choices
DEFAULT_TIERS = (
    (1, K.CONTINUING, "Kontynuujący zajęcia"),
    (2, K.SIBLING, "Rodzeństwo dzieci już przyjętych"),
    (3, K.GENERAL, "Pozostali"),
)
DECISION_BATCH = 1000


# --- applications -----------------------------------------------------------------------------


def _check_open(season: Season, now: dt.datetime) -> None:
    state = window_state(season=season, now=now)
    if state is WindowState.OPEN:
        return
    if state is WindowState.BEFORE:
        opens = timezone.localtime(season.applications_open_at)
        raise ApplicationWindowError(
            _("Applications open on %(date)s.") % {"date": opens.strftime("%d.%m.%Y %H:%M")}
        )
    if state is WindowState.CLOSED:
        raise ApplicationWindowError(_("Applications for this season have closed."))
    raise ApplicationWindowError()


def _check_preferences(
    participants: Sequence[Participant], preferences: Sequence[Group], now: dt.datetime
) -> Season:
    """Validate the ordered choices for every participant; returns their common season."""
    if not 1 <= len(preferences) <= MAX_PREFERENCES:
        raise ApplicationError(_("Choose from one to %(max)d groups.") % {"max": MAX_PREFERENCES})
    if len({group.pk for group in preferences}) != len(preferences):
        raise DuplicatePreferenceError()
    seasons = {group.season_id for group in preferences}
    if len(seasons) != 1:
        raise ApplicationError(_("All chosen groups must be in the same season."))
    season = preferences[0].season
    for group in preferences:
        if not (group.is_published and season.is_published and group.is_by_lottery):
            raise ApplicationError(_("“%(group)s” does not take applications.") % {"group": group})
    _check_open(season, now)
    households = {participant.household_id for participant in participants}
    if len(households) != 1:
        raise ApplicationError(_("Siblings applying together must be in the same family."))
    if participants[0].household.closed_at is not None:
        raise HouseholdClosedError()
    for participant in participants:
        for group in preferences:
            _check_participant(participant, group)  # the same age and consent rules as enrolling
    live = Enrollment.objects.live().filter(participant__in=participants, group__in=preferences)
    if live.exists():
        raise AlreadyEnrolledError()
    return season


def _choices_create(applications: Iterable[Application], preferences: Sequence[Group]) -> None:
    ApplicationChoice.objects.bulk_create(
        [
            ApplicationChoice(application=application, rank=rank, group=group)
            for application in applications
            for rank, group in enumerate(preferences, start=1)
        ]
    )


def application_submit(
    *,
    participants: Sequence[Participant],
    preferences: Sequence[Group],
    submitted_by,
    together: bool = False,
    now: dt.datetime | None = None,
) -> list[Application]:
    """Apply for one or more participants with up to three groups in order of preference. With
    `together` (siblings), they are placed in the same group or not at all."""
    now = now or timezone.now()
    participants = list(participants)
    if not participants:
        raise ApplicationError(_("Choose at least one participant."))
    season = _check_preferences(participants, preferences, now)
    bundle = uuid.uuid4().hex if together and len(participants) > 1 else ""
    try:
        with transaction.atomic():
            if (
                Application.objects.current()
                .filter(season=season, participant__in=participants)
                .exists()
            ):
                raise AlreadyAppliedError()
            applications = [
                Application.objects.create(
                    season=season,
                    participant=participant,
                    bundle_key=bundle,
                    submitted_by=submitted_by,
                )
                for participant in participants
            ]
            _choices_create(applications, preferences)
    except IntegrityError as error:  # the partial unique index saw a concurrent application
        raise AlreadyAppliedError() from error
    return applications


def _bundle(application: Application) -> list[Application]:
    if not application.bundle_key:
        return [application]
    return list(
        Application.objects.current()
        .filter(season_id=application.season_id, bundle_key=application.bundle_key)
        .select_related("participant__household")
    )


@transaction.atomic
def application_change(
    *,
    application: Application,
    preferences: Sequence[Group],
    changed_by,
    now: dt.datetime | None = None,
) -> Application:
    """Replace the preferences (of the whole sibling bundle) until the window closes."""
    now = now or timezone.now()
    application = Application.objects.select_related("participant__household", "season").get(
        pk=application.pk
    )
    if application.withdrawn_at is not None:
        raise ApplicationError(_("This application has been withdrawn."))
    _check_open(application.season, now)
    if any(group.season_id != application.season_id for group in preferences):
        raise ApplicationError(_("All chosen groups must be in the same season."))
    members = _bundle(application)
    _check_preferences([m.participant for m in members], preferences, now)
    ApplicationChoice.objects.filter(application__in=members).delete()
    _choices_create(members, preferences)
    Application.objects.filter(pk__in=[m.pk for m in members]).update(updated_at=now)
    return application


@transaction.atomic
def application_withdraw(
    *, application: Application, by, now: dt.datetime | None = None
) -> Application:
    """Withdraw until the window closes; the row stays (a sibling bundle keeps the others)."""
    now = now or timezone.now()
    application = Application.objects.select_related("season").get(pk=application.pk)
    if application.withdrawn_at is not None:
        raise ApplicationError(_("This application has already been withdrawn."))
    _check_open(application.season, now)
    application.withdrawn_at = now
    application.save(update_fields=["withdrawn_at", "updated_at"])
    return application


# --- the lottery: a pure function ------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """A lottery group as the run sees it."""

    id: int
    free: int
    age_min: int = 0
    age_max: int = 120


@dataclass(frozen=True)
class Member:
    application_id: int
    household_id: int
    age: int


@dataclass(frozen=True)
class Unit:
    """What the lottery draws: one application, or siblings placed together or not at all."""

    key: str
    members: tuple[Member, ...]
    preferences: tuple[int, ...]
    continuing: bool = False


@dataclass(frozen=True)
class Tier:
    position: int
    kind: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.position} ({self.name})"


@dataclass
class Decision:
    application_id: int
    group_id: int | None
    outcome: str
    rank: int | None
    tier: Tier
    lottery_position: int
    sequence: int
    reason_code: str
    reason_params: dict = field(default_factory=dict)


def _fits(seat: Seat, unit: Unit) -> bool:
    return all(seat.age_min <= m.age <= seat.age_max for m in unit.members)


def allocate(
    *,
    units: Sequence[Unit],
    seats: Sequence[Seat],
    tiers: Sequence[Tier],
    seed: int,
    households_placed: Iterable[int] = (),
) -> list[Decision]:
    """Serve the tiers in order; within a tier, the units in lottery order, each taking its
    first preference with room for all its members. Units left over wait on every fitting
    preference, in the order they were served."""
    rng = random.Random(seed)  # noqa: S311 - reproducible by design; the seed comes from secrets
    canonical = sorted(units, key=lambda unit: unit.key)  # independent of the load order
    draw = list(range(len(canonical)))
    rng.shuffle(draw)
    lottery = {canonical[index].key: number for number, index in enumerate(draw, start=1)}
    by_id = {seat.id: seat for seat in seats}
    free = {seat.id: seat.free for seat in seats}
    full_after: dict[int, str] = {}
    placed_households = set(households_placed)
    tiers = sorted(tiers, key=lambda tier: tier.position)
    if not any(tier.kind == K.GENERAL for tier in tiers):
        last = tiers[-1].position + 1 if tiers else 1
        tiers.append(Tier(last, K.GENERAL, "—"))
    remaining = sorted(canonical, key=lambda unit: lottery[unit.key])
    decisions: list[Decision] = []
    sequence = 0
    for tier in tiers:
        if tier.kind == K.CONTINUING:
            served = [unit for unit in remaining if unit.continuing]
        elif tier.kind == K.SIBLING:
            served = [
                unit
                for unit in remaining
                if any(m.household_id in placed_households for m in unit.members)
            ]
        else:
            served = remaining
        keys = {unit.key for unit in served}
        remaining = [unit for unit in remaining if unit.key not in keys]
        for unit in served:
            sequence += 1
            number = lottery[unit.key]
            skipped: list[dict] = []
            for rank, group_id in enumerate(unit.preferences, start=1):
                seat = by_id.get(group_id)
                if seat is None or not _fits(seat, unit):
                    skipped.append({"rank": rank, "why": "age"})
                    continue
                if free[group_id] >= len(unit.members):
                    free[group_id] -= len(unit.members)
                    if free[group_id] == 0:
                        full_after.setdefault(group_id, tier.label)
                    params = {
                        "rank": rank,
                        "tier": tier.label,
                        "lottery": number,
                        "skipped": skipped,
                    }
                    decisions += [
                        Decision(
                            m.application_id,
                            group_id,
                            O.PLACED,
                            rank,
                            tier,
                            number,
                            sequence,
                            "placed",
                            params,
                        )
                        for m in unit.members
                    ]
                    placed_households |= {m.household_id for m in unit.members}
                    break
                why = "full" if free[group_id] == 0 else "too_few"
                label = full_after.get(group_id, tier.label) if why == "full" else tier.label
                skipped.append({"rank": rank, "why": why, "tier": label})
            else:
                waiting = [item for item in skipped if item["why"] != "age"]
                for m in unit.members:
                    if not waiting:
                        decisions.append(
                            Decision(
                                m.application_id,
                                None,
                                O.UNPLACED,
                                None,
                                tier,
                                number,
                                sequence,
                                "unplaced",
                                {"skipped": skipped},
                            )
                        )
                    for item in waiting:
                        params = {
                            "rank": item["rank"],
                            "tier": tier.label,
                            "lottery": number,
                            "skipped": [item],
                        }
                        decisions.append(
                            Decision(
                                m.application_id,
                                unit.preferences[item["rank"] - 1],
                                O.WAITLISTED,
                                item["rank"],
                                tier,
                                number,
                                sequence,
                                "waitlisted",
                                params,
                            )
                        )
    return decisions


# --- the run: load, allocate, record ---------------------------------------------------------


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
    households_placed = sorted(
        set(
            Enrollment.objects.filter(
                status__in=PLACE_STATUSES,
                group__season=season,
                participant__household_id__in=current.values("participant__household_id"),
            ).values_list("participant__household_id", flat=True)
        )
    )
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
        decisions = allocate(
            units=units, seats=seats, tiers=tiers, seed=seed, households_placed=households_placed
        )
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


# --- publishing -------------------------------------------------------------------------------


def allocation_publish(*, run: AllocationRun, actor, now: dt.datetime | None = None) -> int:
    """Turn a dry run into enrollments (places, then waiting lists in lottery order), each with
    its audit event, and queue one message per household. Returns the enrollments made."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # The partial unique index refuses a second published run of the season.
            marked = AllocationRun.objects.filter(pk=run.pk, published_at__isnull=True).update(
                published_at=now, published_by=actor
            )
            if not marked:
                raise AllocationPublishedError()
            made = _publish(run, actor=actor, now=now)
    except IntegrityError as error:
        if AllocationRun.objects.filter(
            season_id=run.season_id, published_at__isnull=False
        ).exists():
            raise AllocationPublishedError() from error
        raise AllocationStaleError() from error
    run.published_at, run.published_by = now, actor
    return made


def _publish(run: AllocationRun, *, actor, now: dt.datetime) -> int:
    decisions = list(
        AllocationDecision.objects.filter(run=run, outcome__in=[O.PLACED, O.WAITLISTED])
        .select_related("application__participant", "group__activity")
        .order_by("sequence", "rank", "pk")
    )
    groups = groups_lock({d.group_id for d in decisions})
    placed: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    for d in decisions:
        (placed if d.outcome == O.PLACED else waiting)[d.group_id] += 1
    for group_id, count in placed.items():
        group = groups[group_id]
        if group.places_taken + count > group.capacity:
            raise AllocationStaleError()
    live = Enrollment.objects.filter(
        status__in=LIVE_STATUSES,
        group_id__in=list(groups),
        participant_id__in=[d.application.participant_id for d in decisions],
    ).values_list("participant_id", "group_id")
    if set(live) & {(d.application.participant_id, d.group_id) for d in decisions}:
        raise AllocationStaleError()
    base = micros(now)
    positions: dict[int, int] = defaultdict(int)
    enrollments = []
    for d in decisions:
        is_placed = d.outcome == O.PLACED
        if not is_placed:
            positions[d.group_id] += 1
            d.position = groups[d.group_id].waitlist_length + positions[d.group_id]
        else:
            d.position = None
        enrollments.append(
            Enrollment(
                participant_id=d.application.participant_id,
                group_id=d.group_id,
                status=S.ACTIVE if is_placed else S.WAITLISTED,
                priority_tier=(
                    PriorityTier.CONTINUING if d.tier_kind == K.CONTINUING else PriorityTier.GENERAL
                ),
                waitlist_rank=base + d.sequence,
                requested_at=now,
                requested_by_id=d.application.submitted_by_id,
            )
        )
    Enrollment.objects.bulk_create(enrollments, batch_size=DECISION_BATCH)
    with translation.override(settings.LANGUAGE_CODE):  # the audit trail in the centre's language
        events = [
            EnrollmentEvent(
                enrollment=enrollment,
                from_status="",
                to_status=enrollment.status,
                actor=actor,
                reason=(_("Lottery for places: %(reason)s") % {"reason": d.reason})[:300],
            )
            for enrollment, d in zip(enrollments, decisions, strict=True)
        ]
    EnrollmentEvent.objects.bulk_create(events, batch_size=DECISION_BATCH)
    for group_id, group in groups.items():
        group.places_taken += placed.get(group_id, 0)
        group.waitlist_length += waiting.get(group_id, 0)
    Group.objects.bulk_update(groups.values(), ["places_taken", "waitlist_length"])
    _notify(run, decisions)
    return len(enrollments)


def _notify(run: AllocationRun, decisions: list[AllocationDecision]) -> None:
    """One message per household (to each of its guardians) with every child's result."""
    unplaced = AllocationDecision.objects.filter(run=run, outcome=O.UNPLACED).select_related(
        "application__participant"
    )
    by_household: dict[int, list[dict]] = defaultdict(list)
    names: dict[int, str] = {}
    for d in [*decisions, *unplaced]:
        participant = d.application.participant
        by_household[participant.household_id].append(
            {
                "participant_name": str(participant),
                "outcome": d.outcome,
                "activity_name": d.group.activity.name if d.group_id else "",
                "group_name": d.group.name if d.group_id else "",
                "rank": d.rank,
                "position": getattr(d, "position", None),
                "_order": (participant.birth_date.isoformat(), participant.pk, d.rank or 0),
            }
        )
    if not by_household:
        return
    users: dict[int, list] = defaultdict(list)
    for guardianship in Guardianship.objects.filter(
        household_id__in=list(by_household)
    ).select_related("user", "household"):
        users[guardianship.household_id].append(guardianship.user)
        names[guardianship.household_id] = guardianship.household.name
    requests = []
    for household_id, results in by_household.items():
        results.sort(key=lambda r: r.pop("_order"))
        recipients = {user.pk: user for user in users[household_id] if user.is_active}
        context = {
            "family_name": names.get(household_id, ""),
            "season_name": run.season.name,
            "results": results,
            "path": "/family/applications/",
        }
        for user in recipients.values():
            recipient = Recipient.for_user(user)
            requests.append(
                QueueRequest(
                    recipient=recipient,
                    kind=Kind.ALLOCATION_RESULT,
                    context=context,
                    dedupe_key=f"allocation:{run.season_id}:{household_id}:{recipient.key}",
                )
            )
    if requests:
        notifications_queue_many(requests=requests)


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
        except AllocationError:
            continue
    return runs


def decision_explained(decision: AllocationDecision) -> str:
    return allocation_reason(decision.reason_code, decision.reason_params)
