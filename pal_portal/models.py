"""The portal's user: one account per person, identified by e-mail."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pal_portal.history import get_history_user


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("correo electrónico"), unique=True)
    full_name = models.CharField(_("nombre completo"), max_length=200)
    is_staff = models.BooleanField(
        _("personal del INAI"),
        default=False,
        help_text=_("Puede entrar al sitio de administración."),
    )
    is_active = models.BooleanField(_("activo"), default=True)
    date_joined = models.DateTimeField(_("fecha de alta"), default=timezone.now)

    history = HistoricalRecords(
        excluded_fields=["password", "last_login"], get_user=get_history_user
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Job(models.Model):
    """One piece of background work: the outbox row written with the change that needs it.

    The row is created in the same transaction as the change, handed to the broker after commit
    and handed again by ``pal_portal.sweep_jobs`` whenever the broker did not take it. The worker
    claims the row before running (``pal_portal.jobs``), so a job never runs twice at once.
    """

    class Status(models.TextChoices):
        QUEUED = "en_cola", _("En cola")
        RUNNING = "en_proceso", _("En proceso")
        DONE = "terminado", _("Terminado")
        FAILED = "fallido", _("Falló")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_name = models.CharField(_("tarea"), max_length=150)
    args = models.JSONField(_("argumentos"), default=list, blank=True)
    kwargs = models.JSONField(_("argumentos con nombre"), default=dict, blank=True)
    key = models.CharField(
        _("objeto"),
        max_length=150,
        blank=True,
        db_index=True,
        help_text=_("Qué objeto atiende, para mostrar su estado en su página."),
    )
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("entregada a la cola"), null=True, blank=True)
    started_at = models.DateTimeField(_("iniciada"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminada"), null=True, blank=True)
    lease_until = models.DateTimeField(_("límite de ejecución"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("trabajo en segundo plano")
        verbose_name_plural = _("trabajos en segundo plano")
        indexes = [models.Index(fields=["status", "sent_at"], name="job_status_sent_idx")]

    def __str__(self):
        return f"{self.task_name} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def status_at(self, now: dt.datetime) -> str:
        """Return the status a page shows at ``now``: running past its lease means failed.

        The lease is the task's hard time limit: past it the worker was killed or died, and
        the job is failed whatever the row still says (the sweep records it within a minute).
        A queued job is never failed: the sweep hands it over again until a worker takes it.
        """
        if self.status == self.Status.RUNNING and self.lease_until and self.lease_until < now:
            return self.Status.FAILED
        return self.status

    @property
    def shown_status(self) -> str:
        """Return the status the pages show now (see ``status_at``)."""
        return self.status_at(timezone.now())

    @property
    def shown_status_label(self) -> str:
        return self.Status(self.shown_status).label
