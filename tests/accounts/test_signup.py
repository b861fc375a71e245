import re
import types
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.tokens import email_verification_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zielona-Herbata-42"
LINK = re.compile(r"http://testserver(/accounts/verify/[^\s]+)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The per-address e-mail limit lives in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def signup_data(**changes):
    data = {
        "first_name": "Anna",
        "last_name": "Kowalska",
        "email": "Anna.Kowalska@Example.PL",
        "phone": "601 234 567",
        "language": "pl",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def link_in(message) -> str:
    (path,) = LINK.findall(message.body)
    return path


def link_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def pending_user(**kwargs) -> User:
    return UserFactory(is_active=False, **kwargs)


def later(monkeypatch, seconds: int) -> None:
    """Move the clock of the confirmation tokens `seconds` ahead."""
    moved = type(email_verification_token)._now(email_verification_token) + timedelta(
        seconds=seconds
    )
    monkeypatch.setattr(email_verification_token, "_now", lambda: moved)


def test_signup_creates_an_inactive_account_and_sends_one_link(client):
    response = client.post(reverse("accounts:signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup-sent")
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == (
        "anna.kowalska@example.pl",
        "Anna",
        "Kowalska",
    )
    assert user.phone == "+48601234567"
    assert user.language == "pl"
    assert not user.is_active
    assert user.check_password(PASSWORD)
    assert SESSION_KEY not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna.kowalska@example.pl"]
    assert mail.outbox[0].body.startswith("Dzień dobry,")
    assert link_in(mail.outbox[0]).startswith("/accounts/verify/")


def test_the_link_activates_the_account_and_logs_in_once(client):
    client.post(reverse("accounts:signup"), signup_data(language="en"))
    path = link_in(mail.outbox[0])

    response = client.get(path)

    user = User.objects.get()
    assert response.status_code == 302
    assert response.url == "/"
    assert user.is_active
    assert client.session[SESSION_KEY] == str(user.pk)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    client.logout()
    again = client.get(path)
    assert again.status_code == 200
    assert again.templates[0].name == "accounts/verify_invalid.html"
    assert SESSION_KEY not in client.session


def test_the_email_is_in_the_language_chosen_at_signup(client):
    client.post(reverse("accounts:signup"), signup_data(language="en"))

    assert mail.outbox[0].body.startswith("Hello,")


def test_language_defaults_to_the_language_of_the_page(client):
    polish = client.get(reverse("accounts:signup"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("accounts:signup"))

    assert polish.context["form"]["language"].value() == "pl"
    assert english.context["form"]["language"].value() == "en"


def test_a_safe_next_is_kept_through_the_flow(client):
    client.post(reverse("accounts:signup") + "?next=/family/", signup_data())
    path = link_in(mail.outbox[0])

    response = client.get(path)

    assert path.endswith("?next=%2Ffamily%2F")
    assert response.status_code == 302
    assert response.url == "/family/"


def test_an_open_redirect_next_is_ignored(client):
    client.post(reverse("accounts:signup"), signup_data(next="https://evil.example/"))
    path = link_in(mail.outbox[0])
    assert "next" not in path

    response = client.get(path + "?next=https://evil.example/")

    assert response.status_code == 302
    assert response.url == "/"
    assert User.objects.get().is_active


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("a" if token[-1] != "a" else "b"),
        lambda token: "1-" + token.split("-")[1],
        lambda token: "no-token",
    ],
    ids=["signature", "timestamp", "garbage"],
)
def test_a_tampered_token_is_refused_and_changes_nothing(client, mangle):
    user = pending_user()
    token = email_verification_token.make_token(user)
    uid = link_uid(user)

    response = client.get(reverse("accounts:verify", args=[uid, mangle(token)]))

    assert response.status_code == 200
    assert response.templates[0].name == "accounts/verify_invalid.html"
    user.refresh_from_db()
    assert not user.is_active
    assert SESSION_KEY not in client.session


def test_a_token_for_another_account_is_refused(client):
    victim, attacker = pending_user(), pending_user()
    token = email_verification_token.make_token(attacker)

    response = client.get(reverse("accounts:verify", args=[link_uid(victim), token]))

    assert response.status_code == 200
    victim.refresh_from_db()
    assert not victim.is_active


def test_the_link_expires_after_three_days(client, monkeypatch):
    user = pending_user()
    path = reverse(
        "accounts:verify", args=[link_uid(user), email_verification_token.make_token(user)]
    )

    later(monkeypatch, 3 * 24 * 3600 + 1)
    expired = client.get(path)
    user.refresh_from_db()
    assert expired.status_code == 200
    assert not user.is_active

    later(monkeypatch, 3 * 24 * 3600 - 60)
    in_time = client.get(path)
    user.refresh_from_db()
    assert in_time.status_code == 302
    assert user.is_active


def test_a_deactivated_account_cannot_reactivate_itself(client):
    user = UserFactory(is_active=False, last_login=timezone.now() - timedelta(days=30))
    path = reverse(
        "accounts:verify", args=[link_uid(user), email_verification_token.make_token(user)]
    )

    response = client.get(path)
    client.post(reverse("accounts:verify-resend"), {"email": user.email})

    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    assert mail.outbox == []


def test_head_requests_do_not_activate(client):
    user = pending_user()
    path = reverse(
        "accounts:verify", args=[link_uid(user), email_verification_token.make_token(user)]
    )

    response = client.head(path)

    assert response.status_code == 405
    user.refresh_from_db()
    assert not user.is_active


@pytest.mark.parametrize("email", ["anna@example.pl", "ANNA@Example.PL"])
def test_signup_with_a_taken_address_creates_nothing_and_tells_its_owner(client, email):
    owner = UserFactory(email="anna@example.pl", language="en")
    password_before = owner.password

    response = client.post(reverse("accounts:signup"), signup_data(email=email))

    assert response.status_code == 302
    assert response.url == reverse("accounts:signup-sent")
    assert list(User.objects.all()) == [owner]
    owner.refresh_from_db()
    assert owner.password == password_before
    assert (owner.first_name, owner.phone) == ("Jan", "")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.pl"]
    assert message.subject == "You already have an account"
    assert "http://testserver/accounts/login/" in message.body
    assert "http://testserver/accounts/password-reset/" in message.body
    assert "/accounts/verify/" not in message.body


def test_signup_again_for_an_unconfirmed_address_lets_the_mailbox_owner_choose_the_password(
    client,
):
    # Someone else pre-registered the address with a password they know.
    client.post(
        reverse("accounts:signup"),
        signup_data(password1="Obca-Osoba-77", password2="Obca-Osoba-77"),
    )
    first_link = link_in(mail.outbox[0])
    cache.clear()  # two minutes later

    client.post(reverse("accounts:signup"), signup_data())

    user = User.objects.get()
    assert not user.has_usable_password()
    assert len(mail.outbox) == 2
    second_link = link_in(mail.outbox[1])
    assert second_link.split("?")[0].endswith("/password/")
    assert client.get(first_link).templates[0].name == "accounts/verify_invalid.html"

    form_page = client.get(second_link)
    assert form_page.status_code == 200
    response = client.post(second_link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    user.refresh_from_db()
    assert response.status_code == 302
    assert response.url == "/"
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_weak_password_on_the_set_password_page_changes_nothing(client):
    user = pending_user()
    user.set_unusable_password()
    user.save()
    path = reverse(
        "accounts:verify-password",
        args=[link_uid(user), email_verification_token.make_token(user)],
    )

    response = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["new_password2"][0].code == (
        "password_too_common"
    )
    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    ("changes", "field", "codes"),
    [
        (
            {"password1": "12345678", "password2": "12345678"},
            "password2",
            ["password_too_common", "password_entirely_numeric"],
        ),
        ({"password1": "kot", "password2": "kot"}, "password2", ["password_too_short"]),
        ({"password2": PASSWORD + "x"}, "password2", ["password_mismatch"]),
        (
            {"password1": "anna.kowalska1", "password2": "anna.kowalska1"},
            "password2",
            ["password_too_similar"],
        ),
        ({"phone": "123"}, "phone", ["invalid"]),
        ({"phone": "+48 12 34"}, "phone", ["invalid"]),
        ({"privacy": None}, "privacy", ["required"]),
        ({"email": "not-an-address"}, "email", ["invalid"]),
        ({"first_name": ""}, "first_name", ["required"]),
    ],
    ids=[
        "weak",
        "short",
        "mismatch",
        "like-email",
        "phone",
        "short-phone",
        "no-privacy",
        "email",
        "no-name",
    ],
)
def test_invalid_signup_shows_field_errors_and_creates_nothing(client, changes, field, codes):
    response = client.post(reverse("accounts:signup"), signup_data(**changes))

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert list(errors) == [field]
    assert [error.code for error in errors[field]] == codes
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_the_required_privacy_checkbox_links_to_the_notice(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    notice = client.get(reverse("accounts:privacy"))

    assert f'href="{reverse("accounts:privacy")}"' in page
    assert 'autocomplete="given-name"' in page
    assert 'autocomplete="family-name"' in page
    assert 'autocomplete="email"' in page
    assert 'autocomplete="tel"' in page
    assert page.count('autocomplete="new-password"') == 2
    assert notice.status_code == 200
    assert "Stawki 2, 00-193 Warszawa" in notice.content.decode()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("601-234-567", "+48601234567"),
        ("+48 601 234 567", "+48601234567"),
        ("0048601234567", "+48601234567"),
        ("+49 30 12345678", "+493012345678"),
        ("", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(client, raw, stored):
    client.post(reverse("accounts:signup"), signup_data(phone=raw))

    assert User.objects.get().phone == stored


def test_a_logged_in_user_is_sent_home_from_signup(client):
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 302
    assert response.url == "/"


def test_resend_sends_at_most_one_email_per_two_minutes(client, monkeypatch):
    user = pending_user(email="ewa@example.pl")
    url = reverse("accounts:verify-resend")

    first = client.post(url, {"email": "EWA@example.pl"})
    second = client.post(url, {"email": "ewa@example.pl"})
    assert len(mail.outbox) == 1
    assert first.url == second.url == reverse("accounts:verify-resend-sent")

    clock = locmem.time.time() + 121
    monkeypatch.setattr(locmem, "time", types.SimpleNamespace(time=lambda: clock))
    client.post(url, {"email": "ewa@example.pl"})

    assert len(mail.outbox) == 2
    assert [m.to for m in mail.outbox] == [[user.email], [user.email]]
    client.get(link_in(mail.outbox[1]))
    user.refresh_from_db()
    assert user.is_active


def test_resend_answers_the_same_for_an_unknown_address(client):
    pending_user(email="ewa@example.pl")
    url = reverse("accounts:verify-resend")

    known = client.post(url, {"email": "ewa@example.pl"})
    unknown = client.post(url, {"email": "nikt@example.pl"})

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mail.outbox] == [["ewa@example.pl"]]


def test_resend_keeps_a_safe_next(client):
    pending_user(email="ewa@example.pl")

    client.post(reverse("accounts:verify-resend") + "?next=/family/", {"email": "ewa@example.pl"})

    assert link_in(mail.outbox[0]).endswith("?next=%2Ffamily%2F")


def test_login_of_an_unconfirmed_account_says_to_confirm_first(client):
    pending_user(email="ewa@example.pl")

    response = client.post(
        reverse("accounts:login"),
        {"username": "Ewa@example.pl", "password": "haslo-testowe-1", "next": "/family/"},
    )

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["unverified"]
    assert 'href="/accounts/verify/resend/?next=%2Ffamily%2F"' in response.content.decode()
    assert SESSION_KEY not in client.session
    resend_page = client.get(reverse("accounts:verify-resend"))
    assert resend_page.context["form"]["email"].value() == "ewa@example.pl"


def test_login_of_an_unconfirmed_account_with_a_wrong_password_says_nothing_more(client):
    pending_user(email="ewa@example.pl")

    response = client.post(
        reverse("accounts:login"), {"username": "ewa@example.pl", "password": "zle-haslo"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Wprowadź poprawne wartości pól adres e-mail oraz hasło" in content
    assert reverse("accounts:verify-resend") not in content


def test_login_page_links_to_signup_with_next(client):
    content = client.get(reverse("accounts:login") + "?next=/family/").content.decode()

    assert 'href="/accounts/signup/?next=/family/"' in content


def test_reopening_the_link_when_logged_in_says_it_is_done(client):
    client.post(reverse("accounts:signup"), signup_data())
    path = link_in(mail.outbox[0])
    client.get(path)

    response = client.get(path, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert User.objects.get().is_active


def test_the_pages_of_the_flow_open(client):
    for name in ["signup", "signup-sent", "verify-resend", "verify-resend-sent", "privacy"]:
        assert client.get(reverse(f"accounts:{name}")).status_code == 200, name
