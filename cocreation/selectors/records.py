"""Reads of the co-creation record: dialogue tables, public consultations and problems."""

from dataclasses import dataclass
from operator import attrgetter

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreation import policy
from cocreation.models import (
    DialogueTable,
    MinutesApproval,
    Problem,
    ProblemOrigin,
    PublicConsultation,
)
from evidence.models import Evidence
from pal_portal.listing import choice_limit
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat

MINUTES_APPROVED, MINUTES_PENDING, MINUTES_MISSING = "aprobada", "pendiente", "sin_minuta"


def record_nuclei(*, secretariat: Secretariat) -> list[Nucleus]:
    """Return the STL's nuclei in display order, each with ``has_tables`` (1.a), in one query."""
    nuclei = Nucleus.objects.filter(secretariat=secretariat).annotate(
        has_tables=Exists(DialogueTable.objects.filter(nucleus=OuterRef("pk")))
    )
    return sorted(nuclei, key=attrgetter("display_position"))


def dialogue_table_list(
    *, secretariat: Secretariat, nucleus: int | None = None, minutes: str = "", search: str = ""
) -> QuerySet:
    """Return the STL's tables in date order, narrowed by nucleus, state of the minutes
    (``MINUTES_*``) and a text searched in the place, the agenda and the minutes."""
    tables = DialogueTable.objects.filter(secretariat=secretariat)
    if nucleus is not None:
        tables = tables.filter(nucleus_id=nucleus)
    if minutes == MINUTES_APPROVED:
        tables = tables.filter(minutes_approved_at__isnull=False)
    elif minutes == MINUTES_PENDING:
        tables = tables.exclude(minutes="").filter(minutes_approved_at__isnull=True)
    elif minutes == MINUTES_MISSING:
        tables = tables.filter(minutes="")
    if search:
        tables = tables.filter(
            Q(place__icontains=search) | Q(agenda__icontains=search) | Q(minutes__icontains=search)
        )
    return tables.select_related("nucleus", "secretariat").order_by("held_on", "pk")


def nuclei_for_logging(*, secretariat: Secretariat, user, stl_access) -> QuerySet:
    """Return the nuclei whose tables this user may log: all for the facilitator, else their own."""
    nuclei = Nucleus.objects.filter(secretariat=secretariat)
    if stl_access.can_facilitate:
        return nuclei
    if stl_access.member is not None:
        return nuclei.filter(pk=stl_access.member.nucleus_id)
    return nuclei.none()


def dialogue_table_detail(*, table: DialogueTable, user, stl_access) -> dict:
    """Return what a table's page shows and what this user may do with it."""
    active_members = list(
        Member.objects.filter(nucleus_id=table.nucleus_id, is_active=True).select_related("user")
    )
    active_ids = {member.pk for member in active_members}
    my_member = next((m for m in active_members if m.user_id == user.pk), None)
    approvals = list(
        MinutesApproval.objects.filter(dialogue_table=table)
        .select_related("member__user")
        .order_by("-minutes_version", "answered_at", "pk")
    )
    current = [a for a in approvals if a.minutes_version == table.minutes_version]
    approved = sum(
        1
        for a in current
        if a.answer == MinutesApproval.Answer.APPROVE and a.member_id in active_ids
    )
    actions = policy.table_actions(stl_access, table)
    can_answer = bool(
        actions["answer_minutes"] and table.minutes and table.minutes_approved_at is None
    )
    return {
        "attendees": list(table.attendees.all()) if stl_access.is_insider else None,
        "active_members": active_members,
        "current_approvals": current,
        "earlier_approvals": [a for a in approvals if a.minutes_version != table.minutes_version],
        "approved_count": approved,
        "majority_needed": minutes_majority(active_members=len(active_members)),
        "my_answer": next((a for a in current if my_member and a.member_id == my_member.pk), None),
        "can_answer": can_answer,
        "can_edit": actions["edit"],
        "origins": list(
            ProblemOrigin.objects.filter(dialogue_table=table)
            .select_related("problem__merged_into")
            .order_by("problem_id")
        ),
    }


