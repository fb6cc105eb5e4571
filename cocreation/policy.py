"""Who may see and do what in the co-creation record.

One table of rules (``RULES``) answers "may this person do this?" for every action on the record;
``may`` asks it, ``require`` refuses with the rule's own Spanish message, and for each object type
one function looks the object up for a user (404 both for what does not exist and for what is not
theirs to see) and one returns the actions the user may take on it. Views, templates and services
all ask these; none combines role flags on its own. Roles come from ``stl.policy``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from cocreation.models import (
    Decision,
    DialogueTable,
    Prioritization,
    PrioritizationEntry,
    Problem,
    PublicConsultation,
)
from stl import policy as stl_policy
from stl.models import Secretariat
from stl.policy import SecretariatAccess

FACILITATOR_HAS_NO_VOTE = _("La persona facilitadora tiene voz, pero no voto (requisito 4.b).")
FACILITATOR_DOES_NOT_RANK = _(
    "La persona facilitadora no participa en la priorización; puede registrar la participación "
    "de otras personas a su nombre."
)

# action -> (rule, refusal). A rule takes the person's access and the object concerned.
RULES: dict[str, tuple[Callable[[SecretariatAccess, object], bool], object]] = {
    # Members and the facilitator write the record: consultations, problems, prioritisations,
    # decisions, comments.
    "contribute": (
        lambda access, _obj: access.can_contribute,
        _("Solo las personas integrantes del STL y su persona facilitadora pueden hacer esto."),
    ),
    # A table is logged by the facilitator, or by a member of the nucleus that held it (1.a).
    "log_table": (
        lambda access, nucleus: (
            access.can_facilitate or (access.can_participate and access.is_member_of(nucleus.pk))
        ),
        _("Solo la facilitación o integrantes de ese núcleo pueden registrar sus mesas."),
    ),
    "edit_table": (
        lambda access, table: (
            access.can_facilitate
            or (access.can_participate and access.is_member_of(table.nucleus_id))
        ),
        _("Solo la facilitación o integrantes de ese núcleo pueden registrar sus mesas."),
    ),
    "answer_minutes": (
        lambda access, table: access.can_vote and access.is_member_of(table.nucleus_id),
        _("Solo las personas integrantes de ese núcleo aprueban su minuta."),
    ),
    # Voice but no vote (4.b): the facilitator never votes nor ranks problems.
    "vote": (
        lambda access, _obj: access.can_vote and access.member is not None,
        _("Solo las personas integrantes del STL pueden votar."),
    ),
    "rank": (
        lambda access, _obj: access.can_vote and access.member is not None,
        _("Solo las personas integrantes del STL pueden participar."),
    ),
    "rank_on_behalf": (
        lambda access, _obj: access.can_facilitate,
        _("Solo la persona facilitadora registra participaciones a nombre de otras personas."),
    ),
    "delete_entry": (
        lambda access, entry: (
            (
                entry.member_id is not None
                and access.member is not None
                and entry.member_id == access.member.pk
            )
            or (access.can_facilitate and entry.member_id is None)
        ),
        _("No puedes eliminar esta participación."),
    ),
    "sign_neutrality": (
        lambda access, assignment: (
            assignment is not None
            and assignment.is_active
            and access.can_facilitate
            and assignment.user_id == access.user_id
        ),
        _("Solo la persona facilitadora vigente puede firmar su declaración de neutralidad."),
    ),
}


def may(access: SecretariatAccess, action: str, obj=None) -> bool:
    """Return whether the person with ``access`` may take ``action`` (on ``obj``)."""
    rule, _refusal = RULES[action]
    return bool(rule(access, obj))


def refusal(access: SecretariatAccess, action: str) -> str:
    """Return the Spanish reason why ``action`` is refused to this person."""
    if action == "vote" and access.can_facilitate:
        return str(FACILITATOR_HAS_NO_VOTE)
    if action == "rank" and access.can_facilitate:
        return str(FACILITATOR_DOES_NOT_RANK)
    return str(RULES[action][1])


def require(access: SecretariatAccess, action: str, obj=None) -> None:
    """Raise PermissionDenied with the rule's own message unless ``action`` is allowed."""
    if not may(access, action, obj):
        raise PermissionDenied(refusal(access, action))


def access_for(user, secretariat: Secretariat) -> SecretariatAccess:
    """Return the person's roles in the STL (computed once per request by ``stl.policy``)."""
    return stl_policy.secretariat_access(user, secretariat)


