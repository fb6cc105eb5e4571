"""Reads of the evidence vault, each with a fixed number of queries whatever the number of files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence import policy as access
from evidence import subjects
from evidence.forms import EvidenceUploadForm
from evidence.models import Evidence, EvidenceEvent, EvidenceExport
from pal_portal.jobs import latest_job, latest_jobs
from pal_portal.listing import paginate
from pal_portal.models import Job
from stl.hooks import HistoryEntry, HistorySource


def _listed():
    """Evidence as lists show it: originals (public versions ride along), with who and what."""
    return Evidence.objects.filter(is_public_version=False).select_related(
        "uploaded_by", "withdrawn_by", "public_version", "superseded_by"
    )


def subject_url(*, secretariat_id: int, subject_key: str, subject_id: int) -> str:
    return reverse(
        "evidence:subject",
        kwargs={"pk": secretariat_id, "subject_type": subject_key, "subject_id": subject_id},
    )


def evidence_for_subject(*, subject) -> QuerySet:
    """Return the evidence of one subject, current files first, each newest first (ordered
    in the database, so that a page of it costs one query)."""
    content_type = subjects.content_type_of(subject)
    return (
        _listed()
        .filter(subject_type=content_type, subject_id=subject.pk)
        .annotate(
            superseded_or_withdrawn=Case(
                When(withdrawn_at__isnull=True, superseded_by__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("superseded_or_withdrawn", "-uploaded_at", "-pk")
    )


@dataclass(frozen=True)
class SubjectSummary:
    """One subject of an STL's evidence: what it is, how many files, the latest upload."""

    label: str
    phase: str
    url: str
    files: int
    current: int
    last_upload: object


def evidence_subjects(
    *,
    secretariat,
    kind: str = "",
    phase: str = "",
    subject_type: str = "",
    search: str = "",
) -> QuerySet:
    """Return one row per subject with evidence in the STL, the most recently filed first.

    Each row is ``{"subject_type_id", "subject_id", "files", "current", "last_upload"}``: the
    files matching the filters (originals; public versions ride along), how many are current
    (neither superseded nor withdrawn), and the latest upload. Filters: the file's ``kind`` and
    ``phase``, the subject type's key (``"cocreation.dialoguetable"``) and a text searched in the
    file's name and description. Name a page of rows with :func:`subject_summaries`.
    """
    files = Evidence.objects.filter(secretariat=secretariat, is_public_version=False)
    if kind:
        files = files.filter(kind=kind)
    if phase:
        files = files.filter(phase=phase)
    if subject_type:
        model = subjects.subject_type_for_key(subject_type).model
        files = files.filter(subject_type=subjects.content_type_of(model))
    if search:
        files = files.filter(Q(original_name__icontains=search) | Q(description__icontains=search))
    return (
        files.values("subject_type_id", "subject_id")
        .annotate(
            files=Count("pk"),
            current=Count("pk", filter=Q(withdrawn_at__isnull=True, superseded_by__isnull=True)),
            last_upload=Max("uploaded_at"),
        )
        .order_by("-last_upload", "subject_type_id", "subject_id")
    )


def subject_summaries(*, secretariat, rows: Iterable[dict]) -> list[SubjectSummary]:
    """Return the rows of :func:`evidence_subjects` as named summaries, in their order.

    One query per subject model among the rows, joined with what naming a subject needs.
    """
    rows = list(rows)
    ids_by_type: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_type[row["subject_type_id"]].append(row["subject_id"])
    keys: dict[int, str] = {}
    labels: dict[int, str] = {}
    phases: dict[int, str] = {}
    named: dict[tuple[int, int], object] = {}
    for type_id, ids in ids_by_type.items():
        content_type = ContentType.objects.get_for_id(type_id)
        keys[type_id] = f"{content_type.app_label}.{content_type.model}"
        try:
            subject_type = subjects.subject_type_for_key(keys[type_id])
        except LookupError:  # no longer registered: its files stay listed, by type
            labels[type_id], phases[type_id] = str(content_type.name), ""
            continue
        labels[type_id], phases[type_id] = str(subject_type.label), subject_type.phase_label
        for pk, subject in subject_type.queryset().in_bulk(ids).items():
            named[(type_id, pk)] = subject
    summaries = []
    for row in rows:
        type_id, subject_id = row["subject_type_id"], row["subject_id"]
        subject = named.get((type_id, subject_id))
        summaries.append(
            SubjectSummary(
                label=f"{labels[type_id]}: {subject}" if subject is not None else labels[type_id],
                phase=phases[type_id],
                url=subject_url(
                    secretariat_id=secretariat.pk, subject_key=keys[type_id], subject_id=subject_id
                ),
                files=row["files"],
                current=row["current"],
                last_upload=row["last_upload"],
            )
        )
    return summaries


