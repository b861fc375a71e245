import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from billing.exceptions import BillingRunExistsError, HouseholdClosedError, InvalidAmountError
from billing.models import Allocation, BillingRun, Charge, CreditNote, Payment
from billing.services import payment_record
from clubs.services import meetings_generate
from enrollment import services as enrollment_services
from enrollment.models import Enrollment, EnrollmentEvent, EnrollmentStatus
from tests.billing.factories import ChargeFactory, DiscountGrantFactory
from tests.enrollment.factories import HouseholdFactory, family
from tests.factories import (
    ActivityFactory,
    FeePlanFactory,
    GroupFactory,
    SeasonFactory,
    UserFactory,
    WeeklySlotFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    user = UserFactory(roles=["office"])
    client.force_login(user)
    return user


def ledger_url(household):
    return reverse("billing:household-ledger", args=[household.pk])


def payment_data(**overrides):
    data = {
        "payment-amount": "80,00",
        "payment-method": "cash",
        "payment-received_on": timezone.localdate().isoformat(),
        "payment-payer": "Anna Kowalska",
        "payment-note": "",
        "payment-key": "0123456789abcdef0123456789abcdef",
    }
    data.update(overrides)
    return data


# --- Who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["billing:households", "billing:runs", "billing:activity-totals", "billing:my-fees"]
)
def test_anonymous_is_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["guardian", "instructor", "coordinator"])
def test_only_office_and_director_open_households_and_runs(client, role):
    household = HouseholdFactory()
    client.force_login(UserFactory(roles=[role]))
    for url in (
        reverse("billing:households"),
        reverse("billing:runs"),
        ledger_url(household),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("billing:desk-payment", args=[household.pk]), payment_data())
    assert response.status_code == 404
    assert client.post(reverse("billing:run-create"), {"period": "2026-11"}).status_code == 404
    assert not Payment.objects.exists() and not BillingRun.objects.exists()


@pytest.mark.parametrize("role", ["office", "director"])
def test_office_and_director_open_a_households_ledger(client, role):
    household = HouseholdFactory()
    ChargeFactory(household=household, description="Chór")
    client.force_login(UserFactory(roles=[role]))
    response = client.get(ledger_url(household))
    assert response.status_code == 200
    assert "Chór" in response.content.decode()


def test_missing_household_is_404(client, office):
    assert client.get(reverse("billing:household-ledger", args=[99999])).status_code == 404


# --- Households list --------------------------------------------------------------------------


def test_household_list_shows_balances_and_filters(client, office):
    owing = HouseholdFactory(name="Nowakowie")
    ChargeFactory(household=owing, amount=Decimal("100.00"), due_on=dt.date(2020, 1, 10))
    credit = HouseholdFactory(name="Wiśniewscy")
    payment_record(household=credit, amount="30", method="cash", received_on=dt.date(2026, 9, 1))
    settled = HouseholdFactory(name="Zielińscy")

    def names(**params):
        response = client.get(reverse("billing:households"), params)
        assert response.status_code == 200
        return [h.name for h in response.context["households"]]

    rows = {h.name: h for h in client.get(reverse("billing:households")).context["households"]}
    assert rows["Nowakowie"].balance == Decimal("100.00")
    assert rows["Nowakowie"].overdue == Decimal("100.00")
    assert rows["Wiśniewscy"].balance == Decimal("-30.00")
    assert rows["Zielińscy"].balance == 0
    assert names(overdue="1") == ["Nowakowie"]
    assert names(credit="1") == ["Wiśniewscy"]
    assert names(q="nowak") == ["Nowakowie"]
    assert names(q=settled.transfer_reference.lower().replace("-", "")) == ["Zielińscy"]
    assert names(order="-balance")[0] == "Nowakowie"
    assert names(order="balance")[0] == "Wiśniewscy"


def test_household_list_filters_by_activity(client, office):
    user, [kid] = family()
    group = GroupFactory()
    Enrollment.objects.create(
        participant=kid,
        group=group,
        status=EnrollmentStatus.ACTIVE,
        requested_at=timezone.now(),
        requested_by=user,
    )
    HouseholdFactory(name="Bez zajęć")
    response = client.get(reverse("billing:households"), {"activity": group.activity_id})
    assert [h.pk for h in response.context["households"]] == [kid.household_id]


def test_household_list_ignores_bad_filters_without_500(client, office):
    HouseholdFactory()
    response = client.get(
        reverse("billing:households"), {"overdue": "maybe", "activity": "x", "order": "evil"}
    )
    assert response.status_code == 200


def test_household_list_query_count_does_not_grow(client, office):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("billing:households")).status_code == 200
        return len(context)

    ChargeFactory()
    few = queries()
    for _ in range(15):
        household = HouseholdFactory()
        ChargeFactory(household=household)
        payment_record(household=household, amount="5", method="card", received_on=dt.date.today())
    assert queries() == few


# --- Desk payment -----------------------------------------------------------------------------


