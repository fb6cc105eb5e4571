"""The production-like Compose stack and its image: validated without a Docker engine.

``docker-compose config -q`` (Debian's Compose v1) checks the file against the Compose schema and
its variable interpolation; the structural checks below hold the stack to what operations rely on.
Neither needs the database.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

SERVICES = {"db", "redis", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_VARIABLES = {
    "SECRET_KEY": "compose-test-secret-" + "k" * 50,
    "ALLOWED_HOSTS": "pal.example.org",
    "POSTGRES_PASSWORD": "compose-test-password",
}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        message = "docker-compose (Debian package docker-compose) is not installed"
        if _in_ci():
            pytest.fail(message + "; CI must install it")
        pytest.skip(message)
    return path


def _run_config(docker_compose: str, tmp_path: Path, variables: dict[str, str]):
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED_VARIABLES}
    env.update(variables)
    # An empty env file, so that a developer's .env cannot change the outcome.
    env_file = tmp_path / "empty.env"
    env_file.write_text("", encoding="utf-8")
    return subprocess.run(
        [
            docker_compose,
            "--env-file",
            str(env_file),
            "-f",
            str(COMPOSE_FILE),
            "config",
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _environment(service: dict) -> dict:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in environment)
        environment = dict(pairs)
    return environment


def _command_text(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _healthcheck_text(service: dict) -> str:
    return _command_text((service.get("healthcheck") or {}).get("test"))


def _depends_on(service: dict) -> dict:
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):
        return {name: {} for name in depends_on}
    return depends_on


# docker-compose config ------------------------------------------------------------------------


def test_docker_compose_config_validates(docker_compose, tmp_path):
    result = _run_config(docker_compose, tmp_path, REQUIRED_VARIABLES)
    assert result.returncode == 0, result.stderr or result.stdout


@pytest.mark.parametrize("missing", sorted(REQUIRED_VARIABLES))
def test_docker_compose_config_refuses_a_missing_secret(docker_compose, tmp_path, missing):
    variables = {k: v for k, v in REQUIRED_VARIABLES.items() if k != missing}
    result = _run_config(docker_compose, tmp_path, variables)
    assert result.returncode != 0
    assert missing in result.stderr


# Structure ------------------------------------------------------------------------------------


def test_the_five_services(compose):
    assert set(compose["services"]) == SERVICES


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker"])
def test_service_has_a_health_check(compose, name):
    healthcheck = compose["services"][name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert healthcheck.get("test"), f"{name} healthcheck has no test"
    assert not healthcheck.get("disable")


def test_database_and_redis_health_checks(compose):
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:15")
    assert "pg_isready" in _healthcheck_text(services["db"])
    assert services["redis"]["image"].startswith("redis:7")
    assert "redis-cli ping" in _healthcheck_text(services["redis"])


def test_database_keeps_its_data_in_a_named_volume(compose):
    mounts = compose["services"]["db"].get("volumes") or []
    named = [m for m in mounts if isinstance(m, str) and m.endswith(":/var/lib/postgresql/data")]
    assert named, "db must mount a volume at /var/lib/postgresql/data"
    assert named[0].split(":", 1)[0] in (compose.get("volumes") or {})


def test_web_waits_for_a_healthy_database_and_redis(compose):
    depends_on = _depends_on(compose["services"]["web"])
    for dependency in ("db", "redis"):
        assert dependency in depends_on
        assert depends_on[dependency].get("condition") == "service_healthy"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_wait_for_their_dependencies(compose, name):
    depends_on = _depends_on(compose["services"][name])
    for dependency in ("db", "redis"):
        assert depends_on.get(dependency, {}).get("condition") == "service_healthy"


def test_worker_does_not_wait_for_a_healthy_web(compose):
    # /healthz pings the Celery worker: web turns healthy only once the worker runs, so a worker
    # waiting for a healthy web would never start.
    web = _depends_on(compose["services"]["worker"]).get("web") or {}
    assert web.get("condition") != "service_healthy"


def test_beat_starts_after_the_migrations(compose):
    # The web service applies the migrations; DatabaseScheduler reads its tables at start.
    web = _depends_on(compose["services"]["beat"]).get("web") or {}
    assert web.get("condition") == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_in_production(compose, name):
    environment = _environment(compose["services"][name])
    assert environment.get("DJANGO_ENV") == "production"
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS"):
        value = str(environment.get(variable) or "")
        # Required from the operator: ${VAR:?message} or ${VAR?message}, never a default.
        assert re.fullmatch(rf"\$\{{{variable}:?\?[^}}]+\}}", value), (
            f"{name}: {variable} must be required with ${{{variable}:?...}}, got {value!r}"
        )
    database_url = str(environment.get("DATABASE_URL") or "")
    assert database_url.startswith("postgres://") and "@db:5432/" in database_url
    assert ":-" not in database_url, "the database password must not have a default"
    assert str(environment.get("REDIS_URL", "")).startswith("redis://redis:6379/")
    assert str(environment.get("CELERY_BROKER_URL", "")).startswith("redis://redis:6379/")


def test_web_migrates_then_serves_with_gunicorn(compose):
    command = _command_text(compose["services"]["web"]["command"])
    assert "manage.py migrate --noinput" in command
    assert "gunicorn pal_portal.wsgi:application" in command
    assert command.index("migrate") < command.index("gunicorn")
    assert "--bind 0.0.0.0:8000" in command


def test_web_health_check_calls_healthz(compose):
    test = _healthcheck_text(compose["services"]["web"])
    assert "urllib" in test
    assert "http://127.0.0.1:8000/healthz" in test


def test_worker_health_check_pings_its_own_node(compose):
    worker = compose["services"]["worker"]
    assert "celery -A pal_portal worker" in _command_text(worker["command"])
    test = _healthcheck_text(worker)
    assert "celery -A pal_portal inspect ping" in test
    # $$ escapes Compose interpolation, so the container's shell expands $HOSTNAME.
    assert "celery@$$HOSTNAME" in test


def test_beat_uses_the_database_scheduler(compose):
    command = _command_text(compose["services"]["beat"]["command"])
    assert "celery -A pal_portal beat" in command
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command


@pytest.mark.parametrize("name", ["web", "worker"])
def test_media_volume_is_mounted_at_media_root(compose, name):
    service = compose["services"][name]
    media_root = _environment(service).get("MEDIA_ROOT")
    assert media_root, f"{name} must set MEDIA_ROOT"
    mounts = [m for m in service.get("volumes") or [] if isinstance(m, str)]
    assert f"media:{media_root}" in mounts
    assert "media" in (compose.get("volumes") or {})


def test_web_keeps_the_short_statement_timeout_and_the_others_a_longer_one(compose):
    # Web requests run under the settings' default (15 s); the worker's tasks under a longer
    # one, and the migrations without any.
    assert "DATABASE_STATEMENT_TIMEOUT" not in _environment(compose["services"]["web"])
    worker = _environment(compose["services"]["worker"])
    assert float(worker["DATABASE_STATEMENT_TIMEOUT"]) > 15
    command = _command_text(compose["services"]["web"]["command"])
    assert "DATABASE_STATEMENT_TIMEOUT=0 python manage.py migrate" in command


# Dockerfile -----------------------------------------------------------------------------------


def test_dockerfile_builds_a_non_root_gunicorn_image():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.MULTILINE)
    assert "pip install ." in text
    assert "collectstatic --noinput" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    cmd = re.findall(r"^CMD\s+(.+)$", text, re.MULTILINE)
    assert cmd and "gunicorn" in cmd[-1] and "pal_portal.wsgi:application" in cmd[-1]
