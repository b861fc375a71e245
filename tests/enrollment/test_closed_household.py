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
