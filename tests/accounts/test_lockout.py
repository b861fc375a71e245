"""Login lockout (django-axes) and the password reset's rate limits."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "haslo-testowe-1"
LIMIT = 3


def login(client, email, password, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
    )


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_wrong_passwords_lock_the_account_from_that_address(client):
    user = UserFactory(email="anna@example.pl")
    for _ in range(LIMIT - 1):
        assert login(client, "anna@example.pl", "zle-haslo").status_code == 200

    locked = login(client, "Anna@Example.PL", "zle-haslo")  # the case does not matter

    assert locked.status_code == 429
    assert gettext("Too many attempts") in locked.content.decode()
    # Now even the right password is refused, and nobody is logged in.
    again = login(client, user.email, PASSWORD)
    assert again.status_code == 429
    assert SESSION_KEY not in client.session
    assert AccessAttempt.objects.get().failures_since_start >= LIMIT


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_lockout_is_per_account_and_address(client):
    user = UserFactory(email="anna@example.pl")
    other = UserFactory(email="beata@example.pl")
    for _ in range(LIMIT):
        login(client, user.email, "zle-haslo", ip="10.0.0.1")

    # The same account from another address, and another account from the same address.
    assert login(client, user.email, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert login(client, other.email, PASSWORD, ip="10.0.0.1").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_below_the_limit_the_right_password_logs_in(client):
    user = UserFactory(email="anna@example.pl")
    for _ in range(LIMIT - 1):
        login(client, user.email, "zle-haslo")

    response = login(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


@override_settings(AXES_FAILURE_LIMIT=LIMIT, ACCOUNTS_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_the_proxy_saw_counts(client):
    user = UserFactory(email="anna@example.pl")
    for _ in range(LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": user.email, "password": "zle-haslo"},
            REMOTE_ADDR="172.18.0.2",
            # A client can write anything on the left; the proxy appends what it saw.
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
        )

    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


# --- password reset ------------------------------------------------------------------------------


def reset(client, email, ip="10.0.0.1"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


@override_settings(ACCOUNTS_PASSWORD_RESET_LIMIT_PER_EMAIL=2)
def test_reset_e_mails_per_address_are_limited_and_the_page_answers_the_same(client):
    user = UserFactory(email="anna@example.pl")
    answers = [reset(client, user.email, ip=f"10.0.0.{n}") for n in range(1, 5)]

    assert len(mail.outbox) == 2
    assert [a.status_code for a in answers] == [302] * 4
    assert {a["Location"] for a in answers} == {reverse("accounts:password_reset_done")}


@override_settings(ACCOUNTS_PASSWORD_RESET_LIMIT_PER_EMAIL=2)
def test_an_address_without_an_account_gets_the_same_answers(client):
    UserFactory(email="anna@example.pl")
    answers = [reset(client, "nikt@example.pl", ip=f"10.0.0.{n}") for n in range(1, 5)]

    assert mail.outbox == []
    assert [(a.status_code, a["Location"]) for a in answers] == [
        (302, reverse("accounts:password_reset_done"))
    ] * 4


@override_settings(
    ACCOUNTS_PASSWORD_RESET_LIMIT_PER_IP=3, ACCOUNTS_PASSWORD_RESET_LIMIT_PER_EMAIL=99
)
def test_reset_requests_per_client_address_are_limited(client):
    users = [UserFactory(email=f"osoba{n}@example.pl") for n in range(5)]
    answers = [reset(client, user.email) for user in users]

    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    assert gettext("Too many requests") in answers[-1].content.decode()
    # Another address is not affected.
    assert reset(client, users[4].email, ip="10.9.9.9").status_code == 302
    assert len(mail.outbox) == 4
