"""Every wait on PostgreSQL is bounded, from settings read in the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _options(**env) -> dict:
    """Return DATABASES["default"] and the pool settings as the settings build them from env."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update({"DATABASE_URL": "postgres://u@127.0.0.1:5432/db", **env})
    code = (
        "import json; from pal_portal import settings as s; "
        "print(json.dumps([s.DATABASES['default'], s.PAL_DATABASE_POOL], default=str))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings.")
@pytest.mark.django_db
def test_the_shipped_timeouts_reach_the_server():
    options = connection.settings_dict["OPTIONS"]
    assert options["connect_timeout"] == 3
    assert options["check_timeout"] == 1
    assert options["answer_timeout"] == 20  # the statement timeout, and five seconds more
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("15s",)
    assert options["tcp_user_timeout"] == 10_000
    assert options["keepalives"] == 1


def test_workers_take_a_longer_statement_timeout_from_their_environment():
    database, _pool = _options(DATABASE_STATEMENT_TIMEOUT="300")
    assert database["OPTIONS"]["options"] == "-c statement_timeout=300000"
    assert database["OPTIONS"]["answer_timeout"] == 305


def test_no_statement_timeout_for_long_administrative_commands():
    database, _pool = _options(DATABASE_STATEMENT_TIMEOUT="0")
    assert "options" not in database["OPTIONS"]
    assert "answer_timeout" not in database["OPTIONS"]  # no answer is given up on
    assert database["OPTIONS"]["connect_timeout"] == 3  # connecting is still bounded


def test_options_given_in_the_database_url_are_kept():
    database, _pool = _options(
        DATABASE_URL="postgres://u@127.0.0.1:5432/db?options=-c%20search_path%3Dpal"
    )
    assert database["OPTIONS"]["options"] == "-c search_path=pal -c statement_timeout=15000"


def test_a_request_waits_for_a_pooled_connection_no_longer_than_for_a_new_one():
    database, pool = _options(DATABASE_POOL="true")
    assert database["ENGINE"] == "pal_portal.postgresql"
    assert database["OPTIONS"]["pool"] == pool
    assert database["CONN_MAX_AGE"] == 0
    assert pool["timeout"] == 3
    assert pool["reconnect_timeout"] == 10
