"""Reads of the prioritisations (footnote 2 of requirement 1.a)."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocreation.models import (
    Attendee,
    Prioritization,
    PrioritizationEntry,
)
from evidence.models import Evidence
from pal_portal.jobs import latest_job
from pal_portal.models import Job
from pal_portal.text import comparable_name
from stl.models import Member, Nucleus, Secretariat

# How many known names the facilitator's form suggests; any name the record knows is accepted.
KNOWN_PEOPLE_SUGGESTED = 300

TIEBREAK_LABELS = {
    "first_places": _("más primeros lugares"),
    "top_marks": _("más calificaciones de 5"),
    "registration_order": _("orden de registro"),
}


def prioritization_list(
    *, secretariat: Secretariat, status: str = "", method: str = ""
) -> QuerySet:
    """Return the STL's prioritisations, newest first, with problem and entry counts, narrowed
    by status and method."""
    prioritizations = Prioritization.objects.filter(secretariat=secretariat)
    if status:
        prioritizations = prioritizations.filter(status=status)
    if method:
        prioritizations = prioritizations.filter(method=method)
    # Two counting subqueries, not a join of problems × entries (1,200 rows per prioritisation
    # of 40 problems and 30 participants); the calculation's steps (``result``) are not shown.
    return (
        prioritizations.defer("result")
        .annotate(
            problem_count=_count_of(Prioritization.problems.through.objects, "prioritization_id"),
            entry_count=_count_of(PrioritizationEntry.objects, "prioritization_id"),
        )
        .order_by("-created_at", "-pk")
    )


def _count_of(queryset, field: str):
    """Return a subquery counting the rows of ``queryset`` whose ``field`` is the outer pk."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# No document and no job to make it, or the document was withdrawn: it has to be asked for.
MISSING = "falta"


@dataclass(frozen=True)
class MethodologyProgress:
    """What the page shows of a computed prioritisation's methodology document."""

    status: str  # a pal_portal Job.Status (as the page shows it), or MISSING
    label: str
    evidence: Evidence | None = None  # the current document, once done
    job: Job | None = None  # the latest job that renders it, with who asked for it

    @property
    def finished(self) -> bool:
        """Tell whether nothing will change until someone asks again (no need to poll)."""
        return self.status not in (Job.Status.QUEUED, Job.Status.RUNNING)

    @property
    def may_retry(self) -> bool:
        """Tell whether asking again makes sense: the document is not there nor on its way."""
        return self.status in (Job.Status.FAILED, MISSING)


def _methodology_progress(status: str, evidence=None, job=None) -> MethodologyProgress:
    label = str(_("Falta")) if status == MISSING else Job.Status(status).label
    return MethodologyProgress(status, label, evidence, job)


def prioritization_methodology_progress(
    *, prioritization: Prioritization, evidence_list: list[Evidence]
) -> MethodologyProgress | None:
    """Return how the methodology document is going, or None while the prioritisation is open.

    ``evidence_list`` is the prioritisation's evidence as its panel lists it (no new query for
    it). A current document is done whatever its job says; when the list does not show one,
    the database is asked once more (the panel shows one page), then its latest job
    (``pal_portal.jobs``, key ``Prioritization.methodology_job_key``) tells, a job running past
    its lease counting as failed.
    """
    if prioritization.status != Prioritization.Status.COMPUTED:
        return None
    evidence = next(
        (
            evidence
            for evidence in evidence_list
            if evidence.kind == Evidence.Kind.METHODOLOGY
            and evidence.generated_by_portal
            and evidence.is_current
        ),
        None,
    )
    if evidence is not None:
        return _methodology_progress(Job.Status.DONE, evidence)
    # Not on the panel's page (or attached by the worker since the panel's read): ask the
    # database, so the page never says "missing" of a document that is there.
    evidence = current_methodology(prioritization=prioritization)
    if evidence is not None:
        return _methodology_progress(Job.Status.DONE, evidence)
    job = latest_job(prioritization.methodology_job_key)
    status = job.status_at(timezone.now()) if job is not None else MISSING
    if status == Job.Status.DONE:
        # Done once, but the document was withdrawn since: it has to be asked for again.
        status = MISSING
    return _methodology_progress(status, None, job)


