"""Redis down or silent: every page still loads, the cache only misses."""

import logging
import socket
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from pal_portal import cache as forgiving
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SHIPPED_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "pause_after_error": 5}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once it is closed


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch):
    monkeypatch.setattr(forgiving, "_paused_until", {})
    monkeypatch.setattr(forgiving, "_warning", forgiving.Throttle(interval=60))


def _point_cache_at(settings, location):
    shipped = settings.CACHES["default"]
    options = shipped["OPTIONS"] if shipped["BACKEND"].endswith("ForgivingRedisCache") else {}
    settings.CACHES = {
        "default": {
            "BACKEND": "pal_portal.cache.ForgivingRedisCache",
            "LOCATION": location,
            "OPTIONS": options or SHIPPED_OPTIONS,
        }
    }


@pytest.fixture
def redis_down(settings):
    _point_cache_at(settings, f"redis://127.0.0.1:{_closed_port()}/0")


@pytest.fixture
def redis_silent(settings):
    """A Redis that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        _point_cache_at(settings, f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
        yield


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_pages_and_sign_in_work_with_redis_down(redis_down, alicia, state_a):
    client = Client()
    for call, status in [
        (lambda: client.get(reverse("login")), 200),
        (
            lambda: client.post(reverse("login"), {"username": alicia.email, "password": PASSWORD}),
            302,
        ),
        (lambda: client.get(state_a.get_absolute_url()), 200),
        (lambda: client.get(reverse("stl:list")), 200),
    ]:
        response, seconds = _timed(call)
        assert response.status_code == status
        assert seconds < 1, f"{response.request['PATH_INFO']} took {seconds:.2f} s"


def test_failed_sign_ins_still_count_with_redis_down(redis_down, alicia, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": alicia.email, "password": "equivocada"})
    response = client.post(reverse("login"), {"username": alicia.email, "password": PASSWORD})
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE  # locked, from the database


def test_reads_miss_and_writes_are_skipped_with_one_warning(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="pal_portal.cache"):
        cache.set("clave", "valor")
        assert cache.get("clave") is None
        assert cache.get("clave", "por omisión") == "por omisión"
        assert cache.add("clave", "valor") is False
        assert cache.get_or_set("clave", "calculado") == "calculado"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("clave") is False
        assert cache.delete("clave") is False
        with pytest.raises(ValueError, match="not found"):  # as for any key the cache lacks
            cache.incr("contador")
    warnings = [r for r in caplog.records if r.name == "pal_portal.cache"]
    assert len(warnings) == 1
    assert "Cache unavailable (ConnectionError" in warnings[0].getMessage()


def test_a_silent_redis_costs_one_timeout_then_is_left_alone(redis_silent):
    value, seconds = _timed(lambda: cache.get("clave", "por omisión"))
    assert value == "por omisión"
    assert 0.5 <= seconds < 1.5  # socket_timeout as shipped: 1 s
    _, seconds = _timed(lambda: [cache.get("clave") for _ in range(50)])
    assert seconds < 0.1  # paused: no socket waits


def test_redis_is_tried_again_after_the_pause(redis_down, settings):
    location = settings.CACHES["default"]["LOCATION"]
    cache.get("clave")
    assert forgiving._paused_until[location] > time.monotonic()
    forgiving._paused_until[location] = 0.0  # as once the pause is over
    cache.get("clave")
    assert forgiving._paused_until[location] > time.monotonic()  # it tried, and failed again
