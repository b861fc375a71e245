"""SMSAPI.pl (https://www.smsapi.pl/docs): POST `sms.do` with a bearer token, JSON answers.

Every message carries `idx` (the notification's id) with `check_idx=1`: the gateway refuses an
idx it has already accepted (error 53), so a message sent again after a crash or a lost answer
is not delivered twice, and that refusal counts as "sent".
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode, urljoin

from django.utils.translation import gettext

from ... import conf
from ...exceptions import ChannelUnreachableError, PermanentChannelError, TransientChannelError
from .base import BaseSmsBackend, SmsReceipt

# Error codes worth trying again: 52 too many messages to one number in 60 s, 103 no credits
# left (topped up by the office), 200 "please try again", 201/999 internal error,
# 202/203 too many requests.
TRANSIENT_ERRORS = frozenset({52, 103, 200, 201, 202, 203, 999})
DUPLICATE_IDX = 53
MAX_BODY_IN_ERROR = 200

# (url, body, headers, timeout) -> (HTTP status, body); raises OSError when there is no answer.
Transport = Callable[[str, bytes, dict[str, str], float], tuple[int, bytes]]


def urllib_transport(url: str, body: bytes, headers: dict[str, str], timeout: float):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class SmsApiBackend(BaseSmsBackend):
    def __init__(
        self,
        *,
        token: str | None = None,
        sender: str | None = None,
        base_url: str | None = None,
        test_mode: bool | None = None,
        timeout: float | None = None,
        max_parts: int | None = None,
        transport: Transport | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.token = conf.get("SMSAPI_TOKEN") if token is None else token
        self.sender = conf.get("SMSAPI_SENDER") if sender is None else sender
        self.base_url = conf.get("SMSAPI_URL") if base_url is None else base_url
        self.test_mode = conf.get("SMSAPI_TEST_MODE") if test_mode is None else test_mode
        self.timeout = conf.get("SMSAPI_TIMEOUT") if timeout is None else timeout
        self.max_parts = (
            conf.get("NOTIFICATIONS_SMS_MAX_SEGMENTS") if max_parts is None else max_parts
        )
        self.transport = transport or urllib_transport

    def request_for(self, *, to: str, text: str, reference: str) -> tuple[str, bytes, dict]:
        params = {
            "to": to.lstrip("+"),
            "message": text,
            "format": "json",
            "encoding": "utf-8",
            "idx": reference,
            "check_idx": "1",
            "max_parts": str(self.max_parts),
        }
        if self.sender:
            params["from"] = self.sender
        if self.test_mode:
            params["test"] = "1"
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "mok-notifications/1",
        }
        url = urljoin(
            self.base_url if self.base_url.endswith("/") else self.base_url + "/", "sms.do"
        )
        return url, urlencode(params).encode("utf-8"), headers

    def send(self, *, to: str, text: str, reference: str) -> SmsReceipt:
        if not self.token:
            raise TransientChannelError(gettext("SMSAPI is not configured (SMSAPI_TOKEN)."))
        url, body, headers = self.request_for(to=to, text=text, reference=reference)
        try:
            status, answer = self.transport(url, body, headers, self.timeout)
        except OSError as error:  # no answer: timeout, refused, DNS; idx makes a retry safe
            raise ChannelUnreachableError(
                gettext("SMSAPI did not answer: %(error)s")
                % {"error": f"{error.__class__.__name__}: {error}"}
            ) from error
        return self.parse(status, answer, reference=reference)

    def parse(self, status: int, answer: bytes, *, reference: str) -> SmsReceipt:
        if status >= 500:
            raise ChannelUnreachableError(
                gettext("SMSAPI answered HTTP %(status)s.") % {"status": status}
            )
        if status == 429:
            raise TransientChannelError(
                gettext("SMSAPI answered HTTP %(status)s.") % {"status": status}
            )
        try:
            payload = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            payload = None
        if not isinstance(payload, dict):
            raise PermanentChannelError(_garbage(status, answer))
        if payload.get("error") is not None:
            return self._error(payload.get("error"), payload.get("message"), reference)
        items = payload.get("list")
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            raise PermanentChannelError(_garbage(status, answer))
        item = items[0]
        if item.get("error") is not None:
            return self._error(item.get("error"), item.get("message"), reference)
        if not item.get("id"):
            raise PermanentChannelError(_garbage(status, answer))
        parts = item.get("parts")
        return SmsReceipt(
            provider_id=str(item["id"]), parts=parts if isinstance(parts, int) else None
        )

    def _error(self, code, message, reference: str) -> SmsReceipt:
        try:
            code = int(code)
        except (TypeError, ValueError):
            code = -1
        if code == DUPLICATE_IDX:
            # An earlier attempt of this very notification was accepted.
            return SmsReceipt(provider_id=f"idx:{reference}", parts=None)
        text = gettext("SMSAPI error %(code)s: %(message)s") % {
            "code": code,
            "message": message or "",
        }
        if code in TRANSIENT_ERRORS:
            raise TransientChannelError(text)
        raise PermanentChannelError(text)


def _garbage(status: int, answer: bytes) -> str:
    shown = answer[:MAX_BODY_IN_ERROR].decode("utf-8", "replace")
    return gettext("SMSAPI gave an answer that cannot be read (HTTP %(status)s): %(answer)s") % {
        "status": status,
        "answer": shown,
    }