@dataclass(frozen=True)
class KnownPerson:
    """A person the co-creation record knows in a nucleus: a member, or a table's attendee."""

    name: str
    nucleus_id: int
    is_member: bool


def prioritization_known_people(
    *, secretariat: Secretariat, nucleus: Nucleus | None = None, limit: int | None = None
) -> list[KnownPerson]:
    """Return who may be named in an entry recorded on someone's behalf, in the STL or a nucleus.

    The active members of the nucleus, and the names on the attendance registers of the
    nucleus's dialogue tables; once per person (names compared without case or accents) and
    nucleus, spelt as the member's account or else the register spells them. With ``limit``,
    at most that many people (members first, then attendees).
    """
    members = Member.objects.filter(secretariat=secretariat, is_active=True)
    attendees = Attendee.objects.filter(dialogue_table__secretariat=secretariat)
    if nucleus is not None:
        members = members.filter(nucleus=nucleus)
        attendees = attendees.filter(dialogue_table__nucleus=nucleus)
    member_rows = members.order_by("user__full_name").values_list("user__full_name", "nucleus_id")
    attendee_rows = attendees.order_by("full_name", "pk").values_list(
        "full_name", "dialogue_table__nucleus_id"
    )
    if limit is not None:
        member_rows, attendee_rows = member_rows[:limit], attendee_rows[:limit]
    people: dict[tuple[str, int], KnownPerson] = {}
    for rows, is_member in ((member_rows, True), (attendee_rows, False)):
        for name, nucleus_id in rows:
            key = (comparable_name(name or ""), nucleus_id)
            if key[0] and key not in people:
                people[key] = KnownPerson(name=name, nucleus_id=nucleus_id, is_member=is_member)
    known = list(people.values())
    return known[:limit] if limit is not None else known


def prioritization_people_suggested(*, secretariat: Secretariat) -> dict:
    """Return the known people the facilitator's form suggests, bounded, with their nucleus.

    ``people`` holds at most ``limit`` pairs ``(name, nucleus)``; ``truncated`` tells whether
    there were more. A known name not suggested is still accepted when typed.
    """
    limit = KNOWN_PEOPLE_SUGGESTED
    nuclei = {nucleus.pk: str(nucleus) for nucleus in secretariat.nuclei.all()}
    people = prioritization_known_people(secretariat=secretariat, limit=limit + 1)
    suggested = sorted(
        ((person.name, nuclei.get(person.nucleus_id, "")) for person in people[:limit]),
        key=lambda row: (comparable_name(row[0]), row[1]),
    )
    return {"people": suggested, "limit": limit, "truncated": len(people) > limit}


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
        prioritization.entries.select_related("nucleus", "member", "entered_by").order_by(
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
    # Entries recorded on someone else's behalf, and by whom: a reader can weigh them.
    on_behalf = Counter(
        str(entry.entered_by) if entry.entered_by else str(_("la facilitación"))
        for entry in entries
        if entry.is_on_behalf
    )
    return {
        "problems": problems,
        "criteria": criteria,
        "entries": entries,
        "entries_on_behalf": sum(on_behalf.values()),
        "entries_on_behalf_by": sorted(on_behalf.items()),
        "entries_by_nucleus": list(by_nucleus.values()),
        "own_entry": own_entry,
        "ranking": ranking,
        "result": result,
        "has_ties": any(row["tied_with"] for row in ranking),
    }


def current_methodology(*, prioritization: Prioritization) -> Evidence | None:
    """Return the current methodology document the portal generated for it, if any (one query).

    A prioritisation is computed once and never reopened, so one methodology is enough. A
    withdrawn one does not count (as on the timeline), so that it can be generated again; nor
    does a file someone uploaded as methodology: only the portal's own document counts.
    """
    return (
        Evidence.objects.filter(
            subject_type__app_label=Prioritization._meta.app_label,
            subject_type__model=Prioritization._meta.model_name,
            subject_id=prioritization.pk,
            kind=Evidence.Kind.METHODOLOGY,
            generated_by_portal=True,
            is_public_version=False,
            withdrawn_at__isnull=True,
            superseded_by__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
