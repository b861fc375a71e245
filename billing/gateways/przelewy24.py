"""Przelewy24 (REST API v1).

Source: Przelewy24's API documentation (https://developers.przelewy24.pl/, "Rejestracja
transakcji", "Weryfikacja transakcji", "Notyfikacja"; mirrored in
mateusz-iwanski/ApiClientPrzelewy24, doc/Przelewy24_API_Documentation.md):

- POST /api/v1/transaction/register, HTTP Basic auth (posId, API key); `sign` is the SHA-384
  (hex) of the JSON {"sessionId","merchantId","amount","currency","crc"}; the answer's
  data.token sends the payer to /trnRequest/{token}.
- The notification (JSON, POSTed to urlStatus, only for a successful payment, repeated until
  verified) carries `sign` = SHA-384 of {"merchantId","posId","sessionId","amount",
  "originAmount","currency","orderId","methodId","statement","crc"}.
- PUT /api/v1/transaction/verify with `sign` = SHA-384 of {"sessionId","orderId","amount",
  "currency","crc"}; answers data.status == "success".

The JSON to hash is PHP's json_encode(..., JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES):
keys in exactly that order, no spaces, UTF-8 as is, "/" not escaped; Python's json.dumps with
separators=(",", ":") and ensure_ascii=False writes the same bytes. Amounts are integers in
grosze. HTTP goes through `transport` (the standard library by default), which tests replace.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..exceptions import GatewayError
from .base import Gateway, NotificationError, VerifiedNotification, amount_grosze

logger = logging.getLogger(__name__)

SANDBOX_URL = "https://sandbox.przelewy24.pl"
PRODUCTION_URL = "https://secure.przelewy24.pl"
TIMEOUT_SECONDS = 15

REGISTER_SIGN_FIELDS = ("sessionId", "merchantId", "amount", "currency", "crc")
NOTIFICATION_SIGN_FIELDS = (
    "merchantId",
    "posId",
    "sessionId",
    "amount",
    "originAmount",
    "currency",
    "orderId",
    "methodId",
    "statement",
    "crc",
)
VERIFY_SIGN_FIELDS = ("sessionId", "orderId", "amount", "currency", "crc")
_TOKEN = re.compile(r"[A-Za-z0-9-]{1,100}")
_INT_FIELDS = {"merchantId", "posId", "amount", "originAmount", "orderId", "methodId"}

# (method, url, body, headers) -> (status code, body)
Transport = Callable[[str, str, bytes, Mapping[str, str]], tuple[int, bytes]]


def urllib_transport(method: str, url: str, body: bytes, headers: Mapping[str, str]):
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GatewayError(_("The payment gateway does not answer. Try again later.")) from error


def p24_sign(values: Mapping, fields: tuple[str, ...], crc: str) -> str:
    """SHA-384 of the JSON of `fields` (in that order) with the CRC key, as Przelewy24 signs."""
    data = {name: (crc if name == "crc" else values[name]) for name in fields}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha384(text.encode("utf-8")).hexdigest()


class Przelewy24Gateway(Gateway):
    name = "przelewy24"

    def __init__(
        self,
        *,
        merchant_id: int,
        pos_id: int,
        crc: str,
        api_key: str,
        sandbox: bool = True,
        transport: Transport | None = None,
    ):
        self.merchant_id = int(merchant_id)
        self.pos_id = int(pos_id)
        self.crc = crc
        self.api_key = api_key
        self.base_url = SANDBOX_URL if sandbox else PRODUCTION_URL
        self.transport = transport or urllib_transport

    @classmethod
    def from_settings(cls, **kwargs) -> Przelewy24Gateway:
        return cls(
            merchant_id=settings.P24_MERCHANT_ID or 0,
            pos_id=settings.P24_POS_ID or settings.P24_MERCHANT_ID or 0,
            crc=settings.P24_CRC,
            api_key=settings.P24_API_KEY,
            sandbox=settings.P24_SANDBOX,
            **kwargs,
        )

    # --- HTTP -----------------------------------------------------------------------------
    def _call(self, method: str, path: str, payload: dict) -> dict:
        credentials = base64.b64encode(f"{self.pos_id}:{self.api_key}".encode()).decode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Basic {credentials}",
        }
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        status, answer = self.transport(method, f"{self.base_url}{path}", body, headers)
        try:
            data = json.loads(answer.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            data = {}
        if status != 200 or not isinstance(data, dict) or data.get("responseCode", 0) != 0:
            logger.warning("Przelewy24 %s %s answered %s: %r", method, path, status, answer[:500])
            raise GatewayError()
        return data

    # --- the interface ----------------------------------------------------------------------
    def register_payload(self, online_payment, *, return_url: str, notify_url: str) -> dict:
        values = {
            "merchantId": self.merchant_id,
            "posId": self.pos_id,
            "sessionId": online_payment.session_id,
            "amount": amount_grosze(online_payment.amount),
            "currency": online_payment.currency,
            "description": f"{online_payment.household.transfer_reference} MOK",
            "email": getattr(online_payment.created_by, "email", "") or "",
            "country": "PL",
            "language": "pl",
            "urlReturn": return_url,
            "urlStatus": notify_url,
        }
        values["sign"] = p24_sign(values, REGISTER_SIGN_FIELDS, self.crc)
        return values

    def start(self, online_payment, *, return_url: str, notify_url: str) -> str:
        payload = self.register_payload(
            online_payment, return_url=return_url, notify_url=notify_url
        )
        data = self._call("POST", "/api/v1/transaction/register", payload)
        token = (data.get("data") or {}).get("token")
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise GatewayError()
        return f"{self.base_url}/trnRequest/{token}"

    def parse_and_verify_notification(self, body: bytes, headers) -> VerifiedNotification:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise NotificationError(_("The notification is not JSON.")) from None
        if not isinstance(data, dict):
            raise NotificationError(_("The notification is not JSON."))
        missing = [name for name in (*NOTIFICATION_SIGN_FIELDS[:-1], "sign") if name not in data]
        wrong_type = [
            name
            for name in NOTIFICATION_SIGN_FIELDS[:-1]
            if name in data
            and (
                not isinstance(data[name], int) or isinstance(data[name], bool)
                if name in _INT_FIELDS
                else not isinstance(data[name], str)
            )
        ]
        session_id = str(data.get("sessionId", ""))[:100]
        if missing or wrong_type or not isinstance(data.get("sign"), str):
            raise NotificationError(
                _("The notification lacks fields: %(fields)s.")
                % {"fields": ", ".join(missing + wrong_type) or "sign"},
                session_id=session_id,
            )
        expected = p24_sign(data, NOTIFICATION_SIGN_FIELDS, self.crc)
        if not hmac.compare_digest(expected.encode(), data["sign"].encode("utf-8", "replace")):
            raise NotificationError(
                _("The notification's signature is wrong."), session_id=session_id
            )
        if data["merchantId"] != self.merchant_id or data["posId"] != self.pos_id:
            raise NotificationError(
                _("The notification is for another merchant."),
                signature_valid=True,
                session_id=session_id,
            )
        return VerifiedNotification(
            session_id=data["sessionId"],
            amount_grosze=data["amount"],
            currency=data["currency"],
            order_id=str(data["orderId"]),
            data=data,
        )

    def verify_payload(self, online_payment, notification: VerifiedNotification) -> dict:
        values = {
            "merchantId": self.merchant_id,
            "posId": self.pos_id,
            "sessionId": online_payment.session_id,
            # Ours, not the notification's: the gateway confirms what we asked for.
            "amount": amount_grosze(online_payment.amount),
            "currency": online_payment.currency,
            "orderId": int(notification.order_id),
        }
        values["sign"] = p24_sign(values, VERIFY_SIGN_FIELDS, self.crc)
        return values

    def verify_with_gateway(self, online_payment, notification: VerifiedNotification) -> None:
        data = self._call(
            "PUT", "/api/v1/transaction/verify", self.verify_payload(online_payment, notification)
        )
        if (data.get("data") or {}).get("status") != "success":
            raise GatewayError()

    def notification_body(self, online_payment, *, order_id: int, method_id: int = 25) -> bytes:
        """A notification as Przelewy24 would send it for this payment (the simulator's and the
        tests' way to make one)."""
        grosze = amount_grosze(online_payment.amount)
        values = {
            "merchantId": self.merchant_id,
            "posId": self.pos_id,
            "sessionId": online_payment.session_id,
            "amount": grosze,
            "originAmount": grosze,
            "currency": online_payment.currency,
            "orderId": order_id,
            "methodId": method_id,
            "statement": f"p24-{order_id}",
        }
        values["sign"] = p24_sign(values, NOTIFICATION_SIGN_FIELDS, self.crc)
        return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
