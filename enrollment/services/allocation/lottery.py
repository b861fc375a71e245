"""The lottery as a pure function: what it draws (units of applications, seats, tiers) and
`allocate`, which never reads the database nor the global RNG."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...models import AllocationOutcome, AllocationTierKind

K = AllocationTierKind
O = AllocationOutcome  # noqa: E741 - the outcome choices, as S is the status choices


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
    # A brother or sister (another participant of a member's household, not in this unit)
    # already holds a place in the season: the sibling tier. The child's own place elsewhere
    # does not count.
    sibling_placed: bool = False


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
    preference, in the order they were served. A unit is in the sibling tier when it says so
    (`Unit.sibling_placed`) or a unit of its household was placed earlier in this run (or the
    household is in `households_placed`)."""
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
                if unit.sibling_placed
                or any(m.household_id in placed_households for m in unit.members)
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
                if seat is None:  # no longer a published lottery group of the season
                    skipped.append({"rank": rank, "why": "closed"})
                    continue
                if not _fits(seat, unit):
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
                waiting = [item for item in skipped if item["why"] in ("full", "too_few")]
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
