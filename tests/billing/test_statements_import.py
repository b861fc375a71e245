"""Statement import: all or nothing, nothing twice, matching by reference, and the queue."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from billing.exceptions import HouseholdClosedError, StatementError
from billing.models import (
    Allocation,
    BankStatement,
    Payment,
    PaymentMethod,
    StatementLine,
    StatementLineStatus,
)
from billing.services.statements import (
    statement_import,
    statement_import_summary,
    statement_line_assign,
    statement_line_ignore,
)
from tests.billing.factories import ChargeFactory
from tests.enrollment.factories import HouseholdFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
S = StatementLineStatus


@pytest.fixture
def office():
    return UserFactory(roles=[Role.OFFICE])


@pytest.fixture
def households():
    return {
        ref: HouseholdFactory(transfer_reference=ref)
        for ref in ("MOK-K7PX3H", "MOK-ACDE34", "MOK-HJKL79")
    }


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def snapshot():
    return (
        BankStatement.objects.count(),
        StatementLine.objects.count(),
        Payment.objects.count(),
        Allocation.objects.count(),
    )


def csv(*rows: str) -> bytes:
    return ("Data;Kwota;Tytuł;Nadawca\n" + "\n".join(rows) + "\n").encode("cp1250")


@pytest.mark.parametrize(
    ("name", "format", "matched"),
    [
        ("generic_utf8.csv", "csv", {"MOK-K7PX3H": "150.00", "MOK-ACDE34": "1234.50"}),
        ("generic_cp1250.csv", "csv", {"MOK-K7PX3H": "150.00", "MOK-ACDE34": "1234.50"}),
        ("mbank_cp1250.csv", "csv_mbank", {"MOK-K7PX3H": "150.00", "MOK-HJKL79": "1200.00"}),
        ("pko_cp1250.csv", "csv_pko", {"MOK-K7PX3H": "150.00", "MOK-ACDE34": "99.50"}),
        ("statement_cp1250.mt940", "mt940", {"MOK-K7PX3H": "150.00", "MOK-HJKL79": "1200.00"}),
    ],
)
def test_each_sample_books_the_matched_lines_as_transfers(
    households, office, name, format, matched
):
    statement = statement_import(sample(name), name, format, office)

    payments = {
        p.household.transfer_reference: p
        for p in Payment.objects.select_related("household", "statement_line")
    }
    assert {ref: str(p.amount) for ref, p in payments.items()} == matched
    for payment in payments.values():
        assert payment.method == PaymentMethod.TRANSFER
        assert payment.recorded_by == office
        assert payment.key == f"stmt:{payment.statement_line.fingerprint}"
        assert payment.statement_line.status == S.MATCHED
        assert payment.received_on == payment.statement_line.booked_on
    statement.refresh_from_db()
    assert (statement.lines_matched, statement.format, statement.imported_by) == (
        2,
        format,
        office,
    )
    assert statement.lines_new == statement.lines_total == StatementLine.objects.count()


def test_matched_payment_pays_the_oldest_charge(households, office):
    household = households["MOK-K7PX3H"]
    older = ChargeFactory(household=household, period=dt.date(2026, 9, 1), amount=Decimal("100"))
    newer = ChargeFactory(household=household, period=dt.date(2026, 10, 1), amount=Decimal("100"))
    statement_import(csv("05.10.2026;150,00;MOK-K7PX3H;Jan"), "a.csv", "csv", office)
    assert {a.charge_id: a.amount for a in Allocation.objects.all()} == {
        older.pk: Decimal("100.00"),
        newer.pk: Decimal("50.00"),
    }


def test_importing_the_same_file_twice_imports_nothing_twice(households, office):
    data = sample("generic_cp1250.csv")
    statement_import(data, "pazdziernik.csv", "csv", office)
    before = (StatementLine.objects.count(), Payment.objects.count())

    again = statement_import(data, "pazdziernik.csv", "csv", office)

    assert (StatementLine.objects.count(), Payment.objects.count()) == before
    assert (again.lines_total, again.lines_new, again.lines_matched) == (3, 0, 0)


def test_the_same_statement_in_another_encoding_is_the_same_statement(households, office):
    statement_import(sample("generic_utf8.csv"), "a.csv", "csv", office)
    again = statement_import(sample("generic_cp1250.csv"), "b.csv", "csv", office)
    assert again.lines_new == 0
    assert Payment.objects.count() == 2


def test_an_overlapping_statement_adds_only_its_new_lines(households, office):
    first = csv("05.10.2026;150,00;MOK-K7PX3H;Jan", "06.10.2026;10,00;MOK-ACDE34;Ewa")
    overlapping = csv("06.10.2026;10,00;MOK-ACDE34;Ewa", "07.10.2026;20,00;MOK-HJKL79;Ola")
    statement_import(first, "1.csv", "csv", office)

    second = statement_import(overlapping, "2.csv", "csv", office)

    assert (second.lines_total, second.lines_new, second.lines_matched) == (2, 1, 1)
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("150.00"),
    ]


def test_two_identical_lines_in_one_file_are_two_payments_and_stay_two(households, office):
    data = csv("05.10.2026;50,00;MOK-K7PX3H kino;Jan", "05.10.2026;50,00;MOK-K7PX3H kino;Jan")
    statement = statement_import(data, "a.csv", "csv", office)
    assert (statement.lines_new, statement.lines_matched) == (2, 2)
    assert Payment.objects.count() == 2

    # a later statement with the same day's line once more: the first occurrence is known
    later = statement_import(
        csv(
            "05.10.2026;50,00;MOK-K7PX3H kino;Jan",
            "05.10.2026;50,00;MOK-K7PX3H kino;Jan",
            "05.10.2026;50,00;MOK-K7PX3H kino;Jan",
        ),
        "b.csv",
        "csv",
        office,
    )
    assert (later.lines_new, Payment.objects.count()) == (1, 3)


@pytest.mark.parametrize(
    ("data", "format", "line"),
    [
        (csv("05.10.2026;150,00;MOK-K7PX3H;Jan", "31.02.2026;10,00;MOK-ACDE34;Ewa"), "csv", 3),
        (csv("05.10.2026;150,00;MOK-K7PX3H;Jan", "06.10.2026;sto;MOK-ACDE34;Ewa"), "csv", 3),
        (
            b":20:X\n:60F:C261001PLN0,00\n:61:261005C150,00NTRFNONREF\n:86:MOK-K7PX3H\n"
            b":61:26100XC1,00NTRF\n",
            "mt940",
            5,
        ),
    ],
)
def test_a_malformed_file_imports_nothing_and_names_the_line(
    households, office, data, format, line
):
    before = snapshot()
    with pytest.raises(StatementError) as error:
        statement_import(data, "zly.csv", format, office)
    assert error.value.line == line
    assert snapshot() == before


@pytest.mark.parametrize(
    "data", [b"", b"\x00\xff" * 100, "Data;Kwota;Tytuł\n".encode() + b"\x98\x81"]
)
def test_garbage_imports_nothing(households, office, data):
    before = snapshot()
    with pytest.raises(StatementError):
        statement_import(data, "x", "csv", office)
    assert snapshot() == before


def test_a_failure_while_booking_rolls_back_the_whole_import(households, office, monkeypatch):
    from billing.services import ledger

    def failing(household_ids):
        # the payments are written by now; the allocation fails
        assert Payment.objects.exists()
        raise RuntimeError("database went away")

    monkeypatch.setattr(ledger, "households_allocate", failing)
    before = snapshot()
    with pytest.raises(RuntimeError):
        statement_import(sample("generic_utf8.csv"), "a.csv", "csv", office)
    assert snapshot() == before


def test_closed_household_foreign_currency_and_absurd_amounts_wait_in_the_queue(households, office):
    closed = households["MOK-ACDE34"]
    closed.closed_at = timezone.now()
    closed.save()
    data = (
        "Data;Kwota;Waluta;Tytuł\n"
        "05.10.2026;150,00;PLN;MOK-ACDE34\n"
        "05.10.2026;150,00;EUR;MOK-K7PX3H\n"
        "05.10.2026;150000,00;PLN;MOK-K7PX3H\n"
        "05.10.2026;15,00;PLN;bez referencji\n"
    ).encode()
    statement = statement_import(data, "a.csv", "csv", office)

    assert (statement.lines_new, statement.lines_matched) == (4, 0)
    assert Payment.objects.count() == 0
    lines = list(StatementLine.objects.order_by("line_no"))
    assert [line.status for line in lines] == [S.UNMATCHED] * 4
    # the household named in the title stays on the line as a hint for the office
    assert [line.household_id for line in lines] == [
        closed.pk,
        households["MOK-K7PX3H"].pk,
        households["MOK-K7PX3H"].pk,
        None,
    ]


def test_debit_lines_are_counted_not_stored(households, office):
    summary = statement_import_summary(sample("mbank_cp1250.csv"), "m.csv", "csv_mbank", office)
    assert summary.debit_lines == 1
    assert summary.statement.lines_total == 2
    assert not StatementLine.objects.filter(amount__lte=0).exists()


# --- the queue -----------------------------------------------------------------------------------


@pytest.fixture
def waiting(households, office):
    statement_import(csv("08.10.2026;80,00;darowizna;Stowarzyszenie"), "a.csv", "csv", office)
    return StatementLine.objects.get()


def test_assign_books_the_payment_once_even_when_sent_twice(waiting, households, office):
    household = households["MOK-HJKL79"]
    line = statement_line_assign(line_id=waiting.pk, household=household, actor=office)
    again = statement_line_assign(line_id=waiting.pk, household=household, actor=office)

    payment = Payment.objects.get()
    assert (payment.household, payment.amount, payment.key) == (
        household,
        Decimal("80.00"),
        f"stmt:{waiting.fingerprint}",
    )
    line.refresh_from_db()
    assert (line.status, line.household, line.payment, line.resolved_by) == (
        S.ASSIGNED,
        household,
        payment,
        office,
    )
    assert line.resolved_at is not None
    assert again.pk == line.pk


def test_assign_to_another_household_after_the_first_is_refused(waiting, households, office):
    statement_line_assign(line_id=waiting.pk, household=households["MOK-HJKL79"], actor=office)
    with pytest.raises(StatementError):
        statement_line_assign(line_id=waiting.pk, household=households["MOK-K7PX3H"], actor=office)
    assert Payment.objects.count() == 1


def test_assign_to_a_closed_household_changes_nothing(waiting, households, office):
    household = households["MOK-HJKL79"]
    household.closed_at = timezone.now()
    household.save()
    with pytest.raises(HouseholdClosedError):
        statement_line_assign(line_id=waiting.pk, household=household, actor=office)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.payment, Payment.objects.count()) == (S.UNMATCHED, None, 0)


def test_a_foreign_currency_line_cannot_be_assigned(households, office):
    data = "Data;Kwota;Waluta;Tytuł\n05.10.2026;10,00;EUR;x\n".encode()
    statement_import(data, "a.csv", "csv", office)
    line = StatementLine.objects.get()
    with pytest.raises(StatementError):
        statement_line_assign(line_id=line.pk, household=households["MOK-HJKL79"], actor=office)
    assert Payment.objects.count() == 0


def test_ignore_needs_a_note_and_then_the_line_cannot_be_assigned(waiting, households, office):
    with pytest.raises(StatementError):
        statement_line_ignore(line_id=waiting.pk, note="   ", actor=office)
    line = statement_line_ignore(line_id=waiting.pk, note="Darowizna na festyn", actor=office)
    assert (line.status, line.note, line.resolved_by) == (S.IGNORED, "Darowizna na festyn", office)
    with pytest.raises(StatementError):
        statement_line_assign(line_id=line.pk, household=households["MOK-HJKL79"], actor=office)
    assert Payment.objects.count() == 0


def test_a_matched_line_cannot_be_ignored(households, office):
    statement_import(csv("05.10.2026;150,00;MOK-K7PX3H;Jan"), "a.csv", "csv", office)
    line = StatementLine.objects.get()
    with pytest.raises(StatementError):
        statement_line_ignore(line_id=line.pk, note="pomyłka", actor=office)
    line.refresh_from_db()
    assert line.status == S.MATCHED


def test_import_query_count_does_not_grow_per_unmatched_line(households, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int) -> int:
        rows = [f"0{1 + i % 9}.10.2026;{10 + i},00;bez referencji {i};Ktoś" for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            statement_import(csv(*rows), f"{n}.csv", "csv", office)
        return len(captured)

    # a constant, plus one INSERT per batch of rows (SQLite caps the parameters of a query)
    assert queries(300) - queries(5) <= 300 // 50