# --- The record of one STL ----------------------------------------------------------------------


def get_record_or_404(user, pk, *, need: str | None = None):
    """Return ``(secretariat, access)`` for the STL whose record the user may see, or 404.

    With ``need``, the user must also be allowed that action of ``RULES`` (404 otherwise: a page
    never tells an outsider what exists).
    """
    secretariat, access = stl_policy.get_secretariat_or_404(user, pk)
    if need is not None and not may(access, need):
        raise Http404
    return secretariat, access


def record_actions(access: SecretariatAccess) -> dict[str, bool]:
    """Return what the person may start in the STL's record (the lists' buttons)."""
    contribute = may(access, "contribute")
    return {
        "log_table": contribute,
        "record_consultation": contribute,
        "raise_problem": contribute,
        "open_prioritization": contribute,
        "open_decision": contribute,
    }


# --- Objects of the record ----------------------------------------------------------------------


def _object_or_404(queryset, secretariat: Secretariat, pk):
    try:
        found = queryset.filter(secretariat=secretariat, pk=pk).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise Http404
    found.secretariat = secretariat
    return found


def get_dialogue_table_or_404(user, pk, table_pk, *, need: str | None = None):
    """Return ``(table, access)`` for a table of STL ``pk`` the user may see (and ``need``)."""
    secretariat, access = get_record_or_404(user, pk)
    table = _object_or_404(DialogueTable.objects.select_related("nucleus"), secretariat, table_pk)
    if need is not None and not may(access, need, table):
        raise Http404
    return table, access


def table_actions(access: SecretariatAccess, table: DialogueTable) -> dict[str, bool]:
    return {
        "edit": may(access, "edit_table", table),
        "answer_minutes": may(access, "answer_minutes", table),
    }


def get_consultation_or_404(user, pk, consultation_pk, *, need: str | None = None):
    """Return ``(consultation, access)`` for a consultation of STL ``pk`` the user may see."""
    secretariat, access = get_record_or_404(user, pk, need=need)
    return _object_or_404(PublicConsultation.objects, secretariat, consultation_pk), access


def get_problem_or_404(user, pk, problem_pk, *, need: str | None = None):
    """Return ``(problem, access)`` for a problem of STL ``pk`` the user may see (and ``need``)."""
    secretariat, access = get_record_or_404(user, pk, need=need)
    return _object_or_404(Problem.objects, secretariat, problem_pk), access


def get_prioritization_or_404(user, pk, prioritization_pk, *, need: str | None = None):
    """Return ``(prioritization, access)`` for a prioritisation of STL ``pk`` the user may see."""
    secretariat, access = get_record_or_404(user, pk, need=need)
    return _object_or_404(Prioritization.objects, secretariat, prioritization_pk), access


def prioritization_actions(
    access: SecretariatAccess, prioritization: Prioritization
) -> dict[str, bool]:
    is_open = prioritization.status == Prioritization.Status.OPEN
    contribute = may(access, "contribute")
    return {
        "rank": is_open and may(access, "rank"),
        "rank_on_behalf": is_open and may(access, "rank_on_behalf"),
        "compute": is_open and contribute,
        "regenerate_methodology": not is_open and contribute,
    }


def get_prioritization_entry_or_404(*, prioritization: Prioritization, pk) -> PrioritizationEntry:
    """Return one entry of the prioritisation, or 404."""
    try:
        entry = (
            PrioritizationEntry.objects.filter(prioritization=prioritization, pk=pk)
            .select_related("member")
            .first()
        )
    except (ValueError, TypeError):
        entry = None
    if entry is None:
        raise Http404
    entry.prioritization = prioritization
    return entry


def get_decision_or_404(user, pk, decision_pk, *, need: str | None = None):
    """Return ``(decision, access)`` for a decision of STL ``pk`` the user may see."""
    secretariat, access = get_record_or_404(user, pk, need=need)
    return _object_or_404(Decision.objects, secretariat, decision_pk), access


def decision_actions(access: SecretariatAccess, decision: Decision) -> dict[str, bool]:
    is_open = decision.status == Decision.Status.OPEN
    contribute = may(access, "contribute")
    return {
        "vote": is_open and may(access, "vote"),
        "comment": is_open and contribute,
        "close": is_open and contribute,
    }
