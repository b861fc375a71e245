"""The admin shows the outbox read-only and retries failed messages in bulk."""

import pytest
from django.urls import reverse

from notifications.models import NotificationStatus

from .factories import BroadcastFactory, NotificationFactory, PreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("name", ["notification", "broadcast", "preference", "addressoptout"])
def test_the_admin_pages_open(admin_client, name):
    NotificationFactory(broadcast=BroadcastFactory())
    PreferenceFactory()
    assert admin_client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200


def test_a_notification_cannot_be_added_or_edited_in_the_admin(admin_client):
    row = NotificationFactory()
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403
    page = admin_client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert page.status_code == 200
    assert b'name="address"' not in page.content


def test_failed_messages_are_retried_in_bulk(admin_client, django_capture_on_commit_callbacks):
    failed = NotificationFactory.create_batch(2, status=NotificationStatus.FAILED)
    sent = NotificationFactory(status=NotificationStatus.SENT, sent_at="2026-03-01T10:00Z")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:notifications_notification_changelist"),
            {
                "action": "retry_failed",
                "_selected_action": [row.pk for row in [*failed, sent]],
            },
        )

    for row in failed:
        row.refresh_from_db()
        assert row.status == NotificationStatus.SENT
    sent.refresh_from_db()
    assert sent.attempts == 0
