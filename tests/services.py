"""Which real services this run can reach. `make test` skips what is missing, saying why;
with REQUIRE_SERVICES=1 (CI) a missing service fails the run instead."""

import functools
import os
import shutil
import socket
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


def require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def _reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def postgres_missing() -> str | None:
    if connection.vendor == "postgresql":
        return None
    return "PostgreSQL not configured for this run (set DATABASE_URL=postgres://...)"


@functools.cache
def redis_url() -> str | None:
    """A Redis URL for broker tests, on its own database number so tests never touch real data."""
    explicit = os.environ.get("TEST_REDIS_URL")
    if explicit:
        parsed = urlparse(explicit)
        return explicit if _reachable(parsed.hostname or "127.0.0.1", parsed.port or 6379) else None
    candidates = [os.environ.get("REDIS_URL")]
    broker = getattr(settings, "CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        candidates.append(broker)
    candidates.append("redis://127.0.0.1:6379/0")
    for url in filter(None, candidates):
        parsed = urlparse(url)
        if _reachable(parsed.hostname or "127.0.0.1", parsed.port or 6379):
            return parsed._replace(path="/15").geturl()
    return None


def redis_missing() -> str | None:
    if redis_url():
        return None
    return "Redis not reachable (set REDIS_URL=redis://... or start redis-server on 6379)"


def browser_missing() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python not installed"
    return None


CHECKS = {"postgres": postgres_missing, "redis": redis_missing, "browser": browser_missing}
