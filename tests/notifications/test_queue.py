"""Queueing: rows written in the caller's transaction, one per channel, once per dedupe key."""

import datetime as dt
import math

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications.exceptions import (
    InvalidNotificationError,
    OutsideTransactionError,
    UnknownKindError,
)
from notifications.kinds import Channel, Kind
from notifications.models import Notification, NotificationStatus
from notifications.recipients import Recipient
from notifications.services import QueueRequest, notification_queue, notifications_queue_many

from .factories import PreferenceFactory, UserFactory
from .samples import CONTEXTS

pytestmark = pytest.mark.django_db


def queue(recipient, kind=Kind.MEETING_CANCELLED, key="meeting:1:cancelled", **kwargs):
    if "context" not in kwargs:
        kwargs["context"] = CONTEXTS[kind]
    return notification_queue(recipient=recipient, kind=kind, dedupe_key=key, **kwargs)


def test_an_essential_message_goes_by_its_default_channels_and_is_sent_after_commit(
    django_capture_on_commit_callbacks, sms_outbox
):
    parent = UserFactory(email="anna@example.pl", phone="600 100 200", language="pl")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = queue(parent)
        # Nothing leaves before the business transaction commits.
        assert mail.outbox == []
        assert sms_outbox == []

    assert len(callbacks) == 1
    assert [(row.channel, row.address) for row in rows] == [
        (Channel.EMAIL, "anna@example.pl"),
        (Channel.SMS, "+48600100200"),
    ]
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert [message.to for message in mail.outbox] == [["anna@example.pl"]]
    assert [sms.to for sms in sms_outbox] == ["+48600100200"]


