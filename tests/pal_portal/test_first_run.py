"""A newcomer's first run: any port, links that follow the address served, no dead ends."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from pal_portal.site import site_url

ROOT = Path(__file__).resolve().parents[2]


def _make_run(*args):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_the_port_and_host_asked_for():
    assert "manage.py runserver 0.0.0.0:8123" in _make_run("PORT=8123", "HOST=0.0.0.0")
    assert "manage.py runserver 127.0.0.1:8000" in _make_run()


def test_links_follow_the_address_served_when_site_url_is_not_set(settings):
    settings.SITE_URL_IS_SET = False
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")
    assert site_url(request) == "http://localhost:8123"
    assert site_url(None) == settings.SITE_URL  # a worker, without a request


def test_a_set_site_url_wins_over_the_request(settings):
    settings.SITE_URL_IS_SET = True
    settings.SITE_URL = "https://pal.inai.org.mx/"
    request = RequestFactory().get("/", HTTP_HOST="localhost:8123")
    assert site_url(request) == "https://pal.inai.org.mx"


def _reset_link(client, email, **extra):
    response = client.post(reverse("password_reset"), {"email": email}, **extra)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return re.search(r"\S+/cuentas/contrasena/nueva/\S+/", mail.outbox[0].body).group(0)


@pytest.mark.django_db
def test_password_reset_link_follows_the_address_served(alicia, client, settings):
    settings.SITE_URL_IS_SET = False
    settings.ALLOWED_HOSTS = ["localhost"]
    link = _reset_link(client, alicia.email, HTTP_HOST="localhost:8123")
    assert link.startswith("http://localhost:8123/cuentas/contrasena/nueva/")


@pytest.mark.django_db
def test_password_reset_link_uses_site_url_when_set(alicia, client, settings):
    settings.SITE_URL_IS_SET = True
    settings.SITE_URL = "https://pal.inai.org.mx"
    link = _reset_link(client, alicia.email)
    assert link.startswith("https://pal.inai.org.mx/cuentas/contrasena/nueva/")
    assert "Portal PAL" in mail.outbox[0].subject


@pytest.mark.django_db
def test_the_home_page_offers_no_link_to_pages_that_are_empty_for_visitors(client):
    body = client.get(reverse("home")).content.decode()
    assert "Ver los planes públicos" not in body
    assert f'href="{reverse("stl:list")}"' not in body
    assert f'href="{reverse("login")}"' in body


@pytest.mark.django_db
def test_signed_in_people_still_find_the_secretariats_in_the_header(alicia, state_a):
    from tests.conftest import client_for

    body = client_for(alicia).get(reverse("password_change")).content.decode()
    assert f'href="{reverse("stl:list")}">Secretariados</a>' in body
