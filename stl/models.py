"""The Secretariado Técnico Local (STL), its nuclei, members, facilitator and invitations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from pal_portal.bounds import EARLIEST_DATE, BoundedTextField, NotBefore, NotInTheFuture
from pal_portal.history import get_history_user
from stl import limits
from stl.mexican_states import MexicanState

_EXERCISE_FORMAT = RegexValidator(
    r"^\d{4}–\d{4}$", _("Escribe el ejercicio como dos años, por ejemplo 2016–2018.")
)


def exercise_normalised(value: str) -> str:
    """Return an exercise as it is stored: trimmed, its years joined by an en dash."""
    return value.strip().replace("-", "–")


def validate_exercise(value: str) -> None:
    """Refuse an exercise that is not two years in order, from 2000, within a government term."""
    _EXERCISE_FORMAT(value)
    start, end = (int(year) for year in value.split("–"))
    if start < EARLIEST_DATE.year:
        raise ValidationError(
            _("El ejercicio no puede empezar antes de %(year)d."),
            code="exercise_too_early",
            params={"year": EARLIEST_DATE.year},
        )
    if end <= start:
        raise ValidationError(
            _("El año final debe ser posterior al inicial."), code="exercise_order"
        )
    if end - start > limits.EXERCISE_LONGEST_YEARS:
        raise ValidationError(
            _("Un ejercicio dura como máximo %(years)d años."),
            code="exercise_too_long",
            params={"years": limits.EXERCISE_LONGEST_YEARS},
        )


class Secretariat(models.Model):
    class Status(models.TextChoices):
        INSTALLED = "instalado", _("Instalado")
        INACTIVE = "inactivo", _("Inactivo")

    class QuorumRule(models.TextChoices):
        """Names of the quorum rules; ``stl.quorum`` defines and applies each."""

        MAJORITY_EACH_NUCLEUS = "mayoria_y_nucleos", _("Mayoría y los tres núcleos")
        MAJORITY = "mayoria", _("Mayoría")
        TWO_THIRDS_EACH_NUCLEUS = "dos_tercios_y_nucleos", _("Dos tercios y los tres núcleos")
        TWO_THIRDS = "dos_tercios", _("Dos tercios")

    state = models.CharField(_("entidad federativa"), max_length=3, choices=MexicanState.choices)
    exercise = models.CharField(
        _("ejercicio"),
        max_length=9,
        validators=[validate_exercise],
        help_text=_("Dos años separados por un guion, por ejemplo 2016–2018."),
    )
    installation_date = models.DateField(
        _("fecha de instalación"),
        validators=[
            NotBefore(),
            NotInTheFuture(_("La fecha de instalación no puede estar en el futuro.")),
        ],
    )
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.INSTALLED
    )
    is_public = models.BooleanField(
        _("público"),
        default=False,
        help_text=_("Visible para cualquier persona (cuando su plan ha sido validado)."),
    )
    quorum_rule = models.CharField(
        _("regla de quórum de los acuerdos"),
        max_length=30,
        choices=QuorumRule.choices,
        default=QuorumRule.MAJORITY_EACH_NUCLEUS,
        help_text=_(
            "Cámbiala solo si las reglas de operación del STL establecen otra regla de quórum."
        ),
    )
    quorum_reference = models.CharField(
        _("referencia en las reglas de operación"),
        max_length=300,
        blank=True,
        help_text=_(
            "Dónde establecen la regla las reglas de operación del STL, por ejemplo: «Reglas de "
            "operación, artículo 12, aprobadas el 14/10/2016»."
        ),
    )
    created_at = models.DateTimeField(_("registrado el"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrado por"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("Secretariado Técnico Local")
        verbose_name_plural = _("Secretariados Técnicos Locales")
        ordering = ["state", "-exercise"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "exercise"],
                name="stl_one_secretariat_per_state_and_exercise",
                violation_error_message=_(
                    "Ya existe un Secretariado Técnico Local para esta entidad y este ejercicio."
                ),
            )
        ]
        permissions = [
            ("participate_secretariat", _("Participar como integrante del STL")),
            ("facilitate_secretariat", _("Facilitar el STL")),
            ("review_secretariat", _("Revisar el STL y su plan (CPGAT)")),
        ]

    def __str__(self):
        return f"{self.get_state_display()} {self.exercise}"

    def get_absolute_url(self):
        return reverse("stl:dashboard", kwargs={"pk": self.pk})


class Nucleus(models.Model):
    class Kind(models.TextChoices):
        CIVIL_SOCIETY = "sociedad_civil", _("Sociedad civil")
        LOCAL_AUTHORITIES = "autoridades_locales", _("Autoridades locales")
        GUARANTOR = "organo_garante", _("Órgano garante")
        ACADEMIA = "academia", _("Academia")
        BUSINESS = "sector_empresarial", _("Sector empresarial")
        OTHER = "otro", _("Otro sector")

    # The three nuclei every STL has (requirement 1.a of the INAI document).
    REQUIRED_KINDS = (Kind.CIVIL_SOCIETY, Kind.LOCAL_AUTHORITIES, Kind.GUARANTOR)
    # Display order: the INAI document's three nuclei first, then the other sectors.
    DISPLAY_ORDER = (*REQUIRED_KINDS, Kind.ACADEMIA, Kind.BUSINESS, Kind.OTHER)

    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="nuclei"
    )
    kind = models.CharField(_("tipo de núcleo"), max_length=30, choices=Kind.choices)
    name = models.CharField(
        _("nombre del sector"),
        max_length=120,
        blank=True,
        help_text=_("Solo para «Otro sector»: por ejemplo, medios de comunicación."),
    )

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("núcleo")
        verbose_name_plural = _("núcleos")
        ordering = ["secretariat", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["secretariat", "kind", "name"],
                name="stl_one_nucleus_per_kind",
                violation_error_message=_("Este STL ya tiene ese núcleo."),
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.OTHER and self.name:
            return self.name
        return self.get_kind_display()

    @property
    def display_position(self) -> tuple[int, str]:
        return (self.DISPLAY_ORDER.index(self.kind), self.name)


class Member(models.Model):
    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="members"
    )
    nucleus = models.ForeignKey(
        Nucleus, verbose_name=_("núcleo"), on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organisation = models.CharField(_("organización o institución"), max_length=200)
    position = models.CharField(_("cargo"), max_length=200, blank=True)
    joined_at = models.DateTimeField(_("alta"), default=timezone.now, editable=False)
    is_active = models.BooleanField(_("activo"), default=True)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("integrante")
        verbose_name_plural = _("integrantes")
        ordering = ["nucleus__kind", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["secretariat", "user"],
                name="stl_one_membership_per_person",
                violation_error_message=_("Esta persona ya es integrante de este STL."),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.nucleus})"


class FacilitatorAssignment(models.Model):
    secretariat = models.ForeignKey(
        Secretariat,
        verbose_name=_("STL"),
        on_delete=models.CASCADE,
        related_name="facilitator_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona facilitadora"),
        on_delete=models.PROTECT,
        related_name="facilitations",
    )
    organisation = models.CharField(_("organización"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(_("asignada el"), default=timezone.now, editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asignada por"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    is_active = models.BooleanField(_("vigente"), default=True)
    neutrality_statement = BoundedTextField(
        _("declaración de neutralidad"),
        max_length=limits.STATEMENT_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Declaración firmada de que la persona facilitadora no representa a ninguna de las "
            "partes del STL (requisito 4.a)."
        ),
    )
    neutrality_signed_at = models.DateTimeField(_("firmada el"), null=True, blank=True)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("asignación de facilitación")
        verbose_name_plural = _("asignaciones de facilitación")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["secretariat"],
                condition=Q(is_active=True),
                name="stl_one_active_facilitator",
                violation_error_message=_("Este STL ya tiene una persona facilitadora vigente."),
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.secretariat}"


def invitation_email_job_key(invitation_id: int) -> str:
    """Return the key of the jobs that e-mail the link of invitation ``invitation_id``."""
    return f"stl.invitation:{invitation_id}"


class Invitation(models.Model):
    """A single-use link by which an invited person sets their password."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    secretariat = models.ForeignKey(
        Secretariat, on_delete=models.CASCADE, related_name="invitations"
    )
    key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("invitación")
        verbose_name_plural = _("invitaciones")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user.email} → {self.secretariat}"

    def get_absolute_url(self):
        return reverse("invitation_accept", kwargs={"key": self.key})

    @property
    def email_job_key(self) -> str:
        """Return the key of the jobs that e-mail its link (``pal_portal.jobs``)."""
        return invitation_email_job_key(self.pk)


# django-guardian's direct foreign-key permission tables: real FKs, real joins, no generic lookups.
class SecretariatUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Secretariat, on_delete=models.CASCADE)


class SecretariatGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Secretariat, on_delete=models.CASCADE)
