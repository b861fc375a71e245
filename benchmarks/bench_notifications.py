"""10,000 e-mail notifications through the outbox and a real Celery worker on Redis.

From the notifications issue: "10,000 notifications through a real worker on Redis, as a ratio
to a no-op Celery task measured in the same run with the same worker settings (target: at least
0.5), 0 duplicates, 0 lost."

setup: NOTIFICATIONS users with e-mail addresses (one message each; every tenth writes in
English, the rest in Polish), bulk-created.

run:
1. The `celery` queue (the one the project's tasks use) is purged in the bench Redis, with the
   transport's unacked set: earlier benchmarks (enrollment) leave send tasks there whose ids
   would point into this database.
2. NOTIFICATIONS messages of the essential kind `enrollment_accepted` on the e-mail channel,
   each with its own dedupe key, are queued with `notifications_queue_many`, QUEUE_CHUNK per
   transaction, with no worker running: each commit publishes the send tasks (batches of
   NOTIFICATIONS_BATCH_SIZE ids) as production does. The cost is kept in `extra`.
3. A real worker starts: `celery -A benchmarks.celery_app worker` (the project's app and
   settings), prefork, 2 processes, the settings' prefetch multiplier (1), acks_late: exactly
   the worker of the `celery_noop` baseline, consuming `celery`. Its environment differs in two
   things only:
   - `DJANGO_EMAIL_BACKEND=benchmarks.mail.CountingEmailBackend`: no network; each message is
     formatted to bytes as the SMTP backend would, then one line per message (dedupe key,
     Message-ID) is appended to a log per worker process;
   - `NOTIFICATIONS_EMAIL_RATE=` (empty: no limit). The production default (10 e-mails/s across
     all workers) is a policy knob towards the mail server, not the machinery's throughput;
     with it this benchmark would take 1,000 s and measure the limiter.
4. The clock runs from the worker's first fetch (the queue shrinks, as in `celery_noop`) until
   every row is `sent` in PostgreSQL; `notifications_send` = messages / that time, as a ratio
   to `celery_noop` (no-op tasks/s). Redis is polled every 10 ms (cheap); PostgreSQL (a COUNT
   of ~6 ms, too dear to run every few ms on two CPUs shared with the worker) is asked as soon
   as the queue and the unacked set are empty (a task acks after its commit), every 0.1 s
   while they stay empty, and once a second otherwise. Time from the worker's launch is in
   `extra`. `--quick` sends QUICK_NOTIFICATIONS instead (a smoke test).
5. After the queue and the unacked set are empty the worker is stopped and the outcome checked:
   `lost` = messages not both `sent` in the database and delivered at least once;
   `duplicates` = deliveries beyond the first per dedupe key (and per Message-ID). Either
   above 0 fails the benchmark after the figure is kept, as does a timeout.
"""

from __future__ import annotations

import collections
import math
import time
from pathlib import Path
from typing import Any

from .harness import BenchmarkError, Context, Result, benchmark, celery_worker, log_tail

NOTIFICATIONS = 10_000
QUICK_NOTIFICATIONS = 2_000
QUEUE_CHUNK = 500  # messages per transaction (notifications_queue_many fetches per 500)
KIND = "enrollment_accepted"  # essential, e-mail by default, a simple required context
CHANNEL = "email"
TARGET_RATIO = 0.5
EMAIL_DOMAIN = "notify.bench.example.pl"
DEDUPE_PREFIX = "bench-notify:"
CELERY_QUEUE = "celery"  # the project's tasks have no route: Celery's default queue
WORKER_CONCURRENCY = 2  # as celery_noop (harness.celery_worker's default)
POLL_S = 0.01  # Redis LLEN/HLEN: well under a millisecond each
DB_POLL_S = 1.0  # the COUNT of sent rows while tasks are still queued or in flight
DB_POLL_DRAINED_S = 0.1  # ... once Redis is empty (the last commits are landing)
SETTLE_S = 15.0  # after all are sent: the last tasks ack, the queue empties
MAIL_BACKEND = "benchmarks.mail.CountingEmailBackend"


