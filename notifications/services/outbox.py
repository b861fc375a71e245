"""Writing to the outbox: queue (in the caller's transaction), cancel, retry by hand."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from kombu.exceptions import KombuError

from .. import conf
from ..exceptions import (
    DeliveryError,
    InvalidNotificationError,
    NotCancellableError,
    NotRetryableError,
    OutsideTransactionError,
)
from ..kinds import Channel, kind_spec
from ..models import Notification, NotificationEvent, NotificationEventKind, NotificationStatus
from ..recipients import Recipient
from ..routing import PreferenceBook, normalise_address, plan_routes

logger = logging.getLogger(__name__)

DEDUPE_KEY = re.compile(r"^[A-Za-z0-9_.:@/+=-]{1,200}$")
# Publishing gives up quickly when the broker is down: the row is safe and the sweeper sends it.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
BROKER_ERRORS = (KombuError, OSError)
FETCH_CHUNK = 500


@dataclass(frozen=True)
class QueueRequest:
    """One message for one recipient; see `notification_queue` for the fields."""

    recipient: Any
    kind: str
    context: Mapping[str, Any]
    dedupe_key: str
    channels: Sequence[str] | None = None
    due_at: dt.datetime | None = None
    language: str | None = None
    # Channels the recipient has no address for are left out instead of failing (broadcasts).
    skip_unreachable: bool = False


def notification_queue(
    *,
    recipient,
    kind: str,
    context: Mapping[str, Any],
    dedupe_key: str,
    channels: Sequence[str] | None = None,
    due_at: dt.datetime | None = None,
    language: str | None = None,
) -> list[Notification]:
    """Write a message (one row per channel) in the caller's transaction; it is sent after the
    transaction commits, or at `due_at`. Queueing the same `dedupe_key` again returns the rows
    already there. `recipient` is a user or a `Recipient`; `channels=None` follows the kind's
    defaults and the person's preferences. A missing or invalid address does not raise: the row
    is written as failed with the reason, for staff to see."""
    return notifications_queue_many(
        requests=[
            QueueRequest(
                recipient=recipient,
                kind=kind,
                context=context,
                dedupe_key=dedupe_key,
                channels=channels,
                due_at=due_at,
                language=language,
            )
        ]
    )


def notifications_queue_many(
    *,
    requests: Iterable[QueueRequest],
    broadcast=None,
    now: dt.datetime | None = None,
    new_keys: bool = False,
) -> list[Notification]:
    """`notification_queue` for many messages at once, in a fixed number of queries per 500.

    `new_keys=True`: the caller guarantees no dedupe key was ever queued before (each names a
    row created in the caller's transaction, e.g. an audit event): the rows are inserted as
    they are and returned without reading them back (a clash would raise IntegrityError)."""
    if not transaction.get_connection().in_atomic_block:
        raise OutsideTransactionError
    now = now or timezone.now()
    grace = dt.timedelta(seconds=conf.get("NOTIFICATIONS_DISPATCH_GRACE_SECONDS"))
    prepared = [_prepare(request, now) for request in requests]
    book = PreferenceBook.load(
        [item["recipient"] for item in prepared], {item["spec"].kind for item in prepared}
    )

    rows: dict[tuple[str, str], Notification] = {}
    # Reasons are recorded for staff, in the centre's language, whoever's request this is.
    with translation.override(settings.LANGUAGE_CODE):
        for item in prepared:
            _add_rows(rows, item, book, broadcast=broadcast, now=now, grace=grace)
    if new_keys:
        saved = Notification.objects.bulk_create(rows.values(), batch_size=FETCH_CHUNK)
    else:
        Notification.objects.bulk_create(
            rows.values(), ignore_conflicts=True, batch_size=FETCH_CHUNK
        )
        saved = _fetch(list(rows))
    dispatch_on_commit(
        [n.pk for n in saved if n.status == NotificationStatus.PENDING and n.due_at <= now]
    )
    return saved


def _add_rows(rows, item, book, *, broadcast, now, grace) -> None:
    """One row per routed channel; a route with an error is written as failed at once."""
    recipient: Recipient = item["recipient"]
    plan = plan_routes(
        recipient=recipient,
        spec=item["spec"],
        channels=item["channels"],
        book=book,
        skip_unreachable=item["skip_unreachable"],
    )
    for route in plan.routes:
        key = (item["dedupe_key"], route.channel)
        if key in rows:
            continue
        due_at = item["due_at"]
        failed = route.error is not None
        rows[key] = Notification(
            kind=item["spec"].kind,
            channel=route.channel,
            user_id=recipient.user_id,
            recipient_name=recipient.display_name[:200],
            address=route.address,
            language=item["language"],
            context=item["context"],
            dedupe_key=item["dedupe_key"],
            due_at=due_at,
            # Due now: the after-commit task sends it; the sweeper only steps in if that
            # task never runs (broker down). Due later: the sweeper sends it on time.
            next_attempt_at=max(due_at, now) + grace if due_at <= now else due_at,
            status=NotificationStatus.FAILED if failed else NotificationStatus.PENDING,
            last_error=str(route.error) if failed else "",
            broadcast=broadcast,
            created_at=now,
        )


def _prepare(request: QueueRequest, now: dt.datetime) -> dict[str, Any]:
    spec = kind_spec(request.kind)
    recipient = Recipient.coerce(request.recipient)
    context = _json_context(request.context)
    missing = [key for key in spec.required_context if key not in context]
    if missing:
        raise InvalidNotificationError(
            gettext("The context of “%(kind)s” needs: %(keys)s.")
            % {"kind": spec.kind, "keys": ", ".join(missing)}
        )
    if not isinstance(request.dedupe_key, str) or not DEDUPE_KEY.match(request.dedupe_key):
        raise InvalidNotificationError(
            gettext("A dedupe key is 1–200 characters: letters, digits and _.:@/+=-")
        )
    channels = None
    if request.channels is not None:
        if isinstance(request.channels, str) or not set(request.channels) <= set(Channel.values):
            raise InvalidNotificationError(
                gettext("Unknown channel in %(channels)s.") % {"channels": request.channels}
            )
        channels = list(request.channels)
    language = request.language or recipient.language_or_default()
    if language not in {code for code, _label in settings.LANGUAGES}:
        raise InvalidNotificationError(gettext("Unknown language “%(code)s”.") % {"code": language})
    due_at = request.due_at or now
    if timezone.is_naive(due_at):
        raise InvalidNotificationError(gettext("The due time needs a time zone."))
    return {
        "spec": spec,
        "recipient": recipient,
        "context": context,
        "dedupe_key": request.dedupe_key,
        "channels": channels,
        "language": language,
        "due_at": due_at,
        "skip_unreachable": request.skip_unreachable,
    }


def _json_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """Exactly what the worker will read back: dates, decimals and UUIDs become text."""
    if not isinstance(context, Mapping):
        raise InvalidNotificationError(gettext("The context must be a mapping."))
    try:
        return json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise InvalidNotificationError(
            gettext("The context must be JSON-serialisable: %(error)s") % {"error": exc}
        ) from exc


def _fetch(keys: list[tuple[str, str]]) -> list[Notification]:
    wanted = set(keys)
    found: dict[tuple[str, str], Notification] = {}
    dedupe_keys = sorted({key for key, _channel in keys})
    for start in range(0, len(dedupe_keys), FETCH_CHUNK):
        chunk = dedupe_keys[start : start + FETCH_CHUNK]
        for row in Notification.objects.filter(dedupe_key__in=chunk):
            if (row.dedupe_key, row.channel) in wanted:
                found[(row.dedupe_key, row.channel)] = row
    return [found[key] for key in keys if key in found]


def dispatch_on_commit(notification_ids: list[int]) -> None:
    """Hand the messages to the workers once the transaction that wrote them has committed."""
    if notification_ids:
        ids = list(notification_ids)
        transaction.on_commit(lambda: dispatch_now(ids))


def dispatch_now(notification_ids: list[int], *, countdown: float | None = None) -> bool:
    """Publish send tasks in chunks; False when the broker is down (the sweeper will do it)."""
    from ..tasks import notification_send_task, notifications_send_batch_task

    size = max(1, conf.get("NOTIFICATIONS_BATCH_SIZE"))
    try:
        for start in range(0, len(notification_ids), size):
            chunk = notification_ids[start : start + size]
            if len(chunk) == 1:
                notification_send_task.apply_async(
                    (chunk[0],), countdown=countdown, retry_policy=PUBLISH_RETRY_POLICY
                )
            else:
                notifications_send_batch_task.apply_async(
                    (chunk,), countdown=countdown, retry_policy=PUBLISH_RETRY_POLICY
                )
    except BROKER_ERRORS:
        logger.warning(
            "broker unavailable: %d notification(s) wait for the sweeper",
            len(notification_ids),
            exc_info=True,
        )
        return False
    return True


def notifications_cancel(*, dedupe_key: str, reason: str = "") -> int:
    """Withdraw the waiting messages of a key (e.g. the reminder of a cancelled meeting);
    messages already sent stay as they are. Returns how many were withdrawn."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(dedupe_key=dedupe_key, status=NotificationStatus.PENDING)
            .order_by("pk")
        )
        for row in rows:
            _cancel(row, reason=reason, now=now)
    return len(rows)


