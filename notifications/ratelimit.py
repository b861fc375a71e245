"""Per-channel send rate, shared by every worker process through Redis (a fixed window per
period); in the embedded mode without Redis, per process.

A short wait is slept through; a long one is handed back, and the message waits in the outbox.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import conf

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smh])\s*$")
MAX_SLEEP_SECONDS = 2.0
KEY_PREFIX = "mok:notifications:rate"


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str | None) -> Rate | None:
    """ "20/s", "100/m", "500/h" or "30/10s"; empty means no limit."""
    if not text:
        return None
    match = RATE.match(text)
    if not match:
        raise ValueError(f"Not a rate: {text!r} (use e.g. 20/s, 100/m, 500/h)")
    count, multiple, unit = match.groups()
    return Rate(int(count), int(multiple or 1) * PERIODS[unit])


class MemoryCounter:
    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, int] = {}

    def hit(self, key: str, ttl: int) -> int:
        with self._lock:
            if len(self._windows) > 1000:
                self._windows.clear()
            self._windows[key] = self._windows.get(key, 0) + 1
            return self._windows[key]


class RedisCounter:
    def __init__(self, url: str):
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._fallback = MemoryCounter()

    def hit(self, key: str, ttl: int) -> int:
        try:
            pipe = self._client.pipeline()
            pipe.incr(key)
            pipe.expire(key, ttl)
            count, _ = pipe.execute()
            return int(count)
        except Exception:
            logger.warning(
                "rate limit counter unavailable; counting in this process", exc_info=True
            )
            return self._fallback.hit(key, ttl)


class RateLimiter:
    def __init__(
        self,
        *,
        name: str,
        rate: Rate | None,
        counter,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        max_sleep: float = MAX_SLEEP_SECONDS,
    ):
        self.name, self.rate, self.counter = name, rate, counter
        self.clock, self.sleep, self.max_sleep = clock, sleep, max_sleep

    def acquire(self) -> float:
        """Take one send from the budget: 0 when granted, else seconds until the next window."""
        if self.rate is None:
            return 0.0
        while True:
            now = self.clock()
            window = int(now // self.rate.seconds)
            key = f"{KEY_PREFIX}:{self.name}:{self.rate.seconds}:{window}"
            if self.counter.hit(key, self.rate.seconds * 2) <= self.rate.count:
                return 0.0
            wait = (window + 1) * self.rate.seconds - now
            if wait > self.max_sleep:
                return wait
            self.sleep(wait)


@functools.cache
def _counter(url: str):
    return RedisCounter(url) if url else MemoryCounter()


def rate_limiter(channel: str) -> RateLimiter:
    limits = conf.get("NOTIFICATIONS_RATE_LIMITS") or {}
    return RateLimiter(
        name=channel,
        rate=parse_rate(limits.get(channel)),
        counter=_counter(conf.get("NOTIFICATIONS_RATE_LIMIT_REDIS_URL") or ""),
    )
