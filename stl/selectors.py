"""Reads of the STL registry."""

from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from pal_portal import access
from stl.models import FacilitatorAssignment, Member, Nucleus, Secretariat


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
    """Return what an STL's dashboard shows: nuclei with members, and the facilitator."""
    nuclei = list(
        Nucleus.objects.filter(secretariat=secretariat).prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(is_active=True).select_related("user"),
            )
        )
    )
    facilitator = (
        FacilitatorAssignment.objects.filter(secretariat=secretariat, is_active=True)
        .select_related("user")
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
    """Return the newest history rows of the STL, its nuclei, members and facilitators, merged."""
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
    merged = sorted(chain.from_iterable(rows), key=attrgetter("history_date"), reverse=True)
    return [
        HistoryEntry(
            date=record.history_date,
            user=record.history_user,
            change=HISTORY_CHANGES.get(record.history_type, record.history_type),
            subject=str(record.instance_type._meta.verbose_name),
            label=_history_label(record),
        )
        for record in merged[:limit]
    ]
