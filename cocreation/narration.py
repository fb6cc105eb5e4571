"""Explain a prioritisation in Spanish, step by step, from the tally of ``cocreation.tally``.

Nothing here computes a score: every figure comes from the tally, and this module only words
it — the method's name, description and rules, then the steps an auditor follows to check the
result by hand. A narrative keeps its steps in sections (``opening``, ``participants``,
``problems``, ``ordering``) so a document may summarise the bulky middle ones in a table and
still print the rest word for word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cocreation.tally import (
    MAX_MARK,
    MIN_MARK,
    ApprovalTally,
    BordaTally,
    RankedProblem,
    Ranking,
    TieBreak,
    WeightedTally,
    format_exact,
    participant_name,
)


@dataclass(frozen=True)
class Narrative:
    """The words of one prioritisation: what the method is, its rules and every step.

    ``opening`` states what is counted and how; ``participants`` says what each participant
    gave; ``problems`` adds up each problem; ``ordering`` explains the ties and the final order.
    """

    name: str
    description: str
    rules: tuple[str, ...]
    opening: tuple[str, ...]
    participants: tuple[str, ...]
    problems: tuple[str, ...]
    ordering: tuple[str, ...]

    @property
    def steps(self) -> tuple[str, ...]:
        return self.opening + self.participants + self.problems + self.ordering


def narrate(tally: BordaTally | ApprovalTally | WeightedTally) -> Narrative:
    """Return the narrative of any tally."""
    if isinstance(tally, BordaTally):
        return borda_narrative(tally)
    if isinstance(tally, ApprovalTally):
        return approval_narrative(tally)
    return weighted_narrative(tally)


def _narrative(
    *,
    name: str,
    description: str,
    rules: Sequence[str],
    opening: Sequence[str],
    participants: Sequence[str] = (),
    problems: Sequence[str] = (),
    ordering: Sequence[str],
) -> Narrative:
    def sentences(steps):
        return tuple(capfirst(step) for step in steps)

    return Narrative(
        name=name,
        description=description,
        rules=tuple(rules),
        opening=sentences(opening),
        participants=sentences(participants),
        problems=sentences(problems),
        ordering=sentences(ordering),
    )


# --- Borda -----------------------------------------------------------------------------------


def borda_narrative(tally: BordaTally) -> Narrative:
    """Explain a Borda count: each ballot's points, each problem's sum, ties and order."""
    n = len(tally.problem_ids)
    opening = [_considered_step(tally.problem_ids)]
    if n:
        opening.append(
            ngettext(
                "Con %(n)d problemática, cada participante da %(top)s a la problemática que pone "
                "en 1.er lugar, que es también el último lugar posible (el lugar %(n)d.º).",
                "Con %(n)d problemáticas, cada participante da %(top)s a la problemática que pone "
                "en 1.er lugar, un punto menos a cada lugar siguiente y 0 puntos al último lugar "
                "posible (el lugar %(n)d.º).",
                n,
            )
            % {"n": n, "top": points_text(tally.top)}
        )
    if n > 1:  # With a single problemática there is nothing to leave out.
        opening.append(
            _(
                "Quien ordena solo algunas problemáticas da a cada una los puntos de su lugar "
                "como si ordenara las %(n)d; las problemáticas que deja fuera reciben 0 puntos "
                "de su parte."
            )
            % {"n": n}
        )
    if not tally.ballots:
        opening.append(
            _("No se registró ninguna clasificación: todas las problemáticas tienen 0 puntos.")
        )

    participants = []
    for ballot in tally.ballots:
        who = participant_name(ballot.participant)
        if not ballot.ordered:
            participants.append(
                _("%(who)s no ordenó ninguna problemática: no otorga puntos.") % {"who": who}
            )
            continue
        given = [
            _("%(ordinal)s lugar, problemática %(problem)s: %(points)s")
            % {"ordinal": ordinal(place), "problem": pid, "points": points_text(gained)}
            for place, (pid, gained) in enumerate(
                zip(ballot.ordered, ballot.points, strict=True), start=1
            )
        ]
        step = ngettext(
            "%(who)s ordenó %(count)d de %(n)d problemática: %(given)s.",
            "%(who)s ordenó %(count)d de %(n)d problemáticas: %(given)s.",
            n,
        ) % {
            "who": who,
            "count": len(ballot.ordered),
            "n": n,
            "given": "; ".join(given),
        }
        if ballot.left_out:
            step += " " + ngettext(
                "La problemática que no ordenó (%(left)s) recibe 0 puntos de su parte.",
                "Las problemáticas que no ordenó (%(left)s) reciben 0 puntos de su parte.",
                len(ballot.left_out),
            ) % {"left": join_ids(ballot.left_out)}
        participants.append(step)

    problems = []
    for pid in tally.problem_ids:
        terms = [
            (
                _("%(points)d (%(who)s)")
                if given.place is not None
                else _("0 (%(who)s, no la ordenó)")
            )
            % {"points": given.points, "who": participant_name(given.participant)}
            for given in tally.contributions[pid]
        ]
        problems.append(
            _("Problemática %(problem)s: %(terms)s = %(total)s; primeros lugares: %(first)d.")
            % {
                "problem": pid,
                "terms": " + ".join(terms) if terms else "0",
                "total": points_text(tally.points[pid]),
                "first": tally.first_places[pid],
            }
        )

    return _narrative(
        name=_("Método de Borda (ordenamiento por puntos)"),
        description=_(
            "Cada participante ordena las problemáticas de la más a la menos prioritaria. Cada "
            "lugar vale puntos y la suma de los puntos de todas las clasificaciones da la "
            "prioridad."
        ),
        rules=(
            _(
                "Con n problemáticas, el 1.er lugar recibe n − 1 puntos, el 2.º n − 2 puntos, y "
                "así sucesivamente hasta el último lugar, que recibe 0 puntos."
            ),
            _(
                "Quien ordena solo algunas problemáticas da a cada una los puntos de su lugar "
                "como si ordenara todas (el lugar i, contando desde 0, recibe n − 1 − i puntos); "
                "las problemáticas que deja fuera no reciben puntos de su parte."
            ),
            _("Una problemática que nadie ordenó obtiene 0 puntos."),
            _("Cada problemática puede aparecer una sola vez en cada clasificación."),
            tiebreak_rule_text(TieBreak.FIRST_PLACES),
        ),
        opening=opening,
        participants=participants,
        problems=problems,
        ordering=ordering_steps(tally.ranking, score_text=points_text),
    )


# --- Approval vote ---------------------------------------------------------------------------


def approval_narrative(tally: ApprovalTally) -> Narrative:
    """Explain an approval vote: each ballot, each problem's voters, ties and order."""
    max_choices = tally.max_choices
    opening = [
        _considered_step(tally.problem_ids),
        ngettext(
            "Cada participante puede votar por hasta %(max)d problemática; cada voto vale 1.",
            "Cada participante puede votar por hasta %(max)d problemáticas; cada voto vale 1.",
            max_choices,
        )
        % {"max": max_choices},
    ]
    if not tally.ballots:
        opening.append(_("No se registró ninguna boleta: todas las problemáticas tienen 0 votos."))

    participants = []
    for ballot in tally.ballots:
        who = participant_name(ballot.participant)
        if not ballot.chosen:
            participants.append(_("%(who)s no votó por ninguna problemática.") % {"who": who})
            continue
        participants.append(
            ngettext(
                "%(who)s votó por la problemática %(chosen)s.",
                "%(who)s votó por las problemáticas %(chosen)s.",
                len(ballot.chosen),
            )
            % {"who": who, "chosen": join_ids(ballot.chosen)}
        )

    problems = []
    for pid in tally.problem_ids:
        voters = tally.voters[pid]
        step = _("Problemática %(problem)s: %(votes)s") % {
            "problem": pid,
            "votes": votes_text(len(voters)),
        }
        if voters:
            step += " (" + ", ".join(participant_name(voter) for voter in voters) + ")"
        problems.append(step + ".")

    return _narrative(
        name=_("Votación por aprobación"),
        description=_(
            "Cada participante vota por las problemáticas que considera prioritarias, hasta un "
            "número máximo. La problemática con más votos es la más prioritaria."
        ),
        rules=(
            ngettext(
                "Cada participante puede votar por hasta %(max)d problemática.",
                "Cada participante puede votar por hasta %(max)d problemáticas.",
                max_choices,
            )
            % {"max": max_choices},
            _("Cada voto vale 1; la puntuación de una problemática es su número de votos."),
            _("Una boleta no puede marcar la misma problemática dos veces."),
            tiebreak_rule_text(None),
        ),
        opening=opening,
        participants=participants,
        problems=problems,
        ordering=ordering_steps(tally.ranking, score_text=votes_text),
    )


