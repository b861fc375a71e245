"""The outbox against a real broker and real worker processes: a broker outage loses nothing,
a killed worker repeats nothing, a task delivered many times at once sends once.

Each test starts its own redis-server (the shared one on 6379 is never stopped) and
`celery -A config worker --beat` subprocesses on this test's PostgreSQL database; the worker's
e-mail backend records messages in a table of that database (tests/notifications/mailbox.py).
"""

import re
import time

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.kinds import Channel, Kind
from notifications.models import Broadcast, BroadcastStatus, Notification, NotificationStatus
from notifications.recipients import Recipient
from notifications.selectors import broadcast_preview
from notifications.services import broadcast_create, broadcast_send, notification_queue
from notifications.tasks import notification_send_task, notifications_send_batch_task

from .celery_helpers import publishing_to
from .factories import NotificationFactory, UserFactory
from .live import RedisServer, Worker, wait_for
from .mailbox import mailbox_counts, mailbox_create, mailbox_drop, mailbox_total
from .samples import CONTEXTS

SUCCEEDED = re.compile(r" succeeded in [0-9.e-]+s: (.*)$")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(transactional_db):
    mailbox_create()
    yield
    mailbox_drop()


@pytest.fixture
def workers(mailbox, redis_server, tmp_path):
    started: list[Worker] = []

    def start(**env) -> Worker:
        worker = Worker(broker_url=redis_server.url, directory=tmp_path, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Notification.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_message_queued_while_the_broker_is_down_goes_out_once_it_is_back(
    redis_server, workers, settings
):
    settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS = 1
    worker = workers()
    parent = UserFactory(phone="")

    with publishing_to(redis_server.url):
        redis_server.stop()
        with transaction.atomic():
            parent.first_name = "Zmieniona"  # the business change
            parent.save()
            (row,) = notification_queue(
                recipient=parent,
                kind=Kind.MEETING_CANCELLED,
                context=CONTEXTS[Kind.MEETING_CANCELLED],
                dedupe_key="outage:meeting:1",
            )
        parent.refresh_from_db()
        assert parent.first_name == "Zmieniona"
        time.sleep(2)
        assert mailbox_total() == 0

        redis_server.start()
        wait_for(
            lambda: mailbox_total() >= 1,
            timeout=90,
            what=f"the message after the outage\n{worker.tail()}",
        )
        time.sleep(3)  # nothing else may arrive: no second send from a second path

    row.refresh_from_db()
    assert mailbox_counts() == {"outage:meeting:1": 1}
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def test_a_worker_killed_while_it_sends_a_broadcast_loses_and_repeats_nothing(
    redis_server, workers, group_source
):
    total = 120
    coordinator = UserFactory()
    group_source.teachers["choir"] = {coordinator.pk}
    group_source.members["choir"] = [
        Recipient(email=f"rodzic{n}@example.pl", name=f"Rodzic {n}") for n in range(total)
    ]
    broadcast = broadcast_create(
        author=coordinator,
        source="test_group",
        audience="choir",
        subject="Koncert",
        body="Koncert w niedzielę o 17:00.",
        send_email=True,
    )
    fingerprint = broadcast_preview(broadcast=broadcast).fingerprint
    first = workers(TEST_MAIL_DELAY="0.05")

    with publishing_to(redis_server.url):
        with transaction.atomic():
            broadcast_send(broadcast=broadcast, sent_by=coordinator, fingerprint=fingerprint)
        wait_for(
            lambda: mailbox_total() >= 15,
            timeout=60,
            what=f"the first messages\n{first.tail()}",
        )
        first.kill()
        delivered_before_the_kill = mailbox_total()
        assert delivered_before_the_kill < total, "the worker finished before it was killed"

        second = workers()
        wait_for(
            lambda: statuses() == {NotificationStatus.SENT: total},
            timeout=120,
            what=f"every message to be sent ({statuses()})\n{second.tail()}",
        )
        time.sleep(3)  # re-delivered tasks of the killed worker must send nothing more

    expected = {f"broadcast:{broadcast.pk}:email:rodzic{n}@example.pl": 1 for n in range(total)}
    assert mailbox_counts() == expected
    assert Broadcast.objects.get(pk=broadcast.pk).status == BroadcastStatus.SENT


def test_the_same_task_delivered_many_times_at_once_sends_once(redis_server, workers):
    worker = workers(TEST_MAIL_DELAY="0.5", concurrency=4)
    now = timezone.now()
    # Out of the sweeper's way: only the deliveries below send it.
    row = NotificationFactory(
        channel=Channel.EMAIL, due_at=now, next_attempt_at=now + timezone.timedelta(hours=1)
    )

    with publishing_to(redis_server.url):
        for _ in range(6):
            notification_send_task.delay(row.pk)
        notifications_send_batch_task.delay([row.pk, row.pk])
        wait_for(
            lambda: len(send_results(worker)) >= 7,
            timeout=60,
            what=f"seven deliveries to finish\n{worker.tail()}",
        )

    row.refresh_from_db()
    assert mailbox_counts() == {row.dedupe_key: 1}
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)
    assert sorted(send_results(worker)) == ["{'sent': 1}"] + ["{'skipped': 1}"] * 6


def send_results(worker: Worker) -> list[str]:
    """What each send task returned, from the worker's log (beat's sweeps left out)."""
    return [
        match.group(1)
        for line in worker.output().splitlines()
        if "notification_send_task[" in line or "notifications_send_batch_task[" in line
        if (match := SUCCEEDED.search(line))
    ]
