"""Concurrent deliveries of one message, against PostgreSQL's row locks, with a negative
control: without the lock the same race sends the message more than once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from notifications.models import Notification, NotificationStatus
from notifications.services import Outcome, notification_send

from .factories import NotificationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SENDERS = 4


def race(notification_id: int) -> list[Outcome]:
    barrier = threading.Barrier(SENDERS)

    def send(_):
        barrier.wait()
        try:
            return notification_send(notification_id=notification_id).outcome
        finally:
            connection.close()

    with ThreadPoolExecutor(SENDERS) as pool:
        return list(pool.map(send, range(SENDERS)))


@pytest.fixture
def slow_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"


def test_concurrent_deliveries_send_once(slow_mail):
    row = NotificationFactory()

    outcomes = race(row.pk)

    row.refresh_from_db()
    assert sorted(outcomes) == sorted([Outcome.SENT] + [Outcome.SKIPPED] * (SENDERS - 1))
    assert len(mail.outbox) == 1
    assert (row.status, row.attempts, row.events.count()) == (NotificationStatus.SENT, 1, 1)


def test_negative_control_without_the_row_lock_the_race_sends_twice(slow_mail, monkeypatch):
    row = NotificationFactory()

    def lock_nothing(notification_id):
        return Notification.objects.filter(pk=notification_id, status="pending").first()

    monkeypatch.setattr("notifications.services.dispatch.lock_pending", lock_nothing)

    outcomes = race(row.pk)

    assert outcomes.count(Outcome.SENT) > 1
    assert len(mail.outbox) > 1