# --- Weighted criteria -----------------------------------------------------------------------


def weighted_narrative(tally: WeightedTally) -> Narrative:
    """Explain weighted criteria: each problem's marks, means and weighted sum, ties and order."""
    opening = [
        _considered_step(tally.problem_ids),
        ngettext(
            "Criterio y peso: %(criteria)s.",
            "Criterios y pesos: %(criteria)s.",
            len(tally.criteria),
        )
        % {
            "criteria": "; ".join(
                _("«%(label)s», peso %(weight)s")
                % {"label": criterion.label, "weight": format_exact(criterion.weight)}
                for criterion in tally.criteria
            )
        },
        _(
            "Cada participante califica cada problemática del %(min)d al %(max)d en cada "
            "criterio. Por criterio se promedian solo las calificaciones dadas; la puntuación de "
            "la problemática es la suma de peso × promedio. Se calcula con fracciones exactas; "
            "los valores mostrados se redondean a dos decimales."
        )
        % {"min": MIN_MARK, "max": MAX_MARK},
    ]

    problems = []
    for problem in tally.problems:
        pid = problem.problem_id
        if problem.unscored:
            problems.append(
                _(
                    "Problemática %(problem)s: nadie la calificó en ningún criterio; obtiene 0 "
                    "puntos y queda marcada como «sin calificar»."
                )
                % {"problem": pid}
            )
            continue
        for score in problem.criteria:
            if score.mean is None:
                problems.append(
                    _(
                        "Problemática %(problem)s, criterio «%(criterion)s»: nadie la calificó; "
                        "aporta 0."
                    )
                    % {"problem": pid, "criterion": score.criterion.label}
                )
                continue
            problems.append(
                ngettext(
                    "Problemática %(problem)s, criterio «%(criterion)s»: calificación %(marks)s; "
                    "promedio (%(sum)s) / %(count)d = %(mean)s; × peso %(weight)s = "
                    "%(contribution)s.",
                    "Problemática %(problem)s, criterio «%(criterion)s»: calificaciones "
                    "%(marks)s; promedio (%(sum)s) / %(count)d = %(mean)s; × peso %(weight)s = "
                    "%(contribution)s.",
                    len(score.marks),
                )
                % {
                    "problem": pid,
                    "criterion": score.criterion.label,
                    "marks": ", ".join(
                        f"{given.mark} ({participant_name(given.participant)})"
                        for given in score.marks
                    ),
                    "sum": " + ".join(str(given.mark) for given in score.marks),
                    "count": len(score.marks),
                    "mean": format_exact(score.mean, places=2),
                    "weight": format_exact(score.criterion.weight),
                    "contribution": format_exact(score.contribution, places=2),
                }
            )
        problems.append(
            _("Problemática %(problem)s: %(parts)s = %(total)s; calificaciones de 5: %(fives)d.")
            % {
                "problem": pid,
                "parts": " + ".join(
                    format_exact(score.contribution, places=2) for score in problem.criteria
                ),
                "total": points_text(problem.total, places=2),
                "fives": problem.top_marks,
            }
        )

    return _narrative(
        name=_("Criterios ponderados"),
        description=_(
            "Cada participante califica cada problemática del 1 al 5 en varios criterios, cada "
            "uno con un peso. La suma ponderada de los promedios da la prioridad."
        ),
        rules=(
            _("Cada calificación es un número entero del 1 al 5."),
            _(
                "Por criterio se toma el promedio de las calificaciones dadas; quien no calificó "
                "una problemática en un criterio no cuenta para ese promedio."
            ),
            _(
                "La puntuación de la problemática es la suma, sobre los criterios, de peso × "
                "promedio. Un criterio que nadie calificó aporta 0."
            ),
            _("Una problemática que nadie calificó obtiene 0 puntos y se marca «sin calificar»."),
            ngettext(
                "El peso es un número positivo: %(criteria)s.",
                "Los pesos son números positivos: %(criteria)s.",
                len(tally.criteria),
            )
            % {
                "criteria": "; ".join(
                    f"«{criterion.label}» {format_exact(criterion.weight)}"
                    for criterion in tally.criteria
                )
            },
            _(
                "Los cálculos usan fracciones exactas; las cifras se muestran redondeadas a dos "
                "decimales."
            ),
            tiebreak_rule_text(TieBreak.TOP_MARKS),
        ),
        opening=opening,
        problems=problems,
        ordering=ordering_steps(
            tally.ranking, score_text=lambda value: points_text(value, places=2)
        ),
    )


