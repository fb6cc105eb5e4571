"""Builders of evidence for tests: real files through the real service, so hashes are real."""

from __future__ import annotations

import itertools
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from evidence import services
from evidence.models import Evidence, EvidenceExport
from stl.models import FacilitatorAssignment
from tests.evidence.test_upload_validation import MINIMAL_PDF

_numbers = itertools.count(1)


def pdf_bytes(marker: str = "") -> bytes:
    """Return a small valid PDF; ``marker`` makes its bytes (and hash) unique."""
    return MINIMAL_PDF + f"% {marker or next(_numbers)}\n".encode()


def pdf_file(name: str = "acta.pdf", content: bytes | None = None) -> ContentFile:
    return ContentFile(content if content is not None else pdf_bytes(), name=name)


def attach(
    subject,
    user,
    *,
    name: str = "acta.pdf",
    content: bytes | None = None,
    kind: str = Evidence.Kind.MINUTES,
    description: str = "Acta firmada de la sesión de instalación",
    contains_personal_data: bool = False,
) -> Evidence:
    """Attach a file to ``subject`` as ``user`` through the service."""
    return services.evidence_attach(
        subject=subject,
        uploaded_file=pdf_file(name, content),
        kind=kind,
        description=description,
        contains_personal_data=contains_personal_data,
        user=user,
    )


def evidence_root() -> Path:
    """Return the folder the local evidence storage writes into (follows MEDIA_ROOT)."""
    return Path(settings.MEDIA_ROOT) / "evidence"


def stored_files() -> list[Path]:
    root = evidence_root()
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def stored_path(evidence: Evidence) -> Path:
    return evidence_root() / evidence.file.name


def tamper(evidence: Evidence, content: bytes = b"%PDF-1.4 falsificado\n") -> None:
    """Change a stored file behind the portal's back."""
    stored_path(evidence).write_bytes(content)


# --- for the role x URL matrix (tests/evidence/url_expectations.py) ------------------------------


def matrix_evidence(world) -> Evidence:
    """Return an attendance list with personal data of state A, uploaded by Alicia."""
    return attach(
        world.state_a,
        world.alicia,
        name="lista de asistencia.pdf",
        kind=Evidence.Kind.ATTENDANCE_LIST,
        description="Lista de asistencia de la instalación",
        contains_personal_data=True,
    )


def matrix_export(world) -> EvidenceExport:
    """Return a finished ZIP export of state A requested by Rita (tasks run eagerly in tests)."""
    matrix_evidence(world)
    export = services.evidence_export_start(secretariat=world.state_a, user=world.rita)
    services.evidence_export_build(export_id=export.pk)
    export.refresh_from_db()
    return export


# --- subjects of every registered kind -----------------------------------------------------------


def subjects_of_several_types(secretariat, *, count: int) -> list:
    """Return the STL itself plus ``count`` tables, consultations, prioritisations and (former)
    facilitator assignments of it: one of each subject type registered by ``stl``."""
    from tests.cocreation.factories_dialogue import (
        DialogueTableFactory,
        PublicConsultationFactory,
        nucleus_of,
    )
    from tests.cocreation.factories_prioritization import make_prioritization
    from tests.factories import UserFactory

    made = [secretariat]
    for number in range(count):
        made.append(DialogueTableFactory(nucleus=nucleus_of(secretariat)))
        made.append(PublicConsultationFactory(secretariat=secretariat))
        made.append(make_prioritization(secretariat, problems=[], title=f"Priorización {number}"))
        made.append(
            FacilitatorAssignment.objects.create(
                secretariat=secretariat,
                user=UserFactory(full_name=f"Facilitadora anterior {number}"),
                is_active=False,
            )
        )
    return made


def attach_to_each(subjects, user, *, files: int = 2) -> list[Evidence]:
    """Attach ``files`` files to each subject as ``user`` (an INAI administrator may attach to
    every subject type)."""
    return [
        attach(subject, user, name=f"{subject._meta.model_name}-{subject.pk}-{number}.pdf")
        for subject in subjects
        for number in range(files)
    ]
