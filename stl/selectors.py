"""Reads of the STL registry."""

from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.models import Evidence
from evidence.selectors import evidence_log
from pal_portal import access
from stl.models import (
    Decision,
    DecisionComment,
    DialogueTable,
    FacilitatorAssignment,
    Member,
    MinutesApproval,
    Nucleus,
    Prioritization,
    PrioritizationEntry,
    Problem,
    ProblemOrigin,
    PublicConsultation,
    Secretariat,
    Vote,
)


def secretariat_list(*, user) -> QuerySet:
    """Return the STLs this user may see, with their member counts, in state order."""
    return (
        access.secretariats_for(user)
        .annotate(
            member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
            nucleus_count=Count("nuclei", distinct=True),
        )
        .order_by("state", "-exercise")
    )


def secretariat_dashboard(*, secretariat: Secretariat) -> dict:
    """Return what an STL's dashboard shows: nuclei with members, and the facilitator.

    The facilitator carries ``has_signed_document``: whether a current signed neutrality
    declaration is filed as evidence of the assignment.
    """
    nuclei = sorted(
        Nucleus.objects.filter(secretariat=secretariat).prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(is_active=True).select_related("user"),
            )
        ),
        key=attrgetter("display_position"),
    )
    # Whether the signed neutrality declaration is filed rides along in the same query (4.a).
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
        .select_related("user")
        .annotate(has_signed_document=Exists(signed_document))
        .first()
    )
    return {"nuclei": nuclei, "facilitator": facilitator}


HISTORY_CHANGES = {"+": _("Alta"), "~": _("Cambio"), "-": _("Baja")}


@dataclass(frozen=True)
class HistoryEntry:
    date: object
    user: object
    change: str
    subject: str
    label: str
    url: str = ""  # where the record can be seen (evidence: its subject's page)


def _history_label(record) -> str:
    model = record.instance_type
    if model is Member:
        return f"{record.user} — {record.nucleus}"
    if model is FacilitatorAssignment:
        return str(record.user)
    if model is Nucleus:
        return str(record.get_kind_display()) + (f" ({record.name})" if record.name else "")
    return f"{record.get_state_display()} {record.exercise}"


def secretariat_history(*, secretariat: Secretariat, limit: int = 200) -> list[HistoryEntry]:
    """Return the newest history rows of the STL, its nuclei, members and facilitators, and the
    log of its evidence (uploads, downloads, supersessions, withdrawals, integrity failures),
    merged: one query per source."""
    rows = [
        secretariat.history.select_related("history_user")[:limit],
        Nucleus.history.filter(secretariat_id=secretariat.pk).select_related("history_user")[
            :limit
        ],
        Member.history.filter(secretariat_id=secretariat.pk).select_related(
            "history_user", "user", "nucleus"
        )[:limit],
        FacilitatorAssignment.history.filter(secretariat_id=secretariat.pk).select_related(
            "history_user", "user"
        )[:limit],
    ]
    entries = [
        HistoryEntry(
            date=record.history_date,
            user=record.history_user,
            change=HISTORY_CHANGES.get(record.history_type, record.history_type),
            subject=str(record.instance_type._meta.verbose_name),
            label=_history_label(record),
        )
        for record in chain.from_iterable(rows)
    ]
    entries += [
        HistoryEntry(
            date=event.date,
            user=event.user,
            change=event.action,
            subject=str(Evidence._meta.verbose_name),
            label=event.label,
            url=event.url,
        )
        for event in evidence_log(secretariat=secretariat, limit=limit)
    ]
    return sorted(entries, key=attrgetter("date"), reverse=True)[:limit]


# --- Co-creation record: dialogue tables, consultations, problems and the timeline -------------


def _insider(stl_access) -> bool:
    """Members, facilitator, reviewers and administrators: who may see personal data."""
    return stl_access.can_view_history


def get_dialogue_table_or_404(*, secretariat: Secretariat, pk) -> DialogueTable:
    """Return the STL's table ``pk``; 404 for a table of another STL, as for a missing one."""
    table = (
        DialogueTable.objects.select_related("nucleus", "secretariat")
        .filter(secretariat=secretariat, pk=pk)
        .first()
    )
    if table is None:
        raise Http404
    return table