# --- Ordering and tie-break ------------------------------------------------------------------


def ordering_steps(ranking: Ranking, *, score_text: Callable[[Fraction], str]) -> list[str]:
    """Return the steps that explain the ties of a ranking and its final order."""
    top_rule = ranking.top_rule
    top_name = top_marks_name(top_rule)
    steps = []
    for tie in ranking.ties:
        order = ", ".join(str(pid) for pid in tie.problem_ids)
        step = _("Empate con %(score)s entre las problemáticas %(problems)s.") % {
            "score": score_text(tie.score),
            "problems": join_ids(sorted(tie.problem_ids)),
        }
        if top_rule is None:
            step += " " + _(
                "Se ordenan por orden de registro (menor identificador primero): %(order)s."
            ) % {"order": order}
        elif tie.rule is TieBreak.REGISTRATION_ORDER:
            step += " " + _(
                "Todas tienen el mismo número de %(top)s (%(count)d): se ordenan por orden de "
                "registro (menor identificador primero): %(order)s."
            ) % {"top": top_name, "count": tie.top_marks[0], "order": order}
        else:
            step += " " + _("Se desempata por número de %(top)s: %(order)s.") % {
                "top": top_name,
                "order": ", ".join(
                    _("problemática %(problem)s (%(count)d)") % {"problem": pid, "count": count}
                    for pid, count in zip(tie.problem_ids, tie.top_marks, strict=True)
                ),
            }
            counts = dict(zip(tie.problem_ids, tie.top_marks, strict=True))
            for same in tie.still_tied:
                step += " " + _(
                    "Las problemáticas %(problems)s siguen empatadas (%(top)s: %(count)d cada "
                    "una): se ordenan por orden de registro (menor identificador primero)."
                ) % {"problems": join_ids(same), "count": counts[same[0]], "top": top_name}
        steps.append(step)

    if ranking.ties:
        steps.insert(0, tiebreak_rule_text(top_rule))
    elif ranking.entries:
        steps.insert(0, _("No hay empates: el orden sigue directamente de las puntuaciones."))

    if ranking.entries:
        steps.append(
            _("Orden final: %(order)s.")
            % {
                "order": "; ".join(
                    _final_position_text(entry, score_text, top_name) for entry in ranking.entries
                )
            }
        )
    else:
        steps.append(_("No hay problemáticas que ordenar."))
    return steps


