"""The season rollover in one step: the catalogue (clubs), the fee plans (billing) and the
invitations to re-enroll (enrollment), in one transaction, orchestrated here because `reports`
sits above every domain app (docs/adr/0009-reports-app.md).

A target season that already has groups is merged into: only the groups it lacks are created,
nothing of the target is changed or duplicated. Running it twice creates nothing the second
time (copies are linked to their source; fee plans are one per group; messages have a dedupe
key per season and household).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from billing.rollover import fee_plans_rollover, fee_plans_to_copy
from clubs.models import Group, Season
from clubs.rollover import (
    CatalogueRolloverError,
    catalogue_rollover,
    catalogue_rollover_plan,
)
from enrollment.rollover import continuing_households_count, reenrollment_invitations_queue

from .exceptions import RolloverError

MESSAGES = {
    "same_season": _("Choose two different seasons."),
    "target_not_later": _("The new season must start after the season it is copied from."),
}


@dataclass
class RolloverPreview:
    source: Season
    target: Season
    to_copy: list[Group]
    existing: list[tuple[Group, Group]]
    fee_plans: int
    households: int  # households of participants continuing in the copied groups
    slots: int


@dataclass
class RolloverOutcome:
    groups_created: int
    groups_existing: int
    slots_created: int
    meetings_created: int
    fee_plans_created: int
    households_invited: int


def _error(exc: CatalogueRolloverError) -> RolloverError:
    return RolloverError(MESSAGES.get(exc.code, RolloverError.default_message))


def season_rollover_preview(*, source: Season, target: Season) -> RolloverPreview:
    """What `season_rollover` would do; changes nothing."""
    try:
        plan = catalogue_rollover_plan(source=source, target=target)
    except CatalogueRolloverError as exc:
        raise _error(exc) from exc
    pairs = [(g.pk, None) for g in plan.to_copy] + [(s.pk, t.pk) for s, t in plan.existing]
    return RolloverPreview(
        source=source,
        target=target,
        to_copy=plan.to_copy,
        existing=plan.existing,
        fee_plans=fee_plans_to_copy(pairs=pairs),
        households=continuing_households_count(
            source=source,
            group_ids=[g.pk for g in plan.to_copy] + [s.pk for s, _t in plan.existing],
        ),
        slots=sum(len(g.slots.all()) for g in plan.to_copy),
    )


def season_rollover(*, source: Season, target: Season) -> RolloverOutcome:
    """Copy groups, slots, instructors and fee plans to the target season, generate the new
    groups' meetings, and invite continuing households, all or nothing."""
    try:
        with transaction.atomic():
            catalogue = catalogue_rollover(source=source, target=target)
            plans = fee_plans_rollover(pairs=[(s.pk, t.pk) for s, t in catalogue.pairs])
            households = reenrollment_invitations_queue(source=source, target=target)
    except CatalogueRolloverError as exc:
        raise _error(exc) from exc
    return RolloverOutcome(
        groups_created=len(catalogue.created),
        groups_existing=len(catalogue.existing),
        slots_created=catalogue.slots_created,
        meetings_created=catalogue.meetings_created,
        fee_plans_created=len(plans),
        households_invited=households,
    )
