"""Writes of the evidence vault: attach, supersede, withdraw, publish a redacted version, open,
export and verify.

Every function checks who may act, stores nothing and writes no row when a file is refused, and
logs what it did in the append-only ``EvidenceEvent``. Stored files are never overwritten or
deleted; the only deletion here removes a file this very call stored when its row could not be
written, so the vault never holds a file without a row.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence import policy as access
from evidence import subjects
from evidence.file_checks import (
    CSV,
    TEXT,
    SniffResult,
    max_upload_bytes,
    sniff_and_check,
    strip_image_metadata,
)
from evidence.models import Evidence, EvidenceEvent, EvidenceExport, IntegrityCheck
from evidence.pdf_content import active_content_text, neutralise_pdf
from evidence.storage import evidence_storage
from evidence.uploads import HashedUploadedFile
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from pal_portal.jobs import job_retry, latest_job
from pal_portal.models import Job
from pal_portal.tasks import enqueue_on_commit
from pal_portal.text import strip_bidi_controls
from stl.models import Secretariat

security_logger = logging.getLogger("pal_portal.security")

CHUNK_BYTES = 1024 * 1024
EXPORT_TASK = "evidence.build_export"


class EvidenceIntegrityError(Exception):
    """A stored file is missing, or its bytes no longer match the SHA-256 recorded at upload."""

    MISSING = "missing"
    ALTERED = "altered"

    def __init__(self, problem: str, *, name: str):
        self.problem = problem
        self.name = name
        super().__init__(f"{problem}: {name}")

    @property
    def message(self) -> str:
        if self.problem == self.MISSING:
            return _(
                "El archivo «%(name)s» no se encuentra en el almacén de evidencia. "
                "Se registró el incidente; avisa a la administración del INAI."
            ) % {"name": self.name}
        return _(
            "El archivo «%(name)s» no coincide con la huella SHA-256 registrada al subirlo: "
            "pudo haber sido alterado. No se entrega y se registró el incidente; avisa a la "
            "administración del INAI."
        ) % {"name": self.name}


@dataclass(frozen=True)
class _Spool:
    """A file on local disk, ready to be moved into the storage, with its hash and size."""

    file: File
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class OpenedFile:
    """A verified copy of a stored file, ready to stream; the caller closes ``file``."""

    file: IO[bytes]
    name: str
    mime_type: str
    size: int


# --- helpers ------------------------------------------------------------------------------------


def _temporary_file() -> TemporaryUploadedFile:
    return TemporaryUploadedFile("evidencia", "application/octet-stream", 0, None)


@contextmanager
def _spooled(uploaded_file) -> Iterator[_Spool]:
    """Yield the upload as a file on disk with its SHA-256, streaming it in chunks if needed.

    Uploads received by ``EvidenceUploadHandler`` already are on disk and hashed; anything else
    (a ContentFile, a File, an in-memory upload) is copied in chunks, stopping just past the
    size limit so that the validation refuses it without reading the rest.
    """
    if isinstance(uploaded_file, HashedUploadedFile) and uploaded_file.sha256:
        yield _Spool(
            file=uploaded_file,
            path=uploaded_file.temporary_file_path(),
            size=uploaded_file.size,
            sha256=uploaded_file.sha256,
        )
        return
    spool = _temporary_file()
    try:
        digest = hashlib.sha256()
        size = 0
        limit = max_upload_bytes()
        for chunk in uploaded_file.chunks(CHUNK_BYTES):
            size += len(chunk)
            digest.update(chunk)
            spool.write(chunk)
            if size > limit:
                break
        spool.flush()
        spool.seek(0)
        spool.size = size
        yield _Spool(
            file=spool, path=spool.temporary_file_path(), size=size, sha256=digest.hexdigest()
        )
    finally:
        spool.close()


@contextmanager
def _rewritten(spool: _Spool, rewrite) -> Iterator[_Spool]:
    """Yield the copy ``rewrite(path=..., output=...)`` writes of the upload, hashed as stored."""
    clean = _temporary_file()
    try:
        rewrite(path=spool.path, output=clean.file)
        clean.flush()
        clean.seek(0)
        digest = hashlib.sha256()
        size = 0
        while chunk := clean.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
        clean.seek(0)
        clean.size = size
        yield _Spool(
            file=clean, path=clean.temporary_file_path(), size=size, sha256=digest.hexdigest()
        )
    finally:
        clean.close()


@dataclass(frozen=True)
class _CheckedUpload:
    """An upload ready to store: the file, what it really is, and what was removed from it."""

    spool: _Spool
    result: SniffResult
    uploaded_sha256: str
    notices: tuple[str, ...] = ()


@contextmanager
def _checked_upload(uploaded_file, *, public_version: bool = False) -> Iterator[_CheckedUpload]:
    """Yield the upload ready to store; raise ValidationError if it is refused.

    Images lose their metadata (pixels untouched). A PDF with active content (JavaScript,
    automatic actions, embedded files…) is stored as a copy without it, and the user is told;
    a public version, which is published, is refused instead.
    """
    name = getattr(uploaded_file, "client_name", "") or uploaded_file.name or ""
    with _spooled(uploaded_file) as spool:
        result = sniff_and_check(name=name, path=spool.path, size=spool.size)
        if result.active_content:
            kinds = active_content_text(result.active_content)
            if public_version:
                raise ValidationError(
                    _(
                        "Una versión pública no puede llevar contenido activo y este PDF "
                        "tiene: %(kinds)s. Guárdalo de nuevo como PDF sin él (por ejemplo, "
                        "con «Imprimir como PDF») y vuelve a subirlo."
                    ),
                    code="pdf_active_content",
                    params={"kinds": kinds},
                )
            with _rewritten(spool, neutralise_pdf) as clean:
                notice = _(
                    "Se quitó del PDF el contenido activo (%(kinds)s); se guardó una copia sin él."
                ) % {"kinds": kinds}
                yield _CheckedUpload(
                    spool=clean, result=result, uploaded_sha256=spool.sha256, notices=(notice,)
                )
        elif result.is_image:
            with _rewritten(spool, strip_image_metadata) as clean:
                yield _CheckedUpload(spool=clean, result=result, uploaded_sha256=spool.sha256)
        else:
            yield _CheckedUpload(spool=spool, result=result, uploaded_sha256=spool.sha256)


@contextmanager
def _storing() -> Iterator[list[str]]:
    """Collect names stored inside the block; remove them if the block fails (no row, no file)."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        storage = evidence_storage()
        for name in stored:
            storage.delete(name)
        raise


