"""The evidence vault: files that prove each step of a PAL, their audit log and integrity checks.

Files are never overwritten or hard-deleted. A wrong file is superseded by a new ``Evidence`` row
(``supersedes``) or withdrawn with a reason; both stay visible to reviewers. A file holding
personal data gets a redacted public version, which is itself an ``Evidence`` row
(``is_public_version=True``) linked from the original's ``public_version``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evidence import limits
from evidence.storage import evidence_storage
from pal_portal.bounds import BoundedTextField
from pal_portal.history import get_history_user


class Evidence(models.Model):
    class Kind(models.TextChoices):
        MINUTES = "acta", _("Acta")
        ATTENDANCE_LIST = "lista_asistencia", _("Lista de asistencia")
        CALL = "convocatoria", _("Convocatoria")
        PHOTO = "fotografia", _("Fotografía")
        METHODOLOGY = "metodologia", _("Metodología")
        NEUTRALITY_DECLARATION = "declaracion_neutralidad", _("Declaración de neutralidad")
        REPORT = "informe", _("Informe")
        OTHER = "otro", _("Otro")

    class Phase(models.TextChoices):
        INSTALLATION = "instalacion", _("Instalación del STL")
        DIALOGUE_TABLES = "mesas_dialogo", _("Mesas de diálogo")
        PUBLIC_CONSULTATION = "consulta_publica", _("Consulta pública")
        PRIORITIZATION = "priorizacion", _("Priorización")
        PLAN = "plan", _("Plan de acción")
        FOLLOW_UP = "seguimiento", _("Seguimiento")
        REVIEW = "revision", _("Revisión")

    secretariat = models.ForeignKey(
        "stl.Secretariat",
        verbose_name=_("STL"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("tipo de registro"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("registro"))
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("tipo de evidencia"), max_length=30, choices=Kind.choices)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    description = models.CharField(
        _("descripción breve"),
        max_length=limits.DESCRIPTION_MAX_LENGTH,
        help_text=_("Por ejemplo: «Acta firmada de la sesión de instalación»."),
        error_messages={"blank": _("Escribe una descripción breve de la evidencia.")},
    )
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    # Server-generated name "<secretariat_id>/<uuid4>" in the evidence storage: nothing the
    # user wrote ends up in a path.
    file = models.FileField(_("archivo"), storage=evidence_storage, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("tamaño (bytes)"))
    mime_type = models.CharField(_("tipo de contenido"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subido por"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("subido el"), default=timezone.now)
    contains_personal_data = models.BooleanField(
        _("contiene datos personales (nombres, firmas, domicilios…)"),
        default=False,
        help_text=_("Antes de publicarse necesitará una versión pública testada."),
    )
    is_public_version = models.BooleanField(_("es versión pública"), default=False)
    generated_by_portal = models.BooleanField(
        _("generado por el portal"),
        default=False,
        editable=False,
        help_text=_("Un documento que generó el portal; solo el portal puede generarlo de nuevo."),
    )
    public_version = models.OneToOneField(
        "self",
        verbose_name=_("versión pública"),
        on_delete=models.PROTECT,
        related_name="redacted_from",
        null=True,
        blank=True,
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("sustituye a"),
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
    )
    withdrawn_at = models.DateTimeField(_("retirada el"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retirada por"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawal_reason = BoundedTextField(
        _("motivo del retiro"),
        max_length=limits.REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Queda registrado y visible para quienes revisan el STL."),
    )

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("evidencia")
        verbose_name_plural = _("evidencias")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="evidence_subject_idx"),
            models.Index(fields=["secretariat", "uploaded_at"], name="evidence_stl_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="evidence_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_public_version=False) | Q(contains_personal_data=False),
                name="evidence_public_version_has_no_personal_data",
            ),
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse(
            "evidence:download", kwargs={"pk": self.secretariat_id, "evidence_id": self.pk}
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def successor(self):
        """Return the newer version that superseded this one, or None."""
        try:
            return self.superseded_by
        except Evidence.DoesNotExist:
            return None

    @property
    def is_current(self) -> bool:
        return not self.is_withdrawn and self.successor is None

    @property
    def needs_public_version(self) -> bool:
        return self.contains_personal_data and self.public_version_id is None


class EvidenceEvent(models.Model):
    """Append-only log: who uploaded, downloaded, superseded or withdrew which file, and when."""

    class Action(models.TextChoices):
        UPLOAD = "upload", _("Carga")
        DOWNLOAD = "download", _("Descarga")
        SUPERSEDE = "supersede", _("Sustitución")
        WITHDRAW = "withdraw", _("Retiro")
        PUBLIC_VERSION = "public_version", _("Versión pública")
        EXPORT = "export", _("Exportación ZIP")
        EXPORT_DOWNLOAD = "export_download", _("Descarga de exportación ZIP")
        VERIFY_FAILURE = "verify_failure", _("Falla de integridad")

    secretariat = models.ForeignKey(
        "stl.Secretariat", on_delete=models.PROTECT, related_name="evidence_events"
    )
    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    action = models.CharField(_("acción"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    at = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("dirección IP"), null=True, blank=True)
    detail = models.JSONField(_("detalle"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evento de evidencia")
        verbose_name_plural = _("eventos de evidencia")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class EvidenceExport(models.Model):
    """A ZIP of all the evidence of one STL with its manifest, built in the background.

    How the building goes (queued, running, done, failed; who asked; "Reintentar") is its job's
    (``pal_portal.jobs``, key ``job_key``); the export itself only knows whether its ZIP is ready.
    """

    secretariat = models.ForeignKey(
        "stl.Secretariat", on_delete=models.PROTECT, related_name="evidence_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitada por"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("solicitada el"), default=timezone.now)
    total = models.PositiveIntegerField(_("archivos"), default=0)
    done = models.PositiveIntegerField(_("archivos procesados"), default=0)
    file = models.FileField(_("ZIP"), storage=evidence_storage, max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("tamaño (bytes)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminada el"), null=True, blank=True)

    class Meta:
        verbose_name = _("exportación de evidencia")
        verbose_name_plural = _("exportaciones de evidencia")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.secretariat} · {self.requested_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse(
            "evidence:export_status", kwargs={"pk": self.secretariat_id, "export_id": self.pk}
        )

    @property
    def job_key(self) -> str:
        """Return the key of the jobs that build it (``pal_portal.jobs``)."""
        return f"evidence.export:{self.pk}"

    @property
    def is_ready(self) -> bool:
        """Tell whether its ZIP is stored, and may be downloaded."""
        return bool(self.file)

    @property
    def percent(self) -> int:
        if self.is_ready:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)


class IntegrityCheck(models.Model):
    """One run of ``verify_evidence``: files re-hashed, and which were missing or altered."""

    started_at = models.DateTimeField(_("inicio"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("archivos revisados"), default=0)
    missing = models.PositiveIntegerField(_("faltantes"), default=0)
    altered = models.PositiveIntegerField(_("alterados"), default=0)
    problems = models.JSONField(_("problemas"), default=list, blank=True)

    class Meta:
        verbose_name = _("verificación de integridad")
        verbose_name_plural = _("verificaciones de integridad")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} · {self.checked}"

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.altered == 0