CONSULTATIONS_OPEN, CONSULTATIONS_CLOSED, CONSULTATIONS_UPCOMING = "abierta", "cerrada", "por_abrir"


def consultation_list(*, secretariat: Secretariat, status: str = "", search: str = "") -> QuerySet:
    """Return the STL's public consultations in the order they opened, narrowed by whether
    they are open today, closed or yet to open (``CONSULTATIONS_*``) and by a text searched in
    the title, where the call was published and the results."""
    consultations = PublicConsultation.objects.filter(secretariat=secretariat)
    today = timezone.localdate()
    if status == CONSULTATIONS_OPEN:
        consultations = consultations.filter(opens_on__lte=today, closes_on__gte=today)
    elif status == CONSULTATIONS_CLOSED:
        consultations = consultations.filter(closes_on__lt=today)
    elif status == CONSULTATIONS_UPCOMING:
        consultations = consultations.filter(opens_on__gt=today)
    if search:
        consultations = consultations.filter(
            Q(title__icontains=search)
            | Q(call_published_where__icontains=search)
            | Q(results__icontains=search)
        )
    return consultations.select_related("secretariat").order_by("opens_on", "pk")


def consultation_detail(*, consultation: PublicConsultation, stl_access) -> dict:
    """Return what a consultation's page shows and what this user may do with it."""
    return {
        "warnings": consultation_warnings(consultation=consultation),
        "can_edit": policy.may(stl_access, "contribute"),
        "origins": list(
            ProblemOrigin.objects.filter(consultation=consultation)
            .select_related("problem__merged_into")
            .order_by("problem_id")
        ),
    }


def _origins_prefetch() -> Prefetch:
    return Prefetch(
        "origins",
        queryset=ProblemOrigin.objects.select_related(
            "dialogue_table__nucleus", "consultation"
        ).order_by("pk"),
    )


PROBLEMS_MERGED, PROBLEMS_ALL = "fusionadas", "todas"
TABLE_ORIGIN, CONSULTATION_ORIGIN = "mesa", "consulta"


def problem_list(
    *, secretariat: Secretariat, origin: str = "", status: str = "", search: str = ""
) -> QuerySet:
    """Return the STL's problems with their origins and the duplicates folded into them.

    By default the active ones (not merged into another); ``status`` asks for the merged ones
    (``PROBLEMS_MERGED``) or all (``PROBLEMS_ALL``). ``origin`` keeps those raised at a table
    (``TABLE_ORIGIN``) or a consultation (``CONSULTATION_ORIGIN``); ``search`` looks in the title
    and the description.
    """
    problems = Problem.objects.filter(secretariat=secretariat)
    if status == PROBLEMS_MERGED:
        problems = problems.filter(merged_into__isnull=False)
    elif status != PROBLEMS_ALL:
        problems = problems.filter(merged_into__isnull=True)
    if origin == TABLE_ORIGIN:
        problems = problems.filter(
            Exists(
                ProblemOrigin.objects.filter(problem=OuterRef("pk"), dialogue_table__isnull=False)
            )
        )
    elif origin == CONSULTATION_ORIGIN:
        problems = problems.filter(
            Exists(ProblemOrigin.objects.filter(problem=OuterRef("pk"), consultation__isnull=False))
        )
    if search:
        problems = problems.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return (
        problems.select_related("merged_into")
        .prefetch_related(
            _origins_prefetch(),
            Prefetch("merged_problems", queryset=Problem.objects.order_by("pk")),
        )
        .order_by("pk")
    )


def active_problems(*, secretariat: Secretariat, exclude=None) -> QuerySet:
    """Return the STL's problems that have not been merged into another."""
    problems = Problem.objects.filter(secretariat=secretariat, merged_into__isnull=True)
    if exclude is not None:
        problems = problems.exclude(pk=exclude.pk)
    return problems.order_by("pk")


