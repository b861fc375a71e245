"""Online payment: the Przelewy24 adapter against recorded bodies (no network), the webhook's
checks and idempotency, and the local simulator end to end through the test client."""

import base64
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from billing.gateways import gateway_get, przelewy24
from billing.models import (
    Charge,
    FeePlanKind,
    GatewayNotification,
    OnlinePayment,
    OnlinePaymentStatus,
    Payment,
    PaymentMethod,
)
from billing.selectors import household_balance
from tests.enrollment.factories import family
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
CRC = "a1b2c3d4e5f6a7b8"
SESSION = "mok-7-0f3c2a9b8d7e6f5a4b3c2d1e"
WEBHOOK = "/billing/online/notify/"


def recorded(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class FakeTransport:
    """Przelewy24 at the HTTP boundary: answers with recorded bodies, keeps what we sent."""

    def __init__(self, verify="p24_verify_response.json", verify_status=200):
        self.calls = []
        self.verify = verify
        self.verify_status = verify_status

    def __call__(self, method, url, body, headers):
        self.calls.append((method, url, json.loads(body), dict(headers)))
        if url.endswith("/api/v1/transaction/register"):
            return 200, (DATA / "p24_register_response.json").read_bytes()
        if url.endswith("/api/v1/transaction/verify"):
            return self.verify_status, (DATA / self.verify).read_bytes()
        return 404, b"{}"


@pytest.fixture
def p24(settings, monkeypatch):
    settings.BILLING_GATEWAY = "przelewy24"
    settings.P24_MERCHANT_ID = "123456"
    settings.P24_POS_ID = "123456"
    settings.P24_CRC = CRC
    settings.P24_API_KEY = "api-key-from-panel"
    settings.P24_SANDBOX = True
    transport = FakeTransport()
    monkeypatch.setattr(przelewy24, "urllib_transport", transport)
    return transport


@pytest.fixture
def pending():
    """A guardian's household owing 120,50 zł and a pending P24 payment of that amount."""
    user, [kid] = family()
    household = kid.household
    charge = Charge.objects.create(
        household=household,
        period=dt.date(2026, 10, 1),
        kind=FeePlanKind.MONTHLY,
        description="Taniec",
        base_amount=Decimal("120.50"),
        amount=Decimal("120.50"),
        due_on=dt.date(2026, 10, 10),
    )
    online = OnlinePayment.objects.create(
        household=household,
        gateway="przelewy24",
        session_id=SESSION,
        amount=Decimal("120.50"),
        created_by=user,
    )
    return {"user": user, "household": household, "charge": charge, "online": online}


def _resign(body: dict) -> dict:
    """A notification re-signed with the right key (what a leaked-key attacker could send)."""
    body = dict(body)
    body["sign"] = przelewy24.p24_sign(body, przelewy24.NOTIFICATION_SIGN_FIELDS, CRC)
    return body


def _post(client, body):
    return client.post(WEBHOOK, data=json.dumps(body), content_type="application/json")


def _nothing_booked(pending):
    pending["online"].refresh_from_db()
    assert pending["online"].status == OnlinePaymentStatus.PENDING
    assert pending["online"].payment is None
    assert Payment.objects.count() == 0


# --- signatures --------------------------------------------------------------------------------


def test_notification_sign_is_sha384_of_php_style_json():
    """The recorded sign was made from the JSON string as PHP's json_encode writes it."""
    body = recorded("p24_notification.json")
    php_json = (
        f'{{"merchantId":123456,"posId":123456,"sessionId":"{SESSION}","amount":12050,'
        '"originAmount":12050,"currency":"PLN","orderId":316874512,"methodId":154,'
        f'"statement":"p24-K20-Z31-S54","crc":"{CRC}"}}'
    )
    assert body["sign"] == hashlib.sha384(php_json.encode()).hexdigest()
    assert przelewy24.p24_sign(body, przelewy24.NOTIFICATION_SIGN_FIELDS, CRC) == body["sign"]


def test_sign_keeps_unicode_and_slashes_unescaped():
    values = {"sessionId": "ż/ł", "merchantId": 1, "amount": 2, "currency": "PLN"}
    expected = '{"sessionId":"ż/ł","merchantId":1,"amount":2,"currency":"PLN","crc":"k"}'
    assert przelewy24.p24_sign(values, przelewy24.REGISTER_SIGN_FIELDS, "k") == (
        hashlib.sha384(expected.encode()).hexdigest()
    )


def test_register_sends_the_recorded_request_and_redirects_to_the_token(p24, pending):
    gateway = gateway_get()
    url = gateway.start(
        pending["online"],
        return_url=f"http://testserver/billing/online/{SESSION}/",
        notify_url="http://testserver/billing/online/notify/",
    )

    assert url == "https://sandbox.przelewy24.pl/trnRequest/D35CD73C0E-37C7B5-059083-E8EFB0FE2F"
    [(method, sent_url, body, headers)] = p24.calls
    assert (method, sent_url) == (
        "POST",
        "https://sandbox.przelewy24.pl/api/v1/transaction/register",
    )
    expected = recorded("p24_register_request.json")
    assert {key: body[key] for key in expected} == expected
    assert body["email"] == pending["user"].email
    assert (
        headers["Authorization"]
        == "Basic " + base64.b64encode(b"123456:api-key-from-panel").decode()
    )


# --- the webhook -------------------------------------------------------------------------------


def test_good_notification_books_one_payment(client, p24, pending):
    response = _post(client, recorded("p24_notification.json"))

    assert response.status_code == 200
    online = OnlinePayment.objects.get()
    assert online.status == OnlinePaymentStatus.PAID
    assert online.gateway_order_id == "316874512"
    payment = Payment.objects.get()
    assert online.payment == payment
    assert (payment.amount, payment.method, payment.key) == (
        Decimal("120.50"),
        PaymentMethod.ONLINE,
        f"online:{SESSION}",
    )
    assert payment.allocations.get().charge == pending["charge"]
    assert household_balance(pending["household"].pk).due == 0
    [(method, url, verify_body, _headers)] = p24.calls
    assert (method, url) == ("PUT", "https://sandbox.przelewy24.pl/api/v1/transaction/verify")
    assert verify_body == recorded("p24_verify_request.json")
    note = GatewayNotification.objects.get()
    assert (note.signature_valid, note.outcome, note.online_payment) == (True, "paid", online)


def test_repeated_notification_is_idempotent(client, p24, pending):
    body = recorded("p24_notification.json")
    assert _post(client, body).status_code == 200
    assert _post(client, body).status_code == 200
    assert _post(client, body).status_code == 200

    assert Payment.objects.count() == 1
    assert len(p24.calls) == 1  # verified once
    assert GatewayNotification.objects.count() == 3
    assert sorted(GatewayNotification.objects.values_list("outcome", flat=True)) == [
        "duplicate: already paid",
        "duplicate: already paid",
        "paid",
    ]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: {**b, "sign": b["sign"][:-1] + "0"}, id="bad-signature"),
        pytest.param(lambda b: {**b, "amount": 1, "originAmount": 1}, id="amount-not-re-signed"),
        pytest.param(lambda b: {**b, "sign": b["sign"].upper()}, id="signature-case"),
    ],
)
def test_bad_signature_is_rejected(client, p24, pending, change):
    response = _post(client, change(recorded("p24_notification.json")))

    assert response.status_code == 400
    _nothing_booked(pending)
    assert p24.calls == []
    note = GatewayNotification.objects.get()
    assert note.signature_valid is False and note.outcome.startswith("rejected")


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"amount": 100, "originAmount": 100}, "rejected: amount 100 != 12050"),
        ({"amount": 12051, "originAmount": 12051}, "rejected: amount 12051 != 12050"),
        ({"currency": "EUR"}, "rejected: currency EUR != PLN"),
        ({"sessionId": "mok-0-unknown"}, "rejected: unknown session"),
    ],
)
def test_correctly_signed_but_wrong_notification_is_rejected(client, p24, pending, change, outcome):
    body = _resign({**recorded("p24_notification.json"), **change})

    response = _post(client, body)

    assert response.status_code == 400
    _nothing_booked(pending)
    assert p24.calls == []
    note = GatewayNotification.objects.get()
    assert (note.signature_valid, note.outcome) == (True, outcome)


