"""Shared personas, so every test reads as a story.

- ``alicia``: member of the civil-society nucleus of state A (Oaxaca).
- ``bruno``: member of state B (Jalisco); must never see anything of A that is not public.
- ``fernanda``: the facilitator of state A (voice, no vote).
- ``rita``: a CPGAT reviewer of INAI.
- ``adan``: an INAI administrator.
"""

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from pal_portal.celery import app as celery_app
from tests.factories import (
    SecretariatFactory,
    UserFactory,
    add_facilitator,
    add_member,
    admin_user,
    reviewer_user,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _eager_tasks_by_default(settings, tmp_path):
    """Run tasks in-process and keep uploaded files in a per-test folder, unless a test opts out."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """Start every test in the portal's default language, whatever an earlier request chose."""
    from django.utils import translation

    translation.activate("es-mx")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def state_a(db):
    return SecretariatFactory(state="OAX", exercise="2016–2018")


@pytest.fixture
def state_b(db):
    return SecretariatFactory(state="JAL", exercise="2016–2018")


@pytest.fixture
def alicia(state_a):
    return add_member(state_a, user=UserFactory(full_name="Alicia Morales")).user


@pytest.fixture
def bruno(state_b):
    return add_member(state_b, user=UserFactory(full_name="Bruno Salas")).user


@pytest.fixture
def fernanda(state_a):
    return add_facilitator(state_a, user=UserFactory(full_name="Fernanda Ríos")).user


@pytest.fixture
def rita(db):
    return reviewer_user(full_name="Rita Cárdenas")


@pytest.fixture
def adan(db):
    return admin_user(full_name="Adán Villalobos")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class World:
    """One of everything, in state A and state B, with a client per persona."""

    state_a: object
    state_b: object
    alicia: object
    bruno: object
    fernanda: object
    rita: object
    adan: object

    def client(self, role: str) -> Client:
        return client_for(None if role == "anonymous" else getattr(self, role))


@pytest.fixture
def world(state_a, state_b, alicia, bruno, fernanda, rita, adan):
    return World(state_a, state_b, alicia, bruno, fernanda, rita, adan)


# --- A real Celery worker -------------------------------------------------------------------------


def _required(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0", "false")


def worker_database_url() -> str:
    """Return a DATABASE_URL that points a worker process at this test run's database."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(*, log_path, media_root, hostname: str, extra_env=None, extra_args=()):
    """Start a real ``celery worker`` process on the test database; return the process."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(media_root),
        "DATABASE_POOL": "false",
        **(extra_env or {}),
    }
    log = open(log_path, "a")  # noqa: SIM115 - the child keeps it open; closed with the process
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pal_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--hostname={hostname}@%h",
            "--without-gossip",
            "--without-mingle",
            "--include",
            "tests.worker_setup",
            *extra_args,
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so a test can kill the whole worker
    )


def stop_worker(process) -> None:
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for_worker(process, log_path, app=None, timeout: float = 60) -> None:
    """Wait until a worker answers a ping through the broker, or fail with its log."""
    import time

    app = app or celery_app
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited early:\n{log_path.read_text()[-3000:]}")
        if app.control.ping(timeout=0.5):
            return
    stop_worker(process)
    pytest.fail(
        f"The Celery worker did not answer within {timeout} s:\n{log_path.read_text()[-3000:]}"
    )


@pytest.fixture(scope="session")
def _worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start one real Celery worker for the session, on the test database and the real broker."""
    from django.conf import settings as django_settings
    from django.db import connection

    if not django_settings.CELERY_BROKER_URL:
        if _required("PAL_REQUIRE_WORKER"):
            pytest.fail("PAL_REQUIRE_WORKER is set but no CELERY_BROKER_URL is configured.")
        pytest.skip("No Celery broker configured (set CELERY_BROKER_URL to run worker tests).")
    if connection.vendor != "postgresql":
        if _required("PAL_REQUIRE_WORKER"):
            pytest.fail("Worker tests need PostgreSQL: the worker must share the test database.")
        pytest.skip("Worker tests need a PostgreSQL DATABASE_URL.")
    media_root = tmp_path_factory.mktemp("worker-media")
    celery_app.control.purge()  # nothing left over from an earlier run may reach this worker
    log_path = tmp_path_factory.mktemp("worker-log") / "worker.log"
    process = start_worker(
        log_path=log_path, media_root=media_root, hostname=f"pal-test-{os.getpid()}"
    )
    wait_for_worker(process, log_path)
    yield {"media_root": media_root, "log": log_path}
    stop_worker(process)


@pytest.fixture
def live_worker(_worker_process, settings):
    """Send tasks through the broker to the real worker for this test (use transactional_db)."""
    settings.MEDIA_ROOT = _worker_process["media_root"]
    celery_app.conf.task_always_eager = False
    yield _worker_process
    celery_app.conf.task_always_eager = True
