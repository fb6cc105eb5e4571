"""/healthz: 200 when the database, cache and queue answer, 503 when any is down."""

import os
import time

import pytest
from celery import Celery
from django.db import close_old_connections, connection

from pal_portal import health
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_healthy_portal_answers_200_with_each_check(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True


def test_database_down_answers_503(client, monkeypatch):
    def broken_connection(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(health.connection, "ensure_connection", broken_connection)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OSError"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="The proxy fronts PostgreSQL.")
def test_a_hanging_database_answers_the_json_503_within_seconds(proxy, alicia):
    # Signed in, too: who is signed in is in the database, and nothing may ask it again.
    client = client_for(alicia)
    assert client.get("/healthz").status_code == 200
    proxy.hang()
    close_old_connections()  # a new request, as under gunicorn
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    # What the database records is not asked again, each for another wait.
    assert checks["jobs"] == {"ok": False, "error": "database unavailable"}
    assert checks["evidence_integrity"] == {"ok": False, "error": "database unavailable"}


def test_cache_down_answers_503(client, monkeypatch):
    def broken_set(*args, **kwargs):
        raise ConnectionError

    monkeypatch.setattr(health.cache, "set", broken_set)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_redis_down_fails_the_cache_check_though_the_cache_forgives_it(client, settings):
    # The portal's cache turns Redis errors into misses (pal_portal/cache.py); /healthz must not.
    settings.CACHES = {
        "default": {
            "BACKEND": "pal_portal.cache.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}


def test_unreachable_broker_answers_503(client, monkeypatch):
    # A broker on a port where nothing listens: the ping cannot reach any worker.
    unreachable = Celery("probe", broker="redis://127.0.0.1:9/0", set_as_current=False)
    unreachable.conf.broker_connection_timeout = 0.5
    unreachable.conf.broker_connection_max_retries = 0
    monkeypatch.setattr(health, "celery_app", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["ok"] is False


def test_broker_up_without_any_worker_answers_503(client, settings, monkeypatch):
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("PAL_REQUIRE_WORKER"):
            pytest.fail("PAL_REQUIRE_WORKER is set but no broker is configured")
        pytest.skip("No Celery broker configured.")
    # The same broker server, a database no worker listens on.
    idle = Celery(
        "probe",
        broker=settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/14",
        set_as_current=False,
    )
    monkeypatch.setattr(health, "celery_app", idle)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "mode": "broker", "workers": 0}
