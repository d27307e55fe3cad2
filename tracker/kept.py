"""Figures kept per version of the data: worked out once, then given again until anything changes.

Every change of data writes an audit event (tracker/audit.py), so the newest event's number says
whether anything has changed since a figure was worked out. What else a figure depends on (the day,
the stale rule, who is looking, the filters) goes in its key. With TRACKER_CACHE_DASHBOARD off (the
test suite, whose factories write no audit events) everything is worked out afresh.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app

from tracker import audit

T = TypeVar("T")
_lock = threading.Lock()


def kept(store: str, key: tuple, work: Callable[[], T], size: int = 64) -> T:
    """`work()`'s answer for this key at the data's current version: kept in this process's `store`."""
    if not current_app.config.get("TRACKER_CACHE_DASHBOARD", True):
        return work()
    cache = current_app.extensions.setdefault(store, LRUCache(maxsize=size))
    full_key = (audit.data_version(), *key)
    with _lock:
        found = cache.get(full_key)
    if found is None:
        found = work()
        with _lock:
            cache[full_key] = found
    return found
