"""Factories of the notifications tests (independent of the domain apps)."""

import datetime as dt

import factory
from django.utils import timezone

from notifications.kinds import Channel, Kind
from notifications.models import Broadcast, Notification, NotificationStatus, Preference
from tests.factories import UserFactory as BaseUserFactory


class UserFactory(BaseUserFactory):
    """A guardian with a mobile number, so both channels have an address."""

    email = factory.Sequence(lambda n: f"rodzic{n}@example.pl")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Wiśniewska{n}")
    phone = factory.Sequence(lambda n: f"+48 600 {n // 1000 % 1000:03d} {n % 1000:03d}")
    language = "pl"


class NotificationFactory(factory.django.DjangoModelFactory):
    """A row as the outbox writes it; prefer `notification_queue` in tests of behaviour."""

    class Meta:
        model = Notification

    kind = Kind.MEETING_CANCELLED
    channel = Channel.EMAIL
    user = factory.SubFactory(UserFactory)
    recipient_name = factory.LazyAttribute(lambda n: n.user.get_full_name() if n.user else "")
    address = factory.LazyAttribute(lambda n: n.user.email if n.user else "someone@example.pl")
    language = "pl"
    context = factory.LazyFunction(
        lambda: {
            "activity_name": "Ceramika",
            "group_name": "Dorośli",
            "starts_at": "2026-03-14T10:00:00+01:00",
        }
    )
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    due_at = factory.LazyFunction(timezone.now)
    next_attempt_at = factory.LazyAttribute(lambda n: n.due_at + dt.timedelta(seconds=60))
    status = NotificationStatus.PENDING


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    kind = Kind.FEE_DUE
    channel = Channel.EMAIL
    enabled = False


class BroadcastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Broadcast

    author = factory.SubFactory(UserFactory)
    source = "test_group"
    audience = "ceramics"
    audience_label = "Ceramika – dorośli"
    subject = "Zmiana sali"
    body = "Od przyszłego tygodnia spotykamy się w sali 12."
    send_email = True
    send_sms = False
