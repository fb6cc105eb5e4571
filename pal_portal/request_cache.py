"""A cache that lives for one request, so a fact (such as a person's roles) is computed once.

Outside a request (tests, tasks, commands) there is no cache and every call computes afresh, so a
long-lived process never serves a stale answer.
"""

from __future__ import annotations

from contextvars import ContextVar

_cache: ContextVar[dict | None] = ContextVar("pal_request_cache", default=None)


def get_or_compute(key, compute):
    """Return the value cached under ``key`` in this request, computing it on first use."""
    cache = _cache.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget(prefix) -> None:
    """Drop every value whose key starts with ``prefix`` (after a change that alters it)."""
    cache = _cache.get()
    if cache:
        for key in [key for key in cache if key[: len(prefix)] == prefix]:
            del cache[key]


class RequestCacheMiddleware:
    """Open an empty cache for each request and close it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
