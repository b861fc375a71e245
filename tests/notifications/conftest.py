import pytest

from notifications import ratelimit
from notifications.channels.sms import locmem
from notifications.recipients import (
    Audience,
    Recipient,
    RecipientSource,
    recipient_source_register,
    recipient_source_unregister,
)

from .backends import FailingBackend

BASE_URL = "https://zapisy.example.pl"


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    """Messages stay in memory; no rate limit and no Redis unless a test asks for them."""
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.sms.locmem.LocmemSmsBackend"
    settings.NOTIFICATIONS_RATE_LIMITS = {"email": "", "sms": ""}
    settings.NOTIFICATIONS_RATE_LIMIT_REDIS_URL = ""
    settings.NOTIFICATIONS_BASE_URL = BASE_URL
    settings.NOTIFICATIONS_SMS_TRANSLITERATE = True
    settings.DEFAULT_FROM_EMAIL = "Miejski Ośrodek Kultury <mok@example.pl>"
    locmem.outbox.clear()
    ratelimit._counter.cache_clear()  # a fresh in-process rate counter per test
    yield
    locmem.outbox.clear()


@pytest.fixture
def sms_outbox():
    return locmem.outbox


@pytest.fixture
def failing_backend(settings):
    """E-mail through `FailingBackend`: set `.error` to make every send raise it."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    FailingBackend.error = FailingBackend.open_error = None
    FailingBackend.opened = 0
    yield FailingBackend
    FailingBackend.error = FailingBackend.open_error = None


class GroupSourceStub(RecipientSource):
    """What the enrollment app will plug in: the households of a group, for its instructor."""

    key = "test_group"
    label = "Groups (test)"

    def __init__(self):
        self.members: dict[str, list[Recipient]] = {}
        self.teachers: dict[str, set[int]] = {}

    def audiences(self, *, user) -> list[Audience]:
        return [
            Audience(key, f"Group {key}")
            for key, teachers in sorted(self.teachers.items())
            if user.pk in teachers
        ]

    def recipients(self, *, audience: str) -> list[Recipient]:
        return list(self.members.get(audience, []))


@pytest.fixture
def group_source():
    source = GroupSourceStub()
    recipient_source_register(source)
    yield source
    recipient_source_unregister(source.key)
