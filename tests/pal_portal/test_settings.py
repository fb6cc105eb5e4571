"""The production profile refuses to start without its secrets and passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 30 + "-production-secret-for-the-deploy-check-0123456789"


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_its_secrets():
    result = _manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "DATABASE_URL" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY="short",
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        ALLOWED_HOSTS="pal.example.mx",
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_refuses_to_run_tasks_in_the_web_process_unless_asked():
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
        "ALLOWED_HOSTS": "pal.example.mx",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }
    refused = _manage("check", **production)
    assert refused.returncode != 0
    assert "CELERY_BROKER_URL" in refused.stderr
    assert _manage("check", **production, CELERY_TASK_ALWAYS_EAGER="true").returncode == 0


def test_production_profile_passes_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        ALLOWED_HOSTS="pal.example.mx",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_default_runs_without_any_variable():
    result = _manage("check")
    assert result.returncode == 0, result.stderr
