"""Login throttling, CSRF, the Content Security Policy and secure defaults."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_is_locked_after_repeated_failures(alicia, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post(reverse("login"), {"username": alicia.email, "password": "equivocada"})
    response = client.post(reverse("login"), {"username": alicia.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Acceso bloqueado temporalmente" in response.content.decode()


def test_login_with_the_right_password_works(alicia):
    response = Client().post(reverse("login"), {"username": alicia.email, "password": PASSWORD})
    assert response.status_code == 302


def test_login_error_is_in_spanish(alicia):
    response = Client().post(reverse("login"), {"username": alicia.email, "password": "x"})
    assert "correo electrónico" in response.content.decode() or "contraseña" in (
        response.content.decode()
    )


def test_post_without_csrf_token_is_refused(adan, state_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(adan)
    response = client.post(
        reverse("stl:nucleus_create", kwargs={"pk": state_a.pk}), {"kind": "academia"}
    )
    assert response.status_code == 403
    assert not state_a.nuclei.filter(kind="academia").exists()


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_loads_anything_from_another_host(client, alicia, state_a):
    client.force_login(alicia)
    for url in (reverse("home"), reverse("stl:list"), state_a.get_absolute_url()):
        body = client.get(url, follow=True).content.decode()
        assert "http://" not in body.replace("http://testserver", "")
        assert "https://" not in body
        assert "style=" not in body
        assert "<script>" not in body


def test_password_reset_sends_a_link_in_spanish(alicia, client):
    from django.core import mail

    response = client.post(reverse("password_reset"), {"email": alicia.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/cuentas/contrasena/nueva/" in mail.outbox[0].body


def test_pages_are_in_spanish_by_default_and_english_is_available(client):
    assert 'lang="es-mx"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_an_english_browser_still_gets_spanish_until_english_is_chosen(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="es-mx"' in page.content.decode()
    assert "Iniciar sesión" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es-MX")
    assert 'lang="en"' in page.content.decode()
