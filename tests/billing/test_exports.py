"""The accountant's XLSX exports: contents checked against the ledger rows, constant queries,
office and director only."""

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from billing import xlsx_exports
from billing.models import Allocation, Charge, FeePlanKind, Payment
from billing.services import credit_note_issue, payment_record
from enrollment.models import Enrollment, EnrollmentStatus
from tests.enrollment.factories import family
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

SEPT, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
QUERY = {"month_from": "2026-09", "month_to": "2026-10"}


def _enrolled(kid, group):
    return Enrollment.objects.create(
        participant=kid,
        group=group,
        status=EnrollmentStatus.ACTIVE,
        requested_at=timezone.now(),
        requested_by=kid.household.guardians.first().user,
    )


def _charge(household, amount, period, enrollment=None, description="Opłata"):
    return Charge.objects.create(
        household=household,
        enrollment=enrollment,
        period=period,
        kind=FeePlanKind.MONTHLY,
        description=description,
        base_amount=Decimal(amount) + 10,
        amount=Decimal(amount),
        due_on=period + dt.timedelta(days=9),
    )


@pytest.fixture
def ledger():
    dance, art = GroupFactory(activity__name="Taniec"), GroupFactory(activity__name="Plastyka")
    _user_a, [kid_a] = family()
    _user_b, [kid_b] = family()
    a, b = kid_a.household, kid_b.household
    enr_a, enr_b = _enrolled(kid_a, dance), _enrolled(kid_b, art)
    for period in (SEPT, OCT, NOV):
        _charge(a, "120.00", period, enr_a, "Taniec")
        _charge(b, "95.50", period, enr_b, "Plastyka")
    manual = _charge(a, "15.00", OCT, None, "Materiały")
    payment_record(household=a, amount="200.00", method="cash", received_on=dt.date(2026, 9, 5))
    payment_record(
        household=b, amount="300.00", method="transfer", received_on=dt.date(2026, 10, 2)
    )
    payment_record(household=b, amount="10.00", method="card", received_on=dt.date(2026, 11, 2))
    credit_note_issue(household=a, amount="15.00", reason="correction", note="Błąd", charge=manual)
    return {"a": a, "b": b}


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx_exports.XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    return list(sheet.iter_rows(values_only=True)), sheet


def _as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


def _money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def office(client):
    client.force_login(UserFactory(roles=["office"]))
    return client


def test_charges_export_matches_the_ledger(office, ledger):
    rows, sheet = _sheet(office.get(reverse("billing:export-charges"), QUERY))

    header, *data = rows
    assert header[0] == xlsx_exports._("Month") and len(header) == 14
    charges = Charge.objects.filter(period__in=[SEPT, OCT]).order_by("period", "pk")
    paid, credited = defaultdict(Decimal), defaultdict(Decimal)
    for allocation in Allocation.objects.all():
        target = paid if allocation.payment_id else credited
        target[allocation.charge_id] += allocation.amount
    expected = sorted(
        (
            c.period,
            c.household.transfer_reference,
            c.description,
            c.amount,
            paid[c.pk],
            credited[c.pk],
            c.amount - paid[c.pk] - credited[c.pk],
        )
        for c in charges
    )
    got = sorted(
        (
            _as_date(r[0]),
            r[3],
            r[7],
            _money(r[10]),
            _money(r[11]),
            _money(r[12]),
            _money(r[13]),
        )
        for r in data
    )
    assert got == expected
    assert len(data) == 5  # 2 + 2 per month, and the manual charge in October
    taniec = next(r for r in data if r[7] == "Taniec")
    assert taniec[4] == "Taniec" and _as_date(taniec[1]) == dt.date(2026, 9, 10)
    money_cell, date_cell = sheet["K2"], sheet["B2"]
    assert money_cell.number_format == xlsx_exports.MONEY_FORMAT
    assert date_cell.number_format == xlsx_exports.DATE_FORMAT and date_cell.is_date


def test_payments_export_matches_the_ledger(office, ledger):
    rows, sheet = _sheet(office.get(reverse("billing:export-payments"), QUERY))

    _header, *data = rows
    expected = []
    for p in Payment.objects.filter(received_on__lt=NOV).order_by("received_on", "pk"):
        allocated = sum(a.amount for a in Allocation.objects.filter(payment=p))
        expected.append((p.received_on, p.amount, allocated, p.amount - allocated))
    got = [(_as_date(r[0]), _money(r[6]), _money(r[7]), _money(r[8])) for r in data]
    assert got == expected
    assert len(got) == 2  # the November payment is outside the range
    assert sheet["G2"].number_format == xlsx_exports.MONEY_FORMAT


def test_receivables_export_per_activity_and_month(office, ledger):
    rows, _ = _sheet(office.get(reverse("billing:export-receivables"), QUERY))

    _header, *data, total = rows
    expected = defaultdict(lambda: [Decimal("0")] * 3)
    for charge in Charge.objects.filter(period__lte=OCT).select_related(
        "enrollment__group__activity"
    ):
        name = charge.enrollment.group.activity.name if charge.enrollment else ""
        expected[(charge.period, name)][0] += charge.amount
        for allocation in charge.allocations.all():
            expected[(charge.period, name)][1 if allocation.payment_id else 2] += allocation.amount
    got = {}
    for r in data:
        name = "" if r[1] == xlsx_exports._("(no activity)") else r[1]
        got[(_as_date(r[0]), name)] = [_money(r[2]), _money(r[3]), _money(r[4])]
        assert _money(r[5]) == _money(r[2]) - _money(r[3]) - _money(r[4])
    assert got == dict(expected)
    assert _money(total[2]) == sum(v[0] for v in expected.values())
    assert _money(total[5]) == sum(v[0] - v[1] - v[2] for v in expected.values())


@pytest.mark.parametrize("name", ["export-charges", "export-payments", "export-receivables"])
def test_exports_take_constant_queries(office, ledger, name):
    url = reverse(f"billing:{name}")
    with CaptureQueriesContext(connection) as few:
        office.get(url, QUERY)
    household = ledger["a"]
    for i in range(30):
        _charge(household, "1.00", SEPT, None, f"Dodatkowa {i}")
        payment_record(
            household=household, amount="1.00", method="cash", received_on=dt.date(2026, 9, 20)
        )
    with CaptureQueriesContext(connection) as many:
        response = office.get(url, QUERY)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    "name", ["exports", "export-charges", "export-payments", "export-receivables"]
)
def test_only_office_and_director(client, name):
    url = reverse(f"billing:{name}")
    assert client.get(url, QUERY).status_code == 302
    guardian, _kids = family()
    for user in (guardian, UserFactory(roles=["coordinator"]), UserFactory(roles=["instructor"])):
        client.force_login(user)
        assert client.get(url, QUERY).status_code == 404
    for role in ("office", "director"):
        client.force_login(UserFactory(roles=[role]))
        assert client.get(url, QUERY).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"month_from": "2026-13", "month_to": "2026-10"},
        {"month_from": "wrzesień", "month_to": "2026-10"},
        {"month_from": "2026-10", "month_to": "2026-09"},
        {"month_from": "2020-01", "month_to": "2026-10"},
        {"month_to": "2026-10"},
        {},
    ],
)
def test_bad_months_are_form_errors(office, query):
    response = office.get(reverse("billing:export-charges"), query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors


def test_form_page(office):
    response = office.get(reverse("billing:exports"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("export-charges", "export-payments", "export-receivables"):
        assert reverse(f"billing:{name}") in html
    assert 'type="month"' in html
