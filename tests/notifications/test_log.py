"""The delivery log for coordinators: searchable, constant queries, retry by hand."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications.exceptions import NotRetryableError
from notifications.kinds import Channel, Kind
from notifications.models import Notification, NotificationEventKind, NotificationStatus
from notifications.services import notification_retry

from .factories import BroadcastFactory, NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR])


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICE, Role.DIRECTOR])
def test_staff_see_the_log(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("notifications:log")).status_code == 200


@pytest.mark.parametrize("role", [Role.GUARDIAN, Role.INSTRUCTOR])
def test_others_find_no_log(client, role):
    row = NotificationFactory()
    client.force_login(UserFactory(roles=[role]))

    responses = [
        client.get(reverse("notifications:log")),
        client.get(reverse("notifications:log-detail", args=[row.pk])),
        client.post(reverse("notifications:log-retry", args=[row.pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_a_visitor_is_asked_to_log_in(client):
    response = client.get(reverse("notifications:log"))
    assert response.status_code == 302


def test_the_log_is_searchable(client, coordinator):
    anna = UserFactory(email="anna@example.pl", first_name="Anna", last_name="Nowak")
    failed = NotificationFactory(
        user=anna, status=NotificationStatus.FAILED, last_error="The phone number is not valid."
    )
    NotificationFactory(kind=Kind.FEE_DUE)
    sms = NotificationFactory(user=anna, channel=Channel.SMS, address="+48600100200")
    client.force_login(coordinator)

    def found(**query):
        response = client.get(reverse("notifications:log"), query)
        return {n.pk for n in response.context["notifications"]}

    assert found(q="anna@") == {failed.pk, sms.pk}
    assert found(q="600100200") == {sms.pk}
    assert found(status="failed") == {failed.pk}
    assert found(channel="sms") == {sms.pk}
    assert found(kind="fee_due", q="nowak") == set()
    assert found(q="nowak") == {failed.pk, sms.pk}


def test_the_log_filters_by_date_and_broadcast(client, coordinator):
    old = NotificationFactory(created_at=timezone.now() - dt.timedelta(days=10))
    new = NotificationFactory()
    broadcast = BroadcastFactory(status="sent")
    of_broadcast = NotificationFactory(broadcast=broadcast, kind=Kind.GROUP_BROADCAST)
    client.force_login(coordinator)
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    recent = client.get(reverse("notifications:log"), {"created_from": since})
    by_broadcast = client.get(reverse("notifications:log"), {"broadcast": broadcast.pk})

    assert {n.pk for n in recent.context["notifications"]} == {new.pk, of_broadcast.pk}
    assert [n.pk for n in by_broadcast.context["notifications"]] == [of_broadcast.pk]
    assert old.pk not in {n.pk for n in recent.context["notifications"]}


def test_the_log_takes_the_same_number_of_queries_for_more_rows(
    client, coordinator, django_assert_max_num_queries
):
    NotificationFactory.create_batch(3, broadcast=BroadcastFactory())
    client.force_login(coordinator)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications:log"))

    NotificationFactory.create_batch(40, broadcast=BroadcastFactory())
    NotificationFactory.create_batch(10, status=NotificationStatus.FAILED, last_error="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("notifications:log"))

    assert len(response.context["notifications"]) == 50


def test_the_detail_shows_the_history(client, coordinator):
    row = NotificationFactory(status=NotificationStatus.FAILED, last_error="Refused")
    client.force_login(coordinator)

    response = client.get(reverse("notifications:log-detail", args=[row.pk]))

    assert response.status_code == 200
    assert response.context["notification"] == row
    assert response.context["can_retry"] is True


def test_a_failed_message_is_sent_again_by_hand_with_the_corrected_address(
    client, coordinator, django_capture_on_commit_callbacks, sms_outbox
):
    parent = UserFactory(phone="123")
    row = NotificationFactory(
        user=parent,
        channel=Channel.SMS,
        address="123",
        status=NotificationStatus.FAILED,
        attempts=1,
        last_error="The phone number is not valid.",
    )
    parent.phone = "600 100 200"
    parent.save()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:log-retry", args=[row.pk]))

    row.refresh_from_db()
    assert response.status_code == 302
    assert (row.status, row.address, row.attempts) == (NotificationStatus.SENT, "+48600100200", 1)
    assert [sms.to for sms in sms_outbox] == ["+48600100200"]
    events = list(row.events.values_list("event", "actor"))
    assert events == [
        (NotificationEventKind.RETRIED, coordinator.pk),
        (NotificationEventKind.SENT, None),
    ]


def test_an_explicit_address_that_is_valid_is_kept_on_retry(django_capture_on_commit_callbacks):
    row = NotificationFactory(
        address="inny@example.pl", status=NotificationStatus.FAILED, last_error="550 No such user"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(notification=row, actor=None)
    row.refresh_from_db()
    assert (row.status, row.address) == (NotificationStatus.SENT, "inny@example.pl")
    assert mail.outbox[0].to == ["inny@example.pl"]


@pytest.mark.parametrize(
    "status", [NotificationStatus.PENDING, NotificationStatus.SENT, NotificationStatus.CANCELLED]
)
def test_only_a_failed_message_can_be_retried_and_nothing_changes_otherwise(
    status, coordinator, client
):
    row = NotificationFactory(status=status, sent_at=timezone.now())
    before = Notification.objects.values().get(pk=row.pk)

    with pytest.raises(NotRetryableError):
        notification_retry(notification=row, actor=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("notifications:log-retry", args=[row.pk]))

    assert response.status_code == 302
    assert Notification.objects.values().get(pk=row.pk) == before
    assert row.events.count() == 0