def dialogue_table_list(*, secretariat: Secretariat) -> dict:
    """Return the STL's tables in date order and the nuclei that have not held one yet (1.a)."""
    tables = list(
        DialogueTable.objects.filter(secretariat=secretariat)
        .select_related("nucleus", "secretariat")
        .order_by("held_on", "pk")
    )
    with_tables = {table.nucleus_id for table in tables}
    nuclei = [n for n in Nucleus.objects.filter(secretariat=secretariat) if n.pk not in with_tables]
    return {"tables": tables, "nuclei_without_tables": nuclei}


def nuclei_for_logging(*, secretariat: Secretariat, user, stl_access) -> QuerySet:
    """Return the nuclei whose tables this user may log: all for the facilitator, else their own."""
    nuclei = Nucleus.objects.filter(secretariat=secretariat)
    if stl_access.can_facilitate:
        return nuclei
    if stl_access.can_participate:
        return nuclei.filter(members__user=user, members__is_active=True).distinct()
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
    can_answer = bool(
        stl_access.can_participate
        and my_member is not None
        and table.minutes
        and table.minutes_approved_at is None
    )
    return {
        "attendees": list(table.attendees.all()) if _insider(stl_access) else None,
        "active_members": active_members,
        "current_approvals": current,
        "earlier_approvals": [a for a in approvals if a.minutes_version != table.minutes_version],
        "approved_count": approved,
        "majority_needed": len(active_members) // 2 + 1,
        "my_answer": next((a for a in current if my_member and a.member_id == my_member.pk), None),
        "can_answer": can_answer,
        "can_edit": stl_access.can_facilitate
        or (stl_access.can_participate and my_member is not None),
        "origins": list(
            ProblemOrigin.objects.filter(dialogue_table=table)
            .select_related("problem__merged_into")
            .order_by("problem_id")
        ),
    }


def get_consultation_or_404(*, secretariat: Secretariat, pk) -> PublicConsultation:
    """Return the STL's consultation ``pk``; 404 for one of another STL, as for a missing one."""
    consultation = (
        PublicConsultation.objects.select_related("secretariat")
        .filter(secretariat=secretariat, pk=pk)
        .first()
    )
    if consultation is None:
        raise Http404
    return consultation


def consultation_list(*, secretariat: Secretariat) -> list[PublicConsultation]:
    """Return the STL's public consultations in the order they opened."""
    return list(
        PublicConsultation.objects.filter(secretariat=secretariat)
        .select_related("secretariat")
        .order_by("opens_on", "pk")
    )


def consultation_detail(*, consultation: PublicConsultation, stl_access) -> dict:
    """Return what a consultation's page shows and what this user may do with it."""
    from stl.services.consultations import consultation_warnings

    return {
        "warnings": consultation_warnings(consultation=consultation),
        "can_edit": stl_access.can_participate or stl_access.can_facilitate,
        "origins": list(
            ProblemOrigin.objects.filter(consultation=consultation)
            .select_related("problem__merged_into")
            .order_by("problem_id")
        ),
    }


def get_problem_or_404(*, secretariat: Secretariat, pk) -> Problem:
    """Return the STL's problem ``pk``; 404 for one of another STL, as for a missing one."""
    problem = (
        Problem.objects.select_related("secretariat").filter(secretariat=secretariat, pk=pk).first()
    )
    if problem is None:
        raise Http404
    return problem


def _origins_prefetch() -> Prefetch:
    return Prefetch(
        "origins",
        queryset=ProblemOrigin.objects.select_related(
            "dialogue_table__nucleus", "consultation"
        ).order_by("pk"),
    )


