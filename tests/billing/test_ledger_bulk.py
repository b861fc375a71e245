"""A bank statement books its payments in bulk: the same result as one payment at a time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.exceptions import HouseholdClosedError
from billing.models import Allocation, Charge, FeePlanKind, Payment
from billing.services.ledger import PaymentIn, payment_record, payments_record_bulk
from enrollment.models import Household
from tests.enrollment.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value="0.01", max_value="500", places=2)


def charges_for(households, spec):
    for index, (who, amount) in enumerate(spec):
        Charge.objects.create(
            household=households[who],
            period=dt.date(2026, 1 + index % 12, 1),
            kind=FeePlanKind.MONTHLY,
            description="Zajęcia",
            base_amount=amount,
            amount=amount,
            due_on=dt.date(2026, 1 + index % 12, 10),
        )


def allocations():
    return sorted(
        Allocation.objects.values_list("charge_id", "payment__key", "amount"),
        key=lambda row: (row[0], row[1] or "", row[2]),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    charges=st.lists(st.tuples(st.integers(0, 2), amounts), max_size=8),
    payments=st.lists(st.tuples(st.integers(0, 2), amounts), min_size=1, max_size=8),
)
def test_bulk_allocates_exactly_as_one_at_a_time(charges, payments):
    with transaction.atomic():
        households = [HouseholdFactory() for _ in range(3)]
        charges_for(households, charges)
        items = [
            PaymentIn(
                household_id=households[who].pk,
                amount=amount,
                method="transfer",
                received_on=dt.date(2026, 2, 1),
                key=f"k{index}",
            )
            for index, (who, amount) in enumerate(payments)
        ]
        with transaction.atomic():
            for item in items:
                payment_record(
                    household=Household(pk=item.household_id),
                    amount=item.amount,
                    method=item.method,
                    received_on=item.received_on,
                    key=item.key,
                )
            one_by_one = allocations()
            transaction.set_rollback(True)
        result = payments_record_bulk(items)
        assert allocations() == one_by_one
        assert set(result) == {item.key for item in items}
        # again: nothing twice
        payments_record_bulk(items)
        assert Payment.objects.count() == len(items)
        assert allocations() == one_by_one
        transaction.set_rollback(True)


def test_bulk_costs_the_same_queries_for_ten_or_a_hundred_payments():
    def cost(n):
        household = HouseholdFactory()
        charges_for([household], [(0, Decimal("10.00"))] * 5)
        items = [
            PaymentIn(
                household_id=household.pk,
                amount=Decimal("1.00"),
                method="transfer",
                received_on=dt.date(2026, 2, 1),
                key=f"{household.pk}-{i}",
            )
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            payments_record_bulk(items)
        return len([q for q in queries if not q["sql"].startswith("INSERT")])

    assert cost(10) == cost(100)


def test_a_closed_household_stops_the_whole_bulk():
    from django.utils import timezone

    open_one, closed = HouseholdFactory(), HouseholdFactory(closed_at=timezone.now())
    items = [
        PaymentIn(h.pk, Decimal("5.00"), "transfer", dt.date(2026, 2, 1), key=f"x{h.pk}")
        for h in (open_one, closed)
    ]
    with pytest.raises(HouseholdClosedError):
        payments_record_bulk(items)
    assert not Payment.objects.exists()