def test_queueing_the_same_key_again_returns_the_same_rows_and_sends_nothing_more(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory(phone="")
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(parent)
    with django_capture_on_commit_callbacks(execute=True):
        second = queue(parent)

    assert [row.pk for row in second] == [row.pk for row in first]
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_row_is_part_of_the_callers_transaction_and_rolls_back_with_it(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(parent)
        raise RuntimeError("the business change failed")

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_queueing_outside_a_transaction_is_refused(transactional_db):
    parent = UserFactory()

    with pytest.raises(OutsideTransactionError):
        queue(parent)

    assert Notification.objects.count() == 0


def test_a_message_due_later_waits_for_the_sweeper(django_capture_on_commit_callbacks):
    parent = UserFactory(phone="")
    due = timezone.now() + dt.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (row,) = queue(
            parent,
            kind=Kind.MEETING_REMINDER,
            key="reminder:1",
            channels=[Channel.EMAIL],
            due_at=due,
        )

    assert callbacks == []
    assert (row.status, row.due_at, row.next_attempt_at) == (NotificationStatus.PENDING, due, due)
    assert mail.outbox == []


def test_a_message_due_now_is_left_to_the_sweeper_only_after_the_grace(settings):
    settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS = 60
    now = timezone.now()

    with transaction.atomic():
        (row,) = notifications_queue_many(
            requests=[
                QueueRequest(
                    recipient=UserFactory(phone=""),
                    kind=Kind.ENROLLMENT_ACCEPTED,
                    context=CONTEXTS[Kind.ENROLLMENT_ACCEPTED],
                    dedupe_key="enrollment:1",
                )
            ],
            now=now,
        )

    assert row.next_attempt_at == now + dt.timedelta(seconds=60)


def test_the_language_is_the_recipients_unless_the_caller_names_one():
    english = UserFactory(language="en", phone="")
    with transaction.atomic():
        (own,) = queue(english, key="a")
        (chosen,) = queue(english, key="b", language="pl")
    assert (own.language, chosen.language) == ("en", "pl")


def test_an_opt_in_kind_sends_nothing_until_the_person_switches_a_channel_on():
    parent = UserFactory()
    PreferenceFactory(user=parent, kind=Kind.MEETING_REMINDER, channel=Channel.SMS, enabled=True)
    other = UserFactory()

    with transaction.atomic():
        opted_in = queue(parent, kind=Kind.MEETING_REMINDER, key="reminder:parent")
        default = queue(other, kind=Kind.MEETING_REMINDER, key="reminder:other")

    assert [row.channel for row in opted_in] == [Channel.SMS]
    assert default == []


def test_a_switched_off_channel_is_left_out_but_essential_channels_are_not():
    parent = UserFactory()
    PreferenceFactory(user=parent, kind=Kind.FEE_DUE, channel=Channel.EMAIL, enabled=False)
    # A stale row claiming to switch off an essential kind changes nothing.
    PreferenceFactory(user=parent, kind=Kind.MEETING_CANCELLED, channel=Channel.SMS, enabled=False)

    with transaction.atomic():
        fee = queue(parent, kind=Kind.FEE_DUE, key="fee:1")
        cancelled = queue(parent, kind=Kind.MEETING_CANCELLED, key="meeting:1")

    assert fee == []
    assert [row.channel for row in cancelled] == [Channel.EMAIL, Channel.SMS]


def test_a_recipient_without_any_address_gets_one_failed_row_with_the_reason(settings):
    settings.LANGUAGE_CODE = "en"
    nobody = Recipient(name="Jan Bez Kontaktu")

    with transaction.atomic():
        (row,) = queue(nobody)

    assert (row.status, row.channel, row.address, row.recipient_name, row.last_error) == (
        NotificationStatus.FAILED,
        Channel.EMAIL,
        "",
        "Jan Bez Kontaktu",
        "The recipient has no e-mail address or phone number.",
    )


def test_a_missing_phone_skips_sms_when_e_mail_reaches_the_person():
    parent = UserFactory(phone="")
    with transaction.atomic():
        rows = queue(parent)
    assert [(row.channel, row.status) for row in rows] == [
        (Channel.EMAIL, NotificationStatus.PENDING)
    ]


def test_an_explicit_channel_without_an_address_is_a_failed_row(settings):
    settings.LANGUAGE_CODE = "en"
    parent = UserFactory(phone="")
    with transaction.atomic():
        (row,) = queue(parent, channels=[Channel.SMS])
    assert (row.channel, row.status, row.last_error) == (
        Channel.SMS,
        NotificationStatus.FAILED,
        "The recipient has no phone number.",
    )


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("12345", "The phone number is not valid."),
        ("+48 61 852 10 00", "The phone number is not a mobile number, so it cannot receive SMS."),
    ],
)
def test_an_invalid_or_landline_phone_is_a_failed_sms_row_and_e_mail_still_goes(
    phone, reason, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"
    parent = UserFactory(phone=phone)

    with django_capture_on_commit_callbacks(execute=True):
        rows = queue(parent)

    by_channel = {row.channel: row for row in Notification.objects.all()}
    assert {row.channel for row in rows} == {Channel.EMAIL, Channel.SMS}
    assert by_channel[Channel.SMS].status == NotificationStatus.FAILED
    assert by_channel[Channel.SMS].last_error == reason
    assert by_channel[Channel.SMS].address == phone
    assert by_channel[Channel.EMAIL].status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "no_such_kind"}, UnknownKindError),
        ({"context": {"activity_name": "Ceramika"}}, InvalidNotificationError),
        (
            {"context": {**CONTEXTS[Kind.MEETING_CANCELLED], "x": object()}},
            InvalidNotificationError,
        ),
        ({"key": "spaces are not allowed"}, InvalidNotificationError),
        ({"key": ""}, InvalidNotificationError),
        ({"channels": ["fax"]}, InvalidNotificationError),
        ({"channels": "email"}, InvalidNotificationError),
        ({"language": "de"}, InvalidNotificationError),
        ({"due_at": dt.datetime(2026, 3, 1, 10, 0)}, InvalidNotificationError),
    ],
)
def test_a_programming_error_in_the_request_raises_and_writes_nothing(kwargs, error):
    parent = UserFactory()
    kind = kwargs.pop("kind", Kind.MEETING_CANCELLED)
    context = kwargs.pop("context", CONTEXTS[Kind.MEETING_CANCELLED])

    with pytest.raises(error), transaction.atomic():
        queue(parent, kind=kind, context=context, **kwargs)

    assert Notification.objects.count() == 0


def test_the_context_is_stored_as_the_worker_will_read_it():
    with transaction.atomic():
        (row,) = queue(UserFactory(phone=""), kind=Kind.FEE_DUE, key="fee:2")
    row.refresh_from_db()
    assert row.context["amount"] == "1240.50"
    assert row.context["due_on"] == "2026-03-10"


def test_queueing_many_takes_a_fixed_number_of_queries_per_insert_batch(
    django_assert_num_queries,
):
    def requests(prefix, count):
        return [
            QueueRequest(
                recipient=Recipient(email=f"{prefix}{n}@example.pl", name=f"Osoba {n}"),
                kind=Kind.PAYMENT_RECEIVED,
                context=CONTEXTS[Kind.PAYMENT_RECEIVED],
                dedupe_key=f"{prefix}:{n}",
            )
            for n in range(count)
        ]

    def inserts(count):
        # SQLite caps the parameters of one statement, so Django splits a bulk insert.
        fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
        batch = min(500, connection.ops.bulk_batch_size(fields, [None] * count))
        return math.ceil(count / batch)

    with transaction.atomic():
        # opt-outs by address, the insert(s), reading the rows back
        with django_assert_num_queries(2 + inserts(3)):
            few = notifications_queue_many(requests=requests("few", 3))
        with django_assert_num_queries(2 + inserts(300)):
            many = notifications_queue_many(requests=requests("many", 300))

    assert (len(few), len(many)) == (3, 300)
