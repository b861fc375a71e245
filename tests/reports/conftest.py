import pytest

from accounts.models import Role
from tests.factories import ActivityFactory, UserFactory


@pytest.fixture(autouse=True)
def _no_staff_two_factor(settings):
    """These tests are about reports, not about the staff's second factor."""
    settings.ACCOUNTS_STAFF_REQUIRE_2FA = False


@pytest.fixture
def director(db):
    return UserFactory(roles=[Role.DIRECTOR], is_staff=True)


@pytest.fixture
def office(db):
    return UserFactory(roles=[Role.OFFICE], is_staff=True)


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], is_staff=True)


@pytest.fixture
def instructor(db):
    return UserFactory(roles=[Role.INSTRUCTOR])


@pytest.fixture
def guardian(db):
    return UserFactory(roles=[Role.GUARDIAN])


@pytest.fixture
def coordinated_activity(coordinator):
    activity = ActivityFactory()
    activity.coordinators.add(coordinator)
    return activity
