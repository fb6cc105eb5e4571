"""Who may do what with the evidence of a secretariat, built on the secretariat's policy.

Objects are fetched through ``get_*_or_404`` helpers that answer 404 both for what does not exist
and for what the user may not see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from evidence.models import Evidence, EvidenceExport
from evidence.subjects import get_subject, subject_type_for_key
from stl.models import Secretariat
from stl.policy import SecretariatAccess, secretariat_access


def _default_may_attach(stl: SecretariatAccess) -> bool:
    return stl.can_contribute or stl.can_manage


@dataclass(frozen=True)
class EvidenceAccess:
    """What one user may do with the evidence of one STL; templates ask it, services enforce it."""

    stl: SecretariatAccess
    can_view: bool  # list, open, download: members, facilitator, CPGAT reviewers, INAI admins
    can_attach: bool  # upload, supersede, withdraw, add a public version
    can_export: bool  # one ZIP of all the STL's evidence


def evidence_access(
    user, secretariat, *, subject_type=None, stl_access: SecretariatAccess | None = None
) -> EvidenceAccess:
    """Return what ``user`` may do with the evidence of ``secretariat``.

    ``subject_type`` (an ``evidence.subjects.SubjectType``) may narrow who attaches; by default
    members, the facilitator and INAI administrators do. Evidence is never public here: public
    versions are published by the transparency pages. A caller that already holds the person's
    access to the STL (a view that looked its record up) passes it as ``stl_access``, so it is
    not asked again.
    """
    if stl_access is None:
        stl = secretariat_access(user, secretariat)
    elif stl_access.secretariat_id not in (None, secretariat.pk) or stl_access.user_id not in (
        None,
        getattr(user, "pk", None),
    ):
        raise ValueError("stl_access belongs to another person or another STL.")
    else:
        stl = stl_access
    insider = stl.is_insider
    may_attach = subject_type.may_attach if subject_type is not None else _default_may_attach
    return EvidenceAccess(
        stl=stl,
        can_view=insider,
        can_attach=insider and bool(may_attach(stl)),
        can_export=insider,
    )


def _require_evidence(evidence_access_: EvidenceAccess, need: str) -> None:
    if not evidence_access_.can_view or not getattr(evidence_access_, f"can_{need}"):
        raise Http404


def subject_type_of_evidence(evidence):
    """Return the registered subject type of an evidence row, or None if no longer registered."""
    content_type = ContentType.objects.get_for_id(evidence.subject_type_id)
    try:
        return subject_type_for_key(f"{content_type.app_label}.{content_type.model}")
    except LookupError:
        return None


def get_evidence_secretariat_or_404(user, pk, *, need: str = "view"):
    """Return an STL and the user's evidence access to it, or raise 404 if ``need`` is not met.

    ``need`` is ``"view"``, ``"attach"`` or ``"export"``.
    """
    try:
        secretariat = Secretariat.objects.get(pk=pk)
    except (Secretariat.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    result = evidence_access(user, secretariat)
    _require_evidence(result, need)
    return secretariat, result


def get_evidence_subject_or_404(user, pk, subject_key: str, subject_id, *, need: str = "view"):
    """Return ``(secretariat, subject_type, subject, access)`` for a subject of STL ``pk``, or 404.

    The subject must be of a registered type and belong to that STL.
    """
    found = get_subject(subject_key, subject_id)
    if found is None:
        raise Http404
    subject_type, subject = found
    secretariat = subject_type.secretariat_of(subject)
    if secretariat is None or str(secretariat.pk) != str(pk):
        raise Http404
    result = evidence_access(user, secretariat, subject_type=subject_type)
    _require_evidence(result, need)
    return secretariat, subject_type, subject, result


def get_evidence_or_404(user, pk, *, secretariat_pk=None, need: str = "view"):
    """Return ``(evidence, access)`` for one evidence file the user may ``need``, or raise 404."""
    try:
        evidence = Evidence.objects.select_related(
            "secretariat", "uploaded_by", "public_version"
        ).get(pk=pk)
    except (Evidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if secretariat_pk is not None and str(evidence.secretariat_id) != str(secretariat_pk):
        raise Http404
    result = evidence_access(
        user, evidence.secretariat, subject_type=subject_type_of_evidence(evidence)
    )
    _require_evidence(result, need)
    return evidence, result


def get_evidence_export_or_404(user, pk, *, secretariat_pk):
    """Return ``(export, access)`` for a ZIP export of STL ``secretariat_pk``, or raise 404."""
    try:
        export = EvidenceExport.objects.select_related("secretariat", "requested_by").get(
            pk=pk, secretariat_id=secretariat_pk
        )
    except (EvidenceExport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    result = evidence_access(user, export.secretariat)
    _require_evidence(result, "export")
    return export, result
