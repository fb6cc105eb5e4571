"""The portal's one access layer: every django-guardian call and every "may this user see it".

Objects are fetched through ``get_*_or_404`` helpers that answer 404 both for what does not exist
and for what the user may not see, so a URL never reveals that another state's data exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from pal_portal.roles import Role

MEMBER_PERMISSIONS = ("stl.view_secretariat", "stl.participate_secretariat")
FACILITATOR_PERMISSIONS = ("stl.view_secretariat", "stl.facilitate_secretariat")


def _secretariat_model():
    from stl.models import Secretariat

    return Secretariat


# --- granting -----------------------------------------------------------------------------------


def grant_member_access(*, user, secretariat) -> None:
    """Let ``user`` see and take part in ``secretariat`` as a member of one of its nuclei."""
    for perm in MEMBER_PERMISSIONS:
        assign_perm(perm, user, secretariat)


def grant_facilitator_access(*, user, secretariat) -> None:
    """Let ``user`` see and facilitate ``secretariat`` (voice, no vote)."""
    for perm in FACILITATOR_PERMISSIONS:
        assign_perm(perm, user, secretariat)


def revoke_member_access(*, user, secretariat) -> None:
    for perm in MEMBER_PERMISSIONS:
        remove_perm(perm, user, secretariat)


def revoke_facilitator_access(*, user, secretariat) -> None:
    for perm in FACILITATOR_PERMISSIONS:
        remove_perm(perm, user, secretariat)


# --- global roles -------------------------------------------------------------------------------


def is_inai_admin(user) -> bool:
    return user.is_authenticated and user.has_perm("stl.add_secretariat")


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.has_perm("stl.review_secretariat")


def sees_every_secretariat(user) -> bool:
    return user.is_authenticated and user.has_perm("stl.view_secretariat")


# --- what a user may do with one secretariat ------------------------------------------------------


@dataclass(frozen=True)
class SecretariatAccess:
    """What one user may do with one secretariat; templates ask it, services enforce it."""

    role: Role
    can_view: bool
    can_manage: (
        bool  # register nuclei, invite members, assign the facilitator (INAI administrators)
    )
    can_participate: bool  # STL members: draft, vote, approve minutes
    can_facilitate: bool  # the STL's facilitator: log tables, moderate; never vote
    can_review: bool  # CPGAT reviewers
    can_view_history: bool


NO_ACCESS = SecretariatAccess(Role.PUBLIC, False, False, False, False, False, False)


def secretariat_access(user, secretariat) -> SecretariatAccess:
    """Return what ``user`` may do with ``secretariat`` (one query for object permissions)."""
    if user is None:
        user = AnonymousUser()
    if not user.is_authenticated:
        if secretariat.is_public:
            return SecretariatAccess(Role.PUBLIC, True, False, False, False, False, False)
        return NO_ACCESS
    object_perms = set(get_perms(user, secretariat))
    admin = is_inai_admin(user)
    reviewer = is_reviewer(user)
    participate = "participate_secretariat" in object_perms
    facilitate = "facilitate_secretariat" in object_perms
    if admin:
        role = Role.ADMINISTRATOR
    elif reviewer:
        role = Role.REVIEWER
    elif facilitate:
        role = Role.FACILITATOR
    elif participate:
        role = Role.MEMBER
    else:
        role = Role.PUBLIC
    insider = admin or reviewer or participate or facilitate
    return SecretariatAccess(
        role=role,
        can_view=insider or secretariat.is_public,
        can_manage=admin,
        can_participate=participate,
        can_facilitate=facilitate,
        can_review=reviewer,
        can_view_history=insider,
    )


# --- fetching -----------------------------------------------------------------------------------


def secretariats_for(user) -> QuerySet:
    """Return the secretariats ``user`` may see: all for INAI staff, their own, and public ones."""
    Secretariat = _secretariat_model()
    if user is not None and sees_every_secretariat(user):
        return Secretariat.objects.all()
    public = Q(is_public=True)
    if user is None or not user.is_authenticated:
        return Secretariat.objects.filter(public)
    return Secretariat.objects.filter(
        public | Q(pk__in=_with_object_perm(user, ["view_secretariat"]))
    )


def own_secretariats(user) -> QuerySet:
    """Return the secretariats where ``user`` is a member or the facilitator."""
    Secretariat = _secretariat_model()
    if user is None or not user.is_authenticated:
        return Secretariat.objects.none()
    return Secretariat.objects.filter(
        pk__in=_with_object_perm(user, ["participate_secretariat", "facilitate_secretariat"])
    )


def _with_object_perm(user, codenames: list[str]):
    """Return a subquery of the secretariat ids where ``user`` holds any of ``codenames``.

    It reads guardian's direct foreign-key tables in the same SQL statement (no content-type
    look-up), so a list costs one query whatever the user's number of secretariats.
    """
    from stl.models import SecretariatGroupObjectPermission, SecretariatUserObjectPermission

    if not user.is_active:
        return SecretariatUserObjectPermission.objects.none().values("content_object_id")
    by_user = SecretariatUserObjectPermission.objects.filter(
        user=user, permission__codename__in=codenames
    ).values("content_object_id")
    by_group = SecretariatGroupObjectPermission.objects.filter(
        group__user=user, permission__codename__in=codenames
    ).values("content_object_id")
    return by_user.union(by_group)


def get_secretariat_or_404(user, pk, *, need: str = "view"):
    """Return the secretariat and the user's access to it, or raise 404 if ``need`` is not met.

    ``need`` names one flag of :class:`SecretariatAccess` without its ``can_`` prefix.
    """
    Secretariat = _secretariat_model()
    try:
        secretariat = Secretariat.objects.get(pk=pk)
    except (Secretariat.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access = secretariat_access(user, secretariat)
    if not access.can_view or not getattr(access, f"can_{need}"):
        raise Http404
    return secretariat, access


# --- evidence -----------------------------------------------------------------------------------


def _default_may_attach(stl: SecretariatAccess) -> bool:
    return stl.can_participate or stl.can_facilitate or stl.can_manage


@dataclass(frozen=True)
class EvidenceAccess:
    """What one user may do with the evidence of one STL; templates ask it, services enforce it."""

    stl: SecretariatAccess
    can_view: bool  # list, open, download: members, facilitator, CPGAT reviewers, INAI admins
    can_attach: bool  # upload, supersede, withdraw, add a public version
    can_export: bool  # one ZIP of all the STL's evidence


def evidence_access(user, secretariat, *, subject_type=None) -> EvidenceAccess:
    """Return what ``user`` may do with the evidence of ``secretariat``.

    ``subject_type`` (an ``evidence.subjects.SubjectType``) may narrow who attaches; by default
    members, the facilitator and INAI administrators do. Evidence is never public here: public
    versions are published by the transparency pages.
    """
    stl = secretariat_access(user, secretariat)
    insider = stl.can_participate or stl.can_facilitate or stl.can_review or stl.can_manage
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
    from django.contrib.contenttypes.models import ContentType

    from evidence.subjects import subject_type_for_key

    content_type = ContentType.objects.get_for_id(evidence.subject_type_id)
    try:
        return subject_type_for_key(f"{content_type.app_label}.{content_type.model}")
    except LookupError:
        return None


def get_evidence_secretariat_or_404(user, pk, *, need: str = "view"):
    """Return an STL and the user's evidence access to it, or raise 404 if ``need`` is not met.

    ``need`` is ``"view"``, ``"attach"`` or ``"export"``.
    """
    Secretariat = _secretariat_model()
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
    from evidence.subjects import get_subject

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
    from evidence.models import Evidence

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
    from evidence.models import EvidenceExport

    try:
        export = EvidenceExport.objects.select_related("secretariat", "requested_by").get(
            pk=pk, secretariat_id=secretariat_pk
        )
    except (EvidenceExport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    result = evidence_access(user, export.secretariat)
    _require_evidence(result, "export")
    return export, result
