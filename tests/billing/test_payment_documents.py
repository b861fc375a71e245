"""Payment requests (page and PDF, with the QR code) and payment confirmations (PDF)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from billing import pdf, qr
from billing.models import Charge, FeePlanKind
from billing.services import payment_record
from tests.enrollment.factories import family
from tests.enrollment.test_attendance_pdf import _mapped_characters
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _charge(household, amount, period=dt.date(2026, 10, 1), due=dt.date(2026, 10, 10), **kw):
    return Charge.objects.create(
        household=household,
        period=period,
        kind=FeePlanKind.MONTHLY,
        description=kw.pop("description", "Taniec nowoczesny"),
        base_amount=Decimal(amount),
        amount=Decimal(amount),
        due_on=due,
        **kw,
    )


@pytest.fixture
def rendered(monkeypatch):
    """The HTML given to WeasyPrint; the PDF itself is a stub (one test renders for real)."""
    pages = []

    def fake(html):
        pages.append(html)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(pdf, "html_to_pdf", fake)
    return pages


@pytest.fixture
def fam():
    user, [kid] = family()
    return user, kid.household


def _url(household, **query):
    url = reverse("billing:payment-request", args=[household.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _payload(response) -> qr.TransferQr:
    return qr.payload_parse(response.context["qr_payload"])


def test_guardian_sees_the_due_amount_account_title_and_qr(client, fam):
    user, household = fam
    _charge(household, "120.50")
    _charge(household, "80.00", period=dt.date(2026, 11, 1), due=dt.date(2026, 11, 10))
    client.force_login(user)

    response = client.get(_url(household))

    assert response.status_code == 200
    assert response.context["amount"] == Decimal("200.50")
    html = response.content.decode()
    assert "79 1020 3555 0000 1234 5678 9012" in html
    assert household.transfer_reference in html
    assert '<svg role="img"' in html
    fields = _payload(response)
    assert fields.amount == Decimal("200.50")
    assert fields.account == "79102035550000123456789012"
    assert fields.title.startswith(household.transfer_reference)
    assert "200,50\u00a0zł" in html


def test_one_charge_can_be_chosen(client, fam):
    user, household = fam
    _charge(household, "120.50")
    november = _charge(household, "80.00", period=dt.date(2026, 11, 1), due=dt.date(2026, 11, 10))
    payment_record(
        household=household, amount="150", method="cash", received_on=dt.date(2026, 10, 5)
    )
    client.force_login(user)

    response = client.get(_url(household, charge=november.pk))

    # 150 paid the October charge (120,50) and 29,50 of November: 50,50 left of it.
    assert response.context["amount"] == Decimal("50.50")
    assert _payload(response).amount == Decimal("50.50")
    assert "11.2026" in _payload(response).title


def test_nothing_due_shows_no_qr(client, fam):
    user, household = fam
    charge = _charge(household, "50.00")
    payment_record(household=household, amount="60", method="cash", received_on=dt.date.today())
    client.force_login(user)

    response = client.get(_url(household))

    assert response.status_code == 200
    assert response.context["amount"] == 0
    assert "<svg" not in response.content.decode()
    assert gettext("Nothing is due now. Thank you!") in response.content.decode()
    assert reverse("billing:online-start", args=[household.pk]) not in response.content.decode()
    # a paid charge chosen explicitly: nothing due either
    assert client.get(_url(household, charge=charge.pk)).context["amount"] == 0


def test_amount_over_the_qr_limit_omits_only_the_qr(client, fam):
    user, household = fam
    _charge(household, "10000.00")
    client.force_login(user)

    response = client.get(_url(household))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" not in html
    assert str(qr.QrAmountError.default_message) in html
    assert "79 1020 3555 0000 1234 5678 9012" in html
    assert response.context["can_pay_online"] is True


def test_closed_household_gets_no_qr_and_no_online_payment(client, fam):
    user, household = fam
    _charge(household, "100.00")
    household.closed_at = timezone.now()
    household.save()
    client.force_login(user)

    response = client.get(_url(household))

    assert "<svg" not in response.content.decode()
    assert response.context["can_pay_online"] is False


def test_access_is_by_relation_and_not_yours_is_404(client, fam):
    user, household = fam
    _charge(household, "100.00")
    other_user, [other_kid] = family()
    other_charge = _charge(other_kid.household, "30.00")

    assert client.get(_url(household)).status_code == 302  # anonymous: log in first
    client.force_login(other_user)
    assert client.get(_url(household)).status_code == 404
    assert client.get(reverse("billing:payment-request", args=[999999])).status_code == 404
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.get(_url(household)).status_code == 404
    client.force_login(UserFactory(roles=["office"]))
    assert client.get(_url(household)).status_code == 200
    client.force_login(UserFactory(roles=["director"]))
    assert client.get(_url(household)).status_code == 200
    client.force_login(user)
    assert client.get(_url(household, charge=other_charge.pk)).status_code == 404
    assert client.get(_url(household, charge="abc")).status_code == 404


def test_page_queries_do_not_grow_with_charges(client, fam, django_assert_max_num_queries):
    user, household = fam
    client.force_login(user)
    _charge(household, "10.00")
    with django_assert_max_num_queries(20) as few:
        client.get(_url(household))
    for month in range(2, 12):
        _charge(household, "10.00", period=dt.date(2026, month, 1), due=dt.date(2026, month, 10))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(household))
    assert len(response.context["open_charges"]) == 11


def test_payment_request_pdf(client, fam, rendered):
    user, household = fam
    _charge(household, "120.50")
    client.force_login(user)

    response = client.get(reverse("billing:payment-request-pdf", args=[household.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'wezwanie-{household.transfer_reference}.pdf"')
    [html] = rendered
    assert 'src="data:image/png;base64,' in html
    assert "79 1020 3555 0000 1234 5678 9012" in html
    assert "120,50\u00a0zł" in html

    client.force_login(family()[0])
    assert (
        client.get(reverse("billing:payment-request-pdf", args=[household.pk])).status_code == 404
    )
    assert len(rendered) == 1


def _confirmation_url(payment):
    return reverse("billing:payment-confirmation-pdf", args=[payment.pk])


def test_confirmation_lists_what_the_payment_paid(client, fam, rendered):
    user, household = fam
    october = _charge(household, "100.00", description="Balet")
    payment = payment_record(
        household=household,
        amount="120.50",
        method="transfer",
        received_on=dt.date(2026, 10, 3),
        payer="Anna Kowalska",
    )
    client.force_login(user)

    response = client.get(_confirmation_url(payment))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    [html] = rendered
    assert f"W/2026/{payment.pk:06d}" in html
    assert "sto dwadzieścia złotych 50/100" in html
    assert "03.10.2026" in html
    assert "Anna Kowalska" in html
    assert october.description in html
    assert "100,00\u00a0zł" in html and "20,50\u00a0zł" in html  # allocated, and the credit
    assert gettext("bank transfer") in html
    assert "VAT" in html


def test_confirmation_access(client, fam, rendered):
    _user, household = fam
    payment = payment_record(
        household=household, amount="10", method="cash", received_on=dt.date(2026, 10, 3)
    )
    client.force_login(family()[0])
    assert client.get(_confirmation_url(payment)).status_code == 404
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.get(_confirmation_url(payment)).status_code == 404
    client.force_login(UserFactory(roles=["office"]))
    assert client.get(_confirmation_url(payment)).status_code == 200
    assert len(rendered) == 1


def test_confirmation_is_a_real_pdf_with_polish_letters(client, fam):
    user, household = fam
    household.name = "Rodzina Żółkiewskich"
    household.save()
    payment = payment_record(
        household=household, amount="1234.56", method="cash", received_on=dt.date(2026, 10, 3)
    )
    client.force_login(user)

    response = client.get(_confirmation_url(payment))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert {"Ż", "ó", "ł", "ą", "ś"} <= _mapped_characters(response.content)
