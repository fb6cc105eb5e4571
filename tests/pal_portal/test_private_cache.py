"""Answers to signed-in people are never cached; public answers keep their own headers."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.evidence.factories import matrix_evidence, matrix_export

pytestmark = pytest.mark.django_db


def _assert_private(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]
    assert "public" not in directives


def test_signed_in_pages_are_private_and_not_stored(world):
    client = world.client("alicia")
    for url in (
        reverse("home"),  # a redirect to her STL
        reverse("stl:list"),
        world.state_a.get_absolute_url(),
        reverse("evidence:secretariat_list", kwargs={"pk": world.state_a.pk}),
        reverse("password_change"),
        "/no-existe/",
    ):
        _assert_private(client.get(url))


def test_reviewer_pages_are_private_too(world):
    _assert_private(world.client("rita").get(world.state_a.get_absolute_url()))


def test_evidence_and_export_downloads_are_private_and_not_stored(world):
    evidence = matrix_evidence(world)
    response = world.client("fernanda").get(
        reverse("evidence:download", kwargs={"pk": world.state_a.pk, "evidence_id": evidence.pk})
    )
    assert response.status_code == 200
    _assert_private(response)
    export = matrix_export(world)
    response = world.client("rita").get(
        reverse("evidence:export_download", kwargs={"pk": world.state_a.pk, "export_id": export.pk})
    )
    assert response.status_code == 200
    _assert_private(response)


def test_signing_in_answers_privately(alicia):
    from tests.factories import PASSWORD

    response = Client().post(reverse("login"), {"username": alicia.email, "password": PASSWORD})
    assert response.status_code == 302
    _assert_private(response)


def test_anonymous_public_pages_keep_their_own_headers(client):
    assert "Cache-Control" not in client.get(reverse("home"))
    health = client.get(reverse("healthz"))
    assert "no-store" in health["Cache-Control"]  # never_cache, as before


def test_static_files_keep_whitenoise_caching_even_for_signed_in_people(alicia, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client_for(alicia).get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
