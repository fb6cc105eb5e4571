"""Writes of the dialogue tables (mesas de diálogo) held in each nucleus (requirement 1.a).

The facilitator, or a member of the table's nucleus, logs the table; the members of that nucleus
approve its minutes or ask for corrections. The minutes count once a strict majority of the
nucleus's active members approved the current version; editing the minutes starts a new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreation import policy
from cocreation.models import Attendee, DialogueTable, MinutesApproval
from cocreation.selectors.records import minutes_majority
from cocreation.services.problems import problems_raise
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from stl.models import Member, Nucleus, Secretariat

NAME_MAX_LENGTH = Attendee._meta.get_field("full_name").max_length
ORGANISATION_MAX_LENGTH = Attendee._meta.get_field("organisation").max_length
ATTENDEE_SEPARATORS = ("—", "–", " - ", "|", ";")


class AttendeeLine(NamedTuple):
    full_name: str
    organisation: str = ""


def parse_attendance_register(text: str) -> list[AttendeeLine]:
    """Read "Nombre — Organización", one person per line (the organisation may be left out)."""
    attendees = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        name, organisation = line, ""
        for separator in ATTENDEE_SEPARATORS:
            if separator in line:
                name, organisation = (part.strip() for part in line.split(separator, 1))
                break
        if not name:
            raise ValidationError(
                _("Falta el nombre de la persona en la línea %(line)d del registro.")
                % {"line": number}
            )
        attendees.append(AttendeeLine(name, organisation))
    return attendees


def format_attendance_register(attendees: Iterable[Attendee]) -> str:
    """Write a register back as the text the form reads."""
    return "\n".join(
        f"{a.full_name} — {a.organisation}" if a.organisation else a.full_name for a in attendees
    )


def _clean_table(
    *,
    secretariat: Secretariat,
    nucleus: Nucleus,
    held_on: dt.date,
    modality: str,
    place: str,
    link: str,
    agenda: str,
    minutes: str,
    attendee_count: int,
    attendees: Sequence[AttendeeLine],
) -> dict:
    """Check a table's data; return it trimmed, or raise one ValidationError naming each field.

    The model declares each field (required, choices, lengths, bounds, no future date); this
    adds the rules that join them: a nucleus of this STL, the place or link its modality needs,
    and a register no longer than the attendance.
    """
    values = {
        "held_on": held_on,
        "modality": modality,
        "place": (place or "").strip(),
        "link": (link or "").strip(),
        "agenda": (agenda or "").strip(),
        "minutes": (minutes or "").strip(),
        "attendee_count": attendee_count,
    }
    errors = field_errors(DialogueTable(**values), values)
    place, link = values["place"], values["link"]
    if nucleus is None or nucleus.secretariat_id != secretariat.pk:
        errors.setdefault("nucleus", []).append(_("Ese núcleo no pertenece a este STL."))
    if modality == DialogueTable.Modality.IN_PERSON and not place:
        errors.setdefault("place", []).append(_("Indica el lugar de la mesa presencial."))
    elif modality == DialogueTable.Modality.ONLINE and not link:
        errors.setdefault("link", []).append(_("Indica el enlace de la mesa en línea."))
    elif modality == DialogueTable.Modality.MIXED and not (place or link):
        errors.setdefault("place", []).append(
            _("Indica el lugar, el enlace o ambos de la mesa mixta.")
        )
    if "attendee_count" not in errors and len(attendees) > attendee_count:
        errors.setdefault("attendees", []).append(
            _(
                "El registro de asistencia tiene %(listed)d personas, más que el número de "
                "asistentes (%(count)d). Corrige el número o el registro."
            )
            % {"listed": len(attendees), "count": attendee_count}
        )
    for attendee in attendees:
        if not attendee.full_name.strip():
            errors.setdefault("attendees", []).append(
                _("Cada persona del registro necesita un nombre.")
            )
        elif (
            len(attendee.full_name) > NAME_MAX_LENGTH
            or len(attendee.organisation) > ORGANISATION_MAX_LENGTH
        ):
            errors.setdefault("attendees", []).append(
                _("«%(name)s…»: el nombre y la organización admiten %(max)d caracteres cada uno.")
                % {"name": attendee.full_name[:30], "max": NAME_MAX_LENGTH}
            )
    if errors:
        raise ValidationError(errors)
    return values


def _save_attendees(*, table: DialogueTable, attendees: Sequence[AttendeeLine]) -> None:
    wanted = [AttendeeLine(a.full_name.strip(), a.organisation.strip()) for a in attendees]
    current = list(table.attendees.all())
    if [AttendeeLine(a.full_name, a.organisation) for a in current] == wanted:
        return
    # Per-object deletes and creates, so the history keeps every change of the register.
    for attendee in current:
        attendee.delete()
    for line in wanted:
        Attendee.objects.create(
            dialogue_table=table, full_name=line.full_name, organisation=line.organisation
        )


def dialogue_table_log(
    *,
    secretariat: Secretariat,
    nucleus: Nucleus,
    held_on: dt.date,
    modality: str,
    agenda: str,
    attendee_count: int,
    place: str = "",
    link: str = "",
    minutes: str = "",
    attendees: Sequence[AttendeeLine] = (),
    problem_titles: Iterable[str] = (),
    user,
) -> DialogueTable:
    """Record a dialogue table of one nucleus, its attendance register and the problems raised."""
    stl_access = policy.access_for(user, secretariat)
    if nucleus is not None and nucleus.secretariat_id == secretariat.pk:
        policy.require(stl_access, "log_table", nucleus)
    else:
        policy.require(stl_access, "contribute")
    attendees = list(attendees)
    cleaned = _clean_table(
        secretariat=secretariat,
        nucleus=nucleus,
        held_on=held_on,
        modality=modality,
        place=place,
        link=link,
        agenda=agenda,
        minutes=minutes,
        attendee_count=attendee_count,
        attendees=attendees,
    )
    with transaction.atomic(), acting_as(user):
        table = DialogueTable.objects.create(
            secretariat=secretariat, nucleus=nucleus, logged_by=user, **cleaned
        )
        _save_attendees(table=table, attendees=attendees)
        problems_raise(secretariat=secretariat, origin=table, titles=problem_titles, user=user)
    return table


def dialogue_table_update(
    *,
    table: DialogueTable,
    held_on: dt.date,
    modality: str,
    agenda: str,
    attendee_count: int,
    place: str = "",
    link: str = "",
    minutes: str = "",
    attendees: Sequence[AttendeeLine] = (),
    problem_titles: Iterable[str] = (),
    user,
) -> DialogueTable:
    """Correct a table; new minutes start a new version that the nucleus must approve again."""
    policy.require(policy.access_for(user, table.secretariat), "edit_table", table)
    attendees = list(attendees)
    values = _clean_table(
        secretariat=table.secretariat,
        nucleus=table.nucleus,
        held_on=held_on,
        modality=modality,
        place=place,
        link=link,
        agenda=agenda,
        minutes=minutes,
        attendee_count=attendee_count,
        attendees=attendees,
    )
    minutes = values.pop("minutes")
    with transaction.atomic(), acting_as(user):
        locked = DialogueTable.objects.select_for_update().get(pk=table.pk)
        changed = []
        for field, value in values.items():
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                changed.append(field)
        if minutes != locked.minutes:
            locked.minutes = minutes
            locked.minutes_version += 1
            locked.minutes_approved_at = None
            changed += ["minutes", "minutes_version", "minutes_approved_at"]
        if changed:
            locked.save(update_fields=changed)
        _save_attendees(table=locked, attendees=attendees)
        problems_raise(
            secretariat=locked.secretariat, origin=locked, titles=problem_titles, user=user
        )
    return locked


def minutes_answer(
    *, table: DialogueTable, answer: str, comment: str = "", user
) -> MinutesApproval:
    """Record a nucleus member's approval of, or request for corrections to, the current minutes.

    A member may change their answer while the version is not yet approved. The minutes count
    once a strict majority of the nucleus's active members approved the current version.
    """
    stl_access = policy.access_for(user, table.secretariat)
    policy.require(stl_access, "answer_minutes", table)
    member = stl_access.member
    comment = (comment or "").strip()
    if answer not in MinutesApproval.Answer.values:
        raise ValidationError({"answer": _("Elige si apruebas la minuta o pides correcciones.")})
    if answer == MinutesApproval.Answer.CORRECTIONS and not comment:
        raise ValidationError(
            {"comment": _("Escribe qué correcciones pides para que se puedan atender.")}
        )
    errors = field_errors(MinutesApproval(answer=answer, comment=comment), ["comment"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        locked = DialogueTable.objects.select_for_update().get(pk=table.pk)
        if not locked.minutes:
            raise ValidationError(_("Esta mesa aún no tiene minuta que aprobar."))
        if locked.minutes_approved_at is not None:
            raise ValidationError(
                _("Esta versión de la minuta ya fue aprobada por la mayoría del núcleo.")
            )
        approval = MinutesApproval.objects.filter(
            dialogue_table=locked, member=member, minutes_version=locked.minutes_version
        ).first()
        now = timezone.now()
        if approval is None:
            approval = MinutesApproval.objects.create(
                dialogue_table=locked,
                member=member,
                minutes_version=locked.minutes_version,
                answer=answer,
                comment=comment,
                answered_at=now,
            )
        elif (approval.answer, approval.comment) != (answer, comment):
            approval.answer, approval.comment, approval.answered_at = answer, comment, now
            approval.save(update_fields=["answer", "comment", "answered_at"])
        active = Member.objects.filter(nucleus_id=locked.nucleus_id, is_active=True)
        approvals = MinutesApproval.objects.filter(
            dialogue_table=locked,
            minutes_version=locked.minutes_version,
            answer=MinutesApproval.Answer.APPROVE,
            member__in=active,
        ).count()
        if approvals >= minutes_majority(active_members=active.count()):
            locked.minutes_approved_at = now
            locked.save(update_fields=["minutes_approved_at"])
    table.minutes_approved_at = locked.minutes_approved_at
    return approval