@dataclass(frozen=True)
class ProblemCandidates:
    """The problems a choice offers: at most ``limit`` of those matching the search, in
    registration order; ``more`` tells that others match too (a narrower search finds them)."""

    problems: QuerySet
    more: bool
    limit: int


def problem_candidates(
    *, secretariat: Secretariat, search: str = "", exclude=None
) -> ProblemCandidates:
    """Return the active problems a choice may offer (a merge target, a prioritisation's
    problems): those whose title or description contains ``search``, at most
    ``PAL_CHOICE_LIMIT`` of them, in one query."""
    problems = active_problems(secretariat=secretariat, exclude=exclude)
    if search:
        problems = problems.filter(Q(title__icontains=search) | Q(description__icontains=search))
    limit = choice_limit()
    ids = list(problems.values_list("pk", flat=True)[: limit + 1])
    return ProblemCandidates(
        # Unsliced, so that a form field can check a choice against it.
        problems=Problem.objects.filter(pk__in=ids[:limit]).order_by("pk"),
        more=len(ids) > limit,
        limit=limit,
    )


def problem_origin_choices(*, secretariat: Secretariat) -> list:
    """Return the STL's tables and consultations as grouped choices for a problem's origin."""
    tables = DialogueTable.objects.filter(secretariat=secretariat).select_related("nucleus")
    consultations = PublicConsultation.objects.filter(secretariat=secretariat)
    return [
        (_("Mesas de diálogo"), [(f"{TABLE_ORIGIN}-{t.pk}", str(t)) for t in tables]),
        (
            _("Consultas públicas"),
            [(f"{CONSULTATION_ORIGIN}-{c.pk}", str(c)) for c in consultations],
        ),
    ]


def problem_origin_from_choice(*, secretariat: Secretariat, value: str):
    """Return the table or consultation of this STL named by a choice value, or None."""
    kind, _sep, pk = (value or "").partition("-")
    if not pk.isdigit():
        return None
    model = {TABLE_ORIGIN: DialogueTable, CONSULTATION_ORIGIN: PublicConsultation}.get(kind)
    if model is None:
        return None
    return model.objects.filter(secretariat=secretariat, pk=int(pk)).first()


def dashboard_section(*, secretariat: Secretariat, access, user) -> dict | None:
    """Return the co-creation section of the STL dashboard (signed-in visitors only).

    The facilitator carries ``has_signed_document``: whether a current signed neutrality
    declaration is filed as evidence of the assignment (4.a), in the same query.
    """
    if not user.is_authenticated:
        return None
    signed_document = Evidence.objects.filter(
        subject_type__app_label=FacilitatorAssignment._meta.app_label,
        subject_type__model=FacilitatorAssignment._meta.model_name,
        subject_id=OuterRef("pk"),
        kind=Evidence.Kind.NEUTRALITY_DECLARATION,
        is_public_version=False,
        withdrawn_at__isnull=True,
        superseded_by__isnull=True,
    )
    facilitator = (
        FacilitatorAssignment.objects.filter(secretariat=secretariat, is_active=True)
        .annotate(has_signed_document=Exists(signed_document))
        .first()
    )
    return {"secretariat": secretariat, "facilitator": facilitator}


def consultation_warnings(*, consultation: PublicConsultation) -> list[str]:
    """Return what is acceptable but worth pointing out about a consultation, in Spanish."""
    warnings = []
    if consultation.call_published_on > consultation.opens_on:
        warnings.append(
            _(
                "La convocatoria se publicó después de que la consulta abrió: quien no la vio a "
                "tiempo pudo perder días para participar."
            )
        )
    if consultation.held_before_installation:
        warnings.append(
            _(
                "La consulta abrió antes de la instalación del STL; el proceso del INAI inicia "
                "con la instalación."
            )
        )
    return warnings


def minutes_majority(*, active_members: int) -> int:
    """Return how many approvals a strict majority of ``active_members`` needs."""
    return active_members // 2 + 1
