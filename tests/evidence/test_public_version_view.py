"""Adding the redacted public version of a file with personal data from its page."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from evidence.models import Evidence
from tests.conftest import client_for
from tests.evidence.factories import attach, pdf_bytes

pytestmark = pytest.mark.django_db


def public_version_url(evidence):
    return reverse(
        "evidence:public_version",
        kwargs={"pk": evidence.secretariat_id, "evidence_id": evidence.pk},
    )


def redacted(name="lista testada.pdf"):
    upload = io.BytesIO(pdf_bytes())
    upload.name = name
    return {"file": upload}


def attendance_list(state, user):
    return attach(state, user, kind=Evidence.Kind.ATTENDANCE_LIST, contains_personal_data=True)


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
def test_who_may_add_a_public_version(world, persona, status):
    original = attendance_list(world.state_a, world.alicia)

    response = world.client(persona).post(public_version_url(original), redacted())

    assert response.status_code == status
    original.refresh_from_db()
    assert (original.public_version_id is not None) == (status == 302)


def test_list_shows_the_missing_and_then_the_present_public_version(state_a, alicia, rita):
    original = attendance_list(state_a, alicia)
    subject_url = reverse(
        "evidence:subject",
        kwargs={"pk": state_a.pk, "subject_type": "stl.secretariat", "subject_id": state_a.pk},
    )
    before = client_for(rita).get(subject_url).content.decode()

    client_for(alicia).post(public_version_url(original), redacted())

    after = client_for(rita).get(subject_url).content.decode()
    original.refresh_from_db()
    assert "Falta la versión pública" in before
    assert "Falta la versión pública" not in after
    public_url = reverse(
        "evidence:download",
        kwargs={"pk": state_a.pk, "evidence_id": original.public_version_id},
    )
    assert f'href="{public_url}"' in after


def test_file_without_personal_data_is_told_it_needs_none(state_a, alicia):
    original = attach(state_a, alicia)

    response = client_for(alicia).post(public_version_url(original), redacted())

    assert response.status_code == 200
    assert "no necesita versión pública" in response.content.decode()


def test_public_version_without_csrf_token_is_refused(state_a, alicia):
    original = attendance_list(state_a, alicia)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alicia)

    assert client.post(public_version_url(original), redacted()).status_code == 403
