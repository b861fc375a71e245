"""Fixed-window request counters in the shared cache (Redis in production).

A counter is keyed by a hash of what it counts, so no e-mail address is written into the cache.
"""

import hashlib
import time

from django.core.cache import cache


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request for `key` in `scope`; False once more than `limit` came in this window."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{int(time.time() // window)}"
    if cache.add(cache_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit
