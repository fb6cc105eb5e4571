"""Who may see and do what in the co-creation record.

For each object type one function looks it up for a user (404 both for what does not exist and
for what is not theirs to see) and one returns the actions the user may take on it. Views,
templates and services all ask these; none derives a role on its own.
"""

from __future__ import annotations

from django.http import Http404

from cocreation.models import (
    Decision,
    DialogueTable,
    Prioritization,
    PrioritizationEntry,
    Problem,
    PublicConsultation,
)
from stl.models import Secretariat


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


def get_problem_or_404(*, secretariat: Secretariat, pk) -> Problem:
    """Return the STL's problem ``pk``; 404 for one of another STL, as for a missing one."""
    problem = (
        Problem.objects.select_related("secretariat").filter(secretariat=secretariat, pk=pk).first()
    )
    if problem is None:
        raise Http404
    return problem


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


def get_decision_or_404(*, secretariat: Secretariat, pk) -> Decision:
    """Return the secretariat's decision ``pk``, or 404 (also for another STL's)."""
    decision = Decision.objects.filter(secretariat=secretariat, pk=pk).first()
    if decision is None:
        raise Http404
    decision.secretariat = secretariat
    return decision
