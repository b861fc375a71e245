import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_data(**changes):
    data = {"first_name": "Ewa", "last_name": "Nowak", "phone": "", "language": "pl"}
    data.update(changes)
    return data


def test_the_profile_needs_a_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=/accounts/profile/"


def test_the_profile_shows_the_account(client):
    user = UserFactory(email="ewa@example.pl", phone="+48601234567")
    client.force_login(user)

    response = client.get(reverse("accounts:profile"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "ewa@example.pl" in content
    assert response.context["form"]["phone"].value() == "+48601234567"
    assert f'href="{reverse("accounts:password_change")}"' in content


def test_saving_the_profile_changes_the_details_and_the_ui_language(client):
    user = UserFactory(language="pl")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        profile_data(first_name="Eva", last_name="Novak", phone="+44 20 7946 0958", language="en"),
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone, user.language) == (
        "Eva",
        "Novak",
        "+442079460958",
        "en",
    )
    page = client.get(response.url)
    assert '<html lang="en">' in page.content.decode()


def test_an_invalid_profile_changes_nothing(client):
    user = UserFactory(first_name="Jan", language="pl")
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"), profile_data(first_name="", phone="12", language="en")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert {field: [e.code for e in errs] for field, errs in errors.items()} == {
        "first_name": ["required"],
        "phone": ["invalid"],
    }
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.language) == ("Jan", "", "pl")
    # The rejected values are not shown as the logged-in user's name.
    assert response.context["user"].first_name == "Jan"


def test_the_email_cannot_be_changed_from_the_profile(client):
    user = UserFactory(email="ewa@example.pl")
    client.force_login(user)

    client.post(reverse("accounts:profile"), {**profile_data(), "email": "inna@example.pl"})

    user.refresh_from_db()
    assert user.email == "ewa@example.pl"


def test_changing_the_password_keeps_the_user_logged_in(client):
    user = UserFactory()
    client.force_login(user)
    new = "Nowe-Haslo-2026!"

    page = client.get(reverse("accounts:password_change"))
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "haslo-testowe-1", "new_password1": new, "new_password2": new},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(response.url).status_code == 200


def test_a_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    password_before = user.password

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "zle", "new_password1": "Nowe-Haslo-2026!", "new_password2": "x"},
    )

    assert response.status_code == 200
    assert "Podane stare hasło jest niepoprawne." in response.content.decode()
    user.refresh_from_db()
    assert user.password == password_before


def test_the_password_change_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_switches_to_the_saved_language(client):
    from tests.factories import UserFactory

    UserFactory(email="en@example.pl", language="en")
    response = client.post(
        "/accounts/login/", {"username": "en@example.pl", "password": "haslo-testowe-1"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_language_switcher_remembers_the_choice_of_a_signed_in_person(client):
    from accounts.models import User
    from tests.factories import UserFactory

    user = UserFactory(language="pl")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "en"
