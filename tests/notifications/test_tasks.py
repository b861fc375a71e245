"""Tasks: ids in, safe to run twice; publishing never breaks the business change."""

import smtplib
import socket
import time

import pytest
from django.core import mail
from django.db import transaction

from notifications.kinds import Channel, Kind
from notifications.models import Notification, NotificationStatus
from notifications.services import Outcome, SendResult, dispatch_now, notification_queue
from notifications.tasks import _follow_up, notification_send_task, notifications_send_batch_task

from .celery_helpers import publishing_to
from .factories import NotificationFactory, UserFactory
from .samples import CONTEXTS

pytestmark = pytest.mark.django_db


def test_the_same_task_twice_sends_once():
    row = NotificationFactory()

    first = notification_send_task.delay(row.pk).get()
    second = notification_send_task.delay(row.pk).get()

    assert (first, second) == ({"sent": 1}, {"skipped": 1})
    assert len(mail.outbox) == 1


def test_the_batch_task_counts_outcomes():
    rows = [NotificationFactory(), NotificationFactory(address=""), NotificationFactory()]

    counts = notifications_send_batch_task.delay([row.pk for row in rows]).get()

    assert counts == {"sent": 2, "failed": 1}


def test_a_temporary_error_run_eagerly_does_not_loop(failing_backend):
    failing_backend.error = smtplib.SMTPServerDisconnected("gone")
    row = NotificationFactory()

    assert notification_send_task.delay(row.pk).get() == {"retry": 1}

    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)


class _Task:
    class request:
        is_eager = False


def test_short_waits_are_handed_back_to_a_worker_with_a_countdown(monkeypatch):
    published = []
    monkeypatch.setattr(
        "notifications.tasks.dispatch_now",
        lambda ids, countdown=None: published.append((ids, countdown)),
    )

    counts = _follow_up(
        _Task,
        [
            SendResult(1, Outcome.RETRY, 30.0),
            SendResult(2, Outcome.DEFERRED, 0.4),
            SendResult(3, Outcome.DEFERRED, 0.4),
            SendResult(4, Outcome.RETRY, None),  # a long wait: the sweeper's
            SendResult(5, Outcome.SENT),
        ],
    )

    assert counts == {"retry": 2, "deferred": 2, "sent": 1}
    assert sorted(published) == [([1], 30.0), ([2, 3], 0.4)]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_the_broker_down_the_business_change_commits_and_the_row_waits(
    django_capture_on_commit_callbacks,
):
    parent = UserFactory(phone="")
    with publishing_to(f"redis://127.0.0.1:{_closed_port()}/0"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            parent.first_name = "Zmieniona"  # the business change
            parent.save()
            (row,) = notification_queue(
                recipient=parent,
                kind=Kind.MEETING_CANCELLED,
                context=CONTEXTS[Kind.MEETING_CANCELLED],
                dedupe_key="meeting:9",
            )
        elapsed = time.monotonic() - started

    parent.refresh_from_db()
    row.refresh_from_db()
    assert parent.first_name == "Zmieniona"
    assert (row.status, row.channel) == (NotificationStatus.PENDING, Channel.EMAIL)
    assert elapsed < 5  # publishing gives up quickly; the sweeper will send it
    assert mail.outbox == []


def test_dispatch_reports_a_broker_outage():
    with publishing_to(f"redis://127.0.0.1:{_closed_port()}/0"):
        assert dispatch_now([1, 2, 3]) is False
    assert Notification.objects.count() == 0
