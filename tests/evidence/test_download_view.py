"""Downloading evidence: safe headers, the checksum verified, tampering refused and logged."""

import hashlib
import logging

import pytest
from django.urls import reverse

from evidence.models import EvidenceEvent
from tests.conftest import client_for
from tests.evidence.factories import attach, pdf_bytes, stored_path, tamper

pytestmark = pytest.mark.django_db


def download_url(evidence):
    return reverse(
        "evidence:download", kwargs={"pk": evidence.secretariat_id, "evidence_id": evidence.pk}
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_reviewer_downloads_the_exact_bytes_with_safe_headers(state_a, alicia, rita):
    content = pdf_bytes("acta")
    evidence = attach(state_a, alicia, name="acta.pdf", content=content)

    response = client_for(rita).get(download_url(evidence))

    assert response.status_code == 200
    assert body(response) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == 'attachment; filename="acta.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]


def test_file_name_is_encoded_as_rfc_6266_says(state_a, alicia):
    evidence = attach(state_a, alicia, name='Acta "instalación"; 2016.pdf')

    response = client_for(alicia).get(download_url(evidence))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Acta%20%22instalaci%C3%B3n%22%3B%202016.pdf"
    )


def test_download_is_logged_with_who_when_and_where(state_a, alicia, rita):
    evidence = attach(state_a, alicia)

    body(client_for(rita).get(download_url(evidence), REMOTE_ADDR="192.0.2.10"))

    event = EvidenceEvent.objects.get(action=EvidenceEvent.Action.DOWNLOAD)
    assert (event.user, event.evidence, event.ip_address) == (rita, evidence, "192.0.2.10")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("alicia", 200),
        ("bruno", 404),
        ("fernanda", 200),
        ("rita", 200),
        ("adan", 200),
    ],
)
def test_who_may_download(world, persona, status):
    evidence = attach(world.state_a, world.alicia)

    response = world.client(persona).get(download_url(evidence))

    assert response.status_code == status
    assert EvidenceEvent.objects.filter(action="download").count() == (status == 200)


def test_evidence_is_not_reachable_through_another_stl_url(state_a, state_b, alicia, bruno):
    evidence = attach(state_a, alicia)
    url = reverse("evidence:download", kwargs={"pk": state_b.pk, "evidence_id": evidence.pk})

    assert client_for(bruno).get(url).status_code == 404
    assert client_for(alicia).get(url).status_code == 404


def test_missing_evidence_and_foreign_evidence_look_the_same(state_a, alicia, bruno):
    evidence = attach(state_a, alicia)
    missing = reverse("evidence:download", kwargs={"pk": state_a.pk, "evidence_id": 999999})

    foreign = client_for(bruno).get(download_url(evidence))
    absent = client_for(bruno).get(missing)

    assert foreign.status_code == absent.status_code == 404
    assert foreign.content == absent.content


def test_withdrawn_and_superseded_files_stay_available_to_reviewers(state_a, alicia, rita):
    from evidence import services
    from tests.evidence.factories import pdf_file

    withdrawn = attach(state_a, alicia, name="equivocada.pdf")
    services.evidence_withdraw(evidence=withdrawn, reason="Era de otra sesión", user=alicia)
    old = attach(state_a, alicia, name="primera.pdf")
    services.evidence_supersede(
        evidence=old, uploaded_file=pdf_file("segunda.pdf"), description="Corregida", user=alicia
    )

    assert client_for(rita).get(download_url(withdrawn)).status_code == 200
    assert client_for(rita).get(download_url(old)).status_code == 200


def test_tampered_file_is_refused_and_logged_as_a_security_event(state_a, alicia, rita, caplog):
    evidence = attach(state_a, alicia, name="acta.pdf")
    tamper(evidence)

    with caplog.at_level(logging.ERROR, logger="pal_portal.security"):
        response = client_for(rita).get(download_url(evidence), REMOTE_ADDR="192.0.2.99")

    assert response.status_code == 409
    page = response.content.decode()
    assert "no coincide con la huella SHA-256 registrada" in page
    assert "%PDF-1.4 falsificado" not in page
    (record,) = [r for r in caplog.records if r.name == "pal_portal.security"]
    assert "problem=altered" in record.getMessage()
    assert f"evidence={evidence.pk}" in record.getMessage()
    event = EvidenceEvent.objects.get(action=EvidenceEvent.Action.VERIFY_FAILURE)
    assert (event.evidence, event.user, event.ip_address) == (evidence, rita, "192.0.2.99")
    assert event.detail == {"problem": "altered", "context": "download"}
    assert not EvidenceEvent.objects.filter(action=EvidenceEvent.Action.DOWNLOAD).exists()


def test_same_size_tampering_is_caught_too(state_a, alicia, rita):
    content = pdf_bytes("original")
    evidence = attach(state_a, alicia, content=content)
    forged = content.replace(b"Catalog", b"Catalox")
    assert len(forged) == len(content) and forged != content
    tamper(evidence, forged)

    assert client_for(rita).get(download_url(evidence)).status_code == 409


def test_missing_file_is_refused_and_logged(state_a, alicia, rita, caplog):
    evidence = attach(state_a, alicia)
    stored_path(evidence).unlink()

    with caplog.at_level(logging.ERROR, logger="pal_portal.security"):
        response = client_for(rita).get(download_url(evidence))

    assert response.status_code == 409
    assert "no se encuentra en el almacén de evidencia" in response.content.decode()
    assert any("problem=missing" in r.getMessage() for r in caplog.records)
    assert EvidenceEvent.objects.filter(action="verify_failure", detail__problem="missing").exists()


def test_served_bytes_are_the_verified_copy(state_a, alicia, rita):
    content = pdf_bytes("copia")
    evidence = attach(state_a, alicia, content=content)

    response = client_for(rita).get(download_url(evidence))
    tamper(evidence)  # changed after verification, before the body is streamed

    assert hashlib.sha256(body(response)).hexdigest() == evidence.sha256
