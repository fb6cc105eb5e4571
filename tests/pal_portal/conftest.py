"""The database proxy of the outage tests (tests/pal_portal/db_proxy.py), as a fixture."""

import pytest
from django.conf import settings
from django.db import connection

from tests.pal_portal.db_proxy import DatabaseProxy


@pytest.fixture(params=["kept", "pooled"])
def proxy(request):
    """Point the default connection at a proxy: kept between requests, or from the pool."""
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT", "OPTIONS")}
    saved_max_age = connection.settings_dict["CONN_MAX_AGE"]
    proxy = DatabaseProxy((saved["HOST"] or "127.0.0.1", int(saved["PORT"] or 5432))).open()
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=proxy.port)
    if request.param == "pooled":  # as production runs (DATABASE_POOL defaults to on there)
        pool = settings.PAL_DATABASE_POOL
        connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "pool": pool}
        connection.settings_dict["CONN_MAX_AGE"] = 0
    yield proxy
    connection.close()
    connection.close_pool()
    connection.settings_dict.update(saved)
    connection.settings_dict["CONN_MAX_AGE"] = saved_max_age
    proxy.close()