def notification_cancel(
    *, notification: Notification, actor=None, reason: str = ""
) -> Notification:
    """Withdraw one waiting message (staff)."""
    now = timezone.now()
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.status != NotificationStatus.PENDING:
            raise NotCancellableError
        _cancel(row, reason=reason, now=now, actor=actor)
    return row


def _cancel(row: Notification, *, reason: str, now: dt.datetime, actor=None) -> None:
    row.status = NotificationStatus.CANCELLED
    row.last_error = reason
    row.save(update_fields=["status", "last_error", "updated_at"])
    NotificationEvent.objects.create(
        notification=row, at=now, event=NotificationEventKind.CANCELLED, detail=reason, actor=actor
    )


def notification_retry(*, notification: Notification, actor) -> Notification:
    """Send a failed message again (staff). A missing or invalid address is read again from the
    person's account, so a phone number corrected in the meantime is used."""
    now = timezone.now()
    grace = dt.timedelta(seconds=conf.get("NOTIFICATIONS_DISPATCH_GRACE_SECONDS"))
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=notification.pk)
        )
        if row.status != NotificationStatus.FAILED:
            raise NotRetryableError
        _refresh_address(row)
        row.status = NotificationStatus.PENDING
        row.attempts = 0
        row.retry_after = None
        row.next_attempt_at = now + grace
        row.save(
            update_fields=[
                "status",
                "attempts",
                "retry_after",
                "next_attempt_at",
                "address",
                "updated_at",
            ]
        )
        NotificationEvent.objects.create(
            notification=row, at=now, event=NotificationEventKind.RETRIED, actor=actor
        )
        dispatch_on_commit([row.pk])
    return row


def _refresh_address(row: Notification) -> None:
    if row.user is None:
        return
    try:
        normalise_address(row.channel, row.address)
    except DeliveryError:
        pass  # missing or invalid: take the account's current one
    else:
        return
    raw = row.user.email if row.channel == Channel.EMAIL else getattr(row.user, "phone", "")
    try:
        row.address = normalise_address(row.channel, raw)
    except DeliveryError:
        return
