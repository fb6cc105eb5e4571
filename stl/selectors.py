"""Reads of the STL registry."""

import unicodedata
from itertools import chain
from operator import attrgetter

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from stl import hooks
from stl import policy as access
from stl.hooks import HistoryEntry
from stl.mexican_states import MexicanState
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat


def _folded(text: str) -> str:
    """Return ``text`` without accents and case, to compare names as people type them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def secretariat_list(*, user, search: str = "", status: str = "") -> QuerySet:
    """Return the STLs this user may see, with their member counts, in state order.

    ``search`` matches the state's name (with or without accents) or the exercise; ``status``
    keeps the STLs of that status.
    """
    secretariats = access.secretariats_for(user)
    if search:
        wanted = _folded(search)
        states = [code for code, name in MexicanState.choices if wanted in _folded(name)]
        secretariats = secretariats.filter(Q(state__in=states) | Q(exercise__icontains=search))
    if status:
        secretariats = secretariats.filter(status=status)
    return secretariats.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        nucleus_count=Count("nuclei", distinct=True),
    ).order_by("state", "-exercise")


def secretariat_dashboard(*, secretariat: Secretariat, access, user) -> dict:
    """Return what an STL's dashboard shows: nuclei with members, the facilitator, and the
    sections the apps above the secretariat add (``stl.hooks``)."""
    nuclei = sorted(
        Nucleus.objects.filter(secretariat=secretariat).prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(is_active=True).select_related("user"),
            )
        ),
        key=attrgetter("display_position"),
    )
    facilitator = (
        FacilitatorAssignment.objects.filter(secretariat=secretariat, is_active=True)
        .select_related("user")
        .first()
    )
    return {
        "nuclei": nuclei,
        "facilitator": facilitator,
        "links": hooks.dashboard_links(access),
        "sections": hooks.dashboard_sections(secretariat=secretariat, access=access, user=user),
    }


HISTORY_CHANGES = {"+": _("Alta"), "~": _("Cambio"), "-": _("Baja")}


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
    """Return the newest history rows of the STL, its nuclei, members and facilitators, and of
    every source the apps above register (the evidence log), merged: one query per source."""
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
    for source in hooks.history_sources():
        entries += source(secretariat=secretariat, limit=limit)
    return sorted(entries, key=attrgetter("date"), reverse=True)[:limit]


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
