"""`User.role_names` reads the roles and the model permissions in one query and fills
ModelBackend's per-user caches: the permissions must be exactly what Django computes itself."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASES = [
    [],
    [Role.GUARDIAN],
    [Role.INSTRUCTOR],
    [Role.COORDINATOR],
    [Role.OFFICE, Role.COORDINATOR],
    [Role.DIRECTOR],
]


@pytest.mark.parametrize("roles", CASES, ids=lambda r: "+".join(r) or "none")
@pytest.mark.parametrize("active", [True, False])
def test_permissions_after_the_one_query_load_equal_djangos_own(roles, active):
    user = UserFactory(roles=roles, is_active=active)
    user.user_permissions.add(Permission.objects.get(codename="view_feeplan"))

    fresh = User.objects.get(pk=user.pk)  # Django's own computation, nothing preloaded
    expected = (
        fresh.get_all_permissions(),
        fresh.get_user_permissions(),
        fresh.get_group_permissions(),
    )

    loaded = User.objects.get(pk=user.pk)
    assert loaded.role_names == frozenset(roles)
    assert (
        loaded.get_all_permissions(),
        loaded.get_user_permissions(),
        loaded.get_group_permissions(),
    ) == expected


def test_a_superuser_keeps_every_permission():
    user = UserFactory(is_superuser=True)
    loaded = User.objects.get(pk=user.pk)
    assert loaded.role_names == frozenset()
    assert loaded.has_perm("billing.handle_money") and loaded.has_perm("auth.delete_user")


def test_role_names_and_perms_cost_one_query(django_assert_num_queries):
    user = UserFactory(roles=[Role.OFFICE])
    loaded = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert loaded.has_role(Role.OFFICE)
        loaded.has_perm("billing.view_feeplan")
        loaded.get_all_permissions()


def test_the_compiled_query_gives_the_orms_rows_for_each_user(monkeypatch):
    from accounts import models as account_models

    first = UserFactory(roles=[Role.OFFICE, Role.GUARDIAN])
    second = UserFactory(roles=[Role.INSTRUCTOR])
    second.user_permissions.add(Permission.objects.get(codename="view_feeplan"))
    monkeypatch.setattr(account_models, "_ROLES_SQL", {})
    for user in (first, second, first):
        rows = account_models._roles_rows("default", user.pk)
        assert sorted(rows, key=repr) == sorted(account_models._roles_query(user.pk), key=repr)
    assert account_models._ROLES_SQL["default"]  # compiled once, then reused
