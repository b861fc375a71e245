"""Sending one message: lock, render in the recipient's language, send, record; and every way
it can go wrong without stopping the worker."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.channels import Outbound
from notifications.kinds import Channel, Kind
from notifications.models import Notification, NotificationEventKind, NotificationStatus
from notifications.services import (
    Outcome,
    backoff,
    notification_queue,
    notification_send,
    notifications_send_batch,
)
from notifications.tokens import unsubscribe_token

from .conftest import BASE_URL
from .factories import NotificationFactory, PreferenceFactory, UserFactory
from .samples import CONTEXTS

pytestmark = pytest.mark.django_db


def queued(user, kind=Kind.MEETING_CANCELLED, key="k:1", channels=(Channel.EMAIL,), **kwargs):
    with transaction.atomic():
        (row,) = notification_queue(
            recipient=user,
            kind=kind,
            context=kwargs.pop("context", CONTEXTS[kind]),
            dedupe_key=key,
            channels=list(channels),
            **kwargs,
        )
    return row


def test_an_e_mail_has_text_and_html_in_the_recipients_language_and_a_stable_message_id(settings):
    settings.LANGUAGE_CODE = "en"
    row = queued(UserFactory(language="pl", email="anna@example.pl"))

    result = notification_send(notification_id=row.pk)

    row.refresh_from_db()
    (message,) = mail.outbox
    assert result.outcome == Outcome.SENT
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")
    assert (
        message.subject == "Odwołane zajęcia: Zespół Pieśni i Tańca „Leszczyniacy”, 14 marca, 10:00"
    )
    assert message.to == ["anna@example.pl"]
    assert message.from_email == "Miejski Ośrodek Kultury <mok@example.pl>"
    assert "Zajęcia Zespół Pieśni i Tańca „Leszczyniacy”" in message.body
    assert "sobota, 14 marca 2026, godz. 10:00" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="pl">' in html
    assert message.extra_headers["Message-ID"] == f"<notification-{row.public_id}@example.pl>"
    assert row.provider_id == message.extra_headers["Message-ID"]
    assert message.extra_headers["X-MOK-Dedupe-Key"] == "k:1"
    # Essential: no way to unsubscribe.
    assert "List-Unsubscribe" not in message.extra_headers
    assert list(row.events.values_list("event", flat=True)) == [NotificationEventKind.SENT]


def test_an_english_speaker_gets_the_english_template():
    row = queued(UserFactory(language="en", first_name="Anna", last_name="Smith"))

    notification_send(notification_id=row.pk)

    (message,) = mail.outbox
    assert message.subject == "Cancelled: Zespół Pieśni i Tańca „Leszczyniacy”, 14 March, 10:00"
    assert message.body.startswith("Hello Anna Smith,\n\nThe meeting of")
    assert "Saturday, 14 March 2026 at 10:00" in message.body


def test_a_message_that_can_be_switched_off_carries_one_click_unsubscribe():
    row = queued(UserFactory(phone=""), kind=Kind.FEE_DUE, channels=[Channel.EMAIL])

    notification_send(notification_id=row.pk)

    (message,) = mail.outbox
    url = f"{BASE_URL}/notifications/unsubscribe/{unsubscribe_token(row.public_id)}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    assert f'href="{url}"' in message.alternatives[0][0]


def test_an_html_e_mail_escapes_what_people_wrote():
    row = queued(
        UserFactory(),
        kind=Kind.GROUP_BROADCAST,
        context=CONTEXTS[Kind.GROUP_BROADCAST],
    )

    notification_send(notification_id=row.pk)

    (message,) = mail.outbox
    assert "&lt;b&gt;buty&lt;/b&gt;" in message.alternatives[0][0]
    assert "<b>buty</b>" in message.body  # plain text stays as written


def test_an_sms_is_short_and_written_without_polish_diacritics(sms_outbox):
    row = queued(UserFactory(phone="600 100 200"), channels=[Channel.SMS])

    notification_send(notification_id=row.pk)

    row.refresh_from_db()
    (sms,) = sms_outbox
    assert sms.to == "+48600100200"
    assert sms.text == (
        'MOK: ODWOLANE zajecia Zespol Piesni i Tanca "Leszczyniacy", gr. Grupa mlodsza (7-9 lat), '
        "14.03 godz. 10:00. Choroba instruktorki."
    )
    assert sms.reference == row.public_id.hex
    assert (row.status, row.segments) == (NotificationStatus.SENT, 1)


def test_sending_again_does_nothing_once_it_is_sent():
    row = queued(UserFactory())
    notification_send(notification_id=row.pk)

    second = notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert second.outcome == Outcome.SKIPPED
    assert len(mail.outbox) == 1
    assert (row.attempts, row.events.count()) == (1, 1)


def test_a_message_that_is_not_due_yet_is_not_sent():
    row = queued(UserFactory(), due_at=timezone.now() + dt.timedelta(hours=3))

    result = notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert (result.outcome, row.status, row.attempts) == (
        Outcome.SKIPPED,
        NotificationStatus.PENDING,
        0,
    )
    assert mail.outbox == []


def test_an_unknown_id_is_skipped():
    assert notification_send(notification_id=987654).outcome == Outcome.SKIPPED


def test_a_broken_template_fails_only_that_message(monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"
    broken = queued(UserFactory(language="pl"), key="broken")
    fine = queued(UserFactory(language="en"), key="fine")
    from notifications import rendering

    real = rendering.template_name
    monkeypatch.setattr(
        rendering,
        "template_name",
        lambda kind, language, part: (
            "notifications/messages/_missing.txt"
            if language == "pl"
            else real(kind, language, part)
        ),
    )

    results = notifications_send_batch(notification_ids=[broken.pk, fine.pk])

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.SENT]
    assert broken.status == NotificationStatus.FAILED
    assert broken.last_error == (
        "Template notifications/messages/_missing.txt: "
        "TemplateDoesNotExist: notifications/messages/_missing.txt"
    )
    assert fine.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


def test_a_temporary_smtp_error_keeps_the_message_waiting_with_a_backoff(failing_backend, settings):
    settings.LANGUAGE_CODE = "en"
    failing_backend.error = smtplib.SMTPResponseException(451, b"Try again later")
    row = queued(UserFactory())
    now = timezone.now()

    result = notification_send(notification_id=row.pk, now=now)

    row.refresh_from_db()
    assert (result.outcome, result.retry_in) == (Outcome.RETRY, 30.0)
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert row.retry_after == now + dt.timedelta(seconds=30)
    assert row.last_error == "E-mail server answered: 451 Try again later"
    assert list(row.events.values_list("event", flat=True)) == [NotificationEventKind.ERROR]
    # Before the backoff is over, nothing is tried.
    assert notification_send(notification_id=row.pk, now=now).outcome == Outcome.SKIPPED


def test_after_the_last_attempt_a_temporary_error_fails_the_message(failing_backend, settings):
    settings.LANGUAGE_CODE = "en"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    failing_backend.error = smtplib.SMTPServerDisconnected("gone")
    row = queued(UserFactory())
    now = timezone.now()

    outcomes = []
    for attempt in range(3):
        outcomes.append(notification_send(notification_id=row.pk, now=now).outcome)
        now += backoff(attempt + 1)

    row.refresh_from_db()
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert row.last_error == (
        "Gave up after 3 attempts: E-mail server unavailable: SMTPServerDisconnected: gone"
    )


def test_a_refused_recipient_fails_at_once(failing_backend, settings):
    settings.LANGUAGE_CODE = "en"
    failing_backend.error = smtplib.SMTPRecipientsRefused(
        {"anna@example.pl": (550, b"No such user")}
    )
    row = queued(UserFactory(email="anna@example.pl"))

    result = notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert result.outcome == Outcome.FAILED
    assert (row.status, row.last_error) == (
        NotificationStatus.FAILED,
        "E-mail server refused the recipient: 550 No such user",
    )


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [
        30,
        60,
        120,
        240,
        3600,
        3600,
    ]


def test_a_long_backoff_is_left_to_the_sweeper(failing_backend):
    failing_backend.error = smtplib.SMTPResponseException(421, b"busy")
    row = NotificationFactory(attempts=5)
    now = timezone.now()

    result = notification_send(notification_id=row.pk, now=now)

    row.refresh_from_db()
    assert (result.outcome, result.retry_in) == (Outcome.RETRY, None)
    assert row.retry_after == now + dt.timedelta(seconds=960)
    assert row.next_attempt_at == row.retry_after


def test_a_person_who_unsubscribed_after_queueing_gets_nothing(settings):
    settings.LANGUAGE_CODE = "en"
    parent = UserFactory()
    row = queued(parent, kind=Kind.FEE_DUE)
    PreferenceFactory(user=parent, kind=Kind.FEE_DUE, channel=Channel.EMAIL, enabled=False)

    result = notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert result.outcome == Outcome.CANCELLED
    assert (row.status, row.last_error) == (
        NotificationStatus.CANCELLED,
        "The recipient unsubscribed from these messages.",
    )
    assert mail.outbox == []


def test_a_batch_reuses_one_smtp_connection(failing_backend):
    rows = [queued(UserFactory(), key=f"batch:{n}") for n in range(5)]

    results = notifications_send_batch(notification_ids=[row.pk for row in rows])

    assert [r.outcome for r in results] == [Outcome.SENT] * 5
    assert failing_backend.opened == 1
    assert len(mail.outbox) == 5


def test_an_unreachable_server_does_not_make_the_rest_of_the_batch_wait(failing_backend, settings):
    settings.LANGUAGE_CODE = "en"
    failing_backend.open_error = ConnectionRefusedError(111, "Connection refused")
    rows = [queued(UserFactory(), key=f"down:{n}") for n in range(3)]

    results = notifications_send_batch(notification_ids=[row.pk for row in rows])

    assert [r.outcome for r in results] == [Outcome.RETRY] * 3
    assert failing_backend.opened == 1  # one try to connect, not one per message
    assert set(Notification.objects.values_list("status", "attempts", "last_error")) == {
        (
            NotificationStatus.PENDING,
            1,
            "E-mail server unavailable: ConnectionRefusedError: [Errno 111] Connection refused",
        )
    }


def test_a_batch_sends_each_id_once_even_if_listed_twice():
    row = queued(UserFactory())

    results = notifications_send_batch(notification_ids=[row.pk, row.pk, row.pk])

    assert [r.outcome for r in results] == [Outcome.SENT]
    assert len(mail.outbox) == 1


def test_a_used_up_rate_limit_defers_the_rest_of_the_batch_and_changes_nothing(settings):
    settings.NOTIFICATIONS_RATE_LIMITS = {"email": "2/h", "sms": ""}
    rows = [queued(UserFactory(), key=f"rate:{n}") for n in range(4)]

    results = notifications_send_batch(notification_ids=[row.pk for row in rows])

    assert [r.outcome for r in results] == [
        Outcome.SENT,
        Outcome.SENT,
        Outcome.DEFERRED,
        Outcome.DEFERRED,
    ]
    assert all(r.retry_in and r.retry_in > 2 for r in results[2:])
    assert len(mail.outbox) == 2
    waiting = Notification.objects.filter(pk__in=[rows[2].pk, rows[3].pk])
    assert set(waiting.values_list("status", "attempts")) == {(NotificationStatus.PENDING, 0)}


def test_the_outbound_opens_nothing_it_does_not_use():
    with Outbound() as outbound:
        pass
    assert outbound.email_opens == 0


def test_a_chunk_is_read_once_then_each_message_is_locked_and_written():
    """Round trips per message: the chunk's first look is one query for all; each message is
    its lock and one write (row marked sent and its event, in one statement on PostgreSQL),
    between the transaction's begin and commit (savepoints here, inside the test's transaction)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [queued(UserFactory(), key=f"k:{n}") for n in range(3)]
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")

    with CaptureQueriesContext(connection) as queries:
        results = notifications_send_batch(notification_ids=[row.pk for row in rows])

    statements = [q["sql"] for q in queries if not q["sql"].startswith(control)]
    writes_per_message = 1 if connection.vendor == "postgresql" else 2
    assert [r.outcome for r in results] == [Outcome.SENT] * 3
    assert len(statements) == 1 + 3 * (1 + writes_per_message)
    for row in rows:
        row.refresh_from_db()
        assert (row.status, row.attempts, row.segments, row.retry_after) == (
            NotificationStatus.SENT,
            1,
            None,
            None,
        )
        assert row.updated_at >= row.sent_at
        assert list(row.events.values_list("event", "detail", "actor")) == [
            (NotificationEventKind.SENT, "", None)
        ]


def test_the_locked_row_reads_as_the_orm_reads_it():
    """On PostgreSQL the lock is a hand-written query; what it loads must be the ORM's."""
    from notifications.services.dispatch import SEND_FIELDS, lock_pending

    row = queued(UserFactory(language="en"), context={**CONTEXTS[Kind.MEETING_CANCELLED]})
    expected = Notification.objects.only(*SEND_FIELDS).get(pk=row.pk)

    with transaction.atomic():
        locked = lock_pending(row.pk)
        assert lock_pending(row.pk + 1000) is None

    assert isinstance(locked, Notification)
    assert locked.get_deferred_fields() == expected.get_deferred_fields()
    for name in SEND_FIELDS:
        assert getattr(locked, name) == getattr(expected, name), name
    assert isinstance(locked.context, dict) and locked.context
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now()
    )
    with transaction.atomic():
        assert lock_pending(row.pk) is None
