"""Broadcasts: an instructor writes to a group's households, sees who receives it, sends."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from notifications.exceptions import (
    AudienceNotAllowedError,
    BroadcastAudienceChangedError,
    BroadcastEmptyAudienceError,
    BroadcastNotDraftError,
)
from notifications.kinds import Channel, Kind
from notifications.models import Broadcast, BroadcastStatus, Notification, NotificationStatus
from notifications.recipients import Recipient
from notifications.selectors import broadcast_preview
from notifications.services import (
    broadcast_create,
    broadcast_fan_out,
    broadcast_send,
)

from .factories import PreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor():
    return UserFactory(roles=[Role.INSTRUCTOR], first_name="Ewa", last_name="Nowak")


@pytest.fixture
def households(group_source, instructor):
    """Five guardians of the ceramics group, one of them listed twice (two children)."""
    with_phone = UserFactory(email="a@example.pl", phone="600100201")
    without_phone = UserFactory(email="b@example.pl", phone="")
    opted_out = UserFactory(email="c@example.pl", phone="600100203")
    PreferenceFactory(
        user=opted_out, kind=Kind.GROUP_BROADCAST, channel=Channel.EMAIL, enabled=False
    )
    bad_phone = UserFactory(email="d@example.pl", phone="123")
    no_account = Recipient(email="e@example.pl", name="Babcia Ela")
    group_source.teachers["ceramics"] = {instructor.pk}
    group_source.members["ceramics"] = [
        Recipient.for_user(with_phone),
        Recipient.for_user(without_phone),
        Recipient.for_user(with_phone),
        Recipient.for_user(opted_out),
        Recipient.for_user(bad_phone),
        no_account,
    ]
    return group_source


def draft(author, **kwargs):
    fields = {
        "source": "test_group",
        "audience": "ceramics",
        "subject": "Zmiana sali",
        "body": "Od wtorku sala 12.",
        "sms_text": "Od wtorku ceramika w sali 12.",
        "send_email": True,
        "send_sms": True,
    } | kwargs
    return broadcast_create(author=author, **fields)


def test_an_author_may_only_write_to_audiences_the_source_allows(households):
    stranger = UserFactory(roles=[Role.INSTRUCTOR])

    with pytest.raises(AudienceNotAllowedError):
        draft(stranger)

    assert Broadcast.objects.count() == 0


def test_the_preview_lists_each_household_once_with_its_channels_and_problems(
    households, instructor, settings
):
    settings.LANGUAGE_CODE = "en"
    broadcast = draft(instructor)

    preview = broadcast_preview(broadcast=broadcast)

    assert broadcast.audience_label == "Group ceramics"
    assert (preview.total, preview.reachable, preview.unreachable) == (5, 5, 0)
    assert (preview.email_count, preview.sms_count) == (4, 2)
    rows = {row.recipient.email: row for row in preview.rows}
    assert rows["b@example.pl"].problems == ["SMS: no phone number"]
    assert rows["c@example.pl"].problems == ["e-mail: unsubscribed"]
    assert rows["d@example.pl"].problems == ["The phone number is not valid."]
    assert rows["e@example.pl"].problems == ["SMS: no phone number"]


def test_sending_fans_out_one_row_per_person_and_channel_and_delivers(
    households, instructor, django_capture_on_commit_callbacks, sms_outbox
):
    broadcast = draft(instructor)
    preview = broadcast_preview(broadcast=broadcast)

    with django_capture_on_commit_callbacks(execute=True):
        broadcast_send(broadcast=broadcast, sent_by=instructor, fingerprint=preview.fingerprint)

    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipient_count, broadcast.recipients) == (
        BroadcastStatus.SENT,
        5,
        [],
    )
    rows = Notification.objects.filter(broadcast=broadcast)
    assert sorted(rows.values_list("address", "channel", "status")) == sorted(
        [
            ("a@example.pl", Channel.EMAIL, NotificationStatus.SENT),
            ("+48600100201", Channel.SMS, NotificationStatus.SENT),
            ("b@example.pl", Channel.EMAIL, NotificationStatus.SENT),
            ("+48600100203", Channel.SMS, NotificationStatus.SENT),
            ("d@example.pl", Channel.EMAIL, NotificationStatus.SENT),
            ("123", Channel.SMS, NotificationStatus.FAILED),
            ("e@example.pl", Channel.EMAIL, NotificationStatus.SENT),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.pl",
        "b@example.pl",
        "d@example.pl",
        "e@example.pl",
    ]
    assert {m.subject for m in mail.outbox} == {"Zmiana sali"}
    assert sorted(sms.to for sms in sms_outbox) == ["+48600100201", "+48600100203"]
    assert sms_outbox[0].text == "MOK, Group ceramics: Od wtorku ceramika w sali 12."


def test_a_changed_audience_since_the_preview_sends_nothing(households, instructor):
    broadcast = draft(instructor)
    preview = broadcast_preview(broadcast=broadcast)
    households.members["ceramics"].append(Recipient(email="new@example.pl"))

    with pytest.raises(BroadcastAudienceChangedError):
        broadcast_send(broadcast=broadcast, sent_by=instructor, fingerprint=preview.fingerprint)

    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipients) == (BroadcastStatus.DRAFT, [])
    assert Notification.objects.count() == 0


def test_an_audience_nobody_can_receive_is_refused(group_source, instructor):
    group_source.teachers["empty"] = {instructor.pk}
    broadcast = draft(instructor, audience="empty")
    preview = broadcast_preview(broadcast=broadcast)

    with pytest.raises(BroadcastEmptyAudienceError):
        broadcast_send(broadcast=broadcast, sent_by=instructor, fingerprint=preview.fingerprint)

    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DRAFT


def test_a_broadcast_is_sent_once(households, instructor, django_capture_on_commit_callbacks):
    broadcast = draft(instructor)
    fingerprint = broadcast_preview(broadcast=broadcast).fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_send(broadcast=broadcast, sent_by=instructor, fingerprint=fingerprint)
    sent = len(mail.outbox)

    with pytest.raises(BroadcastNotDraftError):
        broadcast_send(broadcast=broadcast, sent_by=instructor, fingerprint=fingerprint)

    assert len(mail.outbox) == sent


def test_fanning_out_again_adds_nothing(households, instructor, monkeypatch):
    monkeypatch.setattr("notifications.services.broadcasts.FAN_OUT_CHUNK", 2)
    broadcast = draft(instructor)
    broadcast_send(
        broadcast=broadcast,
        sent_by=instructor,
        fingerprint=broadcast_preview(broadcast=broadcast).fingerprint,
    )  # on_commit not run: the fan-out task is "lost"
    written = broadcast_fan_out(broadcast_id=broadcast.pk)
    rows = Notification.objects.count()
    # A re-delivered task, or one run by the sweeper, finds the broadcast done.
    Broadcast.objects.filter(pk=broadcast.pk).update(status=BroadcastStatus.QUEUED)
    broadcast.refresh_from_db()
    assert broadcast.recipients == []

    again = broadcast_fan_out(broadcast_id=broadcast.pk)

    assert (written, rows, again, Notification.objects.count()) == (7, 7, 0, 7)


class TestPages:
    def test_the_instructor_writes_previews_and_sends(
        self, client, households, instructor, django_capture_on_commit_callbacks
    ):
        client.force_login(instructor)

        form = client.get(reverse("notifications:broadcast-create"))
        assert form.status_code == 200
        created = client.post(
            reverse("notifications:broadcast-create"),
            {
                "audience": "test_group|ceramics",
                "subject": "Zmiana sali",
                "body": "Od wtorku sala 12.",
                "send_email": "on",
            },
        )
        broadcast = Broadcast.objects.get()
        assert created.status_code == 302
        assert created["Location"] == reverse("notifications:broadcast-detail", args=[broadcast.pk])

        preview = client.get(created["Location"])
        assert preview.status_code == 200
        assert preview.context["preview"].total == 5
        assert b"b@example.pl" in preview.content

        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(
                reverse("notifications:broadcast-send", args=[broadcast.pk]),
                {"fingerprint": preview.context["preview"].fingerprint},
            )
        assert sent.status_code == 302
        broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.SENT
        assert len(mail.outbox) == 4

    def test_an_audience_not_offered_to_the_author_is_a_form_error(self, client, households):
        other = UserFactory(roles=[Role.INSTRUCTOR])
        client.force_login(other)

        response = client.post(
            reverse("notifications:broadcast-create"),
            {"audience": "test_group|ceramics", "subject": "x", "body": "y", "send_email": "on"},
        )

        assert response.status_code == 200
        assert "audience" in response.context["form"].errors
        assert Broadcast.objects.count() == 0

    def test_someone_elses_broadcast_is_not_found(self, client, households, instructor):
        broadcast = draft(instructor)
        other = UserFactory(roles=[Role.INSTRUCTOR])
        client.force_login(other)

        shown = client.get(reverse("notifications:broadcast-detail", args=[broadcast.pk]))
        sent = client.post(
            reverse("notifications:broadcast-send", args=[broadcast.pk]), {"fingerprint": "x"}
        )

        assert (shown.status_code, sent.status_code) == (404, 404)
        broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.DRAFT

    @pytest.mark.parametrize("name", ["broadcast-list", "broadcast-create"])
    def test_a_guardian_finds_no_broadcast_pages(self, client, name):
        client.force_login(UserFactory(roles=[Role.GUARDIAN]))
        assert client.get(reverse(f"notifications:{name}")).status_code == 404

    def test_a_missing_broadcast_is_not_found(self, client, instructor):
        client.force_login(instructor)
        url = reverse("notifications:broadcast-detail", args=[999999])
        assert client.get(url).status_code == 404

    def test_a_stale_preview_is_sent_back_for_checking(
        self, client, households, instructor, settings
    ):
        settings.LANGUAGE_CODE = "en"
        broadcast = draft(instructor)
        client.force_login(instructor)

        response = client.post(
            reverse("notifications:broadcast-send", args=[broadcast.pk]),
            {"fingerprint": "0" * 64},
            follow=True,
        )

        broadcast.refresh_from_db()
        assert broadcast.status == BroadcastStatus.DRAFT
        assert [str(m) for m in response.context["messages"]] == [
            "The list of recipients changed since the preview. Check it again and send."
        ]


def test_the_broadcast_list_shows_own_broadcasts_in_constant_queries(
    client, instructor, django_assert_max_num_queries
):
    from .factories import BroadcastFactory

    other = UserFactory(roles=[Role.INSTRUCTOR])
    mine = BroadcastFactory(author=instructor)
    BroadcastFactory(author=other)
    client.force_login(instructor)
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("notifications:broadcast-list"))
    assert [b.pk for b in response.context["broadcasts"]] == [mine.pk]

    BroadcastFactory.create_batch(10, author=instructor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("notifications:broadcast-list"))
    assert len(response.context["broadcasts"]) == 11


def test_the_director_sees_every_broadcast(client):
    from .factories import BroadcastFactory

    BroadcastFactory.create_batch(2)
    client.force_login(UserFactory(roles=[Role.DIRECTOR]))

    response = client.get(reverse("notifications:broadcast-list"))

    assert len(response.context["broadcasts"]) == 2
