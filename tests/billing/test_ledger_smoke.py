import datetime as dt
from decimal import Decimal

import pytest

from billing.exceptions import HouseholdClosedError, InvalidAmountError
from billing.models import Allocation, Charge, FeePlanKind
from billing.selectors import household_balance
from billing.services import payment_record
from tests.enrollment.factories import family

pytestmark = pytest.mark.django_db


def charge(household, amount, period, due):
    return Charge.objects.create(
        household=household,
        period=period,
        kind=FeePlanKind.MONTHLY,
        description="Taniec",
        base_amount=Decimal(amount),
        amount=Decimal(amount),
        due_on=due,
    )


def test_payment_pays_oldest_charge_first_and_keeps_the_rest_as_credit():
    user, [kid] = family()
    household = kid.household
    newer = charge(household, "100.00", dt.date(2026, 10, 1), dt.date(2026, 10, 10))
    older = charge(household, "80.00", dt.date(2026, 9, 1), dt.date(2026, 9, 10))
    payment_record(
        household=household,
        amount="200,00",
        method="cash",
        received_on=dt.date(2026, 10, 5),
        actor=user,
    )
    allocations = {a.charge_id: a.amount for a in Allocation.objects.all()}
    assert allocations == {older.pk: Decimal("80.00"), newer.pk: Decimal("100.00")}
    balance = household_balance(household.pk, today=dt.date(2026, 11, 1))
    assert balance.balance == Decimal("-20.00") and balance.credit == Decimal("20.00")
    assert balance.overdue == 0


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "abc", "100000", "NaN", "1e3x"])
def test_absurd_amounts_are_refused(amount):
    user, [kid] = family()
    with pytest.raises(InvalidAmountError):
        payment_record(
            household=kid.household,
            amount=amount,
            method="cash",
            received_on=dt.date(2026, 10, 5),
            actor=user,
        )


def test_closed_household_takes_no_payment():
    from django.utils import timezone

    user, [kid] = family()
    kid.household.closed_at = timezone.now()
    kid.household.save()
    with pytest.raises(HouseholdClosedError):
        payment_record(
            household=kid.household,
            amount="10",
            method="cash",
            received_on=dt.date(2026, 10, 5),
            actor=user,
        )
