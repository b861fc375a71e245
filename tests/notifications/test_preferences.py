"""A person's settings and one-click unsubscribe."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from notifications.exceptions import EssentialKindError, InvalidUnsubscribeLinkError
from notifications.kinds import Channel, Kind
from notifications.models import AddressOptOut, NotificationStatus, Preference
from notifications.recipients import Recipient
from notifications.services import (
    notification_queue,
    notification_send,
    notification_unsubscribe,
    preference_set,
    preferences_save,
)
from notifications.tokens import unsubscribe_token

from .factories import NotificationFactory, PreferenceFactory, UserFactory
from .samples import CONTEXTS

pytestmark = pytest.mark.django_db


def test_an_essential_kind_cannot_be_switched_off_and_nothing_changes():
    parent = UserFactory()

    with pytest.raises(EssentialKindError):
        preference_set(user=parent, kind=Kind.WAITLIST_OFFER, channel=Channel.SMS, enabled=False)

    assert Preference.objects.count() == 0


def test_an_essential_kind_can_gain_a_channel():
    parent = UserFactory()
    preference_set(user=parent, kind=Kind.ENROLLMENT_ACCEPTED, channel=Channel.SMS, enabled=True)

    with transaction.atomic():
        rows = notification_queue(
            recipient=parent,
            kind=Kind.ENROLLMENT_ACCEPTED,
            context=CONTEXTS[Kind.ENROLLMENT_ACCEPTED],
            dedupe_key="enrollment:5",
        )

    assert [row.channel for row in rows] == [Channel.EMAIL, Channel.SMS]


def test_saving_the_page_stores_only_changes_from_the_defaults():
    parent = UserFactory()

    changed = preferences_save(
        user=parent,
        choices={
            (Kind.FEE_DUE, Channel.EMAIL): True,  # the default already
            (Kind.FEE_DUE, Channel.SMS): True,
            (Kind.MEETING_REMINDER, Channel.EMAIL): True,
            (Kind.MEETING_CANCELLED, Channel.EMAIL): False,  # essential: ignored
        },
    )

    assert changed == 2
    assert set(Preference.objects.values_list("kind", "channel", "enabled")) == {
        (Kind.FEE_DUE, Channel.SMS, True),
        (Kind.MEETING_REMINDER, Channel.EMAIL, True),
    }


def test_the_settings_page_shows_essential_kinds_as_fixed(client):
    parent = UserFactory()
    client.force_login(parent)

    response = client.get(reverse("notifications:preferences"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.fields[f"{Kind.MEETING_CANCELLED}__{Channel.SMS}"].disabled is True
    assert form.fields[f"{Kind.MEETING_REMINDER}__{Channel.EMAIL}"].initial is False
    assert form.fields[f"{Kind.FEE_DUE}__{Channel.EMAIL}"].initial is True


def test_the_settings_page_saves(client):
    parent = UserFactory()
    client.force_login(parent)

    response = client.post(
        reverse("notifications:preferences"),
        {
            f"{Kind.MEETING_REMINDER}__{Channel.SMS}": "on",
            # fee_due e-mail left unticked: switched off
            f"{Kind.PAYMENT_RECEIVED}__{Channel.EMAIL}": "on",
            f"{Kind.CONSENT_EXPIRING}__{Channel.EMAIL}": "on",
            f"{Kind.FAMILY_CARD_EXPIRING}__{Channel.EMAIL}": "on",
            f"{Kind.GROUP_BROADCAST}__{Channel.EMAIL}": "on",
            f"{Kind.REENROLLMENT_INVITATION}__{Channel.EMAIL}": "on",
            # trying to switch an essential kind off is ignored
        },
    )

    assert response.status_code == 302
    assert set(
        Preference.objects.filter(user=parent).values_list("kind", "channel", "enabled")
    ) == {
        (Kind.MEETING_REMINDER, Channel.SMS, True),
        (Kind.FEE_DUE, Channel.EMAIL, False),
    }


def test_the_settings_page_needs_a_login(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_one_click_unsubscribe_switches_that_kind_and_channel_off_for_the_account(client):
    parent = UserFactory()
    row = NotificationFactory(user=parent, kind=Kind.FEE_DUE, channel=Channel.EMAIL)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(row.public_id)])

    asked = client.get(url)  # a link scanner opening the page changes nothing
    assert asked.status_code == 200
    assert Preference.objects.count() == 0

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", without a CSRF token.
    client.handler.enforce_csrf_checks = True
    done = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert list(Preference.objects.values_list("user", "kind", "channel", "enabled")) == [
        (parent.pk, Kind.FEE_DUE, Channel.EMAIL, False)
    ]


def test_unsubscribe_without_an_account_is_kept_against_the_address():
    with transaction.atomic():
        (row,) = notification_queue(
            recipient=Recipient(email="Sasiad@Example.pl"),
            kind=Kind.GROUP_BROADCAST,
            context=CONTEXTS[Kind.GROUP_BROADCAST],
            dedupe_key="b:1",
        )

    notification_unsubscribe(token=unsubscribe_token(row.public_id))

    assert list(AddressOptOut.objects.values_list("channel", "address", "kind")) == [
        (Channel.EMAIL, "Sasiad@example.pl", Kind.GROUP_BROADCAST)
    ]
    with transaction.atomic():
        again = notification_queue(
            recipient=Recipient(email="sasiad@EXAMPLE.pl"),
            kind=Kind.GROUP_BROADCAST,
            context=CONTEXTS[Kind.GROUP_BROADCAST],
            dedupe_key="b:2",
        )
    # The local part of an address is case-sensitive; this is someone else's mailbox.
    assert [r.address for r in again] == ["sasiad@example.pl"]


def test_unsubscribing_the_same_address_twice_changes_nothing_more():
    with transaction.atomic():
        (row,) = notification_queue(
            recipient=Recipient(email="sasiad@example.pl"),
            kind=Kind.GROUP_BROADCAST,
            context=CONTEXTS[Kind.GROUP_BROADCAST],
            dedupe_key="b:1",
        )
    token = unsubscribe_token(row.public_id)
    notification_unsubscribe(token=token)
    notification_unsubscribe(token=token)
    with transaction.atomic():
        skipped = notification_queue(
            recipient=Recipient(email="sasiad@example.pl"),
            kind=Kind.GROUP_BROADCAST,
            context=CONTEXTS[Kind.GROUP_BROADCAST],
            dedupe_key="b:2",
        )
    assert AddressOptOut.objects.count() == 1
    assert skipped == []


@pytest.mark.parametrize("token", ["not-a-token", "1234:abc", unsubscribe_token("0" * 32)])
def test_a_forged_or_unknown_link_changes_nothing(token, client, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(InvalidUnsubscribeLinkError):
        notification_unsubscribe(token=token)

    response = client.post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert Preference.objects.count() == AddressOptOut.objects.count() == 0


def test_an_essential_message_cannot_be_unsubscribed_from(client):
    row = NotificationFactory(kind=Kind.WAITLIST_OFFER, channel=Channel.EMAIL)

    response = client.post(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(row.public_id)])
    )

    assert response.status_code == 400
    assert Preference.objects.count() == 0


def test_unsubscribing_stops_a_reminder_already_in_the_outbox():
    parent = UserFactory()
    PreferenceFactory(user=parent, kind=Kind.MEETING_REMINDER, channel=Channel.EMAIL, enabled=True)
    with transaction.atomic():
        (first,) = notification_queue(
            recipient=parent,
            kind=Kind.MEETING_REMINDER,
            context=CONTEXTS[Kind.MEETING_REMINDER],
            dedupe_key="reminder:1",
        )
    notification_unsubscribe(token=unsubscribe_token(first.public_id))

    notification_send(notification_id=first.pk)

    first.refresh_from_db()
    assert first.status == NotificationStatus.CANCELLED
    assert mail.outbox == []
