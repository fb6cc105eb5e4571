"""Superseding a file from its page: who may, and what they are told."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import Evidence
from tests.conftest import client_for
from tests.evidence.factories import attach, pdf_bytes, stored_files
from tests.evidence.test_upload_validation import SVG

pytestmark = pytest.mark.django_db


def supersede_url(evidence):
    return reverse(
        "evidence:supersede", kwargs={"pk": evidence.secretariat_id, "evidence_id": evidence.pk}
    )


def new_version(name="acta corregida.pdf", content=None):
    upload = io.BytesIO(content if content is not None else pdf_bytes())
    upload.name = name
    return {"file": upload, "description": "Acta con todas las firmas"}


def test_page_asks_for_confirmation_and_explains_nothing_is_lost(state_a, alicia):
    evidence = attach(state_a, alicia)

    page = client_for(alicia).get(supersede_url(evidence)).content.decode()

    assert 'data-confirm="La versión actual quedará sustituida. ¿Continuar?"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "no se borra" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("alicia", 302),
        ("bruno", 404),
        ("fernanda", 302),
        ("rita", 404),
        ("adan", 302),
    ],
)
def test_who_may_supersede(world, persona, status):
    evidence = attach(world.state_a, world.alicia)

    response = world.client(persona).post(supersede_url(evidence), new_version())

    assert response.status_code == status
    assert Evidence.objects.filter(supersedes=evidence).exists() == (status == 302)
    assert len(stored_files()) == (2 if status == 302 else 1)


def test_hostile_new_version_is_refused_with_its_message(state_a, alicia):
    evidence = attach(state_a, alicia)

    response = client_for(alicia).post(supersede_url(evidence), new_version("logo.svg", SVG))

    assert response.status_code == 200
    assert "«logo.svg»: Los archivos SVG no se aceptan." in response.content.decode()
    assert Evidence.objects.count() == 1
    assert len(stored_files()) == 1


def test_superseded_file_cannot_be_superseded_again(state_a, alicia):
    evidence = attach(state_a, alicia)
    client = client_for(alicia)
    client.post(supersede_url(evidence), new_version())

    response = client.post(supersede_url(evidence), new_version("otra.pdf"))

    assert "ya fue sustituida por una versión más reciente" in response.content.decode()
    assert Evidence.objects.count() == 2


def test_supersede_without_csrf_token_is_refused(state_a, alicia):
    evidence = attach(state_a, alicia)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alicia)

    response = client.post(supersede_url(evidence), new_version())

    assert response.status_code == 403
    assert Evidence.objects.count() == 1
