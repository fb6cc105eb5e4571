"""Writes of the STL registry: registering secretariats, nuclei, members and the facilitator."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from pal_portal.jobs import job_retry, latest_job
from pal_portal.models import Job
from pal_portal.tasks import enqueue_on_commit
from stl import hooks, quorum
from stl import policy as access
from stl.models import (
    FacilitatorAssignment,
    Invitation,
    Member,
    Nucleus,
    Secretariat,
    exercise_normalised,
)

User = get_user_model()
INVITATION_EMAIL_TASK = "stl.send_invitation_email"


def _as_actor(actor_kwarg: str):
    """Record the service's acting user (keyword ``actor_kwarg``) on every history row it writes."""

    def decorator(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            with acting_as(kwargs.get(actor_kwarg)):
                return service(*args, **kwargs)

        return wrapper

    return decorator


def _require_admin(user) -> None:
    if not access.is_inai_admin(user):
        raise PermissionDenied(_("Solo la administración del INAI puede hacer esto."))


@_as_actor("user")
def secretariat_register(
    *,
    state: str,
    exercise: str,
    installation_date: dt.date,
    extra_nucleus_kinds: Iterable[str] = (),
    other_nucleus_name: str = "",
    installation_act=None,
    user,
) -> Secretariat:
    """Register a state's STL for one exercise with its three required nuclei and any others.

    ``installation_act``, when given, is stored in the evidence vault as the installation's acta;
    if the vault refuses it, nothing of the registration is saved.
    """
    _require_admin(user)
    exercise = exercise_normalised(exercise)
    if Secretariat.objects.filter(state=state, exercise=exercise).exists():
        raise ValidationError(
            _("Ya existe un Secretariado Técnico Local para esta entidad y este ejercicio.")
        )
    other_nucleus_name = other_nucleus_name.strip()
    errors = field_errors(Nucleus(kind=Nucleus.Kind.OTHER, name=other_nucleus_name), ["name"])
    if errors:
        raise ValidationError({"other_nucleus_name": errors["name"]})
    kinds = list(Nucleus.REQUIRED_KINDS)
    kinds += [k for k in extra_nucleus_kinds if k not in kinds and k != Nucleus.Kind.OTHER]
    if other_nucleus_name:
        kinds.append(Nucleus.Kind.OTHER)
    try:
        with transaction.atomic():
            secretariat = Secretariat(
                state=state,
                exercise=exercise,
                installation_date=installation_date,
                created_by=user,
            )
            # The model declares the exercise's form and years and the installation's dates.
            secretariat.full_clean(validate_constraints=False)
            secretariat.save()
            for kind in kinds:
                Nucleus.objects.create(
                    secretariat=secretariat,
                    kind=kind,
                    name=other_nucleus_name if kind == Nucleus.Kind.OTHER else "",
                )
            if installation_act is not None:
                try:
                    hooks.file_installation_act(
                        secretariat=secretariat, uploaded_file=installation_act, user=user
                    )
                except ValidationError as error:
                    raise ValidationError({"installation_act": error.messages}) from None
    except IntegrityError:
        # A concurrent registration won the race for the same state and exercise.
        raise ValidationError(
            _("Ya existe un Secretariado Técnico Local para esta entidad y este ejercicio.")
        ) from None
    return secretariat


@_as_actor("user")
def nucleus_add(*, secretariat: Secretariat, kind: str, name: str = "", user) -> Nucleus:
    """Add a nucleus (academia, sector empresarial, otro…) to an existing STL."""
    _require_admin(user)
    name = name.strip() if kind == Nucleus.Kind.OTHER else ""
    nucleus = Nucleus(secretariat=secretariat, kind=kind, name=name)
    errors = field_errors(nucleus, ["kind", "name"])
    if kind == Nucleus.Kind.OTHER and not name:
        errors["name"] = [_("Escribe el nombre del sector.")]
    if errors:
        raise ValidationError(errors)
    if secretariat.nuclei.filter(kind=kind, name=name).exists():
        raise ValidationError(_("Este STL ya tiene ese núcleo."))
    nucleus.save()
    return nucleus


@_as_actor("user")
@transaction.atomic
def secretariat_quorum_rule_set(
    *, secretariat: Secretariat, quorum_rule: str, quorum_reference: str = "", user
) -> Secretariat:
    """Record the quorum rule the STL's rules of operation set for its decisions (with history).

    Decisions still open follow the new rule when they close; closed ones keep theirs.
    """
    _require_admin(user)
    if quorum_rule not in quorum.RULES:
        raise ValidationError({"quorum_rule": _("Elige una regla de quórum válida.")})
    quorum_reference = " ".join(quorum_reference.split())
    secretariat = Secretariat.objects.select_for_update().get(pk=secretariat.pk)
    secretariat.quorum_rule = quorum_rule
    secretariat.quorum_reference = quorum_reference
    secretariat.save(update_fields=["quorum_rule", "quorum_reference"])
    return secretariat


def _user_for_invitation(*, email: str, full_name: str):
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=full_name.strip(), is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _invite(*, user, secretariat: Secretariat, invited_by, site_url: str) -> Invitation:
    """Create the invitation and e-mail its link once committed; access waits for acceptance.

    ``site_url`` is the start of the link (``pal_portal.site.site_url`` of the request that
    invited); empty, the task falls back to SITE_URL.
    """
    invitation = Invitation.objects.create(
        user=user,
        secretariat=secretariat,
        key=secrets.token_urlsafe(32),
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        invited_by=invited_by,
    )
    _invitation_email_enqueue(invitation=invitation, user=invited_by, site_url=site_url)
    return invitation


def _invitation_email_enqueue(*, invitation: Invitation, user, site_url: str) -> Job:
    return enqueue_on_commit(
        INVITATION_EMAIL_TASK,
        invitation.pk,
        site_url=site_url,
        requested_by=user,
        key=invitation.email_job_key,
    )


def invitation_resend(*, invitation: Invitation, user, site_url: str = "") -> Job:
    """E-mail an invitation's link again, its e-mail having failed ("Reenviar").

    The failed job is queued again (``job_retry``, the person becoming its requester), or, if no
    job was ever recorded, a new one. Refused (``policy.invitation_email_refusal``) to anyone but
    INAI administrators, for an invitation accepted or expired, and while its e-mail is on its
    way or once sent. The invitation's row is locked: two clicks send one e-mail.
    """
    _require_admin(user)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        now = timezone.now()
        job = latest_job(invitation.email_job_key)
        status = job.status_at(now) if job is not None else None
        refusal = access.invitation_email_refusal(
            access.secretariat_access(user, invitation.secretariat),
            used_at=invitation.used_at,
            expires_at=invitation.expires_at,
            email_status=status,
            now=now,
        )
        if refusal:
            raise ValidationError(refusal)
        if status == Job.Status.FAILED:
            return job_retry(job, user=user)
        return _invitation_email_enqueue(invitation=invitation, user=user, site_url=site_url)


def _is_facilitator(*, user, secretariat: Secretariat) -> bool:
    return FacilitatorAssignment.objects.filter(
        secretariat=secretariat, user=user, is_active=True
    ).exists()


@_as_actor("invited_by")
@transaction.atomic
def member_invite(
    *,
    secretariat: Secretariat,
    nucleus: Nucleus,
    email: str,
    full_name: str,
    organisation: str,
    position: str = "",
    invited_by,
    site_url: str = "",
) -> Member:
    """Make a person a member of one nucleus of the STL and e-mail them an invitation.

    The person sees and acts in the STL only once they accept it (``invitation_accept``), even
    if they already have an account.
    """
    _require_admin(invited_by)
    if nucleus.secretariat_id != secretariat.pk:
        raise ValidationError({"nucleus": _("Ese núcleo no pertenece a este STL.")})
    user = _user_for_invitation(email=email, full_name=full_name)
    if _is_facilitator(user=user, secretariat=secretariat):
        raise ValidationError(
            _(
                "%(email)s es la persona facilitadora de este STL: la facilitación es neutral y no "
                "puede integrar ningún núcleo."
            )
            % {"email": user.email}
        )
    existing = (
        Member.objects.select_for_update()
        .filter(secretariat=secretariat, user=user)
        .select_related("nucleus")
        .first()
    )
    if existing is not None and existing.is_active:
        raise ValidationError(
            _("%(email)s ya es integrante de este STL (núcleo: %(nucleus)s).")
            % {"email": user.email, "nucleus": existing.nucleus}
        )
    if existing is not None:
        # A person who was removed comes back: the same membership row keeps its history.
        member = existing
        member.nucleus = nucleus
        member.organisation = organisation.strip()
        member.position = position.strip()
        member.is_active = True
        member.save(update_fields=["nucleus", "organisation", "position", "is_active"])
    else:
        member = Member.objects.create(
            secretariat=secretariat,
            nucleus=nucleus,
            user=user,
            organisation=organisation.strip(),
            position=position.strip(),
        )
    _invite(user=user, secretariat=secretariat, invited_by=invited_by, site_url=site_url)
    return member


@_as_actor("assigned_by")
@transaction.atomic
def facilitator_assign(
    *,
    secretariat: Secretariat,
    email: str,
    full_name: str,
    organisation: str = "",
    assigned_by,
    site_url: str = "",
) -> FacilitatorAssignment:
    """Assign the STL's neutral facilitator, replacing any current one, and invite them.

    The previous facilitator loses access at once; the new one gains it on accepting.
    """
    _require_admin(assigned_by)
    secretariat = Secretariat.objects.select_for_update().get(pk=secretariat.pk)
    user = _user_for_invitation(email=email, full_name=full_name)
    membership = Member.objects.filter(secretariat=secretariat, user=user).select_related("nucleus")
    if membership:
        raise ValidationError(
            _(
                "%(email)s es integrante del núcleo «%(nucleus)s» de este STL. La persona "
                "facilitadora debe ser neutral y no pertenecer a ninguna de las partes."
            )
            % {"email": user.email, "nucleus": membership[0].nucleus}
        )
    for current in FacilitatorAssignment.objects.filter(secretariat=secretariat, is_active=True):
        if current.user_id == user.pk:
            raise ValidationError(_("Esta persona ya es la facilitadora vigente de este STL."))
        current.is_active = False
        current.save(update_fields=["is_active"])
        access.revoke_facilitator_access(user=current.user, secretariat=secretariat)
    assignment = FacilitatorAssignment.objects.create(
        secretariat=secretariat,
        user=user,
        organisation=organisation.strip(),
        assigned_by=assigned_by,
    )
    _invite(user=user, secretariat=secretariat, invited_by=assigned_by, site_url=site_url)
    return assignment


@_as_actor("user")
@transaction.atomic
def member_deactivate(*, member: Member, user) -> Member:
    """Remove a person from the STL: their membership stays on record, their access ends."""
    _require_admin(user)
    member = (
        Member.objects.select_for_update().select_related("user", "secretariat").get(pk=member.pk)
    )
    if not member.is_active:
        raise ValidationError(_("Esta persona ya no es integrante del STL."))
    member.is_active = False
    member.save(update_fields=["is_active"])
    access.revoke_member_access(user=member.user, secretariat=member.secretariat)
    return member


def invitation_check(*, key: str) -> Invitation:
    """Return the invitation behind ``key`` if it can still be used, or explain why not."""
    invitation = Invitation.objects.select_related("user", "secretariat").filter(key=key).first()
    if invitation is None:
        raise ValidationError(
            _("Este enlace de invitación no es válido. Revisa que lo copiaste completo."),
            code="invalid",
        )
    if invitation.used_at is not None:
        raise ValidationError(
            _(
                "Este enlace de invitación ya se usó. Inicia sesión con tu correo y contraseña, o "
                "usa «¿Olvidaste tu contraseña?»."
            ),
            code="used",
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            _(
                "Este enlace de invitación venció. Pide a la administración del INAI que te envíe "
                "una nueva invitación."
            ),
            code="expired",
        )
    if not _places(invitation):
        raise ValidationError(
            _(
                "Esta invitación ya no está vigente: ya no tienes un lugar en este STL. Si crees "
                "que es un error, escribe a la administración del INAI."
            ),
            code="revoked",
        )
    return invitation


def _places(invitation: Invitation) -> list[str]:
    """Return the places the invited person holds now in the invitation's STL.

    ``"member"`` for an active membership, ``"facilitator"`` for the current facilitation: what
    accepting the invitation grants access for.
    """
    places = []
    if Member.objects.filter(
        secretariat_id=invitation.secretariat_id, user_id=invitation.user_id, is_active=True
    ).exists():
        places.append("member")
    if FacilitatorAssignment.objects.filter(
        secretariat_id=invitation.secretariat_id, user_id=invitation.user_id, is_active=True
    ).exists():
        places.append("facilitator")
    return places


@transaction.atomic
def invitation_accept(*, key: str, password: str | None):
    """Spend the invitation and open the STL to the person, in the place they hold now.

    Access starts here, not when the person was invited. A new person sets their password and
    their account becomes active; a person who already has an account (``password`` None)
    keeps their password.
    """
    invitation = invitation_check(key=key)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise ValidationError(_("Este enlace de invitación ya se usó."), code="used")
    user = invitation.user
    if password is not None:
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    places = _places(invitation)
    if "member" in places:
        access.grant_member_access(user=user, secretariat=invitation.secretariat)
    if "facilitator" in places:
        access.grant_facilitator_access(user=user, secretariat=invitation.secretariat)
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user
