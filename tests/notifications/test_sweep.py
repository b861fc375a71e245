"""The sweeper hands waiting messages to the workers when their time has come."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from notifications.services import notifications_sweep
from notifications.tasks import notifications_sweep_task

from .factories import BroadcastFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def test_due_waiting_messages_are_sent_and_the_rest_left_alone(
    django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATIONS_SWEEP_LEASE_SECONDS = 300
    now = timezone.now()
    due = NotificationFactory(due_at=now - dt.timedelta(minutes=5), next_attempt_at=now)
    fresh = NotificationFactory(due_at=now, next_attempt_at=now + dt.timedelta(seconds=60))
    later = NotificationFactory(
        due_at=now + dt.timedelta(hours=1), next_attempt_at=now + dt.timedelta(hours=1)
    )
    failed = NotificationFactory(status=NotificationStatus.FAILED, next_attempt_at=now)

    with django_capture_on_commit_callbacks(execute=True):
        result = notifications_sweep(now=now)

    assert (result.notifications, result.broadcasts) == (1, 0)
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: NotificationStatus.SENT,
        fresh.pk: NotificationStatus.PENDING,
        later.pk: NotificationStatus.PENDING,
        failed.pk: NotificationStatus.FAILED,
    }
    assert len(mail.outbox) == 1


def test_a_swept_message_is_not_picked_again_before_the_lease_ends(settings):
    """If its task is lost (broker down), the next sweep after the lease tries again."""
    settings.NOTIFICATIONS_SWEEP_LEASE_SECONDS = 300
    now = timezone.now()
    row = NotificationFactory(due_at=now, next_attempt_at=now)

    # The broker is "down": the after-commit publish never runs (callbacks not executed).
    first = notifications_sweep(now=now)
    again = notifications_sweep(now=now + dt.timedelta(seconds=299))
    after_lease = notifications_sweep(now=now + dt.timedelta(seconds=300))

    row.refresh_from_db()
    assert (first.notifications, again.notifications, after_lease.notifications) == (1, 0, 1)
    assert row.next_attempt_at == now + dt.timedelta(seconds=600)


def test_a_reminder_goes_out_when_it_is_due(django_capture_on_commit_callbacks):
    due_at = timezone.now() - dt.timedelta(seconds=1)
    row = NotificationFactory(due_at=due_at, next_attempt_at=due_at)

    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep(now=due_at - dt.timedelta(hours=20))
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep(now=due_at)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT


def test_a_broadcast_stuck_before_fan_out_is_handed_out_again(
    django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS = 60
    now = timezone.now()
    stuck = BroadcastFactory(status="queued", queued_at=now - dt.timedelta(minutes=2))
    BroadcastFactory(status="queued", queued_at=now)  # still within its grace
    BroadcastFactory(status="sent", queued_at=now - dt.timedelta(minutes=2))
    published = []
    monkeypatch.setattr("notifications.services.broadcasts._publish_fan_out", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        result = notifications_sweep(now=now)

    assert result.broadcasts == 1
    assert published == [stuck.pk]


def test_the_sweep_task_reports_what_it_handed_out():
    now = timezone.now()
    NotificationFactory(due_at=now, next_attempt_at=now - dt.timedelta(seconds=1))

    assert notifications_sweep_task.delay().get() == {"notifications": 1, "broadcasts": 0}
