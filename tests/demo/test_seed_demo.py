import pytest
from django.core.management import call_command

from accounts.models import Role, User
from billing.models import FeePlan
from clubs.models import Activity, ActivityKind, Group, Meeting, Season, Venue

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Venue, Activity, Group, Meeting, Season, FeePlan)
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
