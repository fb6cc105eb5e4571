"""evidence_attach: what is stored, under which name, with which hash, and what is refused."""

import dataclasses
import hashlib
import io
import stat

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from PIL import ExifTags, Image

from evidence import services
from evidence.models import Evidence, EvidenceEvent
from pal_portal.history import acting_as
from pal_portal.text import strip_bidi_controls
from tests.evidence.factories import attach, pdf_bytes, pdf_file, stored_files, stored_path
from tests.evidence.test_upload_validation import image_bytes

pytestmark = pytest.mark.django_db


def test_member_attaches_the_installation_act(state_a, alicia):
    content = pdf_bytes("instalación")

    evidence = attach(state_a, alicia, name="Acta de instalación.pdf", content=content)

    assert evidence.secretariat == state_a
    assert evidence.subject == state_a
    assert evidence.phase == Evidence.Phase.INSTALLATION
    assert evidence.kind == Evidence.Kind.MINUTES
    assert evidence.original_name == "Acta de instalación.pdf"
    assert evidence.mime_type == "application/pdf"
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == alicia
    assert stored_path(evidence).read_bytes() == content


def test_stored_name_is_generated_by_the_server(state_a, alicia):
    evidence = attach(state_a, alicia, name="Acta de instalación.pdf")

    folder, generated = evidence.file.name.split("/")
    assert folder == str(state_a.pk)
    assert len(generated) == 32 and all(c in "0123456789abcdef" for c in generated)
    assert "acta" not in evidence.file.name.lower()


def test_stored_file_is_not_readable_by_other_users_of_the_server(state_a, alicia):
    evidence = attach(state_a, alicia)

    mode = stat.S_IMODE(stored_path(evidence).stat().st_mode)
    assert mode & stat.S_IROTH == 0


def test_the_same_name_twice_makes_two_files(state_a, alicia):
    first = attach(state_a, alicia, name="acta.pdf")
    second = attach(state_a, alicia, name="acta.pdf")

    assert first.file.name != second.file.name
    assert len(stored_files()) == 2


def test_facilitator_and_admin_may_attach(state_a, fernanda, adan):
    assert attach(state_a, fernanda).uploaded_by == fernanda
    assert attach(state_a, adan).uploaded_by == adan


@pytest.mark.parametrize("persona", ["rita", "bruno"])
def test_reviewer_and_other_states_may_not_attach(request, state_a, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        attach(state_a, user)

    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_upload_is_logged_with_who_and_when(state_a, alicia):
    evidence = services.evidence_attach(
        subject=state_a,
        uploaded_file=pdf_file(),
        kind="acta",
        description="Acta",
        user=alicia,
        ip_address="203.0.113.7",
    )

    event = EvidenceEvent.objects.get()
    assert event.action == EvidenceEvent.Action.UPLOAD
    assert event.evidence == evidence
    assert event.user == alicia
    assert event.secretariat == state_a
    assert event.ip_address == "203.0.113.7"
    assert event.detail["sha256"] == evidence.sha256


def test_history_records_the_acting_user(state_a, alicia, fernanda):
    # Outside a request (a task, a command), with someone else set as the acting user.
    with acting_as(fernanda):
        evidence = attach(state_a, alicia)

    record = evidence.history.get()
    assert record.history_type == "+"
    assert record.history_user == alicia


def test_gps_metadata_is_stripped_and_the_stored_bytes_are_hashed(state_a, alicia):
    original = image_bytes("JPEG")

    evidence = services.evidence_attach(
        subject=state_a,
        uploaded_file=ContentFile(original, name="foto de la instalación.jpg"),
        kind=Evidence.Kind.PHOTO,
        description="Foto de la sesión",
        user=alicia,
    )

    stored = stored_path(evidence).read_bytes()
    assert stored != original
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_generated_documents_are_accepted_as_content_files(state_a, adan):
    generated = ContentFile(pdf_bytes("reporte"), name="reporte-de-validacion.pdf")

    evidence = services.evidence_attach(
        subject=state_a,
        uploaded_file=generated,
        kind=Evidence.Kind.REPORT,
        description="Reporte generado por el portal",
        user=adan,
    )

    assert evidence.original_name == "reporte-de-validacion.pdf"
    assert evidence.uploaded_by == adan


def test_refused_file_leaves_no_row_no_file_and_no_event(state_a, alicia):
    with pytest.raises(ValidationError) as exc_info:
        attach(state_a, alicia, name="acta.pdf.exe")

    assert exc_info.value.messages[0].startswith("La extensión .exe no está permitida")
    assert not Evidence.objects.exists()
    assert not EvidenceEvent.objects.exists()
    assert stored_files() == []


def test_oversize_content_is_refused_without_reading_it_all(state_a, alicia, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    read = []

    class Endless(ContentFile):
        def chunks(self, chunk_size=None):
            for _ in range(1000):
                read.append(1)
                yield b"%PDF-1.4\n" + b"0" * 1015

    with pytest.raises(ValidationError) as exc_info:
        services.evidence_attach(
            subject=state_a,
            uploaded_file=Endless(b"", name="grande.pdf"),
            kind="acta",
            description="Acta",
            user=alicia,
        )

    assert exc_info.value.code == "file_too_large"
    assert exc_info.value.messages == ["El archivo pesa más de 1 KB, el máximo permitido."]
    assert len(read) == 2
    assert stored_files() == []


@pytest.mark.parametrize(
    ("kind", "description", "message"),
    [
        ("contrato", "Acta", "Elige un tipo de evidencia válido."),
        ("acta", "   ", "Escribe una descripción breve de la evidencia."),
        (
            "acta",
            "x" * 501,
            "Asegúrate de que este valor tenga como máximo 500 caracteres (tiene 501).",
        ),
    ],
)
def test_kind_and_description_are_checked(state_a, alicia, kind, description, message):
    with pytest.raises(ValidationError) as exc_info:
        attach(state_a, alicia, kind=kind, description=description)

    assert exc_info.value.messages == [message]
    assert stored_files() == []


def lenient_name_check(monkeypatch):
    """Let names with direction controls through the upload checks, which refuse them today."""
    real = services.sniff_and_check

    def sniff_and_check(*, name, **kwargs):
        return dataclasses.replace(real(name=strip_bidi_controls(name), **kwargs), name=name)

    monkeypatch.setattr(services, "sniff_and_check", sniff_and_check)


def test_the_stored_name_never_keeps_direction_controls(state_a, alicia, monkeypatch):
    lenient_name_check(monkeypatch)

    evidence = attach(state_a, alicia, name="\u202eActa\u200f de instalación\u2066.pdf")

    assert evidence.original_name == "Acta de instalación.pdf"
    event = EvidenceEvent.objects.get(evidence=evidence)
    assert event.detail["name"] == "Acta de instalación.pdf"


def test_file_is_removed_when_its_row_cannot_be_written(state_a, alicia, monkeypatch):
    def broken_log(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_log", broken_log)

    with pytest.raises(RuntimeError):
        attach(state_a, alicia)

    assert not Evidence.objects.exists()
    assert stored_files() == []


def test_unregistered_subject_is_a_programming_error(alicia):
    with pytest.raises(LookupError):
        attach(alicia, alicia)
