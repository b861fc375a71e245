"""Keeps sent SMS in `outbox`, like `django.core.mail.outbox` (tests)."""

from dataclasses import dataclass

from .base import BaseSmsBackend, SmsReceipt


@dataclass(frozen=True)
class SentSms:
    to: str
    text: str
    reference: str


outbox: list[SentSms] = []


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, reference: str) -> SmsReceipt:
        outbox.append(SentSms(to=to, text=text, reference=reference))
        return SmsReceipt(provider_id=f"locmem:{len(outbox)}", parts=None)
