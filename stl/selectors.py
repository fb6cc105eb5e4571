"""Reads of the STL registry."""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pal_portal.jobs import latest_jobs
from pal_portal.models import Job
from stl import hooks
from stl import policy as access
from stl.hooks import HistoryEntry
from stl.mexican_states import MexicanState
from stl.models import (
    FacilitatorAssignment,
    Invitation,
    Member,
    Nucleus,
    Secretariat,
    invitation_email_job_key,
)


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


# How the dashboard names the state of a pending invitation's e-mail (its job's status).
INVITATION_EMAIL_LABELS = {
    Job.Status.QUEUED: _("correo en cola"),
    Job.Status.RUNNING: _("enviando el correo"),
    Job.Status.DONE: _("correo enviado"),
    Job.Status.FAILED: _("el correo falló"),
}


@dataclass(frozen=True)
class InvitationEmail:
    """What the dashboard shows of a pending invitation's e-mail."""

    invitation_id: int
    job: Job | None  # its latest job, with who asked for it; None if none was recorded
    status: str | None  # the job's status as the page shows it
    may_resend: bool  # "Reenviar" (``policy.invitation_email_refusal``)

    @property
    def label(self) -> str:
        return INVITATION_EMAIL_LABELS[self.status] if self.status else ""


def _with_pending_invitation(queryset: QuerySet) -> QuerySet:
    """Annotate each person's newest unused invitation to the STL (as subqueries of the same
    query): ``pending_invitation_id`` and ``pending_invitation_expires_at``."""
    pending = Invitation.objects.filter(
        secretariat_id=OuterRef("secretariat_id"),
        user_id=OuterRef("user_id"),
        used_at__isnull=True,
    ).order_by("-created_at", "-pk")
    return queryset.annotate(
        pending_invitation_id=Subquery(pending.values("pk")[:1]),
        pending_invitation_expires_at=Subquery(pending.values("expires_at")[:1]),
    )


def _attach_invitation_emails(people, *, stl_access) -> None:
    """Give each person with a pending invitation its e-mail's state (one query for all)."""
    pending = [person for person in people if person.pending_invitation_id]
    for person in people:
        person.invitation_email = None
    if not pending or not stl_access.is_insider:
        return
    key = invitation_email_job_key
    jobs = latest_jobs(key(person.pending_invitation_id) for person in pending)
    now = timezone.now()
    for person in pending:
        job = jobs.get(key(person.pending_invitation_id))
        status = job.status_at(now) if job is not None else None
        refusal = access.invitation_email_refusal(
            stl_access,
            used_at=None,
            expires_at=person.pending_invitation_expires_at,
            email_status=status,
            now=now,
        )
        person.invitation_email = InvitationEmail(
            person.pending_invitation_id, job, status, may_resend=not refusal
        )


def secretariat_dashboard(*, secretariat: Secretariat, access, user) -> dict:
    """Return what an STL's dashboard shows: nuclei with members, the facilitator, and the
    sections the apps above the secretariat add (``stl.hooks``).

    A member or facilitator who has not yet accepted their invitation has no access yet: it is
    pending, and insiders see how its e-mail went (one query for all the page's invitations).
    """
    nuclei = sorted(
        Nucleus.objects.filter(secretariat=secretariat).prefetch_related(
            Prefetch(
                "members",
                queryset=_with_pending_invitation(
                    Member.objects.filter(is_active=True).select_related("user")
                ),
            )
        ),
        key=attrgetter("display_position"),
    )
    facilitators = FacilitatorAssignment.objects.filter(secretariat=secretariat, is_active=True)
    facilitator = _with_pending_invitation(facilitators.select_related("user")).first()
    people = [member for nucleus in nuclei for member in nucleus.members.all()]
    _attach_invitation_emails([*people, *([facilitator] if facilitator else [])], stl_access=access)
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


def _registry_source(history, *relations) -> hooks.HistorySource:
    """Return the history rows of one model of the registry (``Model.history``) as a source."""

    def rows(*, secretariat):
        if history.model.instance_type is Secretariat:
            return history.filter(id=secretariat.pk)
        return history.filter(secretariat_id=secretariat.pk)

    def entries(pks):
        records = history.filter(history_id__in=pks).select_related("history_user", *relations)
        return {
            record.pk: HistoryEntry(
                date=record.history_date,
                user=record.history_user,
                change=HISTORY_CHANGES.get(record.history_type, record.history_type),
                subject=str(record.instance_type._meta.verbose_name),
                label=_history_label(record),
            )
            for record in records
        }

    return hooks.HistorySource(rows=rows, date_field="history_date", entries=entries)


def _history_sources() -> list[hooks.HistorySource]:
    """Return the STL's own history (the STL, its nuclei, members and facilitators), then every
    source the apps above register (the evidence log), always in the same order."""
    return [
        _registry_source(Secretariat.history),
        _registry_source(Nucleus.history),
        _registry_source(Member.history, "user", "nucleus"),
        _registry_source(FacilitatorAssignment.history, "user"),
        *hooks.history_sources(),
    ]


def secretariat_history(*, secretariat: Secretariat) -> QuerySet:
    """Return every line of the STL's history as ``(date, source, pk)``, newest first.

    The sources are merged in the database (``UNION ALL``), so a page of it is one query
    whatever the number of lines; name a page's lines with :func:`history_entries`.
    """
    keys = [
        source.rows(secretariat=secretariat)
        .order_by()
        .annotate(
            line_date=F(source.date_field),
            line_source=Value(index, output_field=IntegerField()),
            line_pk=F("pk"),
        )
        .values_list("line_date", "line_source", "line_pk")
        for index, source in enumerate(_history_sources())
    ]
    return keys[0].union(*keys[1:], all=True).order_by("-line_date", "-line_source", "-line_pk")


def history_entries(*, keys) -> list[HistoryEntry]:
    """Return the lines of the history named by ``keys`` (from :func:`secretariat_history`),
    in their order: one query per source among them."""
    keys = list(keys)
    pks_by_source: dict[int, list] = defaultdict(list)
    for _at, source, pk in keys:
        pks_by_source[source].append(pk)
    sources = _history_sources()
    found = {
        (index, pk): entry
        for index, pks in pks_by_source.items()
        for pk, entry in sources[index].entries(pks).items()
    }
    return [found[(source, pk)] for _at, source, pk in keys if (source, pk) in found]


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
