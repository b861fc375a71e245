"""Contact details and channel choice."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.exceptions import (
    InvalidEmailError,
    InvalidPhoneError,
    MissingEmailError,
    MissingPhoneError,
    NotMobilePhoneError,
)
from notifications.kinds import Channel, Kind, kind_spec
from notifications.recipients import Recipient, recipients_unique
from notifications.routing import PreferenceBook, normalise_email, normalise_phone, plan_routes


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("600100200", "+48600100200"),
        ("600 100 200", "+48600100200"),
        ("+48 600-100-200", "+48600100200"),
        ("0048600100200", "+48600100200"),
        ("+49 1512 3456789", "+4915123456789"),
    ],
)
def test_phone_numbers_become_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", MissingPhoneError),
        ("   ", MissingPhoneError),
        ("12345", InvalidPhoneError),
        ("telefon", InvalidPhoneError),
        ("+48 100 200 300", InvalidPhoneError),
        ("61 852 10 00", NotMobilePhoneError),  # a Leszno landline cannot receive SMS
    ],
)
def test_bad_phone_numbers(raw, error):
    with pytest.raises(error):
        normalise_phone(raw)


@given(st.text(max_size=40))
def test_any_phone_input_is_a_number_or_a_delivery_error(raw):
    try:
        number = normalise_phone(raw)
    except (MissingPhoneError, InvalidPhoneError):
        return
    assert number.startswith("+") and number[1:].isdigit()


def test_e_mail_domain_is_lowercased_and_bad_addresses_refused():
    assert normalise_email(" Anna.Nowak@Example.PL ") == "Anna.Nowak@example.pl"
    with pytest.raises(MissingEmailError):
        normalise_email("")
    with pytest.raises(InvalidEmailError):
        normalise_email("anna@")


def test_each_person_is_listed_once():
    people = [
        Recipient(user_id=1, email="a@example.pl"),
        Recipient(user_id=1, email="other@example.pl"),
        Recipient(email="B@example.pl"),
        Recipient(email="b@example.pl"),
    ]
    assert [r.key for r in recipients_unique(people)] == ["user:1", "email:b@example.pl"]


def test_a_broadcast_skips_channels_a_person_cannot_receive():
    spec = kind_spec(Kind.GROUP_BROADCAST)
    plan = plan_routes(
        recipient=Recipient(email="a@example.pl"),
        spec=spec,
        channels=[Channel.EMAIL, Channel.SMS],
        book=PreferenceBook(),
        skip_unreachable=True,
    )
    assert [(r.channel, r.address, r.error) for r in plan.routes] == [
        (Channel.EMAIL, "a@example.pl", None)
    ]
    assert [s.channel for s in plan.skipped] == [Channel.SMS]
