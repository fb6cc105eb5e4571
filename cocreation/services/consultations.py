"""Writes of the public consultations of civil society (requirement 1.c of the INAI document).

Without clear evidence of an open public consultation the PAL has no validity, so the record says
plainly whether anyone could take part, and if not, what the restrictions were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cocreation import policy
from cocreation.models import PublicConsultation
from cocreation.services.problems import problems_raise
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from stl.models import Secretariat


def _clean_consultation(
    *,
    title: str,
    mechanism: str,
    call_published_where: str,
    call_published_on: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    channels: str,
    open_to_anyone: bool,
    who_could_participate: str,
    restrictions: str,
    participants: int,
    contributions: int,
    results: str,
) -> dict:
    """Check a consultation's data; return it trimmed, or raise one ValidationError by field.

    The model declares each field (required, choices, lengths, bounds, dates from 2000 to the
    planning horizon); this adds the rules that join them.
    """
    texts = {
        "title": title,
        "call_published_where": call_published_where,
        "channels": channels,
        "who_could_participate": who_could_participate,
        "results": results,
    }
    # The restrictions of a consultation open to anyone are not kept, so not checked either.
    restrictions = "" if open_to_anyone else (restrictions or "").strip()
    values = {
        **{field: (value or "").strip() for field, value in texts.items()},
        "mechanism": mechanism,
        "call_published_on": call_published_on,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "open_to_anyone": bool(open_to_anyone),
        "restrictions": restrictions,
        "participants": participants,
        "contributions": contributions,
    }
    errors = field_errors(PublicConsultation(**values), values)

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if errors.keys().isdisjoint({"call_published_on", "opens_on", "closes_on"}):
        if closes_on < opens_on:
            error("closes_on", _("La fecha de cierre no puede ser anterior a la de apertura."))
        if call_published_on > closes_on:
            error(
                "call_published_on",
                _(
                    "La convocatoria no puede publicarse después del cierre de la consulta: "
                    "nadie habría podido participar."
                ),
            )
    if not open_to_anyone and not restrictions:
        error(
            "restrictions",
            _("Si la consulta no estuvo abierta a cualquier persona, describe las restricciones."),
        )
    no_participants = "participants" not in errors and participants == 0
    if no_participants and "contributions" not in errors and contributions > 0:
        error(
            "contributions",
            _(
                "Hay aportaciones registradas sin participantes: indica cuántas personas "
                "participaron."
            ),
        )
    if errors:
        raise ValidationError(errors)
    return values


def consultation_record(
    *,
    secretariat: Secretariat,
    title: str,
    mechanism: str,
    call_published_where: str,
    call_published_on: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    who_could_participate: str,
    open_to_anyone: bool = True,
    restrictions: str = "",
    channels: str = "",
    participants: int = 0,
    contributions: int = 0,
    results: str = "",
    problem_titles: Iterable[str] = (),
    user,
) -> PublicConsultation:
    """Record a public consultation of civil society and the problems that came out of it."""
    policy.require(policy.access_for(user, secretariat), "contribute")
    cleaned = _clean_consultation(
        title=title,
        mechanism=mechanism,
        call_published_where=call_published_where,
        call_published_on=call_published_on,
        opens_on=opens_on,
        closes_on=closes_on,
        channels=channels,
        open_to_anyone=open_to_anyone,
        who_could_participate=who_could_participate,
        restrictions=restrictions,
        participants=participants,
        contributions=contributions,
        results=results,
    )
    with transaction.atomic(), acting_as(user):
        consultation = PublicConsultation.objects.create(
            secretariat=secretariat, registered_by=user, **cleaned
        )
        problems_raise(
            secretariat=secretariat, origin=consultation, titles=problem_titles, user=user
        )
    return consultation


def consultation_update(
    *,
    consultation: PublicConsultation,
    title: str,
    mechanism: str,
    call_published_where: str,
    call_published_on: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    who_could_participate: str,
    open_to_anyone: bool = True,
    restrictions: str = "",
    channels: str = "",
    participants: int = 0,
    contributions: int = 0,
    results: str = "",
    problem_titles: Iterable[str] = (),
    user,
) -> PublicConsultation:
    """Correct or complete a consultation (figures and results usually arrive after it closes)."""
    policy.require(policy.access_for(user, consultation.secretariat), "contribute")
    cleaned = _clean_consultation(
        title=title,
        mechanism=mechanism,
        call_published_where=call_published_where,
        call_published_on=call_published_on,
        opens_on=opens_on,
        closes_on=closes_on,
        channels=channels,
        open_to_anyone=open_to_anyone,
        who_could_participate=who_could_participate,
        restrictions=restrictions,
        participants=participants,
        contributions=contributions,
        results=results,
    )
    with transaction.atomic(), acting_as(user):
        locked = PublicConsultation.objects.select_for_update().get(pk=consultation.pk)
        changed = [field for field, value in cleaned.items() if getattr(locked, field) != value]
        for field in changed:
            setattr(locked, field, cleaned[field])
        if changed:
            locked.save(update_fields=changed)
        problems_raise(
            secretariat=locked.secretariat, origin=locked, titles=problem_titles, user=user
        )
    return locked
