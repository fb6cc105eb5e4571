"""Django's PostgreSQL backend, with every wait on the server bounded.

A database that hangs (it accepts the connection, or the query, and never answers) must cost a
person seconds, not a gunicorn worker for good. Connecting is bounded by libpq's
``connect_timeout`` and the pool's ``timeout``; a statement by the server's
``statement_timeout``. What neither bounds is a server that stops answering on a connection
already open: psycopg would wait forever. Here every connection waits at most ``answer_timeout``
seconds for any answer (a little longer than ``statement_timeout``, so the server cancels a slow
statement first), and a connection taken up again — from the pool, or kept between requests —
must answer a trivial query within ``check_timeout`` seconds or is dropped.

``answer_timeout`` and ``check_timeout`` are read from ``OPTIONS`` (pal_portal/settings.py).
"""

from contextlib import contextmanager

import psycopg
import psycopg_pool
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg import errors

OUR_OPTIONS = ("answer_timeout", "check_timeout")


class BoundedConnection(psycopg.Connection):
    """A psycopg connection that waits at most ``answer_timeout`` seconds for the server."""

    answer_timeout: float | None = None
    check_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        if timeout is not None or not self.answer_timeout:
            return super().wait(gen, interval=interval, timeout=timeout)
        try:
            return super().wait(gen, interval=interval, timeout=self.answer_timeout)
        except errors._WaitTimeout:  # psycopg's own, raised only for the timeout given above
            # Half a conversation is lost: the connection can never be used again.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database did not answer within {self.answer_timeout:g} s; connection closed"
            ) from None

    @contextmanager
    def answering_within(self, seconds: float | None):
        """Wait at most ``seconds`` for each answer inside the block."""
        previous = self.answer_timeout
        self.answer_timeout = seconds or previous
        try:
            yield
        finally:
            self.answer_timeout = previous

    @staticmethod
    def check(connection) -> None:
        """Check a pooled connection before handing it out, as psycopg_pool does, but bounded."""
        with connection.answering_within(connection.check_timeout):
            psycopg_pool.ConnectionPool.check_connection(connection)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def answer_timeout(self) -> float | None:
        return self.settings_dict["OPTIONS"].get("answer_timeout")

    @property
    def check_timeout(self) -> float | None:
        return self.settings_dict["OPTIONS"].get("check_timeout")

    @property
    def pool(self):
        # Django's own, but with the bounded connection class and check.
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # Django sets the real value later
            pool = psycopg_pool.ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                connection_class=BoundedConnection,
                configure=self._configure_connection,
                check=BoundedConnection.check if self.settings_dict["CONN_HEALTH_CHECKS"] else None,
                **({} if pool_options is True else pool_options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]

    def get_connection_params(self):
        params = super().get_connection_params()
        for name in OUR_OPTIONS:
            params.pop(name, None)
        return params

    def get_new_connection(self, conn_params):
        if self.pool:
            return super().get_new_connection(conn_params)
        # Django's own for psycopg 3 without a pool, connecting with the bounded class.
        isolation_level = self.settings_dict["OPTIONS"].get("isolation_level")
        default = psycopg.IsolationLevel.READ_COMMITTED
        try:
            self.isolation_level = psycopg.IsolationLevel(
                default if isolation_level is None else isolation_level
            )
        except ValueError:
            raise ImproperlyConfigured(
                f"Invalid transaction isolation level {isolation_level} specified. "
                "Use one of the psycopg.IsolationLevel values."
            ) from None
        connection = BoundedConnection.connect(**conn_params)
        self._bound(connection)
        if isolation_level is not None:
            connection.isolation_level = self.isolation_level
        return connection

    def _configure_connection(self, connection):
        # Also the pool's ``configure`` callback: every new pooled connection passes here first.
        self._bound(connection)
        return super()._configure_connection(connection)

    def _bound(self, connection) -> None:
        connection.answer_timeout = self.answer_timeout
        connection.check_timeout = self.check_timeout

    def is_usable(self):
        """Tell whether the connection answers a trivial query within ``check_timeout``."""
        if self.connection is None:
            return False
        try:
            with self.connection.answering_within(self.check_timeout):
                self.connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def ping(self) -> None:
        """Ask the database a trivial query, waiting at most ``check_timeout`` for the answer."""
        self.ensure_connection()
        with self.wrap_database_errors, self.connection.answering_within(self.check_timeout):
            self.connection.execute("SELECT 1")
