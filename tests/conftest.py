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
