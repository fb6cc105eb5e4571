"""Who may do what over a secretariat: every django-guardian call of the portal sits here.

Objects are fetched through ``get_*_or_404`` helpers that answer 404 both for what does not exist
and for what the user may not see, so a URL never reveals that another state's data exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.models import AnonymousUser, Permission
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from pal_portal import request_cache
from pal_portal.models import Job
from stl.models import (
    Member,
    Secretariat,
    SecretariatGroupObjectPermission,
    SecretariatUserObjectPermission,
)
from stl.roles import Role

MEMBER_PERMISSIONS = ("stl.view_secretariat", "stl.participate_secretariat")
FACILITATOR_PERMISSIONS = ("stl.view_secretariat", "stl.facilitate_secretariat")


# --- granting -----------------------------------------------------------------------------------


def grant_member_access(*, user, secretariat) -> None:
    """Let ``user`` see and take part in ``secretariat`` as a member of one of its nuclei."""
    for perm in MEMBER_PERMISSIONS:
        assign_perm(perm, user, secretariat)
    request_cache.forget(("secretariat_access", user.pk))


def grant_facilitator_access(*, user, secretariat) -> None:
    """Let ``user`` see and facilitate ``secretariat`` (voice, no vote)."""
    for perm in FACILITATOR_PERMISSIONS:
        assign_perm(perm, user, secretariat)
    request_cache.forget(("secretariat_access", user.pk))


def revoke_member_access(*, user, secretariat) -> None:
    """Take back a member's access to ``secretariat`` (their records stay)."""
    for perm in MEMBER_PERMISSIONS:
        remove_perm(perm, user, secretariat)
    request_cache.forget(("secretariat_access", user.pk))


def revoke_facilitator_access(*, user, secretariat) -> None:
    """Take back a facilitator's access to ``secretariat``."""
    for perm in FACILITATOR_PERMISSIONS:
        remove_perm(perm, user, secretariat)
    request_cache.forget(("secretariat_access", user.pk))


# --- global roles -------------------------------------------------------------------------------


# The model permissions that make a global role (see stl/roles.py for the groups that hold them).
GLOBAL_CODENAMES = ("add_secretariat", "review_secretariat", "view_secretariat")


def _global_codenames(user) -> frozenset[str]:
    """Return which of GLOBAL_CODENAMES the user holds, in one query, once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(GLOBAL_CODENAMES)

    def compute():
        return frozenset(
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .filter(content_type__app_label="stl", codename__in=GLOBAL_CODENAMES)
            .values_list("codename", flat=True)
            .distinct()
        )

    return request_cache.get_or_compute(("global_codenames", user.pk), compute)


def is_inai_admin(user) -> bool:
    return "add_secretariat" in _global_codenames(user)


def is_reviewer(user) -> bool:
    return "review_secretariat" in _global_codenames(user)


def sees_every_secretariat(user) -> bool:
    return "view_secretariat" in _global_codenames(user)


# --- what a user may do with one secretariat ------------------------------------------------------


@dataclass(frozen=True)
class SecretariatAccess:
    """What one user may do with one secretariat; templates ask it, services enforce it.

    Every predicate over a person's roles in an STL lives here; nothing else combines the flags.
    """

    role: Role
    can_view: bool
    can_manage: (
        bool  # register nuclei, invite members, assign the facilitator (INAI administrators)
    )
    can_participate: bool  # STL members: draft, vote, approve minutes
    can_facilitate: bool  # the STL's facilitator: log tables, moderate; never vote
    can_review: bool  # CPGAT reviewers
    can_view_history: bool
    user_id: int | None = field(default=None, compare=False, repr=False)
    secretariat_id: int | None = field(default=None, compare=False, repr=False)

    @property
    def can_contribute(self) -> bool:
        """Members and the facilitator write the co-creation record."""
        return self.can_participate or self.can_facilitate

    @property
    def can_vote(self) -> bool:
        """Only members vote, rank problems or approve minutes; the facilitator never (4.b)."""
        return self.can_participate and not self.can_facilitate

    @property
    def is_insider(self) -> bool:
        """Members, the facilitator, CPGAT and INAI: who may see personal data and evidence."""
        return self.can_participate or self.can_facilitate or self.can_review or self.can_manage

    @cached_property
    def member(self) -> Member | None:
        """Return the person's active membership in this STL, with its nucleus (one query)."""
        if not self.can_participate:
            return None
        return (
            Member.objects.filter(
                secretariat_id=self.secretariat_id, user_id=self.user_id, is_active=True
            )
            .select_related("nucleus")
            .first()
        )

    def is_member_of(self, nucleus_id) -> bool:
        """Whether the person is an active member of the nucleus ``nucleus_id``."""
        return self.member is not None and self.member.nucleus_id == nucleus_id


