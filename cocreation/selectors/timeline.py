"""The STL's timeline: what happened, with what evidence, and what is still missing."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreation.models import (
    Decision,
    DialogueTable,
    Prioritization,
    PublicConsultation,
)
from evidence.models import Evidence
from stl.models import Nucleus, Secretariat


@dataclass(frozen=True)
class TimelineItem:
    date: object
    kind: str  # "mesa", "consulta", "priorizacion", "acuerdo"
    kind_label: str
    title: str
    url: str
    status: str
    status_ok: bool
    before_installation: bool
    evidence: tuple  # ((kind label, count), …), only kinds with evidence
    missing: tuple  # Spanish sentences


def _evidence_kinds(subjects) -> dict:
    """Return ``{(content_type_id, object_id): {kind: count}}`` for the subjects (one query)."""
    from evidence.selectors import evidence_counts

    return evidence_counts(subjects=subjects, by_kind=True)


def _evidence_summary(counts: dict) -> tuple:
    labels = dict(Evidence.Kind.choices)
    return tuple((labels.get(kind, kind), n) for kind, n in sorted(counts.items()) if n)


def _table_item(table, counts, installed_on) -> TimelineItem:
    missing = []
    if not table.minutes:
        missing.append(_("Sin minuta."))
    elif table.minutes_approved_at is None:
        missing.append(_("Minuta sin aprobar por la mayoría del núcleo."))
    if not counts.get("acta"):
        missing.append(_("Sin acta o minuta firmada como evidencia."))
    if not counts.get("lista_asistencia"):
        missing.append(_("Sin lista de asistencia como evidencia."))
    return TimelineItem(
        date=table.held_on,
        kind="mesa",
        kind_label=str(_("Mesa de diálogo")),
        title=str(table.nucleus),
        url=reverse(
            "cocreation:table_detail", kwargs={"pk": table.secretariat_id, "table_pk": table.pk}
        ),
        status=str(_("Minuta aprobada") if table.minutes_approved_at else _("Minuta pendiente")),
        status_ok=table.minutes_approved_at is not None,
        before_installation=table.held_on < installed_on,
        evidence=_evidence_summary(counts),
        missing=tuple(str(m) for m in missing),
    )


def _consultation_item(consultation, counts, installed_on) -> TimelineItem:
    missing = []
    if not counts.get("convocatoria"):
        missing.append(_("Sin la convocatoria como evidencia."))
    if not consultation.results:
        missing.append(_("Sin resultados registrados."))
    if not consultation.participants:
        missing.append(_("Sin cifras de participación."))
    return TimelineItem(
        date=consultation.opens_on,
        kind="consulta",
        kind_label=str(_("Consulta pública")),
        title=consultation.title,
        url=reverse(
            "cocreation:consultation_detail",
            kwargs={"pk": consultation.secretariat_id, "consultation_pk": consultation.pk},
        ),
        status=str(
            _("Abierta a cualquier persona")
            if consultation.open_to_anyone
            else _("Con restricciones")
        ),
        status_ok=consultation.open_to_anyone,
        before_installation=consultation.opens_on < installed_on,
        evidence=_evidence_summary(counts),
        missing=tuple(str(m) for m in missing),
    )


def _prioritization_item(prioritization, counts, installed_on) -> TimelineItem:
    computed = prioritization.status == Prioritization.Status.COMPUTED
    missing = []
    if not computed:
        missing.append(_("Resultado sin calcular."))
    elif not counts.get("metodologia"):
        missing.append(_("Sin el documento de metodología como evidencia (nota 2)."))
    date = timezone.localdate(prioritization.created_at)
    return TimelineItem(
        date=date,
        kind="priorizacion",
        kind_label=str(_("Priorización")),
        title=prioritization.title,
        url=reverse(
            "cocreation:prioritization_detail",
            kwargs={"pk": prioritization.secretariat_id, "prioritization_pk": prioritization.pk},
        ),
        status=str(prioritization.get_status_display()),
        status_ok=computed,
        before_installation=date < installed_on,
        evidence=_evidence_summary(counts),
        missing=tuple(str(m) for m in missing),
    )


def _decision_item(decision, counts, installed_on) -> TimelineItem:
    closed = decision.status == Decision.Status.CLOSED
    status = decision.get_outcome_display() if closed and decision.outcome else None
    missing = []
    if not closed:
        missing.append(_("Votación sin cerrar."))
    if not counts.get("acta"):
        missing.append(_("Sin el acta de la sesión del acuerdo como evidencia."))
    return TimelineItem(
        date=decision.discussed_on,
        kind="acuerdo",
        kind_label=str(_("Acuerdo")),
        title=decision.title,
        url=reverse(
            "cocreation:decision_detail",
            kwargs={"pk": decision.secretariat_id, "decision_pk": decision.pk},
        ),
        status=str(status or decision.get_status_display()),
        status_ok=closed,
        before_installation=decision.discussed_on < installed_on,
        evidence=_evidence_summary(counts),
        missing=tuple(str(m) for m in missing),
    )


KIND_ORDER = {"mesa": 0, "consulta": 1, "priorizacion": 2, "acuerdo": 3}


def secretariat_timeline(*, secretariat: Secretariat) -> dict:
    """Return every table, consultation, prioritisation and decision of the STL in date order.

    Each item carries its evidence counted by kind and what is still missing; ``gaps`` lists
    what the STL as a whole still lacks (a nucleus without any table, no open consultation).
    A fixed number of queries, whatever the number of items.
    """
    tables = list(DialogueTable.objects.filter(secretariat=secretariat).select_related("nucleus"))
    consultations = list(PublicConsultation.objects.filter(secretariat=secretariat))
    # The result (every step of the calculation) is large and the timeline never shows it.
    prioritizations = list(Prioritization.objects.filter(secretariat=secretariat).defer("result"))
    decisions = list(Decision.objects.filter(secretariat=secretariat))
    nuclei = list(Nucleus.objects.filter(secretariat=secretariat))
    subjects = [*tables, *consultations, *prioritizations, *decisions]
    by_subject = _evidence_kinds(subjects) if subjects else {}

    def counts(obj) -> dict:
        content_type = ContentType.objects.get_for_model(obj)
        return by_subject.get((content_type.pk, obj.pk), {})

    installed_on = secretariat.installation_date
    items = (
        [_table_item(t, counts(t), installed_on) for t in tables]
        + [_consultation_item(c, counts(c), installed_on) for c in consultations]
        + [_prioritization_item(p, counts(p), installed_on) for p in prioritizations]
        + [_decision_item(d, counts(d), installed_on) for d in decisions]
    )
    items.sort(key=lambda item: (item.date, KIND_ORDER[item.kind]))

    gaps = []
    with_tables = {t.nucleus_id for t in tables}
    for nucleus in nuclei:
        if nucleus.pk not in with_tables:
            gaps.append(
                _("El núcleo %(nucleus)s no ha celebrado ninguna mesa de diálogo (requisito 1.a).")
                % {"nucleus": nucleus}
            )
    if not consultations:
        gaps.append(
            _(
                "No hay ninguna consulta pública a la sociedad civil (requisito 1.c): sin ella el "
                "PAL no tiene validez."
            )
        )
    elif not any(c.open_to_anyone for c in consultations):
        gaps.append(
            _("Ninguna consulta pública estuvo abierta a cualquier persona (requisito 1.c).")
        )
    return {"items": items, "gaps": [str(g) for g in gaps]}
