"""Properties of the money rules: discount stacking, proration and oldest-first allocation.

No grosz is created or lost: a discount never takes more than the fee, proration stays within
the fee, and allocation spends exactly min(money in, money charged), oldest charge first.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import (
    Allocation,
    Charge,
    DiscountGrant,
    DiscountKind,
    DiscountRule,
    FeePlanKind,
)
from billing.services.charges import months_left_in_year, prorate
from billing.services.ledger import household_allocate, payment_record
from billing.services.quotes import DiscountContext, Step, discounts_apply
from tests.enrollment.factories import HouseholdFactory

GROSZ = Decimal("0.01")
RULE_ORDER = [
    DiscountKind.LARGE_FAMILY_CARD,
    DiscountKind.CITY_CARD,
    DiscountKind.SIBLING,
    DiscountKind.SENIOR,
    DiscountKind.INDIVIDUAL,
]

amounts = st.decimals(min_value=0, max_value=Decimal("9999.99"), places=2, allow_nan=False)
positive_amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2, allow_nan=False
)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


# --- discount stacking ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(base=amounts, steps=st.lists(percents, max_size=5))
def test_stacked_discounts_never_create_or_lose_a_grosz(base, steps):
    quote = discounts_apply(base, [Step("x", f"{p}%", p) for p in steps], base_label="Fee")

    assert quote.lines[0].amount == quote.base == base
    assert all(line.amount < 0 for line in quote.discount_lines)
    assert quote.total == quote.base + sum(line.amount for line in quote.discount_lines)
    assert Decimal(0) <= quote.total <= quote.base
    remaining = base
    cuts = iter(quote.discount_lines)
    for percent in steps:  # each step on what the steps before it left, in the rule's order
        cut = min((remaining * percent / 100).quantize(GROSZ, rounding="ROUND_HALF_UP"), remaining)
        if cut > 0:
            assert next(cuts).amount == -cut
            remaining -= cut
    assert next(cuts, None) is None and remaining == quote.total


@settings(max_examples=80, deadline=None)
@given(
    cards=st.lists(st.sampled_from([DiscountKind.LARGE_FAMILY_CARD, DiscountKind.CITY_CARD])),
    individual=st.lists(percents.filter(lambda p: p > 0), max_size=2),
    senior_grant=st.booleans(),
    child_position=st.integers(min_value=1, max_value=5),
    age=st.integers(min_value=3, max_value=90),
    percent=st.fixed_dictionaries(dict.fromkeys(RULE_ORDER[:-1], percents)),
)
def test_the_rule_applies_one_card_then_sibling_senior_individual(
    cards, individual, senior_grant, child_position, age, percent
):
    rules = {
        kind: DiscountRule(kind=kind, percent=value, from_child=2, min_age=60)
        for kind, value in percent.items()
    }
    grants = [DiscountGrant(household_id=1, kind=kind) for kind in cards]
    grants += [
        DiscountGrant(household_id=1, kind=DiscountKind.INDIVIDUAL, percent=p, reason="x")
        for p in individual
    ]
    if senior_grant:
        grants.append(DiscountGrant(household_id=1, kind=DiscountKind.SENIOR))
    on = dt.date(2026, 11, 1)
    steps = DiscountContext(rules=rules, grants=grants).steps(
        household_id=1,
        participant_id=1,
        birth_date=on.replace(year=on.year - age),
        on=on,
        child_position=child_position,
    )

    kinds = [step.kind for step in steps]
    positions = [RULE_ORDER.index(kind) for kind in kinds]
    assert positions == sorted(positions)
    assert sum(
        kind in (DiscountKind.LARGE_FAMILY_CARD, DiscountKind.CITY_CARD) for kind in kinds
    ) == (1 if cards else 0)
    if cards:
        best = max(percent[kind] for kind in cards)
        assert steps[0].percent == best
    assert (DiscountKind.SIBLING in kinds) == (age < 18 and child_position >= 2)
    assert (DiscountKind.SENIOR in kinds) == (age >= 60 or senior_grant)
    assert kinds.count(DiscountKind.INDIVIDUAL) == (1 if individual else 0)
    quote = discounts_apply(Decimal("100.00"), steps)
    assert Decimal(0) <= quote.total <= Decimal("100.00")


# --- proration --------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(fee=amounts, total=st.integers(min_value=1, max_value=31), data=st.data())
def test_proration_stays_within_the_fee_and_grows_with_the_span(fee, total, data):
    held = data.draw(st.integers(min_value=0, max_value=total))
    more = data.draw(st.integers(min_value=held, max_value=total))

    part = prorate(fee, held, total)

    assert Decimal(0) <= part <= fee
    assert part == part.quantize(GROSZ)
    assert prorate(fee, total, total) == fee
    assert prorate(fee, 0, total) == 0
    assert prorate(fee, more, total) >= part
    assert abs(part - fee * held / total) <= Decimal("0.005")


@settings(max_examples=50, deadline=None)
@given(joined=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
def test_dues_months_are_between_one_and_twelve_and_fall_with_a_later_join(joined):
    period = joined.replace(day=1)
    months = months_left_in_year(joined, period)
    assert 1 <= months <= 12
    assert months_left_in_year(dt.date(joined.year - 1, joined.month, 1), period) == 12
    if joined.month < 12:
        later = joined.replace(month=joined.month + 1, day=1)
        assert months_left_in_year(later, period) == months - 1


# --- allocation -------------------------------------------------------------------------------


def _charges(household, amounts_and_months):
    charges = []
    for amount, month in amounts_and_months:
        period = dt.date(2026, month, 1)
        charges.append(
            Charge.objects.create(
                household=household,
                period=period,
                kind=FeePlanKind.MONTHLY,
                description="Zajęcia",
                base_amount=amount,
                amount=amount,
                due_on=period.replace(day=10),
            )
        )
    return charges


def _total(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    charged=st.lists(
        st.tuples(positive_amounts, st.integers(min_value=1, max_value=12)), min_size=1, max_size=5
    ),
    paid=st.lists(positive_amounts, min_size=1, max_size=4),
    interleave=st.booleans(),
)
def test_allocation_spends_exactly_the_money_oldest_charge_first(charged, paid, interleave):
    household = HouseholdFactory()
    if interleave:  # charges arrive after some payments: credit waits, then pays
        first = paid[: len(paid) // 2]
        payments = [_pay(household, amount) for amount in first]
        charges = _charges(household, charged)
        household_allocate(household.pk)
        payments += [_pay(household, amount) for amount in paid[len(paid) // 2 :]]
    else:
        charges = _charges(household, charged)
        payments = [_pay(household, amount) for amount in paid]

    allocations = Allocation.objects.filter(charge__household=household)
    money_in, money_charged = sum(paid), sum(amount for amount, _month in charged)
    assert _total(allocations) == min(money_in, money_charged)
    for payment in payments:
        assert _total(allocations.filter(payment=payment)) <= payment.amount
    for charge in charges:
        assert _total(allocations.filter(charge=charge)) <= charge.amount
    # Oldest first: once a charge is left open, no newer charge got anything.
    order = sorted(charges, key=lambda c: (c.due_on, c.period, c.pk))
    paid_up = [_total(allocations.filter(charge=c)) for c in order]
    open_seen = False
    for charge, got in zip(order, paid_up, strict=True):
        if open_seen:
            assert got == 0
        if got < charge.amount:
            open_seen = True


def _pay(household, amount):
    return payment_record(
        household=household, amount=amount, method="cash", received_on=dt.date(2026, 6, 1)
    )


class _Undo(Exception):
    pass


def _allocations_made(allocate) -> list[tuple]:
    """What `allocate()` would allocate, undone afterwards."""
    from django.db import transaction

    made = []
    try:
        with transaction.atomic():
            allocate()
            made = sorted(
                (charge, payment or 0, note or 0, amount)
                for charge, payment, note, amount in Allocation.objects.values_list(
                    "charge_id", "payment_id", "credit_note_id", "amount"
                )
            )
            raise _Undo
    except _Undo:
        pass
    return made


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    households=st.lists(
        st.tuples(
            st.lists(
                st.tuples(positive_amounts, st.integers(min_value=1, max_value=12)),
                min_size=0,
                max_size=4,
            ),
            st.lists(positive_amounts, max_size=3),
            st.lists(st.tuples(positive_amounts, st.booleans()), max_size=2),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_the_runs_batch_allocation_is_the_ledgers_rule(households):
    """Allocating many households in one batch (the run's and the statement import's way)
    gives exactly what allocating each household alone gives: no money crosses households."""
    from billing.models import CreditNote, Payment
    from billing.services.ledger import households_allocate

    Allocation.objects.all().delete()
    ids = []
    for charged, paid, notes in households:
        household = HouseholdFactory()
        ids.append(household.pk)
        made = _charges(household, charged)
        for amount in paid:  # money in before the charges: not yet allocated
            Payment.objects.create(
                household=household, amount=amount, method="cash", received_on=dt.date(2026, 5, 1)
            )
        for amount, to_charge in notes:
            CreditNote.objects.create(
                household=household,
                amount=amount,
                reason="goodwill",
                note="x",
                charge=made[0] if to_charge and made else None,
            )

    batch = _allocations_made(lambda: households_allocate(ids))
    one_by_one = _allocations_made(lambda: [household_allocate(pk) for pk in ids])

    assert batch == one_by_one
