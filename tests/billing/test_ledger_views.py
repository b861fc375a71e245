import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from billing.services import credit_note_issue, payment_record
from tests.billing.factories import ChargeFactory
from tests.enrollment.factories import family
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def pay(household, amount, on=dt.date(2026, 9, 5)):
    return payment_record(household=household, amount=amount, method="cash", received_on=on)


def test_my_fees_needs_a_login(client):
    response = client.get(reverse("billing:my-fees"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_fees_shows_charges_by_month_with_their_lines_payments_and_credit(client):
    user, [kid] = family()
    household = kid.household
    september = ChargeFactory(
        household=household,
        period=dt.date(2026, 9, 1),
        description="Balet wrzesień",
        base_amount=Decimal("120.00"),
        amount=Decimal("90.00"),
        lines=[
            {"label": "Opłata miesięczna", "amount": "120.00"},
            {"label": "Karta Dużej Rodziny: −25%", "amount": "-30.00"},
        ],
    )
    ChargeFactory(
        household=household,
        period=dt.date(2026, 10, 1),
        description="Balet październik",
        amount=Decimal("90.00"),
    )
    payment = pay(household, "100.00")
    credit_note_issue(
        household=household, amount="5.00", reason="goodwill", note="Przeprosiny", charge=None
    )
    client.force_login(user)

    response = client.get(reverse("billing:my-fees"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Balet wrzesień" in html and "Balet październik" in html
    assert "Karta Dużej Rodziny: −25%" in html and f"\u221230,00{NBSP}zł" in html
    assert "Przeprosiny" in html
    assert reverse("billing:payment-confirmation-pdf", args=[payment.pk]) in html
    assert reverse("billing:payment-request", args=[household.pk]) in html
    [ledger] = response.context["ledgers"]
    assert ledger.balance.balance == Decimal("75.00")  # 180 charged, 100 paid, 5 credited
    months = {month.period: month for month in ledger.months}
    assert months[dt.date(2026, 9, 1)].outstanding == 0
    assert months[dt.date(2026, 10, 1)].outstanding == Decimal("75.00")
    # Newest month first.
    assert [m.period for m in ledger.months] == [dt.date(2026, 10, 1), dt.date(2026, 9, 1)]
    assert [a.payment_id for a in september.allocations.all()] == [payment.pk]


def test_my_fees_shows_only_the_users_own_household(client):
    user, [kid] = family()
    _other_user, [other_kid] = family()
    ChargeFactory(household=other_kid.household, description="Cudza opłata")
    ChargeFactory(household=kid.household, description="Moja opłata")
    client.force_login(user)

    html = client.get(reverse("billing:my-fees")).content.decode()

    assert "Moja opłata" in html and "Cudza opłata" not in html


def test_my_fees_without_a_household_says_so(client):
    client.force_login(UserFactory())
    response = client.get(reverse("billing:my-fees"))
    assert response.status_code == 200
    assert gettext("You have no family account yet, so there are no fees.") in (
        response.content.decode()
    )


def test_overdue_is_what_is_left_of_charges_past_their_due_date(client):
    user, [kid] = family()
    ChargeFactory(household=kid.household, amount=Decimal("60.00"), due_on=dt.date(2020, 1, 10))
    ChargeFactory(household=kid.household, amount=Decimal("40.00"), due_on=dt.date(2099, 1, 10))
    pay(kid.household, "10.00")
    client.force_login(user)

    [ledger] = client.get(reverse("billing:my-fees")).context["ledgers"]

    assert ledger.balance.overdue == Decimal("50.00")
    assert ledger.balance.due == Decimal("90.00")


def test_guardian_cannot_open_any_household_through_the_office_pages(client):
    user, [kid] = family()
    _other, [other_kid] = family()
    client.force_login(user)
    for household in (kid.household, other_kid.household):
        assert (
            client.get(reverse("billing:household-ledger", args=[household.pk])).status_code == 404
        )
    response = client.post(
        reverse("billing:desk-payment", args=[other_kid.household.pk]),
        {"payment-amount": "10", "payment-method": "cash", "payment-received_on": "2026-09-01"},
    )
    assert response.status_code == 404


def test_my_fees_query_count_does_not_grow_with_charges(client):
    user, [kid] = family()
    client.force_login(user)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("billing:my-fees")).status_code == 200
        return len(context)

    ChargeFactory(household=kid.household)
    pay(kid.household, "50")
    few = queries()
    for month in range(1, 13):
        ChargeFactory(household=kid.household, period=dt.date(2025, month, 1))
    for _ in range(5):
        pay(kid.household, "30")
    credit_note_issue(household=kid.household, amount="3", reason="goodwill", note="x")
    assert queries() == few
