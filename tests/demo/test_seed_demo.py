import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, User
from billing.models import BillingRun, Charge, DiscountGrant, FeePlan, Payment
from clubs.models import Activity, ActivityKind, Group, Meeting, Season, Venue
from enrollment.models import AllocationDecision, AllocationRun, Application

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Venue,
            Activity,
            Group,
            Meeting,
            Season,
            FeePlan,
            DiscountGrant,
            BillingRun,
            Charge,
            Payment,
            Application,
            AllocationRun,
        )
    }


def test_seed_demo_is_realistic_and_idempotent():
    call_command("seed_demo", stdout=None)
    first = counts()
    call_command("seed_demo", stdout=None)

    assert counts() == first
    assert first["Venue"] == 2
    assert first["Activity"] >= 12
    assert set(Activity.objects.values_list("kind", flat=True)) == set(ActivityKind.values)
    assert Activity.objects.filter(name="Klub Seniora").exists()
    assert Activity.objects.filter(name="Klub Filatelistów").exists()
    assert Group.objects.order_by("age_min").first().age_min <= 4
    assert Group.objects.order_by("-age_max").first().age_max >= 80
    assert Season.objects.get().name == "2026/2027"
    assert Season.objects.get().closures.count() == 3
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists()
    assert first["Meeting"] > 500
    # Fees: a Large Family Card for the Kowalscy, an individual discount, a desk payment.
    assert DiscountGrant.objects.filter(
        household__name="Kowalscy", kind="kdr", card_number__gt=""
    ).exists()
    assert DiscountGrant.objects.filter(kind="individual", reason__gt="").exists()
    assert Payment.objects.filter(household__name="Kowalscy", method="cash").count() == 1
    season = Season.objects.get()
    if season.starts_on <= timezone.localdate() <= season.ends_on:
        # This month's charges, Kuba's with the card's discount line.
        charge = Charge.objects.get(household__name="Kowalscy")
        assert charge.amount < charge.base_amount and len(charge.lines) >= 2

    # A lottery: the window closed, 12 applications for 9 places, a dry run to publish.
    assert Application.objects.count() == 12
    run = AllocationRun.objects.get()
    assert run.published_at is None and run.seed
    placed = AllocationDecision.objects.filter(run=run, outcome="placed")
    assert placed.count() == 9
    assert Group.objects.by_lottery().count() == 2
