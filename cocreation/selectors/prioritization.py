"""Reads of the prioritisations (footnote 2 of requirement 1.a)."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from cocreation.models import (
    Prioritization,
)
from evidence.models import Evidence
from stl.models import Secretariat

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
    return prioritizations.annotate(
        problem_count=Count("problems", distinct=True),
        entry_count=Count("entries", distinct=True),
    ).order_by("-created_at", "-pk")


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