def _final_position_text(
    entry: RankedProblem, score_text: Callable[[Fraction], str], top_name: str
) -> str:
    text = _("%(ordinal)s lugar, problemática %(problem)s (%(score)s") % {
        "ordinal": ordinal(entry.position),
        "problem": entry.problem_id,
        "score": score_text(entry.score),
    }
    if entry.tiebreak is TieBreak.REGISTRATION_ORDER:
        text += _(", por desempate: orden de registro")
    elif entry.tiebreak is not None:
        text += _(", por desempate: %(top)s") % {"top": top_name}
    if entry.unscored:
        text += _(", sin calificar")
    return text + ")"


def tiebreak_rule_text(top_rule: TieBreak | None) -> str:
    """Return the tie-break rule of a method, given its first rule (``None``: no such rule)."""
    if top_rule is TieBreak.FIRST_PLACES:
        return _(
            "Desempate: si dos o más problemáticas tienen los mismos puntos, va primero la que "
            "tiene más primeros lugares; si persiste el empate, la de menor identificador "
            "(registrada antes)."
        )
    if top_rule is TieBreak.TOP_MARKS:
        return _(
            "Desempate: si dos o más problemáticas tienen la misma puntuación, va primero la que "
            "recibió más calificaciones de 5; si persiste el empate, la de menor identificador "
            "(registrada antes)."
        )
    return _(
        "Desempate: si dos o más problemáticas tienen los mismos votos, va primero la de menor "
        "identificador (registrada antes)."
    )


def top_marks_name(top_rule: TieBreak | None) -> str:
    """Return what the first tie-break rule counts: «primeros lugares», «calificaciones de 5»."""
    if top_rule is TieBreak.FIRST_PLACES:
        return _("primeros lugares")
    if top_rule is TieBreak.TOP_MARKS:
        return _("calificaciones de 5")
    return ""


# --- Words for numbers -----------------------------------------------------------------------


def _considered_step(problem_ids: tuple[int, ...]) -> str:
    return ngettext(
        "Se considera %(n)d problemática, en orden de registro: %(problems)s.",
        "Se consideran %(n)d problemáticas, en orden de registro: %(problems)s.",
        len(problem_ids),
    ) % {"n": len(problem_ids), "problems": ", ".join(str(pid) for pid in problem_ids) or "—"}


def join_ids(ids: Sequence[int]) -> str:
    """Return «1, 2 y 3»."""
    ids = [str(pid) for pid in ids]
    if len(ids) <= 1:
        return "".join(ids)
    return _("%(first)s y %(last)s") % {"first": ", ".join(ids[:-1]), "last": ids[-1]}


def ordinal(position: int) -> str:
    # Translators: an ordinal number, e.g. "1.º" in Spanish, "1st" style in English ("No. 1").
    return _("%(position)d.º") % {"position": position}


def points_text(value: Fraction | int, places: int = 0) -> str:
    """Return «1 punto», «3 puntos», «19.50 puntos»."""
    return ngettext("%(value)s punto", "%(value)s puntos", _plural_count(value)) % {
        "value": format_exact(value, places=places)
    }


def votes_text(count: Fraction | int) -> str:
    """Return «1 voto», «3 votos»."""
    return ngettext("%(value)s voto", "%(value)s votos", _plural_count(count)) % {
        "value": format_exact(count)
    }


def _plural_count(value: Fraction | int) -> int:
    # A whole number chooses its own plural form; a fraction (19.50 puntos) takes the plural.
    value = Fraction(value)
    return abs(value.numerator) if value.denominator == 1 else 2
