"""A counting e-mail backend for `make bench`: no network, one line per delivered message.

The notifications benchmark points the worker at it with
`DJANGO_EMAIL_BACKEND=benchmarks.mail.CountingEmailBackend`. Each message is formatted to bytes
exactly as Django's SMTP backend formats it before handing it to the server (so the worker pays
that cost), then one line `<X-MOK-Dedupe-Key>\\t<Message-ID>\\t<recipients>\\t<bytes>` is appended
to `<BENCH_MAIL_LOG_DIR or EMAIL_FILE_PATH>/deliveries-<pid>.log`: a file per worker process, so
concurrent processes never interleave, written with one `os.write` per message (unbuffered), so
a line is on disk as soon as `send_messages` returns, as an SMTP server's "250 OK" would be.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address

LOG_DIR_ENV = "BENCH_MAIL_LOG_DIR"
LOG_PREFIX = "deliveries-"


def log_dir() -> Path:
    return Path(os.environ.get(LOG_DIR_ENV) or settings.EMAIL_FILE_PATH)


class CountingEmailBackend(BaseEmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.pop("timeout", None)  # the outbox passes the SMTP timeout
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def open(self) -> bool:
        pid = os.getpid()
        if self._fd is not None and self._pid == pid:
            return False
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{LOG_PREFIX}{pid}.log"
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._pid = pid
        return True

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = self._pid = None

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        with self._lock:
            opened = self.open()
            try:
                sent = 0
                for message in email_messages:
                    if not message.recipients():
                        continue
                    encoding = message.encoding or settings.DEFAULT_CHARSET
                    recipients = [sanitize_address(a, encoding) for a in message.recipients()]
                    data = message.message().as_bytes(linesep="\r\n")  # as SMTP sends it
                    headers = message.extra_headers
                    line = "\t".join(
                        [
                            headers.get("X-MOK-Dedupe-Key", "-"),
                            headers.get("Message-ID", "-"),
                            ",".join(recipients),
                            str(len(data)),
                        ]
                    )
                    os.write(self._fd, (line + "\n").encode())
                    sent += 1
            finally:
                if opened:
                    self.close()
        return sent


def read_deliveries(folder: Path) -> list[tuple[str, str, str, int]]:
    """Every line of every delivery log in `folder`: (dedupe key, Message-ID, to, bytes)."""
    lines = []
    for path in sorted(folder.glob(f"{LOG_PREFIX}*.log")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            key, message_id, to, size = raw.split("\t")
            lines.append((key, message_id, to, int(size)))
    return lines
