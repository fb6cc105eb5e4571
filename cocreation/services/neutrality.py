"""The facilitator's neutrality declaration (requirement 4.a of INAI's minimum requirements)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocreation import policy
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from stl.models import FacilitatorAssignment, Member

NEUTRALITY_EVIDENCE_KIND = "declaracion_neutralidad"


def neutrality_statement_text(*, assignment: FacilitatorAssignment) -> str:
    """Return the proposed text of the declaration, naming the person and the STL."""
    return _(
        "Yo, %(name)s, persona facilitadora del Secretariado Técnico Local de %(stl)s, declaro "
        "que no represento a ninguna de las partes del STL: no pertenezco a la sociedad civil, "
        "a las autoridades locales, al órgano garante ni a ningún otro sector que lo integre. "
        "Conduciré los trabajos con neutralidad, con voz pero sin voto en sus decisiones."
    ) % {"name": assignment.user, "stl": assignment.secretariat}


def neutrality_declare(
    *, assignment: FacilitatorAssignment, statement: str, declares_no_party: bool, user
) -> FacilitatorAssignment:
    """Sign the facilitator's neutrality declaration, once, as the facilitator themself."""
    policy.require(policy.access_for(user, assignment.secretariat), "sign_neutrality", assignment)
    statement = statement.strip()
    # Errors are named after the model field, as the form names its input.
    errors = field_errors(
        FacilitatorAssignment(neutrality_statement=statement), ["neutrality_statement"]
    )
    if not statement:
        errors["neutrality_statement"] = [_("Escribe el texto de la declaración.")]
    if not declares_no_party:
        errors["declares_no_party"] = _(
            "Para firmar, marca la casilla «Declaro que no represento a ninguna de las partes "
            "del STL»."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        assignment = FacilitatorAssignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.neutrality_signed_at is not None:
            raise ValidationError(
                _("La declaración de neutralidad ya se firmó el %(date)s.")
                % {"date": timezone.localtime(assignment.neutrality_signed_at).strftime("%d/%m/%Y")}
            )
        if Member.objects.filter(secretariat_id=assignment.secretariat_id, user=user).exists():
            # The registry never lets this happen; refuse to sign a false statement regardless.
            raise ValidationError(
                _("Integras un núcleo de este STL: no puedes declararte neutral (requisito 4.a).")
            )
        assignment.neutrality_statement = statement
        assignment.neutrality_signed_at = timezone.now()
        assignment.save(update_fields=["neutrality_statement", "neutrality_signed_at"])
    return assignment
