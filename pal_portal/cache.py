"""Redis as a cache that may fail without taking a page down with it.

Django's RedisCache raises when Redis is down or slow. ``ForgivingRedisCache`` answers as if the
cache were empty instead: a read is a miss, a write is skipped, and a warning is logged at most
once a minute. After an error it leaves Redis alone for ``pause_after_error`` seconds, so that a
Redis that hangs costs one socket timeout now and then, not one per call. ``/healthz`` asks with
``cache_errors_raised()`` to see the truth.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from pal_portal.outage import Throttle

logger = logging.getLogger("pal_portal.cache")

CACHE_ERRORS = (RedisError, OSError)

_forgiving: ContextVar[bool] = ContextVar("pal_cache_forgiving", default=True)
_paused_until: dict[str, float] = {}  # per Redis location, shared by the threads of a process
_warning = Throttle(interval=60)
_MISSING = object()


@contextmanager
def cache_errors_raised():
    """Let cache errors raise inside the block, and try Redis even while paused."""
    token = _forgiving.set(False)
    try:
        yield
    finally:
        _forgiving.reset(token)


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache, where Redis errors become misses and no-ops."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.pause_after_error = options.pop("pause_after_error", 5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = ",".join(self._servers)

    def _forgive(self, fallback, method, *args, **kwargs):
        if not _forgiving.get():
            return method(*args, **kwargs)
        if time.monotonic() < _paused_until.get(self._location, 0.0):
            return fallback
        try:
            return method(*args, **kwargs)
        except CACHE_ERRORS as exc:
            _paused_until[self._location] = time.monotonic() + self.pause_after_error
            held_back = _warning()
            if held_back is not None:
                logger.warning(
                    "Cache unavailable (%s: %s): reads are misses and writes are skipped; "
                    "%d more errors since the last report",
                    exc.__class__.__name__,
                    exc,
                    held_back,
                )
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._forgive(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._forgive(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._forgive({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._forgive(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        value = self._forgive(_MISSING, super().incr, key, delta, version)
        if value is _MISSING:  # as for any key the cache does not hold
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._forgive(None, super().delete_many, keys, version)

    def clear(self):
        return self._forgive(False, super().clear)
