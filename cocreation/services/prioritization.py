"""Writes of the STL's prioritisations: create, collect entries, compute, attach the methodology.

The arithmetic lives in the pure functions of :mod:`cocreation.scoring`; this module checks who
may act, turns their ``ValueError`` into a ``ValidationError`` and stores what they return. The
methodology PDF (footnote 2 of INAI's minimum requirements) is rendered by a Celery worker after
the result is saved, outside any row lock, and attached to the prioritisation through the
evidence vault; its job (``pal_portal.jobs``, key ``Prioritization.methodology_job_key``) records
how that goes and who asked, for the page to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreation import policy
from cocreation import scoring as methods
from cocreation.models import (
    Criterion,
    Prioritization,
    PrioritizationEntry,
    Problem,
)
from cocreation.selectors.prioritization import current_methodology, prioritization_known_people
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from pal_portal.jobs import job_retry, latest_job
from pal_portal.models import Job
from pal_portal.tasks import enqueue_on_commit
from pal_portal.text import comparable_name
from stl.models import FacilitatorAssignment, Nucleus, Secretariat

METHODOLOGY_KIND = "metodologia"
METHODOLOGY_TASK = "cocreation.generate_prioritization_methodology"
# The job's statuses while a worker may still attach the document (no new request meanwhile).
METHODOLOGY_IN_PROGRESS = (Job.Status.QUEUED, Job.Status.RUNNING)

# What a participant's ``data`` may be: ordered or chosen problem ids (ranking, vote), or
# marks by (problem id, criterion id) (weighted criteria).
EntryData = Sequence[int] | Mapping[tuple[int, int], int]


def _require_open(prioritization: Prioritization) -> None:
    if prioritization.status != Prioritization.Status.OPEN:
        raise ValidationError(
            _("Esta priorización ya se calculó: ya no recibe ni modifica participaciones.")
        )


def _as_validation_error(error: ValueError) -> ValidationError:
    return ValidationError(str(error), code="invalid")


# --- create ----------------------------------------------------------------------------------


def prioritization_create(
    *,
    secretariat: Secretariat,
    title: str,
    method: str,
    problems: Sequence[Problem],
    max_choices: int | None = None,
    criteria: Sequence[tuple[str, Decimal]] = (),
    user,
) -> Prioritization:
    """Open a prioritisation of some of the STL's active problems with one method."""
    policy.require(policy.access_for(user, secretariat), "contribute")
    title = title.strip()
    errors = field_errors(Prioritization(title=title), ["title"])
    if method not in Prioritization.Method.values:
        raise ValidationError({"method": _("Elige un método de priorización válido.")})

    problem_ids = sorted({problem.pk for problem in problems})
    valid_ids = set(
        Problem.objects.filter(
            secretariat=secretariat, merged_into__isnull=True, pk__in=problem_ids
        ).values_list("pk", flat=True)
    )
    if set(problem_ids) - valid_ids:
        errors.setdefault("problems", []).append(
            _(
                "Solo puedes priorizar problemáticas vigentes de este STL (no fusionadas en otra "
                "ni de otro STL)."
            )
        )
    elif len(problem_ids) < 2:
        errors.setdefault("problems", []).append(
            _("Elige al menos dos problemáticas para priorizar.")
        )

    clean_criteria: list[tuple[str, Decimal]] = []
    if method == Prioritization.Method.APPROVAL_VOTE:
        if max_choices is None or max_choices < 1:
            errors.setdefault("max_choices", []).append(
                _("Indica cuántas problemáticas puede elegir cada participante (al menos 1).")
            )
        elif problem_ids and max_choices > len(problem_ids):
            errors.setdefault("max_choices", []).append(
                _(
                    "Cada participante no puede elegir más problemáticas (%(max)d) que las que "
                    "se priorizan (%(count)d)."
                )
                % {"max": max_choices, "count": len(problem_ids)}
            )
    else:
        max_choices = None
    if method == Prioritization.Method.WEIGHTED_CRITERIA:
        clean_criteria = [(label.strip(), weight) for label, weight in criteria]
        labels = [label.casefold() for label, _weight in clean_criteria]
        if any(not label for label in labels):
            errors.setdefault("criteria", []).append(_("Cada criterio necesita un nombre."))
        elif len(set(labels)) != len(labels):
            errors.setdefault("criteria", []).append(
                _("Hay dos criterios con el mismo nombre; cada criterio debe ser distinto.")
            )
        else:
            try:
                methods.weighted_criteria(
                    problems=[],
                    criteria=[
                        (index, label, weight)
                        for index, (label, weight) in enumerate(clean_criteria)
                    ],
                    scores={},
                )
            except ValueError as error:
                errors.setdefault("criteria", []).append(str(error))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic(), acting_as(user):
        prioritization = Prioritization.objects.create(
            secretariat=secretariat,
            title=title,
            method=method,
            max_choices=max_choices,
            created_by=user,
        )
        prioritization.problems.set(problem_ids)
        for label, weight in clean_criteria:
            Criterion.objects.create(prioritization=prioritization, label=label, weight=weight)
    return prioritization


