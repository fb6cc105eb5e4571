"""The co-creation record: dialogue tables, public consultations, problems, their prioritisation,
and the STL's decisions with their votes (requirements 1 and 4 of the INAI document)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cocreation import limits
from pal_portal.bounds import (
    AtMost,
    BoundedTextField,
    NotBefore,
    NotInTheFuture,
    NotNegative,
    WithinYears,
)
from pal_portal.history import get_history_user
from stl.models import Member, Nucleus, Secretariat


def _planned_date(verbose_name):
    """Return a date field of a consultation: from 2000 up to the planning horizon."""
    return models.DateField(
        verbose_name, validators=[NotBefore(), WithinYears(limits.PLANNING_HORIZON_YEARS)]
    )


# --- Co-creation record (requirement 1 and 4 of the INAI document) ------------------------------


class DialogueTable(models.Model):
    """A mesa de diálogo held in one nucleus to determine and prioritise problems (1.a)."""

    class Modality(models.TextChoices):
        IN_PERSON = "presencial", _("Presencial")
        ONLINE = "en_linea", _("En línea")
        MIXED = "mixta", _("Mixta")

    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="dialogue_tables"
    )
    nucleus = models.ForeignKey(
        Nucleus, verbose_name=_("núcleo"), on_delete=models.PROTECT, related_name="dialogue_tables"
    )
    held_on = models.DateField(
        _("fecha de la mesa"),
        validators=[
            NotBefore(),
            NotInTheFuture(
                _("La fecha de la mesa no puede estar en el futuro: regístrala una vez realizada.")
            ),
        ],
    )
    modality = models.CharField(_("modalidad"), max_length=20, choices=Modality.choices)
    place = models.CharField(
        _("lugar"),
        max_length=300,
        blank=True,
        help_text=_("Obligatorio si la mesa fue presencial."),
    )
    link = models.URLField(
        _("enlace"), blank=True, help_text=_("Obligatorio si la mesa fue en línea.")
    )
    agenda = BoundedTextField(
        _("orden del día"),
        max_length=limits.LONG_TEXT_MAX_LENGTH,
        error_messages={"blank": _("Escribe el orden del día.")},
    )
    minutes = BoundedTextField(
        _("minuta"),
        max_length=limits.MINUTES_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Si cambias la minuta, las personas del núcleo deberán aprobar la nueva versión."
        ),
    )
    minutes_version = models.PositiveIntegerField(default=1, editable=False)
    minutes_approved_at = models.DateTimeField(
        _("minuta aprobada el"), null=True, blank=True, editable=False
    )
    attendee_count = models.PositiveIntegerField(
        _("número de asistentes"), validators=[NotNegative(), AtMost(limits.MAX_ATTENDEES)]
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("mesa de diálogo")
        verbose_name_plural = _("mesas de diálogo")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return _("Mesa de %(nucleus)s del %(date)s") % {
            "nucleus": self.nucleus,
            "date": self.held_on.strftime("%d/%m/%Y"),
        }

    @property
    def held_before_installation(self) -> bool:
        return self.held_on < self.secretariat.installation_date


class Attendee(models.Model):
    """One line of a table's attendance register: personal data, never public."""

    dialogue_table = models.ForeignKey(
        DialogueTable, on_delete=models.CASCADE, related_name="attendees"
    )
    full_name = models.CharField(_("nombre"), max_length=200)
    organisation = models.CharField(_("organización"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("asistente")
        verbose_name_plural = _("asistentes")
        ordering = ["pk"]

    def __str__(self):
        return self.full_name


class MinutesApproval(models.Model):
    """A nucleus member's answer on one version of a table's minutes."""

    class Answer(models.TextChoices):
        APPROVE = "aprueba", _("Apruebo la minuta")
        CORRECTIONS = "correcciones", _("Pido correcciones")

    dialogue_table = models.ForeignKey(
        DialogueTable, on_delete=models.CASCADE, related_name="minutes_approvals"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="minutes_approvals")
    minutes_version = models.PositiveIntegerField()
    answer = models.CharField(_("respuesta"), max_length=20, choices=Answer.choices)
    comment = BoundedTextField(
        _("comentario"),
        max_length=limits.COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("Obligatorio si pides correcciones: explica cuáles."),
    )
    answered_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("respuesta sobre la minuta")
        verbose_name_plural = _("respuestas sobre la minuta")
        ordering = ["answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue_table", "member", "minutes_version"],
                name="stl_one_answer_per_member_and_minutes_version",
            )
        ]

    def __str__(self):
        return f"{self.member} — {self.get_answer_display()}"


