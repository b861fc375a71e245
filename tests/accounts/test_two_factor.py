"""Two-factor login for staff (django-otp TOTP + backup codes), with the setting turned on."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("two_factor_on"),
]
PASSWORD = "haslo-testowe-1"
STAFF_PAGE = "/staff/groups/"
STAFF_ROLES = [Role.INSTRUCTOR, Role.COORDINATOR, Role.OFFICE, Role.DIRECTOR]


@pytest.fixture
def two_factor_on():
    # Throttling off: a right code right after a wrong one is then judged on its own.
    with override_settings(
        ACCOUNTS_STAFF_REQUIRE_2FA=True,
        OTP_TOTP_THROTTLE_FACTOR=0,
        OTP_STATIC_THROTTLE_FACTOR=0,
        AXES_FAILURE_LIMIT=3,
    ):
        yield


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def coordinator_with_device():
    user = UserFactory(roles=[Role.COORDINATOR], email="koordynator@example.pl")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user, device


def verify_url(next_url=STAFF_PAGE):
    return f"{reverse('accounts:two-factor-verify')}?next={next_url}"


# --- who must use it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_without_a_device_are_sent_to_set_one_up(client, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(STAFF_PAGE)

    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('accounts:two-factor-setup')}?next=%2Fstaff%2Fgroups%2F"
    )


@pytest.mark.parametrize("page", [STAFF_PAGE, "/admin/", "/", "/audit/"])
def test_a_superuser_without_a_code_reaches_no_page(client, page):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-setup"))


def test_staff_with_a_device_must_enter_a_code_first(client):
    user, _device = coordinator_with_device()
    client.force_login(user)

    response = client.get(STAFF_PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))


def test_guardians_are_not_asked(client):
    guardian = UserFactory(roles=[Role.GUARDIAN])
    response = client.post(
        reverse("accounts:login"), {"username": guardian.email, "password": PASSWORD}
    )
    assert response.status_code == 302

    # A family page (a new guardian is asked to set up the family first) and the profile.
    family = client.get(reverse("enrollment:home"))
    assert family.status_code == 302
    assert family["Location"] == reverse("enrollment:household-create")
    assert client.get(reverse("enrollment:household-create")).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(reverse("accounts:two-factor-setup")).status_code == 404
    assert not TOTPDevice.objects.exists()


def test_an_htmx_request_is_sent_to_the_code_page_as_a_whole(client):
    user, _device = coordinator_with_device()
    client.force_login(user)

    response = client.get(STAFF_PAGE, HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:two-factor-verify"))


def test_logging_out_works_before_the_code(client):
    user, _device = coordinator_with_device()
    client.force_login(user)

    client.post(reverse("accounts:logout"))

    assert SESSION_KEY not in client.session


@override_settings(ACCOUNTS_STAFF_REQUIRE_2FA=False)
def test_with_the_setting_off_staff_are_not_asked(client):
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))

    assert client.get(STAFF_PAGE).status_code == 200


# --- setting it up --------------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_and_confirms_with_a_code(client):
    user = UserFactory(roles=[Role.OFFICE])
    client.force_login(user)

    page = client.get(f"{reverse('accounts:two-factor-setup')}?next={STAFF_PAGE}")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    assert page.status_code == 200
    assert "<svg" in html and 'class="segno"' in html
    manual_key = re.search(r'data-testid="manual-key">([A-Z2-7 ]+)<', html).group(1)
    assert manual_key.replace(" ", "") in device.config_url
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert re.search(r'<label\s+for="id_code"', html)
    # Not yet: the device is not confirmed.
    assert client.get(STAFF_PAGE).status_code == 302

    done = client.post(
        reverse("accounts:two-factor-setup"), {"code": code_for(device), "next": STAFF_PAGE}
    )

    device.refresh_from_db()
    assert device.confirmed
    assert done.status_code == 302
    codes_page = client.get(done["Location"])
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", codes_page.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    # Shown once.
    assert (
        re.findall(r"<li>([a-z2-7]{8})</li>", client.get(done["Location"]).content.decode()) == []
    )
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_wrong_code_does_not_confirm_the_device_and_counts(client):
    user = UserFactory(roles=[Role.OFFICE])
    client.force_login(user)
    client.get(reverse("accounts:two-factor-setup"))
    device = TOTPDevice.objects.get(user=user)

    response = client.post(reverse("accounts:two-factor-setup"), {"code": wrong_code_for(device)})

    device.refresh_from_db()
    assert response.status_code == 200
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    assert AccessAttempt.objects.get(username=user.email).failures_since_start == 1
    assert client.get(STAFF_PAGE).status_code == 302


# --- entering a code ------------------------------------------------------------------------------


def test_the_right_code_opens_the_staff_pages(client):
    user, device = coordinator_with_device()
    client.force_login(user)

    response = client.post(verify_url(), {"code": code_for(device), "next": STAFF_PAGE})

    assert response.status_code == 302
    assert response["Location"] == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_wrong_code_is_refused_and_counted(client):
    user, device = coordinator_with_device()
    client.force_login(user)

    response = client.post(verify_url(), {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert gettext("This code is not right.") in response.content.decode()
    assert AccessAttempt.objects.get(username=user.email).failures_since_start == 1
    assert client.get(STAFF_PAGE).status_code == 302
    # The right code still works below the limit.
    client.post(verify_url(), {"code": code_for(device)})
    assert client.get(STAFF_PAGE).status_code == 200


def test_wrong_codes_lock_out_even_the_right_code_and_the_password(client):
    user, device = coordinator_with_device()
    client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    for _ in range(2):
        assert (
            client.post(
                verify_url(), {"code": wrong_code_for(device)}, REMOTE_ADDR="10.0.0.1"
            ).status_code
            == 200
        )

    third = client.post(verify_url(), {"code": wrong_code_for(device)}, REMOTE_ADDR="10.0.0.1")
    right = client.post(verify_url(), {"code": code_for(device)}, REMOTE_ADDR="10.0.0.1")

    assert third.status_code == 429
    assert right.status_code == 429
    assert client.get(STAFF_PAGE).status_code == 302
    client.logout()
    password = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert password.status_code == 429
    assert SESSION_KEY not in client.session


def test_a_backup_code_works_once(client):
    user, _device = coordinator_with_device()
    client.force_login(user)
    from accounts.two_factor import backup_codes_create

    [first, *_rest] = backup_codes_create(user=user)

    client.post(f"{verify_url()}&backup=1", {"code": first.upper(), "backup": "1"})
    assert client.get(STAFF_PAGE).status_code == 200

    client.logout()
    client.force_login(user)
    response = client.post(verify_url(), {"code": first, "backup": "1"})
    assert response.status_code == 200
    assert client.get(STAFF_PAGE).status_code == 302


def test_a_backup_code_page_offers_a_text_keyboard(client):
    user, _device = coordinator_with_device()
    client.force_login(user)

    html = client.get(f"{verify_url()}&backup=1").content.decode()

    assert 'inputmode="text"' in html
    assert 'autocomplete="one-time-code"' in html


def test_the_profile_links_staff_to_their_backup_codes(client):
    user, device = coordinator_with_device()
    client.force_login(user)
    client.post(verify_url(), {"code": code_for(device)})

    html = client.get(reverse("accounts:profile")).content.decode()

    assert reverse("accounts:two-factor") in html


def test_the_profile_of_a_guardian_has_no_two_factor_link(client):
    client.force_login(UserFactory(roles=[Role.GUARDIAN]))

    html = client.get(reverse("accounts:profile")).content.decode()

    assert reverse("accounts:two-factor") not in html


def test_new_backup_codes_replace_the_old_ones(client):
    user, device = coordinator_with_device()
    client.force_login(user)
    from accounts.two_factor import backup_codes_create

    old = set(backup_codes_create(user=user))
    client.post(verify_url(), {"code": code_for(device)})

    response = client.post(reverse("accounts:two-factor-backup-codes"))
    page = client.get(response["Location"]).content.decode()

    new = set(re.findall(r"<li>([a-z2-7]{8})</li>", page))
    assert len(new) == 10
    assert not new & old
    assert set(StaticToken.objects.values_list("token", flat=True)) == new