# --- entries ---------------------------------------------------------------------------------


def participant_label(*, participant: str, nucleus: Nucleus) -> str:
    """Return how a participant is named in the computation steps: name and nucleus."""
    return f"{participant} ({nucleus})"


def _problem_ids(prioritization: Prioritization) -> list[int]:
    return sorted(prioritization.problems.values_list("pk", flat=True))


def _criteria(prioritization: Prioritization) -> list[tuple[int, str, Decimal]]:
    return [(c.pk, c.label, c.weight) for c in prioritization.criteria.order_by("pk")]


def _checked_data(*, prioritization: Prioritization, who: str, data: EntryData) -> list:
    """Validate one participant's data with the pure method and return its JSON form."""
    problem_ids = _problem_ids(prioritization)
    method = prioritization.method
    try:
        if method == Prioritization.Method.WEIGHTED_CRITERIA:
            if not isinstance(data, Mapping):
                raise ValueError(_("Las calificaciones no tienen el formato esperado."))
            if not data:
                raise ValueError(_("Califica al menos una problemática en algún criterio."))
            methods.weighted_criteria(
                problems=problem_ids, criteria=_criteria(prioritization), scores={who: data}
            )
            return sorted([pid, cid, mark] for (pid, cid), mark in data.items())
        if isinstance(data, Mapping | str | bytes):
            raise ValueError(_("La participación no tiene el formato esperado."))
        selection = list(data)
        if method == Prioritization.Method.BORDA:
            if not selection:
                raise ValueError(_("Ordena al menos una problemática."))
            methods.borda(problems=problem_ids, rankings={who: selection})
        else:
            if not selection:
                raise ValueError(_("Marca al menos una problemática."))
            methods.approval_vote(
                problems=problem_ids,
                ballots={who: selection},
                max_choices=prioritization.max_choices or 1,
            )
            selection = sorted(selection)
        return selection
    except ValueError as error:
        raise _as_validation_error(error) from None


def _locked(prioritization: Prioritization) -> Prioritization:
    return Prioritization.objects.select_for_update().get(pk=prioritization.pk)


