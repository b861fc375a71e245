"""Reads: the delivery log, broadcasts, the broadcast preview and a person's preferences."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.permissions import is_director

from .kinds import SPECS, Channel, Kind, KindSpec, kind_spec
from .models import Broadcast, Notification, NotificationEvent, Preference
from .recipients import Recipient, recipient_source_get, recipients_unique
from .routing import PreferenceBook, Route, Skip, plan_routes


def notification_list() -> QuerySet[Notification]:
    """The delivery log, newest first, with what a row of the list shows."""
    return Notification.objects.select_related("user", "broadcast").order_by("-created_at", "-id")


def notification_get(*, pk: int) -> Notification | None:
    return (
        Notification.objects.select_related("user", "broadcast__author")
        .prefetch_related(
            Prefetch("events", queryset=NotificationEvent.objects.select_related("actor"))
        )
        .filter(pk=pk)
        .first()
    )


def broadcast_list_for(*, user) -> QuerySet[Broadcast]:
    """The director sees every broadcast; others their own."""
    broadcasts = Broadcast.objects.select_related("author").order_by("-created_at", "-id")
    return broadcasts if is_director(user) else broadcasts.filter(author=user)


@dataclass(frozen=True)
class PreviewRow:
    recipient: Recipient
    routes: list[Route]
    skipped: list[Skip]

    def route(self, channel: str) -> Route | None:
        return next((route for route in self.routes if route.channel == channel), None)

    @property
    def email(self) -> Route | None:
        return self.route(Channel.EMAIL)

    @property
    def sms(self) -> Route | None:
        return self.route(Channel.SMS)

    @property
    def reachable(self) -> bool:
        return any(route.error is None for route in self.routes)

    @property
    def problems(self) -> list[str]:
        return [str(route.error) for route in self.routes if route.error is not None] + [
            f"{Channel(skip.channel).label}: {skip.reason}" for skip in self.skipped
        ]


@dataclass(frozen=True)
class BroadcastPreview:
    rows: list[PreviewRow]
    fingerprint: str

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def reachable(self) -> int:
        return sum(1 for row in self.rows if row.reachable)

    @property
    def unreachable(self) -> int:
        return self.total - self.reachable

    def count(self, channel: str) -> int:
        return sum(1 for row in self.rows if (route := row.route(channel)) and route.error is None)

    @property
    def email_count(self) -> int:
        return self.count(Channel.EMAIL)

    @property
    def sms_count(self) -> int:
        return self.count(Channel.SMS)


def broadcast_preview(*, broadcast: Broadcast) -> BroadcastPreview:
    """Who receives the broadcast now, by which channel, and who cannot and why: the same
    routing the outbox applies, so the preview is what will be sent."""
    source = recipient_source_get(broadcast.source)
    recipients = recipients_unique(source.recipients(audience=broadcast.audience))
    spec = kind_spec(Kind.GROUP_BROADCAST)
    book = PreferenceBook.load(recipients, [spec.kind])
    rows = []
    for recipient in recipients:
        plan = plan_routes(
            recipient=recipient,
            spec=spec,
            channels=broadcast.channels,
            book=book,
            skip_unreachable=True,
        )
        rows.append(PreviewRow(recipient, plan.routes, plan.skipped))
    return BroadcastPreview(rows=rows, fingerprint=_fingerprint(rows))


def _fingerprint(rows: list[PreviewRow]) -> str:
    summary = sorted(
        [
            row.recipient.key,
            [[route.channel, route.address, route.error is None] for route in row.routes],
        ]
        for row in rows
    )
    return hashlib.sha256(json.dumps(summary).encode()).hexdigest()


@dataclass(frozen=True)
class PreferenceChoice:
    spec: KindSpec
    channel: Channel
    enabled: bool
    locked: bool

    @property
    def field_name(self) -> str:
        return f"{self.spec.kind}__{self.channel}"


def preferences_for(*, user) -> list[PreferenceChoice]:
    """Every kind and channel a person may choose, with the current choice."""
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    choices = []
    for spec in SPECS.values():
        for channel in spec.channels:
            locked = spec.is_locked(channel)
            default = channel in spec.default_channels
            enabled = True if locked else chosen.get((spec.kind, channel), default)
            choices.append(PreferenceChoice(spec, channel, enabled, locked))
    return choices
