"""A local stand-in for Przelewy24, for the demo and the tests: no money moves, no network.

It is the Przelewy24 adapter with an in-process transport that answers `register` and `verify`
the way the real API does (checking their signatures), and a "pay / fail" page
(`views_online.simulator_*`) that makes a correctly signed notification and hands it to the
same service the webhook calls. Its CRC key is derived from SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.urls import reverse

from .przelewy24 import REGISTER_SIGN_FIELDS, VERIFY_SIGN_FIELDS, Przelewy24Gateway, p24_sign

SIMULATOR_MERCHANT_ID = 100000


def simulator_crc() -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), b"billing.gateways.simulator", hashlib.sha256
    ).hexdigest()[:16]


def simulator_transport(method: str, url: str, body: bytes, headers) -> tuple[int, bytes]:
    data = json.loads(body)
    crc = simulator_crc()
    if url.endswith("/transaction/register"):
        if data.get("sign") != p24_sign(data, REGISTER_SIGN_FIELDS, crc):
            return 400, b'{"error":"Incorrect sign","code":400}'
        return 200, json.dumps(
            {"data": {"token": secrets.token_hex(16)}, "responseCode": 0}
        ).encode()
    if url.endswith("/transaction/verify"):
        if data.get("sign") != p24_sign(data, VERIFY_SIGN_FIELDS, crc):
            return 400, b'{"error":"Incorrect sign","code":400}'
        return 200, b'{"data":{"status":"success"},"responseCode":0}'
    return 404, b'{"error":"Not found","code":404}'


class SimulatorGateway(Przelewy24Gateway):
    name = "simulator"

    def __init__(self):
        super().__init__(
            merchant_id=SIMULATOR_MERCHANT_ID,
            pos_id=SIMULATOR_MERCHANT_ID,
            crc=simulator_crc(),
            api_key="simulator",
            sandbox=True,
            transport=simulator_transport,
        )

    def start(self, online_payment, *, return_url: str, notify_url: str) -> str:
        super().start(online_payment, return_url=return_url, notify_url=notify_url)
        return reverse("billing:online-simulator", args=[online_payment.session_id])