def prioritization_entry_submit(
    *, prioritization: Prioritization, data: EntryData, user
) -> PrioritizationEntry:
    """Save a member's own ranking, ballot or marks; one per member, editable while open.

    ``data`` is the ordered problem ids (ranking), the chosen ids (vote) or a mapping of
    ``(problem_id, criterion_id)`` to a mark from 1 to 5 (weighted criteria).
    """
    stl_access = policy.access_for(user, prioritization.secretariat)
    policy.require(stl_access, "rank")
    member = stl_access.member
    name = user.get_full_name() or user.email
    who = participant_label(participant=name, nucleus=member.nucleus)
    with transaction.atomic(), acting_as(user):
        prioritization = _locked(prioritization)
        _require_open(prioritization)
        stored = _checked_data(prioritization=prioritization, who=who, data=data)
        entry = PrioritizationEntry.objects.filter(
            prioritization=prioritization, member=member
        ).first()
        if entry is not None:
            entry.data = stored
            entry.entered_by = user
            entry.entered_at = timezone.now()
            entry.save(update_fields=["data", "entered_by", "entered_at"])
            return entry
        _require_one_entry_per_person(prioritization=prioritization, participant=name)
        return PrioritizationEntry.objects.create(
            prioritization=prioritization,
            nucleus=member.nucleus,
            member=member,
            participant=name,
            data=stored,
            entered_by=user,
        )


def _require_one_entry_per_person(*, prioritization: Prioritization, participant: str) -> None:
    """Refuse a second entry for a person, whoever enters it: each person takes part once.

    Names are compared without case or accents, so that "Luis Hernández Cruz" and "luis
    hernandez cruz" are one person. Call it with the prioritisation locked.
    """
    wanted = comparable_name(participant)
    names = PrioritizationEntry.objects.filter(prioritization=prioritization).values_list(
        "participant", flat=True
    )
    if any(comparable_name(name) == wanted for name in names):
        raise ValidationError(
            {
                "participant": _(
                    "Ya hay una participación registrada a nombre de «%(name)s» en esta "
                    "priorización: cada persona participa una sola vez. Si hay que corregirla, "
                    "quien la registró puede eliminarla y registrarla de nuevo."
                )
                % {"name": participant}
            }
        )


def _known_participant(
    *, prioritization: Prioritization, nucleus: Nucleus, participant: str
) -> str:
    """Return the name, as the record spells it, of the person an entry on behalf names.

    An entry recorded on someone's behalf must name a person the record knows in that nucleus:
    one of its active members, or someone on the attendance register of one of its dialogue
    tables (names compared without case or accents). Anyone else is refused.
    """
    wanted = comparable_name(participant)
    for person in prioritization_known_people(
        secretariat=prioritization.secretariat, nucleus=nucleus
    ):
        if comparable_name(person.name) == wanted:
            return person.name
    raise ValidationError(
        {
            "participant": _(
                "«%(name)s» no es integrante del núcleo %(nucleus)s ni aparece en la lista de "
                "asistencia de una de sus mesas de diálogo. Solo se registra la participación "
                "de personas que el registro conoce: si participó en una mesa, agrega primero "
                "su nombre a la lista de asistencia de esa mesa."
            )
            % {"name": participant, "nucleus": nucleus}
        }
    )


def _is_facilitator_name(*, secretariat_id: int, participant: str) -> bool:
    """Tell whether ``participant`` is the full name of the STL's active facilitator."""
    names = FacilitatorAssignment.objects.filter(
        secretariat_id=secretariat_id, is_active=True
    ).values_list("user__full_name", flat=True)
    wanted = comparable_name(participant)
    return any(name and comparable_name(name) == wanted for name in names)