def test_notification_for_another_merchant_is_rejected(client, p24, pending):
    body = _resign({**recorded("p24_notification.json"), "merchantId": 999, "posId": 999})
    assert _post(client, body).status_code == 400
    _nothing_booked(pending)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"sessionId": "x"}',
        "\xff\xfe".encode("latin-1"),
    ],
)
def test_malformed_notification_is_rejected(client, p24, pending, raw):
    response = client.post(WEBHOOK, data=raw, content_type="application/json")
    assert response.status_code == 400
    _nothing_booked(pending)
    assert GatewayNotification.objects.get().signature_valid is False


def test_wrong_types_are_rejected(client, p24, pending):
    body = _resign({**recorded("p24_notification.json"), "amount": "12050"})
    assert _post(client, body).status_code == 400
    body = _resign({**recorded("p24_notification.json"), "amount": True})
    assert _post(client, body).status_code == 400
    _nothing_booked(pending)


def test_failed_verification_books_nothing_and_asks_for_a_retry(client, p24, pending):
    p24.verify, p24.verify_status = "p24_verify_error_response.json", 400

    response = _post(client, recorded("p24_notification.json"))

    assert response.status_code == 502
    _nothing_booked(pending)
    assert GatewayNotification.objects.get().outcome.startswith("rejected: verification failed")
    # Przelewy24 repeats the notification; once verify answers, the payment is booked once.
    p24.verify, p24.verify_status = "p24_verify_response.json", 200
    assert _post(client, recorded("p24_notification.json")).status_code == 200
    assert Payment.objects.count() == 1


