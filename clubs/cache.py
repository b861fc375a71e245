"""A shared cache of the public catalogue's answers (the list page and the JSON API).

Every change of catalogue data bumps one version number after its transaction commits, so a
cached answer is never served after the data behind it changed. Only anonymous GETs without
flash messages are cached: what a signed-in person sees is always rendered for them.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import get_language

VERSION_KEY = "clubs:catalogue:version"
TIMEOUT_SECONDS = 600
# Each process also keeps the latest answers in memory: the version check is one tiny read of
# the shared cache, while a full answer (the API's is ~150 kB for 200 groups) is not re-read.
LOCAL_ENTRIES = 128
_local: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str):
    with _local_lock:
        value = _local.get(key)
        if value is not None:
            _local.move_to_end(key)
        return value


def _local_put(key: str, value) -> None:
    with _local_lock:
        _local[key] = value
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def catalogue_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh start value, so answers cached under an evicted version are never reused.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def catalogue_changed(**kwargs) -> None:
    """Call (or connect as a signal receiver) whenever catalogue data changes.

    Bumps at once and again after commit: a reader that cached the old rows between the two
    bumps is outdated by the second one.
    """
    _bump()
    transaction.on_commit(_bump)


def cached_for_anonymous(view):
    """Serve an anonymous GET from the cache while the catalogue has not changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated or len(get_messages(request)):
            return view(request, *args, **kwargs)
        path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
        key = (
            f"clubs:page:{catalogue_version()}:{get_language()}:"
            f"{int(bool(getattr(request, 'htmx', False)))}:{path}"
        )
        cached = _local_get(key)
        if cached is None:
            cached = cache.get(key)
            if cached is not None:
                _local_put(key, cached)
        if cached is not None:
            content_type, content = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            cached = (response["Content-Type"], response.content)
            cache.set(key, cached, TIMEOUT_SECONDS)
            _local_put(key, cached)
        return response

    return wrapper