class PublicConsultation(models.Model):
    """An open public consultation of civil society (1.c): without it the PAL is void."""

    class Mechanism(models.TextChoices):
        ONLINE_SURVEY = "encuesta_en_linea", _("Encuesta en línea")
        OPEN_FORUM = "foro_abierto", _("Foro abierto")
        OPEN_ASSEMBLY = "asamblea_abierta", _("Asamblea abierta")
        MIXED = "mixto", _("Mixto")

    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="consultations"
    )
    title = models.CharField(
        _("título"),
        max_length=200,
        error_messages={"blank": _("Escribe un título para la consulta.")},
    )
    mechanism = models.CharField(_("mecanismo"), max_length=30, choices=Mechanism.choices)
    call_published_where = models.CharField(
        _("dónde se publicó la convocatoria"),
        max_length=300,
        help_text=_("Medios, sitios o lugares donde se difundió. Adjunta la convocatoria después."),
        error_messages={"blank": _("Indica dónde se publicó la convocatoria.")},
    )
    call_published_on = _planned_date(_("fecha de publicación de la convocatoria"))
    opens_on = _planned_date(_("abre el"))
    closes_on = _planned_date(_("cierra el"))
    channels = BoundedTextField(
        _("canales de participación"), max_length=limits.SHORT_TEXT_MAX_LENGTH, blank=True
    )
    open_to_anyone = models.BooleanField(
        _("abierta a cualquier persona"),
        default=True,
        help_text=_("Desmarca si hubo alguna restricción para participar, y descríbela."),
    )
    who_could_participate = BoundedTextField(
        _("quién pudo participar"),
        max_length=limits.SHORT_TEXT_MAX_LENGTH,
        error_messages={"blank": _("Describe quién pudo participar.")},
    )
    restrictions = BoundedTextField(
        _("restricciones"),
        max_length=limits.SHORT_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Obligatorio si la consulta no estuvo abierta a cualquier persona."),
    )
    participants = models.PositiveIntegerField(
        _("participantes"),
        default=0,
        validators=[NotNegative(), AtMost(limits.MAX_PARTICIPANTS)],
    )
    contributions = models.PositiveIntegerField(
        _("aportaciones recibidas"),
        default=0,
        validators=[NotNegative(), AtMost(limits.MAX_CONTRIBUTIONS)],
    )
    results = BoundedTextField(_("resultados"), max_length=limits.LONG_TEXT_MAX_LENGTH, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("consulta pública")
        verbose_name_plural = _("consultas públicas")
        ordering = ["opens_on", "pk"]

    def __str__(self):
        return self.title

    @property
    def held_before_installation(self) -> bool:
        return self.opens_on < self.secretariat.installation_date


class Problem(models.Model):
    """A problemática raised at a dialogue table or a public consultation."""

    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="problems"
    )
    title = models.CharField(
        _("problemática"),
        max_length=300,
        error_messages={"blank": _("Escribe la problemática.")},
    )
    description = BoundedTextField(
        _("descripción"), max_length=limits.LONG_TEXT_MAX_LENGTH, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionada en"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_problems",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("problemática")
        verbose_name_plural = _("problemáticas")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class ProblemOrigin(models.Model):
    """Where a problem came from: exactly one table or one consultation (requirement 1.b)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="origins")
    dialogue_table = models.ForeignKey(
        DialogueTable, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consultation = models.ForeignKey(
        PublicConsultation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("origen de la problemática")
        verbose_name_plural = _("orígenes de las problemáticas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(dialogue_table__isnull=False) & Q(consultation__isnull=True))
                | (Q(dialogue_table__isnull=True) & Q(consultation__isnull=False)),
                name="stl_problem_origin_is_table_xor_consultation",
            )
        ]

    def __str__(self):
        return str(self.dialogue_table or self.consultation)


class Prioritization(models.Model):
    """A prioritisation of problems by ranking (Borda), vote or weighted criteria (footnote 2)."""

    class Method(models.TextChoices):
        BORDA = "borda", _("Ordenamiento (conteo de Borda)")
        APPROVAL_VOTE = "approval_vote", _("Votación (hasta N opciones)")
        WEIGHTED_CRITERIA = "weighted_criteria", _("Criterios ponderados")

    class Status(models.TextChoices):
        OPEN = "abierta", _("Recibiendo participaciones")
        COMPUTED = "calculada", _("Resultado calculado")

    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="prioritizations"
    )
    title = models.CharField(
        _("título"),
        max_length=200,
        help_text=_("Por ejemplo: Priorización de problemáticas de la primera ronda de mesas."),
        error_messages={"blank": _("Escribe un título para la priorización.")},
    )
    method = models.CharField(_("método"), max_length=30, choices=Method.choices)
    max_choices = models.PositiveSmallIntegerField(
        _("opciones por persona"),
        null=True,
        blank=True,
        help_text=_("Solo para votación: cuántas problemáticas puede elegir cada participante."),
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problemáticas que se priorizan"), related_name="+"
    )
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    result = models.JSONField(_("resultado"), null=True, blank=True, editable=False)
    computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(get_user=get_history_user, m2m_fields=[problems])

    class Meta:
        verbose_name = _("priorización")
        verbose_name_plural = _("priorizaciones")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def methodology_job_key(self) -> str:
        """Return the key of the jobs that render its methodology PDF (``pal_portal.jobs``)."""
        return f"cocreation.methodology:{self.pk}"


class Criterion(models.Model):
    prioritization = models.ForeignKey(
        Prioritization, on_delete=models.CASCADE, related_name="criteria"
    )
    label = models.CharField(_("criterio"), max_length=200)
    weight = models.DecimalField(_("peso"), max_digits=6, decimal_places=2)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("criterio")
        verbose_name_plural = _("criterios")
        ordering = ["pk"]

    def __str__(self):
        return self.label


class PrioritizationEntry(models.Model):
    """One participant's ranking, ballot or scores, entered for their nucleus.

    ``data`` holds a list of problem ids (ranking or ballot) or a list of
    ``[problem_id, criterion_id, mark]`` triples (weighted criteria), validated by the service
    with the pure functions of ``cocreation.scoring``.
    """

    prioritization = models.ForeignKey(
        Prioritization, on_delete=models.CASCADE, related_name="entries"
    )
    nucleus = models.ForeignKey(Nucleus, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participant = models.CharField(_("participante"), max_length=200)
    data = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    entered_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("participación en la priorización")
        verbose_name_plural = _("participaciones en la priorización")
        ordering = ["nucleus", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prioritization", "participant"], name="stl_one_entry_per_participant"
            )
        ]

    def __str__(self):
        return self.participant

    @property
    def is_on_behalf(self) -> bool:
        """Whether someone else (the facilitator) recorded it on the participant's behalf."""
        return self.member_id is None


# The methodology PDF is rendered by a worker under these limits (``cocreation.tasks``): past the
# soft one the render is interrupted and the job fails; past the hard one the worker kills it and
# the job is failed too (``pal_portal.jobs.DurableTask.on_failure``). The job's lease is the hard
# limit: a job still running past it counts as failed on the page (``Job.status_at``).
METHODOLOGY_SOFT_TIME_LIMIT = 120  # seconds
METHODOLOGY_TIME_LIMIT = 150  # seconds


class Decision(models.Model):
    """An agreement (acuerdo) of the STL, decided by its members' votes (never the facilitator)."""

    class Status(models.TextChoices):
        OPEN = "abierta", _("En votación")
        CLOSED = "cerrada", _("Cerrada")

    class Outcome(models.TextChoices):
        APPROVED = "aprobado", _("Aprobado")
        REJECTED = "rechazado", _("No aprobado")
        TIED = "empate", _("Empate")
        NO_QUORUM = "sin_quorum", _("Sin quórum")

    secretariat = models.ForeignKey(
        Secretariat, verbose_name=_("STL"), on_delete=models.CASCADE, related_name="decisions"
    )
    title = models.CharField(
        _("acuerdo"),
        max_length=300,
        error_messages={"blank": _("Escribe el acuerdo que se somete a votación.")},
    )
    description = BoundedTextField(
        _("descripción"),
        max_length=limits.LONG_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Qué se propone y por qué, para que conste en el registro."),
    )
    discussed_on = models.DateField(
        _("fecha"),
        validators=[
            NotBefore(),
            NotInTheFuture(_("La fecha del acuerdo no puede estar en el futuro.")),
        ],
    )
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(
        _("resultado"), max_length=20, choices=Outcome.choices, blank=True, editable=False
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The quorum rule applied at closing, and among how many members: the STL's rule may change
    # later, a closed decision keeps the rule it was decided by.
    quorum_rule = models.CharField(
        _("regla de quórum aplicada"), max_length=30, blank=True, editable=False
    )
    quorum_reference = models.CharField(
        _("referencia en las reglas de operación"), max_length=300, blank=True, editable=False
    )
    electorate = models.PositiveIntegerField(
        _("personas integrantes con derecho a voto"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("acuerdo")
        verbose_name_plural = _("acuerdos")
        ordering = ["discussed_on", "pk"]

    def __str__(self):
        return self.title


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "a_favor", _("A favor")
        AGAINST = "en_contra", _("En contra")
        ABSTAIN = "abstencion", _("Abstención")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("voto"), max_length=20, choices=Choice.choices)
    cast_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("voto")
        verbose_name_plural = _("votos")
        ordering = ["cast_at"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "member"], name="stl_one_vote_per_member")
        ]

    def __str__(self):
        return f"{self.member}: {self.get_choice_display()}"


class DecisionComment(models.Model):
    """A voice in the discussion of a decision: members and the facilitator, recorded by name."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = BoundedTextField(
        _("comentario"),
        max_length=limits.COMMENT_MAX_LENGTH,
        help_text=_("Tu comentario queda registrado con tu nombre."),
        error_messages={"blank": _("Escribe tu comentario.")},
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(get_user=get_history_user)

    class Meta:
        verbose_name = _("comentario")
        verbose_name_plural = _("comentarios")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"
