"""The SMSAPI.pl adapter against recorded answers; no test opens a network connection."""

import json
import socket
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.db import transaction

from notifications.channels.sms.base import SmsReceipt
from notifications.channels.sms.smsapi import SmsApiBackend
from notifications.exceptions import PermanentChannelError, TransientChannelError
from notifications.kinds import Channel, Kind
from notifications.models import NotificationStatus
from notifications.services import (
    Outcome,
    notification_queue,
    notification_send,
    notifications_send_batch,
)

from .factories import UserFactory
from .samples import CONTEXTS

RECORDED = Path(__file__).parent / "smsapi_responses"


def recorded(name: str):
    answer = json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))
    return answer["status"], answer["body"].encode("utf-8")


class Recorder:
    """Stands in for the HTTP transport: answers from a file, keeps what was asked."""

    def __init__(self, answer=None, error: Exception | None = None):
        self.answer, self.error, self.requests = answer, error, []

    def __call__(self, url, body, headers, timeout):
        self.requests.append((url, parse_qs(body.decode("utf-8")), headers, timeout))
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def backend(transport, **kwargs):
    return SmsApiBackend(
        token="token-123", sender="MOK Leszno", transport=transport, max_parts=2, **kwargs
    )


def test_the_request_carries_the_token_the_number_and_an_idempotency_key():
    transport = Recorder(recorded("sent"))

    backend(transport).send(to="+48600100200", text="MOK: test", reference="3f2a")

    ((url, params, headers, timeout),) = transport.requests
    assert url == "https://api.smsapi.pl/sms.do"
    assert params == {
        "to": ["48600100200"],
        "message": ["MOK: test"],
        "format": ["json"],
        "encoding": ["utf-8"],
        "idx": ["3f2a"],
        "check_idx": ["1"],
        "max_parts": ["2"],
        "from": ["MOK Leszno"],
    }
    assert headers["Authorization"] == "Bearer token-123"
    assert timeout == 10


def test_test_mode_asks_the_gateway_not_to_deliver():
    transport = Recorder(recorded("sent"))
    backend(transport, test_mode=True).send(to="+48600100200", text="x", reference="r")
    assert transport.requests[0][1]["test"] == ["1"]


@pytest.mark.parametrize(
    ("name", "receipt"),
    [
        ("sent", SmsReceipt("69F1E5E53D0A3B3F00B4F2E0", 1)),
        ("sent_two_parts", SmsReceipt("69F1E5E53D0A3B3F00B4F2E1", 2)),
        # The same idx was accepted before (a re-send after a crash): it is already sent.
        ("duplicate_idx", SmsReceipt("idx:3f2a", None)),
    ],
)
def test_accepted_answers(name, receipt):
    assert backend(Recorder(recorded(name))).send(
        to="+48600100200", text="x", reference="3f2a"
    ) == (receipt)


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("invalid_number", PermanentChannelError, "SMSAPI error 13: No correct phone numbers"),
        ("unauthorized", PermanentChannelError, "SMSAPI error 101: Authorization failed"),
        (
            "no_credits",
            TransientChannelError,
            "SMSAPI error 103: Insufficient credits on Your account",
        ),
        (
            "too_many_requests",
            TransientChannelError,
            "SMSAPI error 202: Too many simultaneous requests",
        ),
        ("bad_gateway_html", TransientChannelError, "SMSAPI answered HTTP 502."),
        (
            "garbage_200_html",
            PermanentChannelError,
            "SMSAPI gave an answer that cannot be read (HTTP 200): <!DOCTYPE html><html><body>"
            "Maintenance. Przerwa techniczna.</body></html>",
        ),
        (
            "garbage_json_shape",
            PermanentChannelError,
            'SMSAPI gave an answer that cannot be read (HTTP 200): {"count":1,"list":[]}',
        ),
    ],
)
def test_refusals_and_garbage(name, error, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(error) as raised:
        backend(Recorder(recorded(name))).send(to="+48600100200", text="x", reference="3f2a")
    assert str(raised.value) == message


def test_no_answer_at_all_is_worth_trying_again(settings):
    settings.LANGUAGE_CODE = "en"
    transport = Recorder(error=TimeoutError("timed out"))

    with pytest.raises(TransientChannelError) as raised:
        backend(transport).send(to="+48600100200", text="x", reference="3f2a")

    assert str(raised.value) == "SMSAPI did not answer: TimeoutError: timed out"


@pytest.mark.django_db
def test_a_gateway_that_does_not_answer_is_asked_once_per_batch(settings, monkeypatch):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.sms.smsapi.SmsApiBackend"
    settings.SMSAPI_TOKEN = "token-123"
    transport = Recorder(error=TimeoutError("timed out"))
    monkeypatch.setattr("notifications.channels.sms.smsapi.urllib_transport", transport)
    rows = []
    with transaction.atomic():
        for n in range(3):
            rows += notification_queue(
                recipient=UserFactory(phone=f"60010020{n}"),
                kind=Kind.MEETING_CANCELLED,
                context=CONTEXTS[Kind.MEETING_CANCELLED],
                dedupe_key=f"timeout:{n}",
                channels=[Channel.SMS],
            )

    results = notifications_send_batch(notification_ids=[row.pk for row in rows])

    assert [r.outcome for r in results] == [Outcome.RETRY] * 3
    assert len(transport.requests) == 1


def test_without_a_token_nothing_is_sent_and_the_message_waits(settings):
    settings.LANGUAGE_CODE = "en"
    transport = Recorder(recorded("sent"))

    with pytest.raises(TransientChannelError):
        SmsApiBackend(token="", transport=transport).send(
            to="+48600100200", text="x", reference="r"
        )

    assert transport.requests == []


@pytest.mark.django_db
def test_a_gateway_answering_garbage_fails_the_message_and_the_worker_carries_on(
    settings, monkeypatch
):
    settings.LANGUAGE_CODE = "en"
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.channels.sms.smsapi.SmsApiBackend"
    settings.SMSAPI_TOKEN = "token-123"
    monkeypatch.setattr(
        "notifications.channels.sms.smsapi.urllib_transport",
        Recorder(recorded("garbage_200_html")),
    )
    with transaction.atomic():
        (row,) = notification_queue(
            recipient=UserFactory(phone="600100200"),
            kind=Kind.MEETING_CANCELLED,
            context=CONTEXTS[Kind.MEETING_CANCELLED],
            dedupe_key="garbage",
            channels=[Channel.SMS],
        )

    result = notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert result.outcome == Outcome.FAILED
    assert row.status == NotificationStatus.FAILED
    assert row.last_error.startswith("SMSAPI gave an answer that cannot be read (HTTP 200)")
