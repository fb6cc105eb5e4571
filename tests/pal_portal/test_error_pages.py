"""With DEBUG off, errors answer in Spanish, in the portal's layout, under the strict CSP."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.pal_portal.error_urls")]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def _assert_portal_page(response, status, heading):
    assert response.status_code == status
    body = response.content.decode()
    assert 'lang="es-mx"' in body
    assert body.count("<h1") == 1
    assert f"<h1>{heading}</h1>" in body
    assert '<a class="skip-link" href="#contenido">Saltar al contenido</a>' in body
    assert '<main id="contenido"' in body
    assert "<header" in body and "<footer" in body
    assert 'href="/">Volver al inicio</a>' in body
    # Nothing inline, nothing from another host, the same policy as every page.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert " style=" not in body and "<style" not in body
    assert not re.search(r"""(src|href)=["']https?://""", body)
    return body


def test_unknown_address_answers_the_spanish_404(client):
    body = _assert_portal_page(client.get("/no-existe/"), 404, "No encontramos esta página")
    assert "Iniciar sesión" in body
    assert "Not Found" not in body


def test_member_of_another_state_meets_the_same_404(bruno, state_a):
    response = client_for(bruno).get(state_a.get_absolute_url())
    body = _assert_portal_page(response, 404, "No encontramos esta página")
    assert "Bruno" in body  # still signed in, in the portal's header
    assert str(state_a) not in body


def test_permission_denied_answers_the_spanish_403(client):
    _assert_portal_page(client.get("/_pruebas/prohibido/"), 403, "No puedes hacer esto")


def test_bad_request_answers_the_spanish_400(client):
    _assert_portal_page(
        client.get("/_pruebas/sospechosa/"), 400, "No pudimos atender esta solicitud"
    )


def test_a_foreign_host_header_answers_the_spanish_400(client):
    response = client.get("/", HTTP_HOST="intruso.example")
    _assert_portal_page(response, 400, "No pudimos atender esta solicitud")


def test_a_form_without_its_csrf_token_answers_the_spanish_csrf_page(alicia):
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": alicia.email, "password": "x"}
    )
    body = _assert_portal_page(response, 403, "No pudimos enviar el formulario")
    assert "recárgala y envía el formulario de nuevo" in body
    assert "CSRF verification failed" not in body


def test_an_unexpected_error_answers_the_spanish_500(alicia):
    client = client_for(alicia)
    client.raise_request_exception = False
    response = client.get("/_pruebas/falla/")
    body = _assert_portal_page(response, 500, "Algo falló de nuestro lado")
    # Rendered without the request: no personal header, no forms that need a session.
    assert alicia.get_short_name() not in body
    assert "csrfmiddlewaretoken" not in body


def test_a_database_outage_answers_the_spanish_503_with_retry_after(alicia, settings):
    response = client_for(alicia).get("/_pruebas/sin-base/")
    body = _assert_portal_page(response, 503, "El portal no está disponible por ahora")
    assert "inténtalo de nuevo en unos minutos" in body
    assert response["Retry-After"] == "30"  # PAL_RETRY_AFTER as shipped
    assert "no-store" in response["Cache-Control"]
    # Rendered without the request: no personal header, no forms that need a session.
    assert alicia.get_short_name() not in body
    assert "csrfmiddlewaretoken" not in body


def test_the_503_page_speaks_english_to_whoever_chose_it(alicia, settings):
    client = client_for(alicia)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/_pruebas/sin-base/")
    assert response.status_code == 503
    assert 'lang="en"' in response.content.decode()


def test_the_500_page_still_answers_when_its_template_fails(alicia, settings):
    from pal_portal.views import server_error

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }  # no manifest here: {% static %} raises, as a broken deployment would
    response = server_error(None)
    assert response.status_code == 500
    body = response.content.decode()
    assert "portal.css" not in body  # the plain fallback, not the template
    assert "<h1>Algo falló de nuestro lado</h1>" in body
    assert 'href="/">Volver al inicio</a>' in body


def test_a_foreign_object_and_a_missing_one_get_the_very_same_page(bruno, state_a):
    client = client_for(bruno)
    foreign = client.get(state_a.get_absolute_url())
    missing = client.get(state_a.get_absolute_url().replace(str(state_a.pk), "999999"))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content  # no per-answer CSRF token, no echoed path
