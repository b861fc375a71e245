import sys
import threading

from .base import BaseSmsBackend, SmsReceipt


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes each SMS to standard output, like Django's console e-mail backend."""

    _lock = threading.Lock()

    def __init__(self, *, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str, reference: str) -> SmsReceipt:
        with self._lock:
            self.stream.write(f"SMS to {to} [{reference}]\n{text}\n{'-' * 79}\n")
            self.stream.flush()
        return SmsReceipt(provider_id=f"console:{reference}", parts=None)