def prioritization_entry_record(
    *,
    prioritization: Prioritization,
    nucleus: Nucleus,
    participant: str,
    data: EntryData,
    user,
) -> PrioritizationEntry:
    """Record, as the facilitator, the entry of a named participant of a nucleus at a table.

    The participant must be a person the record knows in that nucleus (``_known_participant``)
    and is stored as the record spells them; each person takes part once.
    """
    policy.require(policy.access_for(user, prioritization.secretariat), "rank_on_behalf")
    participant = " ".join(participant.split())
    if not participant:
        raise ValidationError({"participant": _("Escribe el nombre de la persona participante.")})
    if len(participant) > 200:
        raise ValidationError({"participant": _("El nombre es demasiado largo (máximo 200).")})
    if _is_facilitator_name(secretariat_id=prioritization.secretariat_id, participant=participant):
        raise ValidationError(
            {
                "participant": _(
                    "La persona facilitadora tiene voz, pero no voto (requisito 4.b): no puede "
                    "registrar una participación a su propio nombre."
                )
            }
        )
    if nucleus.secretariat_id != prioritization.secretariat_id:
        raise ValidationError({"nucleus": _("Ese núcleo no pertenece a este STL.")})
    participant = _known_participant(
        prioritization=prioritization, nucleus=nucleus, participant=participant
    )
    who = participant_label(participant=participant, nucleus=nucleus)
    with transaction.atomic(), acting_as(user):
        prioritization = _locked(prioritization)
        _require_open(prioritization)
        stored = _checked_data(prioritization=prioritization, who=who, data=data)
        _require_one_entry_per_person(prioritization=prioritization, participant=participant)
        return PrioritizationEntry.objects.create(
            prioritization=prioritization,
            nucleus=nucleus,
            member=None,
            participant=participant,
            data=stored,
            entered_by=user,
        )


def prioritization_entry_delete(*, entry: PrioritizationEntry, user) -> None:
    """Remove an entry while the prioritisation is open: the facilitator's or one's own."""
    prioritization = entry.prioritization
    policy.require(policy.access_for(user, prioritization.secretariat), "delete_entry", entry)
    with transaction.atomic(), acting_as(user):
        _require_open(_locked(prioritization))
        entry.delete()


# --- compute ---------------------------------------------------------------------------------


def prioritization_result(
    *, prioritization: Prioritization, entries: Sequence[PrioritizationEntry]
) -> methods.PrioritizationResult:
    """Run the prioritisation's pure method over its entries, labelled by person and nucleus."""
    problem_ids = _problem_ids(prioritization)
    labelled = [
        (participant_label(participant=entry.participant, nucleus=entry.nucleus), entry.data)
        for entry in entries
    ]
    try:
        if prioritization.method == Prioritization.Method.BORDA:
            return methods.borda(problems=problem_ids, rankings=dict(labelled))
        if prioritization.method == Prioritization.Method.APPROVAL_VOTE:
            return methods.approval_vote(
                problems=problem_ids,
                ballots=dict(labelled),
                max_choices=prioritization.max_choices or 1,
            )
        return methods.weighted_criteria(
            problems=problem_ids,
            criteria=_criteria(prioritization),
            scores={who: {(pid, cid): mark for pid, cid, mark in data} for who, data in labelled},
        )
    except ValueError as error:
        raise _as_validation_error(error) from None


def prioritization_compute(*, prioritization: Prioritization, user) -> Prioritization:
    """Compute and save the result, then queue its methodology PDF for a worker to render."""
    policy.require(policy.access_for(user, prioritization.secretariat), "contribute")
    with transaction.atomic(), acting_as(user):
        prioritization = _locked(prioritization)
        _require_open(prioritization)
        entries = list(prioritization.entries.select_related("nucleus").order_by("nucleus", "pk"))
        if not entries:
            raise ValidationError(
                _(
                    "Todavía no hay participaciones: registra al menos una antes de calcular el "
                    "resultado."
                )
            )
        result = prioritization_result(prioritization=prioritization, entries=entries)
        prioritization.result = result.as_dict()
        prioritization.status = Prioritization.Status.COMPUTED
        prioritization.computed_at = timezone.now()
        prioritization.save(update_fields=["result", "status", "computed_at"])

        _methodology_enqueue(prioritization=prioritization, user=user)
    return prioritization


