import datetime as dt

import pytest
from django.utils import timezone

from enrollment import services
from enrollment.exceptions import NotEligibleError
from enrollment.models import Enrollment
from tests.enrollment.factories import family
from tests.factories import WARSAW, GroupFactory

pytestmark = pytest.mark.django_db


def test_a_closed_household_takes_no_new_enrollment_and_nothing_changes():
    group = GroupFactory(capacity=5)
    user, [kid] = family()
    kid.household.closed_at = timezone.now()
    kid.household.save()

    with pytest.raises(NotEligibleError):
        services.enrollment_request(
            participants=[kid],
            group=group,
            requested_by=user,
            now=dt.datetime(2026, 11, 25, 12, 0, tzinfo=WARSAW),
        )

    group.refresh_from_db()
    assert group.places_taken == 0
    assert not Enrollment.objects.exists()


def test_a_household_whose_drawn_reference_is_taken_draws_again(monkeypatch):
    import types

    from enrollment.models import Household
    from enrollment.models import households as household_models
    from enrollment.services import household_create
    from tests.factories import UserFactory

    taken = Household.objects.create(name="Pierwsi", transfer_reference="MOK-AAAAAA")
    letters = iter("A" * 6 + "C" * 6)  # the first draw clashes, the second does not
    monkeypatch.setattr(
        household_models,
        "secrets",
        types.SimpleNamespace(
            choice=lambda _alphabet: next(letters), token_urlsafe=lambda n: "t" * n
        ),
    )
    household = household_create(user=UserFactory(), name="Drudzy")
    assert household.transfer_reference == "MOK-CCCCCC" != taken.transfer_reference
    assert Household.objects.count() == 2