def test_closed_household_takes_no_online_payment(client, p24, pending):
    pending["household"].closed_at = timezone.now()
    pending["household"].save()

    response = _post(client, recorded("p24_notification.json"))

    assert response.status_code == 400
    _nothing_booked(pending)
    assert GatewayNotification.objects.get().outcome == "rejected: " + gettext(
        "This household is closed: it takes no new payments or charges."
    )


def test_webhook_is_post_only_and_csrf_exempt(p24, pending):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get(WEBHOOK).status_code == 405
    assert _post(client, recorded("p24_notification.json")).status_code == 200


def test_notification_is_never_trusted_for_the_amount(client, p24, pending):
    """Even a matching notification books our amount (the verify request carries ours too)."""
    assert _post(client, recorded("p24_notification.json")).status_code == 200
    assert Payment.objects.get().amount == pending["online"].amount
    assert p24.calls[0][2]["amount"] == 12050


# --- the guardian's flow with the simulator ------------------------------------------------


@pytest.fixture
def owing():
    user, [kid] = family()
    Charge.objects.create(
        household=kid.household,
        period=dt.date(2026, 10, 1),
        kind=FeePlanKind.MONTHLY,
        description="Ceramika",
        base_amount=Decimal("95.00"),
        amount=Decimal("95.00"),
        due_on=dt.date(2026, 10, 10),
    )
    return user, kid.household


