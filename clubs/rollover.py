"""Copying the catalogue of one season into the next (the September set-up), in one step.

Activities are not per season, so "the catalogue" of a season is its groups with their weekly
slots and instructors. A copy is linked to its source (`Group.copied_from`; one copy per source
and season, enforced by the database), so a second run finds what the first made and creates
nothing twice. A target season that already has groups is merged into: a source group is
skipped when the target has its copy or a group of the same activity and name (made by hand).
"""

from dataclasses import dataclass, field

from django.db import transaction

from .models import Group, Season, WeeklySlot
from .services import meetings_generate


class CatalogueRolloverError(Exception):
    """Raised with a message code; the caller shows the person a translated message."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass
class CataloguePlan:
    source: Season
    target: Season
    to_copy: list[Group] = field(default_factory=list)
    # (source group, the target group that stands for it): skipped, nothing changes.
    existing: list[tuple[Group, Group]] = field(default_factory=list)


@dataclass
class CatalogueResult:
    created: list[tuple[Group, Group]] = field(default_factory=list)  # (source, copy)
    existing: list[tuple[Group, Group]] = field(default_factory=list)
    slots_created: int = 0
    meetings_created: int = 0

    @property
    def pairs(self) -> list[tuple[Group, Group]]:
        """Every source group with its group in the target season (new or already there)."""
        return self.created + self.existing


def _check(source: Season, target: Season) -> None:
    if source.pk == target.pk:
        raise CatalogueRolloverError("same_season")
    if target.starts_on <= source.starts_on:
        raise CatalogueRolloverError("target_not_later")


def catalogue_rollover_plan(*, source: Season, target: Season) -> CataloguePlan:
    """What a rollover would copy and what it would leave as it is (three queries)."""
    _check(source, target)
    sources = list(
        Group.objects.filter(season=source, activity__is_active=True)
        .select_related("activity", "room__venue")
        .prefetch_related("instructors", "slots")
        .order_by("activity__name", "age_min", "name", "pk")
    )
    in_target = list(Group.objects.filter(season=target).select_related("activity"))
    by_source = {g.copied_from_id: g for g in in_target if g.copied_from_id}
    by_name = {(g.activity_id, g.name.strip().lower()): g for g in in_target}
    plan = CataloguePlan(source=source, target=target)
    for group in sources:
        match = by_source.get(group.pk) or by_name.get(
            (group.activity_id, group.name.strip().lower())
        )
        if match is None:
            plan.to_copy.append(group)
        else:
            plan.existing.append((group, match))
    return plan


def catalogue_rollover(*, source: Season, target: Season, generate_meetings: bool = True):
    """Copy the source season's groups (slots, instructors) that the target lacks, and
    generate their meetings. Idempotent; the target's own groups are never changed."""
    with transaction.atomic():
        # Lock the target season's row: two rollovers at once would both see a group missing.
        Season.objects.select_for_update().get(pk=target.pk)
        plan = catalogue_rollover_plan(source=source, target=target)
        result = CatalogueResult(existing=plan.existing)
        for group in plan.to_copy:
            copy = Group.objects.create(
                activity=group.activity,
                season=target,
                name=group.name,
                capacity=group.capacity,
                age_min=group.age_min,
                age_max=group.age_max,
                room=group.room,
                requires_approval=group.requires_approval,
                trial_allowed=group.trial_allowed,
                is_published=group.is_published,
                allocation_mode=group.allocation_mode,
                copied_from=group,
            )
            copy.instructors.set(group.instructors.all())
            slots = WeeklySlot.objects.bulk_create(
                WeeklySlot(
                    group=copy,
                    weekday=slot.weekday,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    room_id=slot.room_id,
                )
                for slot in group.slots.all()
            )
            result.slots_created += len(slots)
            result.created.append((group, copy))
        if generate_meetings:
            for _source, copy in result.created:
                result.meetings_created += meetings_generate(group=copy).created
    return result