def _flush_to_disk(name: str) -> None:
    """Make a file just stored on local disk survive a power cut before its row is committed.

    The database commits its row durably; without this the file's bytes could still sit in the
    page cache and be lost, leaving a row that ``verify_evidence`` reports as missing. Object
    storage acknowledges a write only once it is durable, so there is nothing to do there.
    """
    try:
        path = evidence_storage().path(name)
    except NotImplementedError:
        return
    for target in (path, os.path.dirname(path)):
        descriptor = os.open(target, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _generated_name(secretariat_id: int) -> str:
    return f"{secretariat_id}/{uuid.uuid4().hex}"


def _log(action, *, secretariat_id, evidence=None, user=None, ip_address=None, **detail):
    return EvidenceEvent.objects.create(
        secretariat_id=secretariat_id,
        evidence=evidence,
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        ip_address=ip_address or None,
        detail=detail,
    )


def _removed_detail(upload: _CheckedUpload) -> dict:
    """Return what the log keeps of active content removed from an upload (nothing if none)."""
    if not upload.result.active_content:
        return {}
    return {
        "active_content_removed": list(upload.result.active_content),
        "uploaded_sha256": upload.uploaded_sha256,
    }


def _clean_description(description: str) -> str:
    """Return the description trimmed, or raise what the model field refuses (blank, length)."""
    description = (description or "").strip()
    errors = field_errors(Evidence(description=description), ["description"])
    if errors:
        raise ValidationError(errors)
    return description


def _subject_access(user, evidence: Evidence) -> access.EvidenceAccess:
    return access.evidence_access(
        user, evidence.secretariat, subject_type=access.subject_type_of_evidence(evidence)
    )


def _require_attach(evidence_access: access.EvidenceAccess) -> None:
    if not evidence_access.can_attach:
        raise PermissionDenied(_("No puedes agregar ni cambiar evidencia de este registro."))


def _require_changeable(evidence: Evidence) -> None:
    """Refuse to supersede, withdraw or add a public version to a document the portal made."""
    refusal = access.change_refusal(evidence)
    if refusal is not None:
        raise ValidationError(refusal, code="generated_by_portal")


def _lock_current(evidence: Evidence) -> Evidence:
    """Lock the row and refuse to change evidence that was withdrawn or superseded."""
    locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError(
            _("Esta evidencia fue retirada; ya no se puede cambiar."), code="withdrawn"
        )
    if Evidence.objects.filter(supersedes=locked).exists():
        raise ValidationError(
            _("Esta evidencia ya fue sustituida por una versión más reciente."),
            code="superseded",
        )
    return locked


def _store_evidence(*, upload: _CheckedUpload, stored: list[str], **fields) -> Evidence:
    """Store the file and write its row; the row's ``upload_notices`` say what was removed."""
    secretariat_id = fields["secretariat"].pk
    name = evidence_storage().save(_generated_name(secretariat_id), upload.spool.file)
    stored.append(name)
    _flush_to_disk(name)
    evidence = Evidence.objects.create(
        file=name,
        # The name is shown beside the portal's own text: no direction controls, whatever let
        # them through (file_checks refuses them in uploads today).
        original_name=strip_bidi_controls(upload.result.name),
        sha256=upload.spool.sha256,
        size=upload.spool.size,
        mime_type=upload.result.mime_type,
        **fields,
    )
    evidence.upload_notices = upload.notices
    return evidence


# --- attach, supersede, withdraw, public version ------------------------------------------------


def evidence_attach(
    *,
    subject,
    uploaded_file,
    kind: str,
    description: str,
    contains_personal_data: bool = False,
    generated_by_portal: bool = False,
    user,
    ip_address: str | None = None,
) -> Evidence:
    """Store one file as evidence of ``subject`` after checking what it really is.

    ``uploaded_file`` is an upload or any Django ``File``/``ContentFile``. A document the portal
    generates is attached with ``generated_by_portal`` (``user`` being the person on whose
    behalf it acts): nobody can then replace or withdraw it by hand. Raises ValidationError
    (Spanish message) when the file is refused, with nothing stored.
    """
    subject_type = subjects.subject_type_of(subject)
    secretariat = subject_type.secretariat_of(subject)
    _require_attach(access.evidence_access(user, secretariat, subject_type=subject_type))
    if kind not in Evidence.Kind.values:
        raise ValidationError(_("Elige un tipo de evidencia válido."), code="invalid_kind")
    description = _clean_description(description)
    with (
        _checked_upload(uploaded_file) as upload,
        _storing() as stored,
        transaction.atomic(),
        acting_as(user),
    ):
        evidence = _store_evidence(
            upload=upload,
            stored=stored,
            secretariat=secretariat,
            subject_type=subjects.content_type_of(subject),
            subject_id=subject.pk,
            kind=kind,
            phase=subject_type.phase,
            description=description,
            contains_personal_data=bool(contains_personal_data),
            generated_by_portal=bool(generated_by_portal),
            uploaded_by=user,
        )
        _log(
            EvidenceEvent.Action.UPLOAD,
            secretariat_id=secretariat.pk,
            evidence=evidence,
            user=user,
            ip_address=ip_address,
            sha256=evidence.sha256,
            name=evidence.original_name,
            **_removed_detail(upload),
        )
    return evidence


def evidence_supersede(
    *,
    evidence: Evidence,
    uploaded_file,
    description: str,
    user,
    contains_personal_data: bool | None = None,
    ip_address: str | None = None,
) -> Evidence:
    """Store a new version of ``evidence``; the old one stays, marked as superseded."""
    _require_attach(_subject_access(user, evidence))
    _require_changeable(evidence)
    if evidence.is_public_version:
        raise ValidationError(
            _("Una versión pública se reemplaza desde la evidencia original."),
            code="public_version",
        )
    description = _clean_description(description)
    with (
        _checked_upload(uploaded_file) as upload,
        _storing() as stored,
        transaction.atomic(),
        acting_as(user),
    ):
        old = _lock_current(evidence)
        new = _store_evidence(
            upload=upload,
            stored=stored,
            secretariat=old.secretariat,
            subject_type_id=old.subject_type_id,
            subject_id=old.subject_id,
            kind=old.kind,
            phase=old.phase,
            description=description,
            contains_personal_data=(
                old.contains_personal_data
                if contains_personal_data is None
                else bool(contains_personal_data)
            ),
            uploaded_by=user,
            supersedes=old,
        )
        _log(
            EvidenceEvent.Action.SUPERSEDE,
            secretariat_id=old.secretariat_id,
            evidence=old,
            user=user,
            ip_address=ip_address,
            superseded_by=new.pk,
        )
        _log(
            EvidenceEvent.Action.UPLOAD,
            secretariat_id=old.secretariat_id,
            evidence=new,
            user=user,
            ip_address=ip_address,
            sha256=new.sha256,
            name=new.original_name,
            supersedes=old.pk,
            **_removed_detail(upload),
        )
    return new


def evidence_withdraw(
    *, evidence: Evidence, reason: str, user, ip_address: str | None = None
) -> Evidence:
    """Withdraw ``evidence`` with a reason; the file stays available to reviewers."""
    _require_attach(_subject_access(user, evidence))
    _require_changeable(evidence)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Explica por qué se retira la evidencia."), code="reason_required")
    errors = field_errors(Evidence(withdrawal_reason=reason), ["withdrawal_reason"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        locked = _lock_current(evidence)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = user
        locked.withdrawal_reason = reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        _log(
            EvidenceEvent.Action.WITHDRAW,
            secretariat_id=locked.secretariat_id,
            evidence=locked,
            user=user,
            ip_address=ip_address,
            reason=reason,
        )
    return locked


def evidence_add_public_version(
    *, evidence: Evidence, uploaded_file, user, ip_address: str | None = None
) -> Evidence:
    """Store the redacted public version of a file with personal data (replacing an earlier one)."""
    _require_attach(_subject_access(user, evidence))
    _require_changeable(evidence)
    if evidence.is_public_version:
        raise ValidationError(_("Esta ya es una versión pública."), code="public_version")
    if not evidence.contains_personal_data:
        raise ValidationError(
            _("Esta evidencia no está marcada con datos personales; no necesita versión pública."),
            code="no_personal_data",
        )
    with (
        _checked_upload(uploaded_file, public_version=True) as upload,
        _storing() as stored,
        transaction.atomic(),
        acting_as(user),
    ):
        original = _lock_current(evidence)
        public = _store_evidence(
            upload=upload,
            stored=stored,
            secretariat=original.secretariat,
            subject_type_id=original.subject_type_id,
            subject_id=original.subject_id,
            kind=original.kind,
            phase=original.phase,
            description=_("Versión pública de «%(name)s»") % {"name": original.original_name},
            contains_personal_data=False,
            is_public_version=True,
            uploaded_by=user,
            supersedes_id=original.public_version_id,
        )
        original.public_version = public
        original.save(update_fields=["public_version"])
        _log(
            EvidenceEvent.Action.PUBLIC_VERSION,
            secretariat_id=original.secretariat_id,
            evidence=original,
            user=user,
            ip_address=ip_address,
            public_version=public.pk,
            sha256=public.sha256,
            name=public.original_name,
        )
    return public


# --- reading files back -------------------------------------------------------------------------


def _hash_stored(name: str, *, copy_to: IO[bytes] | None = None) -> tuple[str, int]:
    """Return the SHA-256 and size of a stored file, copying it on the way if asked.

    Raises FileNotFoundError when the file is not in the storage.
    """
    storage = evidence_storage()
    if not name or not storage.exists(name):
        raise FileNotFoundError(name)
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as source:
        for chunk in source.chunks(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if copy_to is not None:
                copy_to.write(chunk)
    return digest.hexdigest(), size


def _check_stored(
    *, name: str, sha256: str, size: int, display_name: str, copy_to: IO[bytes] | None = None
) -> None:
    """Raise EvidenceIntegrityError unless the stored file hashes to ``sha256`` and ``size``.

    The one integrity comparison of the vault: downloads, exports and ``verify_evidence`` all
    call it. The size alone proves nothing (a same-size edit keeps it); the hash decides.
    """
    try:
        actual_sha256, actual_size = _hash_stored(name, copy_to=copy_to)
    except FileNotFoundError:
        raise EvidenceIntegrityError(EvidenceIntegrityError.MISSING, name=display_name) from None
    if not hmac.compare_digest(actual_sha256, sha256) or actual_size != size:
        raise EvidenceIntegrityError(EvidenceIntegrityError.ALTERED, name=display_name)


def _verified_copy(*, name: str, sha256: str, size: int, display_name: str) -> IO[bytes]:
    """Return an anonymous temporary copy of a stored file whose hash matched, at position 0.

    Serving the copy, not the stored file, guarantees the bytes sent are the bytes checked.
    """
    copy = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        _check_stored(name=name, sha256=sha256, size=size, display_name=display_name, copy_to=copy)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy


def _report_integrity_failure(
    evidence: Evidence, error: EvidenceIntegrityError, *, context: str, user=None, ip_address=None
) -> None:
    security_logger.error(
        "Evidence integrity failure: problem=%s evidence=%s secretariat=%s file=%s "
        "context=%s user=%s ip=%s",
        error.problem,
        evidence.pk,
        evidence.secretariat_id,
        evidence.file.name,
        context,
        getattr(user, "pk", None),
        ip_address,
    )
    _log(
        EvidenceEvent.Action.VERIFY_FAILURE,
        secretariat_id=evidence.secretariat_id,
        evidence=evidence,
        user=user,
        ip_address=ip_address,
        problem=error.problem,
        context=context,
    )


def evidence_open(*, evidence: Evidence, user, ip_address: str | None = None) -> OpenedFile:
    """Return a verified copy of the file to send, and log the download.

    Raises EvidenceIntegrityError (after logging a security event) when the stored file is
    missing or its SHA-256 no longer matches.
    """
    if not access.evidence_access(user, evidence.secretariat).can_view:
        raise PermissionDenied
    try:
        copy = _verified_copy(
            name=evidence.file.name,
            sha256=evidence.sha256,
            size=evidence.size,
            display_name=evidence.original_name,
        )
    except EvidenceIntegrityError as error:
        _report_integrity_failure(
            evidence, error, context="download", user=user, ip_address=ip_address
        )
        raise
    _log(
        EvidenceEvent.Action.DOWNLOAD,
        secretariat_id=evidence.secretariat_id,
        evidence=evidence,
        user=user,
        ip_address=ip_address,
    )
    return OpenedFile(
        file=copy, name=evidence.original_name, mime_type=evidence.mime_type, size=evidence.size
    )


# --- ZIP export ---------------------------------------------------------------------------------


def evidence_export_start(*, secretariat, user, ip_address: str | None = None) -> EvidenceExport:
    """Ask for a ZIP of all the STL's evidence; it is built in the background after commit.

    An export this person already has on its way for the STL (its job queued, or running within
    its lease) is returned instead of a new one. The STL's row is locked meanwhile, so two
    requests at once (a double click, two tabs) make one export and one job.
    """
    if not access.evidence_access(user, secretariat).can_export:
        raise PermissionDenied
    with transaction.atomic():
        # No key update: rows that point to the STL may still be written meanwhile.
        Secretariat.objects.select_for_update(no_key=True).filter(pk=secretariat.pk).first()
        latest = (
            EvidenceExport.objects.filter(secretariat=secretariat, requested_by=user)
            .order_by("-requested_at", "-pk")
            .first()
        )
        if latest is not None and not latest.is_ready:
            job = latest_job(latest.job_key)
            if job is not None and job.status_at(timezone.now()) in (
                Job.Status.QUEUED,
                Job.Status.RUNNING,
            ):
                return latest
        export = EvidenceExport.objects.create(secretariat=secretariat, requested_by=user)
        _log(
            EvidenceEvent.Action.EXPORT,
            secretariat_id=secretariat.pk,
            user=user,
            ip_address=ip_address,
            export=export.pk,
        )
        _export_enqueue(export=export, user=user)
    return export


def _export_enqueue(*, export: EvidenceExport, user) -> Job:
    return enqueue_on_commit(EXPORT_TASK, export.pk, requested_by=user, key=export.job_key)


def evidence_export_retry(*, export: EvidenceExport, user) -> Job:
    """Build again an export whose job failed ("Reintentar"); the person becomes its requester.

    A job running past its lease has failed too (its worker died). Refused once the ZIP is ready
    or while the job is on its way; the export's row is locked, so two clicks queue it once.
    """
    if not access.evidence_access(user, export.secretariat).can_export:
        raise PermissionDenied
    with transaction.atomic():
        export = EvidenceExport.objects.select_for_update().get(pk=export.pk)
        if export.is_ready:
            raise ValidationError(
                _("Esta exportación ya está lista: puedes descargar su ZIP."), code="ready"
            )
        job = latest_job(export.job_key)
        status = job.status_at(timezone.now()) if job is not None else None
        if status in (Job.Status.QUEUED, Job.Status.RUNNING):
            raise ValidationError(
                _("Esta exportación ya se está preparando: su página muestra el avance."),
                code="on_its_way",
            )
        if status == Job.Status.FAILED:
            return job_retry(job, user=user)
        # No job, or one that ended without a ZIP: nothing else would ever build it.
        return _export_enqueue(export=export, user=user)


MANIFEST_NAME = "manifiesto.csv"
_ZIP_UNSAFE = set('/\\:*?"<>|')
_COMPRESSIBLE = frozenset({CSV, TEXT})


def manifest_columns() -> list[str]:
    return [
        _("Sujeto"),
        _("Tipo"),
        _("Nombre del archivo"),
        _("Tamaño (bytes)"),
        _("SHA-256"),
        _("Subido por"),
        _("Fecha"),
        _("Fase"),
        _("Estado"),
        _("Archivo en el ZIP"),
        _("Id"),
    ]


def _zip_safe(name: str) -> str:
    cleaned = "".join(
        "_" if char in _ZIP_UNSAFE or not char.isprintable() else char for char in name
    )
    return cleaned.strip(" .") or "archivo"


def manifest_cell(value) -> str:
    """Keep spreadsheets from running a user-written cell as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _state_label(evidence: Evidence) -> str:
    if evidence.is_public_version:
        return _("versión pública")
    if evidence.withdrawn_at is not None:
        return _("retirada")
    if evidence.successor is not None:
        return _("sustituida")
    return _("vigente")


def _subject_label(evidence: Evidence) -> str:
    try:
        label = subjects.subject_type_for_key(
            f"{evidence.subject_type.app_label}.{evidence.subject_type.model}"
        ).label
    except LookupError:
        label = evidence.subject_type.name
    subject = evidence.subject
    return f"{label}: {subject}" if subject is not None else f"{label} #{evidence.subject_id}"


def _export_queryset(secretariat_id: int):
    return (
        Evidence.objects.filter(secretariat_id=secretariat_id)
        .select_related("subject_type", "uploaded_by", "superseded_by")
        .prefetch_related(subjects.subject_prefetch())
        .order_by("subject_type_id", "subject_id", "uploaded_at", "pk")
    )


def evidence_export_build(*, export_id: int) -> EvidenceExport | None:
    """Build the ZIP of an export: every file (verified) plus ``manifiesto.csv``.

    The worker's side of the export's job, which records running, done or failed. Safe to run
    twice: a ready export is left as it is, and a run after a failed one starts over. A file
    that is missing or altered is left out, logged as a security event and listed in the
    manifest with that state.
    """
    export = EvidenceExport.objects.select_related("secretariat").filter(pk=export_id).first()
    if export is None or export.is_ready:
        return export
    phase_order = {value: index for index, value in enumerate(Evidence.Phase.values)}
    evidence_list = sorted(
        _export_queryset(export.secretariat_id), key=lambda e: phase_order.get(e.phase, 99)
    )
    export.total = len(evidence_list)
    export.done = 0
    export.save(update_fields=["total", "done"])
    with tempfile.TemporaryFile() as archive_file:
        _write_archive(export, evidence_list, archive_file)
        archive_file.seek(0)
        digest = hashlib.sha256()
        while chunk := archive_file.read(CHUNK_BYTES):
            digest.update(chunk)
        size = archive_file.tell()
        archive_file.seek(0)
        name = evidence_storage().save(
            f"exports/{export.secretariat_id}/{uuid.uuid4().hex}.zip",
            File(archive_file, name="evidencia.zip"),
        )
        _flush_to_disk(name)
    export.file = name
    export.sha256 = digest.hexdigest()
    export.size = size
    export.done = export.total
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "sha256", "size", "done", "finished_at"])
    return export


def _write_archive(export: EvidenceExport, evidence_list: list[Evidence], archive_file) -> None:
    rows = []
    with zipfile.ZipFile(archive_file, "w", allowZip64=True) as archive:
        for number, evidence in enumerate(evidence_list, start=1):
            state = _state_label(evidence)
            local_time = timezone.localtime(evidence.uploaded_at)
            arcname = (
                f"{evidence.phase}/{evidence.subject_type.model}-{evidence.subject_id}/"
                f"{evidence.pk}-{_zip_safe(evidence.original_name)}"
            )
            try:
                copy = _verified_copy(
                    name=evidence.file.name,
                    sha256=evidence.sha256,
                    size=evidence.size,
                    display_name=evidence.original_name,
                )
            except EvidenceIntegrityError as error:
                _report_integrity_failure(evidence, error, context="export")
                state = (
                    _("faltante, no incluido")
                    if error.problem == EvidenceIntegrityError.MISSING
                    else _("alterado, no incluido")
                )
                arcname = ""
            else:
                info = zipfile.ZipInfo(arcname, date_time=local_time.timetuple()[:6])
                info.compress_type = (
                    zipfile.ZIP_DEFLATED
                    if evidence.mime_type in _COMPRESSIBLE
                    else zipfile.ZIP_STORED
                )
                with copy, archive.open(info, "w") as member:
                    shutil.copyfileobj(copy, member, CHUNK_BYTES)
            rows.append(
                [
                    _subject_label(evidence),
                    evidence.get_kind_display(),
                    evidence.original_name,
                    evidence.size,
                    evidence.sha256,
                    evidence.uploaded_by.get_full_name() or evidence.uploaded_by.email,
                    local_time.isoformat(timespec="seconds"),
                    evidence.get_phase_display(),
                    state,
                    arcname,
                    evidence.pk,
                ]
            )
            if number % 10 == 0:
                export.done = number
                export.save(update_fields=["done"])
        archive.writestr(MANIFEST_NAME, _manifest_bytes(rows), zipfile.ZIP_DEFLATED)


def _manifest_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(manifest_columns())
    for row in rows:
        writer.writerow([manifest_cell(value) for value in row])
    # A BOM so that Excel in es-MX opens the accents right.
    return buffer.getvalue().encode("utf-8-sig")


def evidence_export_open(
    *, export: EvidenceExport, user, ip_address: str | None = None
) -> OpenedFile:
    """Return a verified copy of a finished export's ZIP, and log the download."""
    if not access.evidence_access(user, export.secretariat).can_export:
        raise PermissionDenied
    if not export.is_ready:
        raise ValidationError(_("La exportación todavía no está lista."), code="not_ready")
    display_name = f"evidencia-{export.secretariat}-{export.pk}.zip".replace(" ", "-")
    try:
        copy = _verified_copy(
            name=export.file.name, sha256=export.sha256, size=export.size, display_name=display_name
        )
    except EvidenceIntegrityError as error:
        security_logger.error(
            "Evidence export integrity failure: problem=%s export=%s secretariat=%s user=%s",
            error.problem,
            export.pk,
            export.secretariat_id,
            getattr(user, "pk", None),
        )
        raise
    _log(
        EvidenceEvent.Action.EXPORT_DOWNLOAD,
        secretariat_id=export.secretariat_id,
        user=user,
        ip_address=ip_address,
        export=export.pk,
    )
    return OpenedFile(file=copy, name=display_name, mime_type="application/zip", size=export.size)


# --- integrity verification ---------------------------------------------------------------------


def evidence_verify_all() -> IntegrityCheck:
    """Re-hash every stored evidence file; record and log the missing and altered ones."""
    check = IntegrityCheck.objects.create()
    problems = []
    queryset = Evidence.objects.only(
        "pk", "secretariat_id", "file", "sha256", "size", "original_name"
    ).order_by("pk")
    for evidence in queryset.iterator(chunk_size=500):
        check.checked += 1
        try:
            _check_stored(
                name=evidence.file.name,
                sha256=evidence.sha256,
                size=evidence.size,
                display_name=evidence.original_name,
            )
        except EvidenceIntegrityError as integrity_error:
            error = integrity_error
        else:
            continue
        if error.problem == EvidenceIntegrityError.MISSING:
            check.missing += 1
        else:
            check.altered += 1
        problems.append(
            {
                "evidence": evidence.pk,
                "secretariat": evidence.secretariat_id,
                "name": evidence.original_name,
                "problem": error.problem,
            }
        )
        _report_integrity_failure(evidence, error, context="verify")
    check.problems = problems
    check.finished_at = timezone.now()
    check.save(update_fields=["checked", "missing", "altered", "problems", "finished_at"])
    return check


def installation_act_file(*, secretariat, uploaded_file, user) -> Evidence:
    """File the signed installation act of an STL just registered (``stl.hooks``)."""
    return evidence_attach(
        subject=secretariat,
        uploaded_file=uploaded_file,
        kind=Evidence.Kind.MINUTES,
        description=_("Acta de instalación del STL"),
        user=user,
    )
