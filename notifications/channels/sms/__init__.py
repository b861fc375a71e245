"""SMS adapters. Choose one with NOTIFICATIONS_SMS_BACKEND:

- `notifications.channels.sms.console.ConsoleSmsBackend`: prints (development, demo);
- `notifications.channels.sms.locmem.LocmemSmsBackend`: keeps messages in `outbox` (tests);
- `notifications.channels.sms.smsapi.SmsApiBackend`: SMSAPI.pl (production).
"""

from django.utils.module_loading import import_string

from ... import conf
from .base import BaseSmsBackend, SmsReceipt


def get_sms_backend(path: str | None = None, **kwargs) -> BaseSmsBackend:
    return import_string(path or conf.get("NOTIFICATIONS_SMS_BACKEND"))(**kwargs)


__all__ = ["BaseSmsBackend", "SmsReceipt", "get_sms_backend"]