def test_desk_payment_is_recorded_and_allocated(client, office):
    household = HouseholdFactory()
    charge = ChargeFactory(household=household, amount=Decimal("80.00"))

    response = client.post(reverse("billing:desk-payment", args=[household.pk]), payment_data())

    assert response.status_code == 302 and response["Location"] == ledger_url(household)
    payment = Payment.objects.get()
    assert payment.amount == Decimal("80.00") and payment.method == "cash"
    assert payment.recorded_by == office and payment.payer == "Anna Kowalska"
    assert Allocation.objects.get().charge == charge


def test_double_submit_records_once(client, office):
    household = HouseholdFactory()
    url = reverse("billing:desk-payment", args=[household.pk])
    client.post(url, payment_data())
    client.post(url, payment_data())
    assert Payment.objects.count() == 1
    client.post(url, payment_data(**{"payment-key": "f" * 32}))
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payment-amount", "-5", InvalidAmountError.default_message),
        ("payment-amount", "abc", InvalidAmountError.default_message),
        ("payment-amount", "100000", InvalidAmountError.default_message),
        ("payment-amount", "0", InvalidAmountError.default_message),
        ("payment-amount", "12,345", InvalidAmountError.default_message),
        ("payment-received_on", "2099-01-01", "A payment cannot be received in the future."),
        ("payment-received_on", "2000-01-01", "This date is more than a year ago. Check it."),
        ("payment-method", "transfer", None),
        ("payment-key", "not-a-key", None),
    ],
)
def test_bad_desk_payment_changes_nothing(client, office, field, value, message):
    household = HouseholdFactory()
    response = client.post(
        reverse("billing:desk-payment", args=[household.pk]), payment_data(**{field: value})
    )
    assert response.status_code == 200
    assert response.context["forms"]["payment"].errors
    if message:
        assert gettext(str(message)) in response.content.decode().replace("&#x27;", "'")
    assert not Payment.objects.exists()


def test_closed_household_takes_no_desk_payment(client, office):
    household = HouseholdFactory(closed_at=timezone.now())
    response = client.post(reverse("billing:desk-payment", args=[household.pk]), payment_data())
    assert response.status_code == 200
    assert gettext(str(HouseholdClosedError.default_message)) in response.content.decode()
    assert not Payment.objects.exists()


# --- Credit notes -----------------------------------------------------------------------------


def credit_data(**overrides):
    data = {
        "credit-amount": "20",
        "credit-reason": "correction",
        "credit-note": "Błędna stawka",
        "credit-charge": "",
        "credit-key": "a" * 32,
    }
    data.update(overrides)
    return data


def test_credit_note_for_a_charge_pays_that_charge(client, office):
    household = HouseholdFactory()
    ChargeFactory(household=household, period=dt.date(2026, 9, 1), amount=Decimal("50"))
    wrong = ChargeFactory(household=household, period=dt.date(2026, 10, 1), amount=Decimal("50"))
    url = reverse("billing:credit-note-create", args=[household.pk])

    response = client.post(url, credit_data(**{"credit-charge": wrong.pk}))
    client.post(url, credit_data(**{"credit-charge": wrong.pk}))  # double click

    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.charge == wrong and note.created_by == office and note.amount == Decimal("20")
    assert Allocation.objects.get().charge == wrong
    assert Charge.objects.get(pk=wrong.pk).amount == Decimal("50")  # the charge is not edited


@pytest.mark.parametrize(
    "overrides",
    [
        {"credit-note": "  "},
        {"credit-amount": "-1"},
        {"credit-amount": "abc"},
        {"credit-reason": "gift"},
        {"credit-amount": "60"},  # more than the charge
    ],
)
def test_bad_credit_note_changes_nothing(client, office, overrides):
    household = HouseholdFactory()
    charge = ChargeFactory(household=household, amount=Decimal("50"))
    data = credit_data(**{"credit-charge": charge.pk, **overrides})
    response = client.post(reverse("billing:credit-note-create", args=[household.pk]), data)
    assert response.status_code == 200
    assert response.context["forms"]["credit"].errors
    assert not CreditNote.objects.exists()


def test_credit_note_cannot_name_another_households_charge(client, office):
    household = HouseholdFactory()
    other = ChargeFactory()
    response = client.post(
        reverse("billing:credit-note-create", args=[household.pk]),
        credit_data(**{"credit-charge": other.pk}),
    )
    assert response.status_code == 200
    assert not CreditNote.objects.exists()


# --- Billing runs -----------------------------------------------------------------------------