def problem_list(*, secretariat: Secretariat) -> list[Problem]:
    """Return the STL's active problems with their origins and the duplicates folded into them."""
    return list(
        Problem.objects.filter(secretariat=secretariat, merged_into__isnull=True)
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


TABLE_ORIGIN, CONSULTATION_ORIGIN = "mesa", "consulta"


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


# --- The STL's timeline: what happened, with what evidence, and what is still missing ----------


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
        url=reverse("stl:table_detail", kwargs={"pk": table.secretariat_id, "table_pk": table.pk}),
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
            "stl:consultation_detail",
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
            "stl:prioritization_detail",
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
            "stl:decision_detail",
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
    prioritizations = list(Prioritization.objects.filter(secretariat=secretariat))
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


# --- Prioritisations (footnote 2 of requirement 1.a) -------------------------------------------

TIEBREAK_LABELS = {
    "first_places": _("más primeros lugares"),
    "top_marks": _("más calificaciones de 5"),
    "registration_order": _("orden de registro"),
}


def get_prioritization_or_404(*, secretariat: Secretariat, pk) -> Prioritization:
    """Return the secretariat's prioritisation ``pk``, or 404 (also for another STL's)."""
    prioritization = Prioritization.objects.filter(secretariat=secretariat, pk=pk).first()
    if prioritization is None:
        raise Http404
    prioritization.secretariat = secretariat
    return prioritization


def get_prioritization_entry_or_404(*, prioritization: Prioritization, pk) -> PrioritizationEntry:
    """Return one entry of the prioritisation, or 404."""
    entry = (
        PrioritizationEntry.objects.filter(prioritization=prioritization, pk=pk)
        .select_related("member")
        .first()
    )
    if entry is None:
        raise Http404
    entry.prioritization = prioritization
    return entry


def prioritization_list(*, secretariat: Secretariat) -> QuerySet:
    """Return the STL's prioritisations, newest first, with problem and entry counts."""
    return (
        Prioritization.objects.filter(secretariat=secretariat)
        .annotate(
            problem_count=Count("problems", distinct=True),
            entry_count=Count("entries", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def prioritization_lacks_methodology(
    *, prioritization: Prioritization, evidence_list: list[Evidence]
) -> bool:
    """Tell whether a computed prioritisation has no current methodology among its evidence.

    ``evidence_list`` is the prioritisation's evidence as its panel lists it (no new query).
    """
    if prioritization.status != Prioritization.Status.COMPUTED:
        return False
    return not any(
        evidence.kind == Evidence.Kind.METHODOLOGY and evidence.is_current
        for evidence in evidence_list
    )


def prioritization_active_problems(*, secretariat: Secretariat) -> QuerySet:
    """Return the problems that may be prioritised: the STL's own, not merged into another."""
    return Problem.objects.filter(secretariat=secretariat, merged_into__isnull=True).order_by("pk")


def _entry_summary(*, prioritization, entry, titles: dict, criteria: dict) -> list[str]:
    """Return one entry as readable lines: places, choices or marks by criterion."""
    method = prioritization.method
    if method == Prioritization.Method.BORDA:
        return [
            f"{place}.º {titles.get(pid, pid)}" for place, pid in enumerate(entry.data, start=1)
        ]
    if method == Prioritization.Method.APPROVAL_VOTE:
        return [str(titles.get(pid, pid)) for pid in entry.data]
    marks: dict[int, list[str]] = {}
    for pid, cid, mark in entry.data:
        marks.setdefault(pid, []).append(f"{criteria.get(cid, cid)}: {mark}")
    return [f"{titles.get(pid, pid)} — {'; '.join(given)}" for pid, given in marks.items()]


def prioritization_detail(*, prioritization: Prioritization, user) -> dict:
    """Return everything the prioritisation page shows, in a fixed number of queries."""
    problems = list(prioritization.problems.order_by("pk"))
    titles = {problem.pk: problem.title for problem in problems}
    criteria = list(prioritization.criteria.order_by("pk"))
    criterion_labels = {criterion.pk: criterion.label for criterion in criteria}
    entries = list(
        prioritization.entries.select_related("nucleus", "member").order_by(
            "nucleus__kind", "nucleus__name", "pk"
        )
    )
    by_nucleus: dict[int, dict] = {}
    own_entry = None
    for entry in entries:
        entry.summary = _entry_summary(
            prioritization=prioritization, entry=entry, titles=titles, criteria=criterion_labels
        )
        entry.is_own = entry.member is not None and entry.member.user_id == user.pk
        if entry.is_own:
            own_entry = entry
        group = by_nucleus.setdefault(entry.nucleus_id, {"nucleus": entry.nucleus, "entries": []})
        group["entries"].append(entry)

    ranking = []
    result = prioritization.result or {}
    for row in result.get("ranking", []):
        ranking.append(
            {
                **row,
                "title": titles.get(row["problem_id"], row["problem_id"]),
                "tied_with_labels": [f"{pid}. {titles.get(pid, '')}" for pid in row["tied_with"]],
                "tiebreak_label": TIEBREAK_LABELS.get(row["tiebreak"] or "", ""),
            }
        )
    return {
        "problems": problems,
        "criteria": criteria,
        "entries": entries,
        "entries_by_nucleus": list(by_nucleus.values()),
        "own_entry": own_entry,
        "ranking": ranking,
        "result": result,
        "has_ties": any(row["tied_with"] for row in ranking),
    }


# --- Decisions (acuerdos; requirement 4.b) ----------------------------------------------------


def get_decision_or_404(*, secretariat: Secretariat, pk) -> Decision:
    """Return the secretariat's decision ``pk``, or 404 (also for another STL's)."""
    decision = Decision.objects.filter(secretariat=secretariat, pk=pk).first()
    if decision is None:
        raise Http404
    decision.secretariat = secretariat
    return decision


def decision_list(*, secretariat: Secretariat) -> QuerySet:
    """Return the STL's decisions, newest first, with their vote counts."""
    return (
        Decision.objects.filter(secretariat=secretariat)
        .annotate(
            votes_for=Count("votes", filter=Q(votes__choice=Vote.Choice.FOR)),
            votes_against=Count("votes", filter=Q(votes__choice=Vote.Choice.AGAINST)),
            votes_abstain=Count("votes", filter=Q(votes__choice=Vote.Choice.ABSTAIN)),
        )
        .order_by("-discussed_on", "-pk")
    )


def decision_detail(*, decision: Decision, user) -> dict:
    """Return the decision's votes grouped by nucleus, its discussion and the user's own vote."""
    votes = list(decision.votes.select_related("member__user", "member__nucleus").order_by("pk"))
    vote_by_member = {vote.member_id: vote for vote in votes}
    nuclei = list(
        Nucleus.objects.filter(secretariat_id=decision.secretariat_id).prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(is_active=True).select_related("user"),
            )
        )
    )
    groups = []
    listed: set[int] = set()
    own_member = None
    member_by_user: dict[int, Member] = {}
    for nucleus in nuclei:
        rows = []
        for member in nucleus.members.all():
            listed.add(member.pk)
            member_by_user[member.user_id] = member
            if member.user_id == user.pk:
                own_member = member
            rows.append({"member": member, "vote": vote_by_member.get(member.pk)})
        # Votes of people who have since left the nucleus still count and stay visible.
        rows += [
            {"member": vote.member, "vote": vote}
            for vote in votes
            if vote.member.nucleus_id == nucleus.pk and vote.member_id not in listed
        ]
        groups.append({"nucleus": nucleus, "rows": rows})
    facilitator_ids = set(
        FacilitatorAssignment.objects.filter(secretariat_id=decision.secretariat_id).values_list(
            "user_id", flat=True
        )
    )
    comments = list(
        DecisionComment.objects.filter(decision=decision).select_related("author").order_by("pk")
    )
    for comment in comments:
        comment.by_facilitator = comment.author_id in facilitator_ids
        comment.member = member_by_user.get(comment.author_id)
    tally = dict.fromkeys(Vote.Choice.values, 0)
    for vote in votes:
        tally[vote.choice] += 1
    return {
        "groups": groups,
        "votes": votes,
        "comments": comments,
        "own_vote": vote_by_member.get(own_member.pk) if own_member else None,
        "own_member": own_member,
        "tally": {
            "for": tally[Vote.Choice.FOR],
            "against": tally[Vote.Choice.AGAINST],
            "abstain": tally[Vote.Choice.ABSTAIN],
            "total": len(votes),
        },
    }


# --- Neutrality of the facilitator (requirement 4.a) -----------------------------------------


def active_facilitator_assignment(*, secretariat: Secretariat) -> FacilitatorAssignment | None:
    """Return the STL's current facilitator assignment, with the person."""
    assignment = (
        FacilitatorAssignment.objects.filter(secretariat=secretariat, is_active=True)
        .select_related("user")
        .first()
    )
    if assignment is not None:
        assignment.secretariat = secretariat
    return assignment