def prioritization_methodology_attach(*, prioritization: Prioritization, user):
    """Render the methodology PDF of a computed prioritisation and attach it as evidence, once.

    The worker's side of the job (``cocreation.tasks``; the job's row records running, then
    done or failed). The PDF is rendered with no transaction open and no row locked; the
    prioritisation is then locked only to attach it, unless a current methodology was attached
    meanwhile (a regeneration and a late run may meet): never two documents.
    """

    if (
        prioritization.status != Prioritization.Status.COMPUTED
        or prioritization.computed_at is None
    ):
        return None
    existing = current_methodology(prioritization=prioritization)
    if existing is not None:
        return existing
    pdf = _methodology_render(prioritization=prioritization)
    with transaction.atomic():
        prioritization = _locked(prioritization)
        return current_methodology(prioritization=prioritization) or _methodology_store(
            prioritization=prioritization, pdf=pdf, user=user
        )


def _methodology_render(*, prioritization: Prioritization) -> bytes:
    """Return the methodology PDF of a computed prioritisation (slow: seconds, tens of MB)."""
    from cocreation.methodology import methodology_pdf

    entries = list(prioritization.entries.select_related("nucleus").order_by("nucleus", "pk"))
    result = prioritization_result(prioritization=prioritization, entries=entries)
    labels = {problem.pk: problem.title for problem in prioritization.problems.order_by("pk")}
    secretariat = prioritization.secretariat
    return methodology_pdf(
        title=_("Metodología de la priorización «%(title)s»") % {"title": prioritization.title},
        secretariat=_("Secretariado Técnico Local de %(stl)s") % {"stl": secretariat},
        method_label=str(prioritization.get_method_display()),
        result=result,
        problem_labels=labels,
        participants_count=len(entries),
        generated_at=timezone.localtime(prioritization.computed_at),
    )


def _methodology_store(*, prioritization: Prioritization, pdf: bytes, user):
    from evidence.services import evidence_attach

    filename = f"metodologia-priorizacion-{prioritization.pk}.pdf"
    with acting_as(user):
        return evidence_attach(
            subject=prioritization,
            uploaded_file=ContentFile(pdf, name=filename),
            kind=METHODOLOGY_KIND,
            description=_(
                "Metodología de priorización generada por el portal (nota 2 de los requisitos "
                "mínimos del INAI): %(title)s."
            )
            % {"title": prioritization.title},
            generated_by_portal=True,
            user=user,
        )


def _methodology_enqueue(*, prioritization: Prioritization, user) -> Job:
    """Record a job that renders the document, on ``user``'s behalf, sent once committed."""
    return enqueue_on_commit(
        METHODOLOGY_TASK,
        prioritization.pk,
        requested_by=user,
        key=prioritization.methodology_job_key,
    )


def prioritization_methodology_regenerate(*, prioritization: Prioritization, user) -> Job:
    """Ask again for the methodology PDF of a computed prioritisation that lacks it.

    For when its job failed (or ran past its time limit: ``Job.status_at``), or the document was
    withdrawn. A failed job is queued again (``job_retry``, the person becoming its requester);
    otherwise a new one is recorded. The task is idempotent, so asking twice attaches one
    document; the prioritisation's row lock makes two clicks at once queue one job.
    """

    policy.require(policy.access_for(user, prioritization.secretariat), "contribute")
    with transaction.atomic():
        prioritization = _locked(prioritization)
        if prioritization.status != Prioritization.Status.COMPUTED:
            raise ValidationError(
                _(
                    "El documento de metodología se genera al calcular el resultado; esta "
                    "priorización aún no se calcula."
                )
            )
        if current_methodology(prioritization=prioritization):
            raise ValidationError(
                _("Esta priorización ya tiene su documento de metodología entre sus evidencias.")
            )
        job = latest_job(prioritization.methodology_job_key)
        status = job.status_at(timezone.now()) if job is not None else None
        if status in METHODOLOGY_IN_PROGRESS:
            raise ValidationError(
                _(
                    "El documento de metodología ya se está generando: la página de la "
                    "priorización muestra su avance."
                )
            )
        if status == Job.Status.FAILED:
            return job_retry(job, user=user)
        # Done, but the document was withdrawn since; or never asked for.
        return _methodology_enqueue(prioritization=prioritization, user=user)