def evidence_counts(*, subjects: Iterable, by_kind: bool = False) -> dict[tuple[int, int], int]:
    """Return ``{(content_type_id, object_id): n}`` of current evidence per subject, in one query.

    Current means neither superseded nor withdrawn, public versions not counted. Every subject
    passed in has a key, 0 when it has no evidence. With ``by_kind`` each value is instead a
    ``{kind: n}`` dict (empty when the subject has no evidence), still in one query.
    """
    from evidence.subjects import content_type_of

    by_type: dict[int, set] = defaultdict(set)
    for obj in subjects:
        by_type[content_type_of(obj).pk].add(obj.pk)
    counts = {
        (type_id, pk): ({} if by_kind else 0) for type_id, pks in by_type.items() for pk in pks
    }
    if not counts:
        return counts
    condition = Q()
    for type_id, pks in by_type.items():
        condition |= Q(subject_type_id=type_id, subject_id__in=pks)
    current = Evidence.objects.filter(
        condition,
        is_public_version=False,
        withdrawn_at__isnull=True,
        superseded_by__isnull=True,
    )
    if by_kind:
        rows = (
            current.values_list("subject_type_id", "subject_id", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for type_id, subject_id, kind, n in rows:
            counts[(type_id, subject_id)][kind] = n
        return counts
    rows = current.values_list("subject_type_id", "subject_id").annotate(n=Count("pk")).order_by()
    counts.update({(type_id, subject_id): n for type_id, subject_id, n in rows})
    return counts


def evidence_panel(
    *,
    subject,
    user,
    form=None,
    next_url: str = "",
    evidence_access=None,
    stl_access=None,
    request=None,
) -> dict:
    """Return the context of ``evidence/_panel.html`` for one subject.

    Embed it in any page: ``{% include "evidence/_panel.html" with panel=evidence_panel %}``.
    Pass the access the view already computed, so it is not computed again: ``evidence_access``
    (the vault's own pages) or ``stl_access``, the person's ``SecretariatAccess`` to the
    subject's STL (the pages of the records that embed the panel). With the ``request``, the
    files come one page at a time (``evidence_page``, for ``includes/_pagination.html``).
    """
    subject_type = subjects.subject_type_of(subject)
    secretariat = subject_type.secretariat_of(subject)
    if evidence_access is None:
        evidence_access = access.evidence_access(
            user, secretariat, subject_type=subject_type, stl_access=stl_access
        )
    if form is None and evidence_access.can_attach:
        form = EvidenceUploadForm(initial={"next": next_url})
    evidence_list, evidence_page = [], None
    if evidence_access.can_view:
        evidence = evidence_for_subject(subject=subject)
        if request is not None:
            evidence_page = paginate(request, evidence)
            evidence_list = list(evidence_page.object_list)
        else:
            evidence_list = list(evidence)
    return {
        "subject": subject,
        "subject_type": subject_type,
        "secretariat": secretariat,
        "access": evidence_access,
        "evidence_list": evidence_list,
        "evidence_page": evidence_page,
        "form": form if evidence_access.can_attach else None,
        "upload_url": subject_url(
            secretariat_id=secretariat.pk,
            subject_key=subject_type.key,
            subject_id=subject.pk,
        ),
        "next_url": next_url,
    }


@dataclass(frozen=True)
class ExportProgress:
    """What a page shows of a ZIP export: its job's state, who asked, and the ZIP once ready."""

    export: EvidenceExport
    job: Job | None  # the latest job that builds it, with who asked for it
    status: str  # a pal_portal Job.Status, as the page shows it

    @property
    def label(self) -> str:
        return Job.Status(self.status).label

    @property
    def finished(self) -> bool:
        """Tell whether nothing will change until someone asks again (no need to poll)."""
        return self.status in (Job.Status.DONE, Job.Status.FAILED)

    @property
    def may_retry(self) -> bool:
        return self.status == Job.Status.FAILED

    @property
    def requested_by(self):
        """Return who asked for it last: whoever retried its job, or else who asked first."""
        if self.job is not None and self.job.requested_by_id:
            return self.job.requested_by
        return self.export.requested_by


def _export_status(export: EvidenceExport, job: Job | None) -> str:
    if export.is_ready:
        return Job.Status.DONE
    if job is None:
        return Job.Status.FAILED  # nothing will build it; "Reintentar" asks for it
    return job.status_at(timezone.now())


def export_progress(*, export: EvidenceExport) -> ExportProgress:
    """Return how an export is going, from its latest job (one query, with who asked)."""
    job = latest_job(export.job_key)
    status = _export_status(export, job)
    if status == Job.Status.DONE and not export.is_ready:
        # The job ended between the export's read and its job's: read the export again.
        export.refresh_from_db(fields=["file", "sha256", "size", "done", "total", "finished_at"])
        status = _export_status(export, job)
        if status == Job.Status.DONE and not export.is_ready:
            status = Job.Status.FAILED  # done without a ZIP: it has to be asked for again
    return ExportProgress(export, job, status)


def recent_exports(*, secretariat, user, limit: int = 5) -> list[ExportProgress]:
    """Return this person's latest ZIP exports of the STL, with their state (two queries)."""
    exports = list(
        EvidenceExport.objects.filter(secretariat=secretariat, requested_by=user).order_by(
            "-requested_at", "-pk"
        )[:limit]
    )
    jobs = latest_jobs(export.job_key for export in exports if not export.is_ready)
    return [
        ExportProgress(
            export, jobs.get(export.job_key), _export_status(export, jobs.get(export.job_key))
        )
        for export in exports
    ]


def publishable_evidence(*, secretariat) -> QuerySet:
    """Return the STL's evidence that may ever be shown to the public, and nothing else.

    That is every current file (neither withdrawn nor superseded) without personal data, and,
    for a current file marked ``contains_personal_data``, only its current redacted public
    version, never the original. A file with personal data and no public version is left out:
    before it can be public, a redacted version must be uploaded beside it. The transparency
    pages call this rule; subjects come prefetched (one query per subject model).
    """
    current = Q(withdrawn_at__isnull=True, superseded_by__isnull=True)
    plain_original = Q(is_public_version=False, contains_personal_data=False)
    public_version_of_current_original = Q(
        is_public_version=True,
        contains_personal_data=False,
        redacted_from__isnull=False,
        redacted_from__is_public_version=False,
        redacted_from__contains_personal_data=True,
        redacted_from__withdrawn_at__isnull=True,
        redacted_from__superseded_by__isnull=True,
    )
    return (
        Evidence.objects.filter(secretariat=secretariat)
        .filter(current, plain_original | public_version_of_current_original)
        .select_related("subject_type")
        .prefetch_related(subjects.subject_prefetch())
        .order_by("-uploaded_at", "-pk")
    )


@dataclass(frozen=True)
class EvidenceLogEntry:
    """One line of the evidence log, ready for the STL's history page."""

    date: object
    user: object
    action: str
    label: str
    url: str = ""


def _log_label(event: EvidenceEvent) -> str:
    detail = event.detail or {}
    evidence = event.evidence
    if evidence is None:
        if event.action in (EvidenceEvent.Action.EXPORT, EvidenceEvent.Action.EXPORT_DOWNLOAD):
            return _("ZIP de toda la evidencia (exportación %(number)s)") % {
                "number": detail.get("export", "")
            }
        return ""
    name = evidence.original_name
    if event.action == EvidenceEvent.Action.SUPERSEDE and evidence.successor is not None:
        return _("«%(old)s», sustituida por «%(new)s»") % {
            "old": name,
            "new": evidence.successor.original_name,
        }
    if event.action == EvidenceEvent.Action.WITHDRAW:
        return _("«%(name)s». Motivo: %(reason)s") % {
            "name": name,
            "reason": detail.get("reason") or evidence.withdrawal_reason,
        }
    if event.action == EvidenceEvent.Action.PUBLIC_VERSION:
        return _("«%(public)s», versión pública de «%(name)s»") % {
            "public": detail.get("name", ""),
            "name": name,
        }
    if event.action == EvidenceEvent.Action.VERIFY_FAILURE:
        if detail.get("problem") == "missing":
            return _("«%(name)s»: el archivo no se encuentra en el almacén") % {"name": name}
        return _("«%(name)s»: el archivo no coincide con su huella SHA-256") % {"name": name}
    return f"«{name}»"


def _log_entry(event: EvidenceEvent) -> EvidenceLogEntry:
    evidence = event.evidence
    url = ""
    if evidence is not None:
        url = subject_url(
            secretariat_id=event.secretariat_id,
            subject_key=f"{evidence.subject_type.app_label}.{evidence.subject_type.model}",
            subject_id=evidence.subject_id,
        )
    return EvidenceLogEntry(
        date=event.at,
        user=event.user,
        action=event.get_action_display(),
        label=_log_label(event),
        url=url,
    )


def _log_events() -> QuerySet:
    return EvidenceEvent.objects.select_related(
        "user", "evidence", "evidence__subject_type", "evidence__superseded_by"
    )


def evidence_log(*, secretariat, limit: int = 200) -> list[EvidenceLogEntry]:
    """Return the newest actions on the STL's evidence (uploads, downloads, supersessions,
    withdrawals, public versions, exports, integrity failures), in one query.

    The client address stays in the database (and the admin); it is not shown here.
    """
    events = _log_events().filter(secretariat=secretariat).order_by("-at", "-pk")[:limit]
    return [_log_entry(event) for event in events]


def _history_entries(pks) -> dict[int, HistoryEntry]:
    subject = str(Evidence._meta.verbose_name)
    entries = {}
    for event in _log_events().filter(pk__in=pks):
        line = _log_entry(event)
        entries[event.pk] = HistoryEntry(
            date=line.date,
            user=line.user,
            change=line.action,
            subject=subject,
            label=line.label,
            url=line.url,
        )
    return entries


# The evidence log as lines of the STL's history (``stl.hooks``), one page at a time.
EVIDENCE_HISTORY = HistorySource(
    rows=lambda *, secretariat: EvidenceEvent.objects.filter(secretariat=secretariat),
    date_field="at",
    entries=_history_entries,
)
