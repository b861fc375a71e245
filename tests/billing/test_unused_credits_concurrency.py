"""Two settlement sweeps at once, on PostgreSQL: a move after a charged month is credited once
and the new group's month is charged once, whichever sweep gets there first."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection

from billing.models import Charge, CreditNote
from billing.services import late_charges, unused_credits
from enrollment.services import enrollment_move
from tests.billing.factories import meetings_make
from tests.billing.test_unused_credits import (
    NOV,
    NOV_THURSDAYS,
    NOV_WEDNESDAYS,
    active,
    at,
    plan_group,
    run,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_sweeps_credit_once_and_charge_once():
    old = plan_group()
    new = plan_group(amount="200.00", activity=old.activity, places_taken=0)
    meetings_make(old, NOV_WEDNESDAYS)
    meetings_make(new, NOV_THURSDAYS)
    enrollment = active(old)
    run(NOV)
    with at(dt.date(2026, 11, 16), hour=10):
        target = enrollment_move(
            enrollment=enrollment, to_group=new, by=UserFactory(), reason="Better time"
        )

    barrier = threading.Barrier(2)
    load, lives = late_charges.run_data_load, unused_credits.enrollment_lives

    def slowly(function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            threading.Event().wait(0.3)  # both sweeps have read; now both write
            return result

        return wrapper

    def sweep(_):
        barrier.wait()
        try:
            settled = late_charges.enrollment_changes_settle()
            return settled.charges, settled.credits
        finally:
            connection.close()

    with (
        at(dt.date(2026, 11, 16), hour=23),
        mock.patch.object(late_charges, "run_data_load", slowly(load)),
        mock.patch.object(unused_credits, "enrollment_lives", slowly(lives)),
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        outcomes = list(pool.map(sweep, range(2)))

    # Between them, one late charge and one credit note (either sweep may write either).
    assert sum(charges for charges, _ in outcomes) == 1
    assert sum(credits for _, credits in outcomes) == 1
    [note] = CreditNote.objects.all()
    assert note.amount == Decimal("60.00")
    late = Charge.objects.get(enrollment=target)
    assert (late.period, late.amount) == (NOV, Decimal("100.00"))
