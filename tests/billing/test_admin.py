import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from billing.models import (
    Allocation,
    BankStatement,
    BillingRun,
    Charge,
    CreditNote,
    DiscountGrant,
    DiscountKind,
    DiscountRule,
    FeePlan,
    GatewayNotification,
    OnlinePayment,
    OverdueNotice,
    Payment,
    StatementLine,
)
from billing.services import payment_record
from tests.billing.factories import ChargeFactory, DiscountGrantFactory
from tests.enrollment.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

LEDGER = [
    Allocation,
    BankStatement,
    BillingRun,
    Charge,
    CreditNote,
    GatewayNotification,
    OnlinePayment,
    OverdueNotice,
    Payment,
    StatementLine,
]


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("admin@example.pl", "haslo-testowe-1")
    client.force_login(user)
    return user


def url(model, action="changelist", *args):
    return reverse(f"admin:billing_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", [*LEDGER, DiscountGrant, DiscountRule, FeePlan])
def test_every_billing_model_is_in_the_admin(client, superuser, model):
    assert admin.site.is_registered(model)
    assert client.get(url(model)).status_code == 200


@pytest.mark.parametrize("model", LEDGER)
def test_ledger_rows_are_read_only_and_never_deleted(superuser, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_payment_can_be_viewed_but_not_deleted(client, superuser):
    household = HouseholdFactory()
    ChargeFactory(household=household)
    payment = payment_record(
        household=household, amount="10", method="cash", received_on=dt.date(2026, 9, 1)
    )
    assert client.get(url(Payment, "change", payment.pk)).status_code == 200
    response = client.post(url(Payment, "delete", payment.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_discount_grant_added_in_the_admin_records_who_and_is_not_deletable(client, superuser):
    household = HouseholdFactory()
    response = client.post(
        url(DiscountGrant, "add"),
        {
            "household": household.pk,
            "kind": DiscountKind.INDIVIDUAL,
            "percent": "10",
            "reason": "Decyzja dyrektora",
            "card_number": "",
        },
    )
    assert response.status_code == 302
    grant = DiscountGrant.objects.get()
    assert grant.granted_by == superuser
    assert client.post(url(DiscountGrant, "delete", grant.pk), {"post": "yes"}).status_code == 403
    assert DiscountGrant.objects.filter(pk=grant.pk).exists()


def test_admin_refuses_an_invalid_grant_without_500(client, superuser):
    household = HouseholdFactory()
    response = client.post(
        url(DiscountGrant, "add"),
        {"household": household.pk, "kind": DiscountKind.INDIVIDUAL, "percent": "", "reason": ""},
    )
    assert response.status_code == 200
    assert not DiscountGrant.objects.exists()
    grant = DiscountGrantFactory()
    assert client.get(url(DiscountGrant, "change", grant.pk)).status_code == 200


def test_discount_rule_is_editable(client, superuser):
    rule = DiscountRule.objects.get(kind=DiscountKind.SENIOR)
    response = client.post(
        url(DiscountRule, "change", rule.pk),
        {"kind": rule.kind, "percent": "30", "from_child": 2, "min_age": 65, "is_active": "on"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.percent == 30 and rule.min_age == 65