def test_runs_page_creates_the_months_charges_once(client, office):
    today = timezone.localdate()
    season = SeasonFactory(
        name="Bieżący",
        starts_on=today - dt.timedelta(days=90),
        ends_on=today + dt.timedelta(days=200),
        enrollment_opens_at=timezone.now() - dt.timedelta(days=100),
    )
    group = GroupFactory(season=season)
    for weekday in range(1, 8):
        WeeklySlotFactory(group=group, weekday=weekday)
    meetings_generate(group=group)
    FeePlanFactory(group=group, amount=Decimal("100.00"))
    user, [kid] = family()
    kid.birth_date = today.replace(year=today.year - 8)
    kid.save()
    enrollment_services.enrollment_request(participants=[kid], group=group, requested_by=user)
    # Active since before this month: the whole month is charged whatever today's date.
    EnrollmentEvent.objects.filter(enrollment__participant=kid).update(
        at=timezone.now() - dt.timedelta(days=80)
    )
    period = today.replace(day=1)

    response = client.post(reverse("billing:run-create"), {"period": period.strftime("%Y-%m")})

    assert response.status_code == 302
    run = BillingRun.objects.get()
    assert run.period == period and run.started_by == office
    assert run.charges_created == Charge.objects.filter(run=run).count() == 1
    assert Charge.objects.get().amount == Decimal("100.00")
    charges = Charge.objects.count()

    response = client.post(
        reverse("billing:run-create"), {"period": period.strftime("%Y-%m")}, follow=True
    )
    assert gettext(str(BillingRunExistsError.default_message)) in response.content.decode()
    assert BillingRun.objects.count() == 1 and Charge.objects.count() == charges
    page = client.get(reverse("billing:runs"))
    assert page.status_code == 200 and list(page.context["runs"]) == [run]


@pytest.mark.parametrize("period", ["abc", "2026-13", "2099-01", "1999-01", ""])
def test_runs_page_refuses_a_bad_month(client, office, period):
    response = client.post(reverse("billing:run-create"), {"period": period})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not BillingRun.objects.exists()


# --- Totals per activity ----------------------------------------------------------------------


def charged_enrollment(activity, amount, period=dt.date(2026, 9, 1)):
    user, [kid] = family()
    enrollment = Enrollment.objects.create(
        participant=kid,
        group=GroupFactory(activity=activity),
        status=EnrollmentStatus.ACTIVE,
        requested_at=timezone.now(),
        requested_by=user,
    )
    return ChargeFactory(
        household=kid.household, enrollment=enrollment, amount=Decimal(amount), period=period
    )


def test_coordinator_sees_totals_of_their_activities_only(client):
    coordinator = UserFactory(roles=["coordinator"])
    mine = ActivityFactory(name="Balet")
    mine.coordinators.add(coordinator)
    theirs = ActivityFactory(name="Ceramika")
    paid = charged_enrollment(mine, "100.00")
    charged_enrollment(mine, "50.00")
    charged_enrollment(theirs, "70.00")
    payment_record(
        household=paid.household, amount="100", method="cash", received_on=dt.date(2026, 9, 2)
    )
    client.force_login(coordinator)

    response = client.get(reverse("billing:activity-totals"))

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["activity"] == "Balet" and row["count"] == 2
    assert (row["charged"], row["paid"], row["credited"], row["outstanding"]) == (
        Decimal("150.00"),
        Decimal("100.00"),
        Decimal("0"),
        Decimal("50.00"),
    )
    html = response.content.decode()
    assert "Ceramika" not in html
    assert paid.household.name not in html  # totals only, no households
    # Another coordinator's activity cannot be asked for.
    response = client.get(reverse("billing:activity-totals"), {"activity": theirs.pk})
    assert response.context["filter"].errors and "Ceramika" not in response.content.decode()


def test_office_sees_all_activities_and_filters_by_month(client, office):
    charged_enrollment(ActivityFactory(name="Balet"), "100.00", dt.date(2026, 9, 1))
    charged_enrollment(ActivityFactory(name="Chór"), "60.00", dt.date(2026, 10, 1))
    rows = client.get(reverse("billing:activity-totals")).context["rows"]
    assert {row["activity"] for row in rows} == {"Balet", "Chór"}
    rows = client.get(reverse("billing:activity-totals"), {"month": "2026-10"}).context["rows"]
    assert [row["activity"] for row in rows] == ["Chór"]


@pytest.mark.parametrize("role", ["guardian", "instructor"])
def test_families_and_instructors_see_no_totals(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("billing:activity-totals")).status_code == 404


def test_totals_query_count_does_not_grow(client, office):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("billing:activity-totals")).status_code == 200
        return len(context)

    charged_enrollment(ActivityFactory(), "10")
    few = queries()
    for month in range(1, 6):
        charged_enrollment(ActivityFactory(), "10", dt.date(2026, month, 1))
    assert queries() == few


def test_household_ledger_query_count_does_not_grow(client, office):
    _user, [kid] = family()
    household = kid.household

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(ledger_url(household)).status_code == 200
        return len(context)

    ChargeFactory(household=household)
    payment_record(household=household, amount="7", method="cash", received_on=dt.date.today())
    few = queries()
    for month in range(1, 10):
        ChargeFactory(household=household, period=dt.date(2025, month, 1))
        payment_record(household=household, amount="7", method="cash", received_on=dt.date.today())
    DiscountGrantFactory(household=household)
    DiscountGrantFactory(household=household, participant=kid)
    assert queries() == few
