import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group as AuthGroup
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.permissions import is_coordinator, is_director, is_guardian, is_staff_member
from accounts.roles import ROLE_PERMISSIONS, roles_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_users_sign_in_with_their_email_in_any_case(client):
    UserFactory(email="anna.kowalska@example.pl")
    assert authenticate(email="Anna.Kowalska@Example.PL", password="haslo-testowe-1")
    response = client.post(
        reverse("accounts:login"),
        {"username": "ANNA.kowalska@example.pl", "password": "haslo-testowe-1"},
    )
    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_polish_message(client):
    UserFactory(email="jan@example.pl")
    response = client.post(
        reverse("accounts:login"), {"username": "jan@example.pl", "password": "zle"}
    )
    assert response.status_code == 200
    assert "Wprowadź poprawne wartości pól adres e-mail oraz hasło" in response.content.decode()


def test_create_user_normalises_the_email():
    user = User.objects.create_user("Ewa@Example.PL", "haslo-testowe-1")
    assert user.email == "ewa@example.pl"
    assert not user.is_staff


def test_every_role_exists_after_migrate():
    assert set(AuthGroup.objects.values_list("name", flat=True)) >= set(Role.values)


def test_roles_sync_is_idempotent_and_exact():
    coordinator = AuthGroup.objects.get(name=Role.COORDINATOR)
    coordinator.permissions.clear()
    roles_sync()
    roles_sync()
    codenames = {f"{p.content_type.app_label}.{p.codename}" for p in coordinator.permissions.all()}
    assert codenames == set(ROLE_PERMISSIONS[Role.COORDINATOR])


def test_role_predicates():
    guardian = UserFactory(roles=[Role.GUARDIAN])
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    director = UserFactory(roles=[Role.DIRECTOR])
    superuser = UserFactory(is_superuser=True)
    inactive = UserFactory(roles=[Role.DIRECTOR], is_active=False)

    assert is_guardian(guardian) and not is_staff_member(guardian)
    assert is_coordinator(coordinator) and is_staff_member(coordinator)
    assert is_director(director) and is_director(superuser)
    assert not is_director(inactive)


def test_password_reset_sends_a_polish_link(client):
    UserFactory(email="reset@example.pl")
    response = client.post(reverse("accounts:password_reset"), {"email": "reset@example.pl"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "ustawić nowe hasło" in mail.outbox[0].body
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_says_the_same(client):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nikt@example.pl"}, follow=True
    )
    assert "Jeśli istnieje konto" in response.content.decode()
    assert mail.outbox == []