def _count(ctx: Context) -> int:
    return QUICK_NOTIFICATIONS if ctx.config.quick else NOTIFICATIONS


def setup(ctx: Context) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = [
        User(
            email=f"parent{number:05d}@{EMAIL_DOMAIN}",
            first_name="Rodzic",
            last_name=f"Testowy {number:05d}",
            language="en" if number % 10 == 0 else "pl",
            password="!bench-no-login",  # unusable: these accounts never sign in
        )
        for number in range(NOTIFICATIONS)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    made = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count()
    assert made == NOTIFICATIONS, f"{made} bench recipients, not {NOTIFICATIONS}"
    print(f"   notifications: {made} recipients with e-mail addresses")


def _redis(ctx: Context):
    import redis

    return redis.Redis.from_url(ctx.config.redis_url, socket_connect_timeout=3)


def _queue(count: int) -> dict[str, Any]:
    """Queue `count` messages in transactions of QUEUE_CHUNK; returns ids and timings."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from notifications.models import NotificationStatus
    from notifications.services.outbox import QueueRequest, notifications_queue_many

    User = get_user_model()
    users = list(
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        .only("id", "email", "phone", "first_name", "last_name", "language")
        .order_by("pk")[:count]
    )
    if len(users) < count:
        raise BenchmarkError(f"{len(users)} recipients, {count} needed: the setup did not run")
    stamp = time.strftime("%Y%m%d%H%M%S")
    ids: list[int] = []
    statuses: collections.Counter[str] = collections.Counter()
    started = time.perf_counter()
    for start in range(0, count, QUEUE_CHUNK):
        requests = [
            QueueRequest(
                recipient=user,
                kind=KIND,
                context={
                    "participant_name": f"Uczestnik {number:05d}",
                    "activity_name": "Ceramika dla dzieci",
                    "group_name": f"Grupa {number % 40 + 1:02d}",
                    "starts_on": "2026-09-07",
                    "path": "/family/",
                },
                dedupe_key=f"{DEDUPE_PREFIX}{stamp}:{number:05d}",
                channels=[CHANNEL],
            )
            for number, user in enumerate(users[start : start + QUEUE_CHUNK], start)
        ]
        with transaction.atomic():
            rows = notifications_queue_many(requests=requests)
        ids += [row.pk for row in rows]
        statuses.update(row.status for row in rows)
    elapsed = time.perf_counter() - started
    if len(ids) != count or statuses[NotificationStatus.PENDING] != count:
        raise BenchmarkError(f"queued {len(ids)} rows of {count}: {dict(statuses)}")
    return {
        "ids": ids,
        "prefix": f"{DEDUPE_PREFIX}{stamp}:",
        "seconds": elapsed,
        "ms_per_notification": elapsed * 1000 / count,
    }


def _sent_count(low: int, high: int, prefix: str) -> int:
    from notifications.models import Notification, NotificationStatus

    return Notification.objects.filter(
        pk__gte=low, pk__lte=high, dedupe_key__startswith=prefix, status=NotificationStatus.SENT
    ).count()


def _check(
    ids: list[int], prefix: str, mail_dir: Path
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The database and the delivery log after the worker stopped."""
    from notifications.models import Notification, NotificationStatus

    from .mail import read_deliveries

    rows = list(
        Notification.objects.filter(
            pk__gte=min(ids), pk__lte=max(ids), dedupe_key__startswith=prefix
        ).values_list("dedupe_key", "status", "provider_id", "attempts", "last_error")
    )
    statuses = collections.Counter(status for _key, status, *_ in rows)
    sent = {
        key: provider for key, status, provider, *_ in rows if status == NotificationStatus.SENT
    }
    errors = [f"{key}: {status} {error}" for key, status, _p, _a, error in rows if error]
    deliveries = read_deliveries(mail_dir)
    ours = [d for d in deliveries if d[0].startswith(prefix)]
    by_key = collections.Counter(key for key, *_ in ours)
    by_message_id = collections.Counter(message_id for _key, message_id, *_ in ours)
    delivered_and_sent = sum(1 for key in sent if by_key[key] >= 1)
    wrong_message_id = sum(
        1 for key, message_id, *_ in ours if key in sent and sent[key] != message_id
    )
    outcome = {
        "rows": len(rows),
        "statuses": dict(statuses),
        "deliveries": len(ours),
        "other_deliveries": len(deliveries) - len(ours),
        "delivered_keys": len(by_key),
        "lost": len(ids) - delivered_and_sent,
        "not_sent_rows": len(ids) - len(sent),
        "sent_not_delivered": sum(1 for key in sent if by_key[key] == 0),
        "delivered_not_sent": sum(1 for key in by_key if key not in sent),
        "duplicates": sum(n - 1 for n in by_key.values() if n > 1),
        "duplicate_keys": sum(1 for n in by_key.values() if n > 1),
        "duplicate_message_ids": sum(n - 1 for n in by_message_id.values() if n > 1),
        "message_id_mismatch": wrong_message_id,
        "attempts_max": max((a for *_x, a, _e in rows), default=0),
        "mean_message_bytes": round(sum(d[3] for d in ours) / len(ours)) if ours else None,
    }
    problems = []
    if outcome["lost"]:
        problems.append(
            f"{outcome['lost']} lost ({outcome['not_sent_rows']} rows not sent "
            f"{outcome['statuses']}, {outcome['sent_not_delivered']} sent but never delivered)"
        )
    if outcome["duplicates"] or outcome["duplicate_message_ids"]:
        problems.append(
            f"{outcome['duplicates']} duplicate deliveries ({outcome['duplicate_keys']} keys, "
            f"{outcome['duplicate_message_ids']} repeated Message-IDs)"
        )
    if outcome["delivered_not_sent"] or wrong_message_id:
        problems.append(
            f"{outcome['delivered_not_sent']} delivered but not marked sent, "
            f"{wrong_message_id} with a Message-ID other than the row's"
        )
    return outcome, problems, errors[:5]


@benchmark(
    "notifications",
    setup=setup,
    description=f"{NOTIFICATIONS} e-mail notifications queued, then sent by a real worker "
    f"(ratio to celery_noop, target >= {TARGET_RATIO}; 0 lost, 0 duplicates)",
)
def run(ctx: Context) -> list[Result]:
    from django.conf import settings

    from notifications import conf

    from . import celery_app  # noqa: F401  (publishing goes through the project's app)
    from .harness import django_close_connections

    count = _count(ctx)
    client = _redis(ctx)
    stale = client.llen(CELERY_QUEUE)
    client.delete(CELERY_QUEUE, "unacked", "unacked_index")

    queued = _queue(count)
    ids, prefix = queued["ids"], queued["prefix"]
    low, high = min(ids), max(ids)
    batch_size = max(1, conf.get("NOTIFICATIONS_BATCH_SIZE"))
    tasks = client.llen(CELERY_QUEUE)
    expected_tasks = sum(
        math.ceil(min(QUEUE_CHUNK, count - start) / batch_size)
        for start in range(0, count, QUEUE_CHUNK)
    )
    if tasks != expected_tasks:
        raise BenchmarkError(f"{expected_tasks} send tasks expected in Redis, {tasks} queued")

    folder = ctx.tmp / "notifications"
    mail_dir = folder / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **ctx.env,
        "DJANGO_EMAIL_BACKEND": MAIL_BACKEND,
        "BENCH_MAIL_LOG_DIR": str(mail_dir),
        "NOTIFICATIONS_EMAIL_RATE": "",
    }
    production_rate = settings.NOTIFICATIONS_RATE_LIMITS.get(CHANNEL) or "none"
    print(
        f"   notifications: {count} queued in {queued['seconds']:.1f} s as {tasks} tasks; "
        f"worker: prefork -c {WORKER_CONCURRENCY}, prefetch "
        f"{settings.CELERY_WORKER_PREFETCH_MULTIPLIER}, queue {CELERY_QUEUE}, e-mail rate limit "
        f"OFF (production setting: {production_rate}), counting e-mail backend",
        flush=True,
    )

    timeout = 60 + count / 40
    sent = 0
    first = finished = None
    timed_out = False
    with celery_worker(env, folder, concurrency=WORKER_CONCURRENCY, queues=(CELERY_QUEUE,)) as proc:
        launched = time.perf_counter()
        deadline = launched + timeout
        last_db, was_drained = launched, False
        while True:
            now = time.perf_counter()
            if proc.poll() is not None:
                raise BenchmarkError(f"the celery worker exited:\n{log_tail(proc)}")
            length = client.llen(CELERY_QUEUE)
            if first is None and length < tasks:
                first = now
            drained = first is not None and length == 0 and client.hlen("unacked") == 0
            interval = DB_POLL_DRAINED_S if drained else DB_POLL_S
            if (drained and not was_drained) or now - last_db >= interval:
                last_db = now
                sent = _sent_count(low, high, prefix)
                if sent >= count:
                    finished = time.perf_counter()
                    break
            was_drained = drained
            if now > deadline:
                timed_out = True
                break
            time.sleep(POLL_S)
        # The last tasks ack after their commit: wait until nothing is queued or in flight, so
        # a re-delivery would show up as a duplicate before the worker stops.
        settle = time.perf_counter() + SETTLE_S
        while time.perf_counter() < settle:
            if client.llen(CELERY_QUEUE) == 0 and client.hlen("unacked") == 0:
                break
            time.sleep(POLL_S)
        left_in_queue = client.llen(CELERY_QUEUE)
        in_flight = client.hlen("unacked")
        worker_log = log_tail(proc, 10)
    client.close()

    outcome, problems, row_errors = _check(ids, prefix, mail_dir)
    django_close_connections()
    first = first or launched
    elapsed = (finished or time.perf_counter()) - first
    rate = (sent if timed_out else count) / elapsed if elapsed > 0 else 0.0
    extra = {
        "lost": outcome["lost"],
        "duplicates": outcome["duplicates"],
        "elapsed_s": round(elapsed, 3),
        "elapsed_from_launch_s": round((finished or time.perf_counter()) - launched, 3),
        "worker_startup_s": round(first - launched, 3),
        "timed_out": timed_out,
        "timeout_s": timeout,
        "notifications": count,
        "sent_at_end_of_clock": sent,
        "tasks": tasks,
        "notifications_per_task": batch_size,
        "tasks_per_s": round(tasks / elapsed, 2) if elapsed > 0 else None,
        "queue_s": round(queued["seconds"], 3),
        "queue_ms_per_notification": round(queued["ms_per_notification"], 4),
        "queue_chunk": QUEUE_CHUNK,
        "kind": KIND,
        "channel": CHANNEL,
        "check": outcome,
        "row_errors": row_errors,
        "left_in_queue": left_in_queue,
        "unacked_at_stop": in_flight,
        "stale_messages_purged": stale,
        "worker": {
            "app": "benchmarks.celery_app (config.celery + benchmarks.tasks)",
            "pool": "prefork",
            "concurrency": WORKER_CONCURRENCY,
            "prefetch_multiplier": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
            "acks_late": settings.CELERY_TASK_ACKS_LATE,
            "queue": CELERY_QUEUE,
            "same_as": "celery_noop",
            "email_backend": MAIL_BACKEND,
            "email_rate_limit": "none (NOTIFICATIONS_EMAIL_RATE='')",
            "production_email_rate_limit": production_rate,
        },
    }
    result = ctx.result(
        "notifications_send",
        rate,
        "notifications/s",
        baseline="celery_noop",
        target=TARGET_RATIO,
        description=f"{count} e-mail notifications ({KIND}) sent by a real worker from queued "
        f"rows, batches of {batch_size}, rate limit off",
        requests=count,
        errors=outcome["lost"] + outcome["duplicates"],
        duration_s=elapsed,
        extra=extra,
    )
    if timed_out:
        problems.insert(0, f"only {sent} of {count} sent within {timeout:.0f} s:\n{worker_log}")
    if problems:
        raise BenchmarkError(
            "the notifications broke their guarantees:\n  " + "\n  ".join(problems)
        )
    return [result]