def test_simulator_end_to_end(client, owing):
    user, household = owing
    client.force_login(user)
    page = client.get(reverse("billing:payment-request", args=[household.pk]))
    start_url = reverse("billing:online-start", args=[household.pk])
    assert start_url in page.content.decode()

    response = client.post(start_url)

    online = OnlinePayment.objects.get()
    assert (online.amount, online.gateway, online.status) == (
        Decimal("95.00"),
        "simulator",
        "pending",
    )
    simulator_url = reverse("billing:online-simulator", args=[online.session_id])
    assert response.status_code == 302 and response["Location"] == simulator_url
    assert client.get(simulator_url).status_code == 200
    status_url = reverse("billing:online-return", args=[online.session_id])
    waiting = client.get(status_url)
    assert waiting.status_code == 200 and 'hx-trigger="every 3s"' in waiting.content.decode()

    response = client.post(
        reverse("billing:online-simulator-pay", args=[online.session_id]), {"outcome": "pay"}
    )

    assert response.status_code == 302 and response["Location"] == status_url
    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.PAID
    assert Payment.objects.get().key == f"online:{online.session_id}"
    assert household_balance(household.pk).due == 0
    assert GatewayNotification.objects.get().outcome == "paid"
    partial = client.get(status_url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in partial.content.decode()
    confirmation = reverse("billing:payment-confirmation-pdf", args=[online.payment_id])
    assert confirmation in partial.content.decode()
    # paying again from the simulator changes nothing
    client.post(
        reverse("billing:online-simulator-pay", args=[online.session_id]), {"outcome": "pay"}
    )
    assert Payment.objects.count() == 1


def test_simulator_notification_through_the_webhook(client, owing):
    user, household = owing
    client.force_login(user)
    client.post(reverse("billing:online-start", args=[household.pk]))
    online = OnlinePayment.objects.get()
    body = gateway_get("simulator").notification_body(online, order_id=42)

    assert client.post(WEBHOOK, data=body, content_type="application/json").status_code == 200
    assert client.post(WEBHOOK, data=body, content_type="application/json").status_code == 200
    assert Payment.objects.count() == 1


def test_simulator_fail(client, owing):
    user, household = owing
    client.force_login(user)
    client.post(reverse("billing:online-start", args=[household.pk]))
    online = OnlinePayment.objects.get()

    client.post(
        reverse("billing:online-simulator-pay", args=[online.session_id]), {"outcome": "fail"}
    )

    online.refresh_from_db()
    assert online.status == OnlinePaymentStatus.FAILED
    assert Payment.objects.count() == 0
    assert household_balance(household.pk).due == Decimal("95.00")


def test_nothing_due_starts_nothing(client):
    user, [kid] = family()
    client.force_login(user)
    response = client.post(reverse("billing:online-start", args=[kid.household.pk]))
    assert response.status_code == 302
    assert OnlinePayment.objects.count() == 0


def test_gateway_refusal_fails_the_attempt(client, owing, settings, monkeypatch):
    settings.BILLING_GATEWAY = "przelewy24"
    settings.P24_MERCHANT_ID = settings.P24_POS_ID = "123456"
    monkeypatch.setattr(
        przelewy24, "urllib_transport", lambda *a: (401, b'{"error":"Incorrect authentication"}')
    )
    user, household = owing
    client.force_login(user)

    response = client.post(reverse("billing:online-start", args=[household.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("billing:payment-request", args=[household.pk])
    assert OnlinePayment.objects.get().status == OnlinePaymentStatus.FAILED


def test_online_pages_are_404_for_others(client, owing, settings):
    user, household = owing
    client.force_login(user)
    client.post(reverse("billing:online-start", args=[household.pk]))
    online = OnlinePayment.objects.get()
    client.force_login(family()[0])
    for name in ("billing:online-return", "billing:online-simulator"):
        assert client.get(reverse(name, args=[online.session_id])).status_code == 404
    assert client.post(reverse("billing:online-start", args=[household.pk])).status_code == 404
    pay = reverse("billing:online-simulator-pay", args=[online.session_id])
    assert client.post(pay, {"outcome": "pay"}).status_code == 404
    assert Payment.objects.count() == 0
    client.force_login(UserFactory(roles=["coordinator"]))
    assert client.get(reverse("billing:online-return", args=[online.session_id])).status_code == 404
    # the simulator only exists while it is the configured gateway
    client.force_login(user)
    settings.BILLING_GATEWAY = "przelewy24"
    assert (
        client.get(reverse("billing:online-simulator", args=[online.session_id])).status_code == 404
    )


def test_online_amount_is_capped_at_the_largest_payment(client):
    user, [kid] = family()
    Charge.objects.create(
        household=kid.household,
        period=dt.date(2026, 10, 1),
        kind=FeePlanKind.ANNUAL_DUES,
        description="Składka",
        base_amount=Decimal("150000.00"),
        amount=Decimal("150000.00"),
        due_on=dt.date(2026, 10, 10),
    )
    client.force_login(user)

    client.post(reverse("billing:online-start", args=[kid.household.pk]))

    assert OnlinePayment.objects.get().amount == Decimal("99999.99")
