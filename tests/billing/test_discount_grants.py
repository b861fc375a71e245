import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import DiscountGrant, DiscountKind
from billing.services.quotes import price_quote
from tests.billing.factories import DiscountGrantFactory
from tests.enrollment.factories import HouseholdFactory, family
from tests.factories import FeePlanFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    user = UserFactory(roles=["office"])
    client.force_login(user)
    return user


def grant_data(**overrides):
    data = {
        "grant-kind": DiscountKind.LARGE_FAMILY_CARD,
        "grant-participant": "",
        "grant-card_number": "kdr 1234/56",
        "grant-valid_from": "",
        "grant-valid_until": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
        "grant-percent": "",
        "grant-reason": "",
    }
    data.update(overrides)
    return data


def post(client, household, **overrides):
    return client.post(
        reverse("billing:discount-grant-create", args=[household.pk]), grant_data(**overrides)
    )


def test_office_adds_a_large_family_card_that_the_quote_then_applies(client, office):
    _user, [kid] = family()
    group = GroupFactory()
    FeePlanFactory(group=group, amount=Decimal("100.00"))
    assert price_quote(kid, group).total == Decimal("100.00")

    response = post(client, kid.household)

    assert response.status_code == 302
    grant = DiscountGrant.objects.get()
    assert grant.card_number == "KDR1234/56"  # spaces removed, upper case
    assert grant.granted_by == office and grant.percent is None and grant.participant is None
    assert price_quote(kid, group).total == Decimal("75.00")  # the card's 25% rule


def test_individual_discount_for_one_participant(client, office):
    _user, [kid, _sibling] = family(children=2)
    response = post(
        client,
        kid.household,
        **{
            "grant-kind": DiscountKind.INDIVIDUAL,
            "grant-participant": kid.pk,
            "grant-percent": "12.5",
            "grant-reason": "Trudna sytuacja",
            "grant-card_number": "",
            "grant-valid_until": "",
        },
    )
    assert response.status_code == 302
    grant = DiscountGrant.objects.get()
    assert grant.participant == kid and grant.percent == Decimal("12.5")
    assert grant.card_number == ""


@pytest.mark.parametrize(
    "overrides",
    [
        {"grant-card_number": ""},  # a card needs its number
        {"grant-card_number": "!!"},  # and a number that looks like one
        {"grant-valid_until": ""},  # and its expiry date
        {"grant-valid_until": "2020-01-01"},  # not expired already
        {"grant-valid_from": "2031-01-01", "grant-valid_until": "2030-01-01"},
        {"grant-kind": DiscountKind.SIBLING},  # follows from the family, not granted
        {"grant-kind": "gift"},
        {"grant-kind": DiscountKind.INDIVIDUAL, "grant-percent": "", "grant-reason": "x"},
        {"grant-kind": DiscountKind.INDIVIDUAL, "grant-percent": "150", "grant-reason": "x"},
        {"grant-kind": DiscountKind.INDIVIDUAL, "grant-percent": "-1", "grant-reason": "x"},
        {"grant-kind": DiscountKind.INDIVIDUAL, "grant-percent": "abc", "grant-reason": "x"},
        {"grant-kind": DiscountKind.INDIVIDUAL, "grant-percent": "10", "grant-reason": " "},
        {"grant-valid_until": "31.02.2030"},
    ],
)
def test_bad_grants_change_nothing(client, office, overrides):
    household = HouseholdFactory()
    response = post(client, household, **overrides)
    assert response.status_code == 200
    assert response.context["forms"]["grant"].errors
    assert not DiscountGrant.objects.exists()


def test_participant_of_another_household_is_refused(client, office):
    household = HouseholdFactory()
    _user, [stranger] = family()
    response = post(client, household, **{"grant-participant": stranger.pk})
    assert response.status_code == 200
    assert not DiscountGrant.objects.exists()


def test_closed_household_gets_no_new_discount(client, office):
    household = HouseholdFactory(closed_at=timezone.now())
    assert post(client, household).status_code == 200
    assert not DiscountGrant.objects.exists()


def test_revoke_keeps_the_grant_with_who_and_when(client, office):
    grant = DiscountGrantFactory()
    url = reverse("billing:discount-grant-revoke", args=[grant.household_id, grant.pk])

    assert client.post(url).status_code == 302
    grant.refresh_from_db()
    revoked_at = grant.revoked_at
    assert revoked_at is not None and grant.revoked_by == office
    client.post(url)  # again: nothing changes
    grant.refresh_from_db()
    assert grant.revoked_at == revoked_at
    assert DiscountGrant.objects.count() == 1


def test_revoke_through_another_household_is_404(client, office):
    grant = DiscountGrantFactory()
    other = HouseholdFactory()
    url = reverse("billing:discount-grant-revoke", args=[other.pk, grant.pk])
    assert client.post(url).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


@pytest.mark.parametrize("role", ["guardian", "coordinator"])
def test_only_the_office_grants_and_revokes(client, role):
    user, [kid] = family()
    grant = DiscountGrantFactory(household=kid.household)
    client.force_login(user if role == "guardian" else UserFactory(roles=[role]))
    assert post(client, kid.household).status_code == 404
    url = reverse("billing:discount-grant-revoke", args=[kid.household.pk, grant.pk])
    assert client.post(url).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None and DiscountGrant.objects.count() == 1
