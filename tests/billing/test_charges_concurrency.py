"""Two billing runs of the same month at once, on PostgreSQL: one run, one charge each."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import connection

from billing.exceptions import BillingRunExistsError
from billing.models import BillingRun, Charge
from billing.services import charges
from tests.billing.factories import enrollment_activate, meetings_make
from tests.enrollment.factories import family
from tests.factories import FeePlanFactory, GroupFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NOV = dt.date(2026, 11, 1)


def test_two_concurrent_runs_of_a_month_make_one_run_and_one_charge_per_enrollment():
    group = GroupFactory()
    FeePlanFactory(group=group)
    meetings_make(group, [dt.date(2026, 11, d) for d in (4, 11, 18, 25)])
    enrollments = []
    for _ in range(6):
        _user, [kid] = family()
        enrollments.append(enrollment_activate(kid, group, dt.date(2026, 9, 1)))
    barrier = threading.Barrier(2)
    load = charges.run_data_load

    def slow_load(period):
        result = load(period)
        threading.Event().wait(0.3)  # both runs are inside their transactions now
        return result

    def run(_):
        barrier.wait()
        try:
            return charges.billing_run(NOV).pk
        except BillingRunExistsError:
            return "exists"
        finally:
            connection.close()

    with (
        mock.patch.object(charges, "run_data_load", slow_load),
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        outcomes = list(pool.map(run, range(2)))

    run_row = BillingRun.objects.get()
    assert sorted(outcomes, key=str) == sorted([run_row.pk, "exists"], key=str)
    assert run_row.charges_created == len(enrollments)
    assert sorted(Charge.objects.values_list("enrollment_id", flat=True)) == sorted(
        e.pk for e in enrollments
    )
