"""Tell a database outage from a bug, and log each outage once instead of once per request."""

import logging
import threading
import time

import psycopg
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("pal_portal.outage")

# What a database that is down, refuses, or does not answer in time raises: Django's wrappers,
# and psycopg's own (a pool timeout is a psycopg OperationalError) where code bypasses Django.
DATABASE_ERRORS = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def is_database_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_ERRORS)


class Throttle:
    """Let an event through at most once per ``interval`` seconds in this process."""

    def __init__(self, interval: float):
        self.interval = interval
        self._next = 0.0
        self._held_back = 0
        self._lock = threading.Lock()

    def __call__(self) -> int | None:
        """Return how many events were held back since the last one let through, or None."""
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                self._held_back += 1
                return None
            self._next = now + self.interval
            held_back, self._held_back = self._held_back, 0
            return held_back


_database_outage_log = Throttle(interval=60)


def report_database_outage(exception: BaseException, path: str = "") -> None:
    """Log that a request met a database outage: at most once a minute, counting the rest."""
    held_back = _database_outage_log()
    if held_back is None:
        return
    message = str(exception).strip().splitlines()
    logger.error(
        "Database unavailable, answering 503 to %s: %s: %s (%d more 503s since the last report)",
        path or "-",
        exception.__class__.__name__,
        message[0] if message else "",
        held_back,
    )
