"""Broadcasts: a message by an instructor or coordinator to an audience chosen through a
recipient source, previewed, then fanned out into the outbox in chunks."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..exceptions import (
    AudienceNotAllowedError,
    BroadcastAudienceChangedError,
    BroadcastEmptyAudienceError,
    BroadcastNotDraftError,
    InvalidNotificationError,
)
from ..kinds import Kind
from ..models import Broadcast, BroadcastStatus
from ..recipients import Recipient, recipient_source_get
from .outbox import BROKER_ERRORS, PUBLISH_RETRY_POLICY, QueueRequest, notifications_queue_many

logger = logging.getLogger(__name__)

FAN_OUT_CHUNK = 200


def broadcast_create(
    *,
    author,
    source: str,
    audience: str,
    subject: str,
    body: str,
    sms_text: str = "",
    send_email: bool = True,
    send_sms: bool = False,
) -> Broadcast:
    """A draft, to preview before sending. The source decides whether the author may write to
    this audience (e.g. only the instructor of the group)."""
    recipient_source = recipient_source_get(source)
    if not recipient_source.can_address(user=author, audience=audience):
        raise AudienceNotAllowedError
    if not (send_email or send_sms):
        raise InvalidNotificationError
    return Broadcast.objects.create(
        author=author,
        source=source,
        audience=audience,
        audience_label=recipient_source.audience_label(audience=audience, user=author)[:200],
        subject=subject,
        body=body,
        sms_text=sms_text,
        send_email=send_email,
        send_sms=send_sms,
    )


def broadcast_send(*, broadcast: Broadcast, sent_by, fingerprint: str) -> Broadcast:
    """Send a draft to exactly the recipients of the preview the author saw (`fingerprint`);
    if the list has changed since, nothing is sent and the author checks it again."""
    from ..selectors import broadcast_preview

    with transaction.atomic():
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        if locked.status != BroadcastStatus.DRAFT:
            raise BroadcastNotDraftError
        source = recipient_source_get(locked.source)
        if not source.can_address(user=sent_by, audience=locked.audience):
            raise AudienceNotAllowedError
        preview = broadcast_preview(broadcast=locked)
        if preview.fingerprint != fingerprint:
            raise BroadcastAudienceChangedError
        if not preview.reachable:
            raise BroadcastEmptyAudienceError
        locked.recipients = [row.recipient.to_dict() for row in preview.rows]
        locked.recipient_count = len(preview.rows)
        locked.status = BroadcastStatus.QUEUED
        locked.queued_at = timezone.now()
        locked.save(update_fields=["recipients", "recipient_count", "status", "queued_at"])
        fan_out_on_commit(locked.pk)
    return locked


def fan_out_on_commit(broadcast_id: int) -> None:
    transaction.on_commit(lambda: _publish_fan_out(broadcast_id))


def _publish_fan_out(broadcast_id: int) -> None:
    from ..tasks import broadcast_fan_out_task

    try:
        broadcast_fan_out_task.apply_async((broadcast_id,), retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS:
        logger.warning("broker unavailable: broadcast %s waits for the sweeper", broadcast_id)


def broadcast_fan_out(*, broadcast_id: int) -> int:
    """Write one outbox row per recipient and channel, a chunk per transaction; each chunk is
    dispatched as it commits. Running it again (a re-delivered task) adds nothing."""
    broadcast = Broadcast.objects.select_related("author").filter(pk=broadcast_id).first()
    if broadcast is None or broadcast.status != BroadcastStatus.QUEUED:
        return 0
    context = {
        "subject": broadcast.subject,
        "body": broadcast.body,
        "sms_text": broadcast.sms_text,
        "author_name": str(broadcast.author),
        "audience_label": broadcast.audience_label,
    }
    recipients = [Recipient.from_dict(item) for item in broadcast.recipients]
    written = 0
    for start in range(0, len(recipients), FAN_OUT_CHUNK):
        with transaction.atomic():
            rows = notifications_queue_many(
                requests=[
                    QueueRequest(
                        recipient=recipient,
                        kind=Kind.GROUP_BROADCAST,
                        context=context,
                        dedupe_key=f"broadcast:{broadcast.pk}:{recipient.key}",
                        channels=broadcast.channels,
                        skip_unreachable=True,
                    )
                    for recipient in recipients[start : start + FAN_OUT_CHUNK]
                ],
                broadcast=broadcast,
            )
            written += len(rows)
    with transaction.atomic():
        # The contact list was only needed until the rows existed: keep no second copy.
        Broadcast.objects.filter(pk=broadcast.pk, status=BroadcastStatus.QUEUED).update(
            status=BroadcastStatus.SENT, fanned_out_at=timezone.now(), recipients=[]
        )
    return written