NO_ACCESS = SecretariatAccess(Role.PUBLIC, False, False, False, False, False, False)


def secretariat_access(user, secretariat) -> SecretariatAccess:
    """Return what ``user`` may do with ``secretariat``, computed once per request."""
    if user is None:
        user = AnonymousUser()
    if not user.is_authenticated:
        return _anonymous_access(secretariat)
    return request_cache.get_or_compute(
        ("secretariat_access", user.pk, secretariat.pk),
        lambda: _compute_access(user, secretariat),
    )


def _anonymous_access(secretariat) -> SecretariatAccess:
    if secretariat.is_public:
        return SecretariatAccess(Role.PUBLIC, True, False, False, False, False, False)
    return NO_ACCESS


def _object_codenames(user, secretariat) -> set[str]:
    """Return the user's object permissions on the STL, own or through a group, in one query.

    Guardian's direct foreign-key tables are read as guardian would (an inactive account holds
    none), in one statement instead of its two.
    """
    if not user.is_active:
        return set()
    by_user = SecretariatUserObjectPermission.objects.filter(
        user=user, content_object=secretariat
    ).values_list("permission__codename", flat=True)
    by_group = SecretariatGroupObjectPermission.objects.filter(
        group__user=user, content_object=secretariat
    ).values_list("permission__codename", flat=True)
    return set(by_user.union(by_group))


def _compute_access(user, secretariat) -> SecretariatAccess:
    """Return the access of a signed-in user (one query for object permissions)."""
    object_perms = _object_codenames(user, secretariat)
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
        user_id=user.pk,
        secretariat_id=secretariat.pk,
    )


# --- fetching -----------------------------------------------------------------------------------


def secretariats_for(user) -> QuerySet:
    """Return the secretariats ``user`` may see: all for INAI staff, their own, and public ones."""
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
    try:
        secretariat = Secretariat.objects.get(pk=pk)
    except (Secretariat.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access = secretariat_access(user, secretariat)
    if not access.can_view or not getattr(access, f"can_{need}"):
        raise Http404
    return secretariat, access


# --- invitations --------------------------------------------------------------------------------


def invitation_email_refusal(
    access: SecretariatAccess, *, used_at, expires_at, email_status: str | None, now
) -> str:
    """Return why this person may not send an invitation's e-mail again, or "" if they may.

    One rule for the dashboard's "Reenviar" and for ``invitation_resend``: INAI administrators,
    for an invitation still unused and unexpired whose e-mail failed (``email_status``, its job's
    status as the page shows it) or was never recorded (None).
    """
    if not access.can_manage:
        return _("Solo la administración del INAI puede hacer esto.")
    if used_at is not None:
        return _("Esta invitación ya se aceptó: no hace falta enviarla de nuevo.")
    if expires_at <= now:
        return _("Esta invitación venció: su enlace ya no sirve.")
    if email_status in (Job.Status.QUEUED, Job.Status.RUNNING):
        return _("El correo de esta invitación ya está en camino.")
    if email_status == Job.Status.DONE:
        return _("El correo de esta invitación ya se envió.")
    return ""
