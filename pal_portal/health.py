"""Checks behind /healthz: the database, the cache and the task queue.

Every check is bounded in time, so that /healthz answers within seconds when a service hangs:
the database within its connect and check timeouts (pal_portal/postgresql/base.py), the cache
within its socket timeouts, the queue within ``check_queue``'s timeout.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from pal_portal.cache import cache_errors_raised
from pal_portal.celery import app as celery_app
from pal_portal.jobs import jobs_health

# Probes registered by apps. Advisory ones (e.g. the evidence vault's last integrity check) are
# reported, and mark the portal "degraded", but do not make /healthz answer 503: a container
# orchestrator would otherwise restart or hold back a portal whose services are all up, and
# keep the next integrity check from ever running.
EXTRA_CHECKS: dict = {}
ADVISORY_CHECKS: dict = {}


def check_database() -> dict:
    try:
        ping = getattr(connection, "ping", None)
        if ping is not None:  # PostgreSQL: waits at most DATABASE_CHECK_TIMEOUT for the answer
            ping()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        # The portal's cache forgives errors (pal_portal/cache.py); this check must see them.
        with cache_errors_raised():
            cache.set(key, "1", timeout=10)
            ok = cache.get(key) == "1"
            cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok}


def check_queue(timeout: float = 2.0) -> dict:
    if celery_app.conf.task_always_eager:
        return {"ok": True, "mode": "eager"}
    try:
        replies = celery_app.control.ping(timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "broker", "error": exc.__class__.__name__}
    return {"ok": bool(replies), "mode": "broker", "workers": len(replies)}


def _run(check) -> dict:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - /healthz answers its JSON whatever a probe raises
        return {"ok": False, "error": exc.__class__.__name__}


def run_checks() -> tuple[dict, str]:
    """Run every probe; return them and the overall status: ok, degraded or error."""
    checks = {"database": check_database(), "cache": check_cache(), "queue": check_queue()}
    for name, check in EXTRA_CHECKS.items():
        checks[name] = _run(check)
    status = "ok" if all(check["ok"] for check in checks.values()) else "error"
    # Jobs waiting too long or running past their limit: the portal works, something is behind.
    # These report what the database records: with the database out, each would only wait for
    # it again, so they are reported as not run.
    for name, check in {"jobs": jobs_health, **ADVISORY_CHECKS}.items():
        if checks["database"]["ok"]:
            checks[name] = _run(check)
        else:
            checks[name] = {"ok": False, "error": "database unavailable"}
        if not checks[name]["ok"] and status == "ok":
            status = "degraded"
    return checks, status


def queue_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)
