"""Fee plans in a season rollover: each copied group gets its source group's plan.

Only a group without a plan gets one (a plan is one per group), so running it twice, or after
the office set a new price by hand, changes nothing that is there.
"""

from collections.abc import Iterable

from django.db import transaction

from .models import FeePlan


def fee_plans_rollover(*, pairs: Iterable[tuple[int, int]]) -> list[FeePlan]:
    """Copy the plan of each source group to its target group where the target has none.
    `pairs` are (source group id, target group id); returns the plans created (two queries)."""
    pairs = list(pairs)
    if not pairs:
        return []
    with transaction.atomic():
        plans = {
            plan.group_id: plan
            for plan in FeePlan.objects.filter(group_id__in=[source for source, _t in pairs])
        }
        priced = set(
            FeePlan.objects.filter(group_id__in=[target for _s, target in pairs]).values_list(
                "group_id", flat=True
            )
        )
        new = [
            FeePlan(
                group_id=target,
                kind=plans[source].kind,
                amount=plans[source].amount,
                entries=plans[source].entries,
            )
            for source, target in pairs
            if source in plans and target not in priced
        ]
        return FeePlan.objects.bulk_create(new)


def fee_plans_to_copy(*, pairs: Iterable[tuple[int, int]]) -> int:
    """How many plans `fee_plans_rollover` would create (for the preview)."""
    pairs = list(pairs)
    sources = set(
        FeePlan.objects.filter(group_id__in=[s for s, _t in pairs]).values_list(
            "group_id", flat=True
        )
    )
    priced = set(
        FeePlan.objects.filter(group_id__in=[t for _s, t in pairs if t]).values_list(
            "group_id", flat=True
        )
    )
    return sum(1 for s, t in pairs if s in sources and (t is None or t not in priced))
