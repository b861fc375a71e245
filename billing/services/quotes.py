"""What a participant pays for a group, and why: the discount stacking rule, line by line.

The rule (shown to parents on the enrollment page and frozen on every charge):

1. At most one large-family card counts: the national Large Family Card (*Karta Dużej Rodziny*)
   or the city's card, whichever takes off more.
2. Then the sibling discount, for the second and further child (oldest first) of a household who
   is billed in the same period.
3. Then the senior discount, for a participant of the rule's age or with a senior grant.
4. Then an individual discount granted by the office with a reason.

Each step takes its percentage of what is left after the steps before it, rounded half up to the
grosz, so discounts never add up to more than the fee and no grosz is created or lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import DiscountGrant, DiscountKind, DiscountRule, FeePlan, FeePlanKind
from ..models.fields import GROSZ, ZERO

HUNDRED = Decimal("100")
CARD_KINDS = (DiscountKind.LARGE_FAMILY_CARD, DiscountKind.CITY_CARD)
ADULT_AGE = 18


def money(value) -> Decimal:
    return Decimal(value).quantize(GROSZ, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QuoteLine:
    label: str
    amount: Decimal  # the base is positive, each discount negative

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "amount": str(self.amount)}


@dataclass(frozen=True)
class Quote:
    base: Decimal
    lines: tuple[QuoteLine, ...]
    total: Decimal

    @property
    def discount(self) -> Decimal:
        return self.base - self.total

    @property
    def discount_lines(self) -> tuple[QuoteLine, ...]:
        return self.lines[1:]

    def as_json(self) -> list[dict[str, str]]:
        return [line.as_json() for line in self.lines]


@dataclass(frozen=True)
class Step:
    kind: str
    label: str
    percent: Decimal


def discounts_apply(base: Decimal, steps: Iterable[Step], base_label: str = "") -> Quote:
    """Apply each step to what is left, in order; pure and exact to the grosz."""
    base = money(base)
    if base < 0:
        raise ValueError("a fee is never negative")
    lines = [QuoteLine(base_label or _("Fee"), base)]
    remaining = base
    for step in steps:
        percent = min(max(Decimal(step.percent), ZERO), HUNDRED)
        cut = min(money(remaining * percent / HUNDRED), remaining)
        if cut > 0:
            lines.append(QuoteLine(step.label, -cut))
            remaining -= cut
    return Quote(base=base, lines=tuple(lines), total=remaining)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _grant_valid(grant: DiscountGrant, on: dt.date, participant_id: int) -> bool:
    if grant.revoked_at is not None:
        return False
    if grant.participant_id is not None and grant.participant_id != participant_id:
        return False
    if grant.valid_from and grant.valid_from > on:
        return False
    return not (grant.valid_until and grant.valid_until < on)


def _percent_label(name: str, percent: Decimal) -> str:
    return _("%(name)s: −%(percent)s%%") % {"name": name, "percent": f"{percent.normalize():f}"}


@dataclass
class DiscountContext:
    """What the stacking rule needs, loaded once (a billing run shares one for all)."""

    rules: dict[str, DiscountRule]
    grants: list[DiscountGrant] = field(default_factory=list)

    @classmethod
    def load(cls, household_ids: Iterable[int] | None = None) -> DiscountContext:
        rules = {rule.kind: rule for rule in DiscountRule.objects.filter(is_active=True)}
        grants = DiscountGrant.objects.filter(revoked_at__isnull=True)
        if household_ids is not None:
            grants = grants.filter(household_id__in=list(household_ids))
        return cls(rules=rules, grants=list(grants))

    def grants_of(self, household_id: int) -> list[DiscountGrant]:
        return [grant for grant in self.grants if grant.household_id == household_id]

    def steps(
        self,
        *,
        household_id: int,
        participant_id: int,
        birth_date: dt.date,
        on: dt.date,
        child_position: int,
    ) -> list[Step]:
        grants = [
            grant
            for grant in self.grants_of(household_id)
            if _grant_valid(grant, on, participant_id)
        ]
        steps: list[Step] = []
        # 1. the better large-family card
        cards = [
            self.rules[grant.kind]
            for grant in grants
            if grant.kind in CARD_KINDS and grant.kind in self.rules
        ]
        if cards:
            best = max(
                cards, key=lambda rule: (rule.percent, rule.kind == DiscountKind.LARGE_FAMILY_CARD)
            )
            steps.append(
                Step(best.kind, _percent_label(best.get_kind_display(), best.percent), best.percent)
            )
        # 2. sibling
        sibling = self.rules.get(DiscountKind.SIBLING)
        age = age_on(birth_date, on)
        if sibling and age < ADULT_AGE and child_position >= sibling.from_child:
            label = _("%(name)s (child no. %(position)s): −%(percent)s%%") % {
                "name": sibling.get_kind_display(),
                "position": child_position,
                "percent": f"{sibling.percent.normalize():f}",
            }
            steps.append(Step(sibling.kind, label, sibling.percent))
        # 3. senior
        senior = self.rules.get(DiscountKind.SENIOR)
        if senior and (
            age >= senior.min_age or any(grant.kind == DiscountKind.SENIOR for grant in grants)
        ):
            steps.append(
                Step(
                    senior.kind,
                    _percent_label(senior.get_kind_display(), senior.percent),
                    senior.percent,
                )
            )
        # 4. individual: the largest one the office granted
        individual = [
            grant for grant in grants if grant.kind == DiscountKind.INDIVIDUAL and grant.percent
        ]
        if individual:
            grant = max(individual, key=lambda item: item.percent)
            label = _("Individual discount (%(reason)s): −%(percent)s%%") % {
                "reason": grant.reason,
                "percent": f"{grant.percent.normalize():f}",
            }
            steps.append(Step(DiscountKind.INDIVIDUAL, label, grant.percent))
        return steps


def child_position(participant, siblings: Iterable) -> int:
    """1 for the oldest child billed in the household, 2 for the next, and so on.

    `siblings` are the household's participants billed in the same period (this one included or
    not); adults do not count.
    """
    children = {p.pk: p for p in siblings}
    children[participant.pk] = participant
    ordered = sorted(
        (p for p in children.values()),
        key=lambda p: (p.birth_date, p.pk),
    )
    kids = [p for p in ordered if age_on(p.birth_date, timezone.localdate()) < ADULT_AGE]
    for index, kid in enumerate(kids, start=1):
        if kid.pk == participant.pk:
            return index
    return 1


def plan_label(plan: FeePlan) -> str:
    return _("%(kind)s, %(amount)s zł %(unit)s") % {
        "kind": plan.get_kind_display(),
        "amount": plan.amount,
        "unit": plan.unit_label,
    }


def price_quote(participant, group, on: dt.date | None = None) -> Quote | None:
    """The price of `group` for `participant` with their discounts, for the enrollment page.

    None when the group has no fee plan or is free.
    """
    from enrollment.models import Enrollment, Participant

    plan = FeePlan.objects.filter(group=group).first()
    if plan is None or plan.kind == FeePlanKind.FREE:
        return None
    on = on or max(timezone.localdate(), group.season.starts_on)
    siblings = Participant.objects.filter(
        household_id=participant.household_id,
        enrollments__in=Enrollment.objects.holding_places(),
    ).distinct()
    context = DiscountContext.load([participant.household_id])
    steps = context.steps(
        household_id=participant.household_id,
        participant_id=participant.pk,
        birth_date=participant.birth_date,
        on=on,
        child_position=child_position(participant, siblings),
    )
    return discounts_apply(plan.amount, steps, base_label=plan_label(plan))
