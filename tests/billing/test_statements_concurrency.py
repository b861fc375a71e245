"""The same statement imported twice at once, and one line assigned from two tabs at once, on
PostgreSQL: every payment is booked once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection

from accounts.models import Role
from billing.exceptions import StatementError
from billing.models import Payment, StatementLine, StatementLineStatus
from billing.services import statements
from tests.enrollment.factories import HouseholdFactory
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).parent / "data"


def test_two_concurrent_imports_of_one_file_book_each_payment_once():
    for ref in ("MOK-K7PX3H", "MOK-ACDE34", "MOK-HJKL79"):
        HouseholdFactory(transfer_reference=ref)
    office = UserFactory(roles=[Role.OFFICE])
    data = (DATA / "statement_cp1250.mt940").read_bytes()
    barrier = threading.Barrier(2)
    load = statements._households

    def slow_load():
        result = load()
        threading.Event().wait(0.3)  # both imports are inside their transactions now
        return result

    def run(_):
        barrier.wait()
        try:
            return statements.statement_import(data, "a.mt940", "mt940", office).lines_new
        except StatementError:
            return "busy"
        finally:
            connection.close()

    with (
        mock.patch.object(statements, "_households", slow_load),
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        outcomes = list(pool.map(run, range(2)))

    assert sorted(outcomes, key=str) in (sorted([3, "busy"], key=str), [0, 3])
    assert StatementLine.objects.count() == 3
    assert Payment.objects.count() == 2


def test_one_line_assigned_from_two_tabs_at_once_is_one_payment():
    households = [HouseholdFactory(), HouseholdFactory()]
    office = UserFactory(roles=[Role.OFFICE])
    statements.statement_import(
        "Data;Kwota;Tytuł\n05.10.2026;80,00;darowizna\n".encode(), "a.csv", "csv", office
    )
    line = StatementLine.objects.get()
    barrier = threading.Barrier(2)

    def run(index):
        barrier.wait()
        try:
            statements.statement_line_assign(
                line_id=line.pk, household=households[index], actor=office
            )
            return "ok"
        except StatementError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(run, range(2)))

    assert outcomes == ["ok", "refused"]
    payment = Payment.objects.get()
    line.refresh_from_db()
    assert (line.status, line.payment, line.household_id) == (
        StatementLineStatus.ASSIGNED,
        payment,
        payment.household_id,
    )
