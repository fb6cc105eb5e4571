"""Writes of the problems (problemáticas) gathered at dialogue tables and public consultations.

Every problem comes from somewhere (requirement 1.b of the INAI document): it is created together
with the origin that raised it, and a duplicate is merged into a survivor that keeps both origins.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cocreation import policy
from cocreation.models import DialogueTable, Problem, ProblemOrigin, PublicConsultation
from pal_portal.bounds import field_errors
from pal_portal.history import acting_as
from stl.models import Secretariat

TITLE_MAX_LENGTH = Problem._meta.get_field("title").max_length

Origin = DialogueTable | PublicConsultation


def parse_problem_lines(text: str) -> list[str]:
    """Return the problems written one per line, trimmed, without blanks or repeated lines."""
    titles: list[str] = []
    seen: set[str] = set()
    for line in (text or "").splitlines():
        title = " ".join(line.split()).lstrip("-•*· ").strip()
        if title and title.casefold() not in seen:
            seen.add(title.casefold())
            titles.append(title)
    return titles


def _check_titles(titles: Iterable[str]) -> list[str]:
    titles = parse_problem_lines("\n".join(titles))
    for title in titles:
        if len(title) > TITLE_MAX_LENGTH:
            raise ValidationError(
                {
                    "problem_titles": _(
                        "La problemática «%(start)s…» es demasiado larga: escribe como máximo "
                        "%(max)d caracteres por línea (la descripción puede ir en la minuta)."
                    )
                    % {"start": title[:40], "max": TITLE_MAX_LENGTH}
                }
            )
    return titles


def _origin_kwargs(origin: Origin) -> dict:
    if isinstance(origin, DialogueTable):
        return {"dialogue_table": origin}
    if isinstance(origin, PublicConsultation):
        return {"consultation": origin}
    raise TypeError(f"Not a problem origin: {origin!r}")


def problems_raise(
    *, secretariat: Secretariat, origin: Origin, titles: Iterable[str], user
) -> list[Problem]:
    """Create one problem per title, each traced to ``origin`` (call inside the origin's write)."""
    if origin.secretariat_id != secretariat.pk:
        raise ValidationError(_("El origen de la problemática no pertenece a este STL."))
    titles = _check_titles(titles)
    problems = []
    for title in titles:
        problem = Problem.objects.create(secretariat=secretariat, title=title, created_by=user)
        ProblemOrigin.objects.create(problem=problem, **_origin_kwargs(origin))
        problems.append(problem)
    return problems


def problem_add(
    *, secretariat: Secretariat, origin: Origin, title: str, description: str = "", user
) -> Problem:
    """Add one problem by hand, always from a table or consultation of this STL."""
    policy.require(policy.access_for(user, secretariat), "contribute")
    if origin is None:
        raise ValidationError(
            {"origin": _("Indica la mesa de diálogo o la consulta pública de donde surgió.")}
        )
    if origin.secretariat_id != secretariat.pk:
        raise ValidationError({"origin": _("Esa mesa o consulta no pertenece a este STL.")})
    problem = Problem(
        secretariat=secretariat,
        title=" ".join((title or "").split()),
        description=(description or "").strip(),
        created_by=user,
    )
    errors = field_errors(problem, ["title", "description"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(user):
        problem.save()
        ProblemOrigin.objects.create(problem=problem, **_origin_kwargs(origin))
    return problem


def problem_merge(*, problem: Problem, into: Problem, user) -> Problem:
    """Fold the duplicate ``problem`` into ``into``; the survivor keeps every origin of both."""
    policy.require(policy.access_for(user, problem.secretariat), "contribute")
    if into is None:
        raise ValidationError({"into": _("Elige la problemática que se conserva.")})
    if into.secretariat_id != problem.secretariat_id:
        raise ValidationError({"into": _("Solo se pueden fusionar problemáticas del mismo STL.")})
    if into.pk == problem.pk:
        raise ValidationError({"into": _("Una problemática no se puede fusionar consigo misma.")})
    with transaction.atomic(), acting_as(user):
        locked = {
            p.pk: p
            for p in Problem.objects.select_for_update().filter(pk__in=[problem.pk, into.pk])
        }
        duplicate, survivor = locked[problem.pk], locked[into.pk]
        if duplicate.merged_into_id is not None:
            raise ValidationError(_("Esta problemática ya fue fusionada en otra."))
        if survivor.merged_into_id is not None:
            raise ValidationError(
                {"into": _("La problemática elegida ya fue fusionada en otra; elige la vigente.")}
            )
        kept = set(
            ProblemOrigin.objects.filter(problem=survivor).values_list(
                "dialogue_table_id", "consultation_id"
            )
        )
        for origin in ProblemOrigin.objects.filter(problem=duplicate):
            key = (origin.dialogue_table_id, origin.consultation_id)
            if key not in kept:
                kept.add(key)
                ProblemOrigin.objects.create(
                    problem=survivor,
                    dialogue_table_id=origin.dialogue_table_id,
                    consultation_id=origin.consultation_id,
                )
        # Keep the fold one level deep: what was merged into the duplicate now points to the
        # survivor (per-object saves, so history records each change).
        for earlier in Problem.objects.select_for_update().filter(merged_into=duplicate):
            earlier.merged_into = survivor
            earlier.save(update_fields=["merged_into"])
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into"])
    return survivor
