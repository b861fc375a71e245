"""Two identical gateway notifications at the same moment, on PostgreSQL: one payment."""

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from billing.gateways.przelewy24 import Przelewy24Gateway
from billing.models import Charge, FeePlanKind, GatewayNotification, OnlinePayment, Payment
from billing.services.online import online_notification_handle
from tests.billing.test_online import CRC, DATA, SESSION
from tests.enrollment.factories import family

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_concurrent_repeated_notifications_book_one_payment():
    user, [kid] = family()
    Charge.objects.create(
        household=kid.household,
        period=dt.date(2026, 10, 1),
        kind=FeePlanKind.MONTHLY,
        description="Taniec",
        base_amount=Decimal("120.50"),
        amount=Decimal("120.50"),
        due_on=dt.date(2026, 10, 10),
    )
    OnlinePayment.objects.create(
        household=kid.household,
        gateway="przelewy24",
        session_id=SESSION,
        amount=Decimal("120.50"),
        created_by=user,
    )
    barrier = threading.Barrier(2)

    def transport(method, url, body, headers):
        barrier.wait(timeout=10)  # both have passed the "already paid?" check by now
        return 200, (DATA / "p24_verify_response.json").read_bytes()

    gateway = Przelewy24Gateway(
        merchant_id=123456, pos_id=123456, crc=CRC, api_key="k", transport=transport
    )
    body = json.dumps(json.loads((DATA / "p24_notification.json").read_text())).encode()

    def handle(_):
        try:
            return online_notification_handle(gateway=gateway, body=body, headers={}).outcome
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(handle, range(2)))

    assert outcomes == ["duplicate: already paid", "paid"]
    assert Payment.objects.count() == 1
    assert OnlinePayment.objects.get().payment == Payment.objects.get()
    assert GatewayNotification.objects.count() == 2
