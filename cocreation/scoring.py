"""Prioritise the problems of a Secretariado Técnico Local.

INAI's minimum requirements (1.a, footnote 2) ask that, where the problems to solve were ranked,
the ranking methodology be provided as evidence. Each method here is a pure function: it takes
plain data (problem ids as ints, participants as any hashable id or label) and returns a frozen
``PrioritizationResult`` with the final order, the exact score of each problem and every
computation step written in Spanish, so the portal can show them and print them in the
methodology document.

Methods:

- ``borda``: each participant orders the problems. With *n* problems the 1st place gets *n - 1*
  points, the 2nd *n - 2*, ..., the last 0. A participant may order only some problems: the ones
  ordered get points as if ranked among all *n* (position *i*, counted from 0, gets *n - 1 - i*);
  the ones left out get 0 points from that participant.
- ``approval_vote``: each participant votes for up to *max_choices* problems; a problem's score
  is its number of votes.
- ``weighted_criteria``: each participant marks each problem from 1 to 5 on each weighted
  criterion; per criterion the mean of the marks given is taken (participants who did not mark it
  are not counted), and the problem's score is the sum of weight × mean. A problem nobody marked
  scores 0 and is flagged ``unscored``. Arithmetic is exact (``Fraction``); display values are
  rounded half up to two decimals.

Tie-break rule: problems with the same score are ordered

1. by the number of top positions or marks they received — for Borda, more first places; for
   weighted criteria, more marks of 5; for approval vote this rule does not exist;
2. then by order of registration: the lower problem id first.

Ties stay visible: every problem whose position was decided by the tie-break names the problems it
was tied with and the rule that placed it (``RankedProblem.tied_with`` and ``.tiebreak``).

Invalid input (a problem outside the set, a duplicate, a ballot with too many choices, a mark
outside 1–5, a non-positive weight) raises ``ValueError`` with a Spanish message that a service
can show as a form error.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_MARK = 1
MAX_MARK = 5


class Method(enum.StrEnum):
    BORDA = "borda"
    APPROVAL_VOTE = "approval_vote"
    WEIGHTED_CRITERIA = "weighted_criteria"


class TieBreak(enum.StrEnum):
    FIRST_PLACES = "first_places"
    TOP_MARKS = "top_marks"
    REGISTRATION_ORDER = "registration_order"


@dataclass(frozen=True)
class RankedProblem:
    """One problem in the final order.

    ``top_marks`` is the first tie-break count: first places for Borda, marks of 5 for weighted
    criteria, always 0 for approval vote. ``tied_with`` lists the other problems with the same
    score; ``tiebreak`` is the rule that placed this problem among them (``None`` when untied).
    """

    position: int
    problem_id: int
    score: Fraction
    display_score: str
    top_marks: int = 0
    tied_with: tuple[int, ...] = ()
    tiebreak: TieBreak | None = None
    unscored: bool = False

    @property
    def decided_by_tiebreak(self) -> bool:
        return self.tiebreak is not None


@dataclass(frozen=True)
class PrioritizationResult:
    """The outcome of one prioritisation: order, scores, rules and every computation step."""

    method: Method
    name: str
    description: str
    rules: tuple[str, ...]
    ranking: tuple[RankedProblem, ...]
    steps: tuple[str, ...]

    @property
    def order(self) -> tuple[int, ...]:
        return tuple(entry.problem_id for entry in self.ranking)

    @property
    def scores(self) -> dict[int, Fraction]:
        return {entry.problem_id: entry.score for entry in self.ranking}

    @property
    def unscored(self) -> tuple[int, ...]:
        return tuple(entry.problem_id for entry in self.ranking if entry.unscored)

    @property
    def tiebreak_positions(self) -> tuple[int, ...]:
        return tuple(entry.position for entry in self.ranking if entry.decided_by_tiebreak)

    def entry(self, problem_id: int) -> RankedProblem:
        """Return the ranked entry of one problem."""
        for entry in self.ranking:
            if entry.problem_id == problem_id:
                return entry
        raise KeyError(problem_id)

    def as_dict(self) -> dict:
        """Return a JSON-serialisable copy (exact scores as ``"p/q"`` strings)."""
        return {
            "method": str(self.method),
            "name": self.name,
            "description": self.description,
            "rules": list(self.rules),
            "steps": list(self.steps),
            "ranking": [
                {
                    "position": entry.position,
                    "problem_id": entry.problem_id,
                    "score": str(entry.score),
                    "display_score": entry.display_score,
                    "top_marks": entry.top_marks,
                    "tied_with": list(entry.tied_with),
                    "tiebreak": str(entry.tiebreak) if entry.tiebreak else None,
                    "unscored": entry.unscored,
                }
                for entry in self.ranking
            ],
        }


# --- Borda -----------------------------------------------------------------------------------


def borda(
    *, problems: Sequence[int], rankings: Mapping[Hashable, Sequence[int]]
) -> PrioritizationResult:
    """Order the problems by Borda count.

    With n problems, a participant's 1st place gets n - 1 points, the 2nd n - 2, ..., the last 0.
    A participant who orders only some problems gives the ordered ones the points of their
    position among all n (position i, from 0, gets n - 1 - i) and 0 points to the ones left out.
    A problem nobody ordered scores 0. Ties: more first places, then the lower id.
    Raise ValueError for a problem outside ``problems`` or one named twice in a ranking.
    """
    problem_ids = _problem_ids(problems)
    n = len(problem_ids)
    top = n - 1
    points = dict.fromkeys(problem_ids, 0)
    first_places = dict.fromkeys(problem_ids, 0)
    contributions: dict[int, list[str]] = {pid: [] for pid in problem_ids}

    steps = [_considered_step(problem_ids)]
    if n:
        steps.append(
            _(
                "Con %(n)d problemas, cada participante da %(top)s al problema que pone en 1.er "
                "lugar, un punto menos a cada lugar siguiente y 0 puntos al último lugar posible "
                "(el lugar %(n)d.º)."
            )
            % {"n": n, "top": _points(top)}
        )
    steps.append(
        _(
            "Quien ordena solo algunos problemas da a cada uno los puntos de su lugar como si "
            "ordenara los %(n)d; los problemas que deja fuera reciben 0 puntos de su parte."
        )
        % {"n": n}
    )
    if not rankings:
        steps.append(
            _("No se registró ninguna clasificación: todos los problemas tienen 0 puntos.")
        )

    for participant, ranking in rankings.items():
        who = _who(participant)
        ordered = _checked_selection(
            ranking,
            problem_ids,
            unknown=_(
                "La clasificación de %(who)s incluye el problema %(problem)s, que no "
                "pertenece a los problemas de esta priorización."
            ),
            duplicate=_(
                "La clasificación de %(who)s menciona el problema %(problem)s más de una vez."
            ),
            who=who,
        )
        if not ordered:
            steps.append(_("%(who)s no ordenó ningún problema: no otorga puntos.") % {"who": who})
            for pid in problem_ids:
                contributions[pid].append(_("0 (%(who)s, no lo ordenó)") % {"who": who})
            continue
        first_places[ordered[0]] += 1
        given = []
        for index, pid in enumerate(ordered):
            gained = top - index
            points[pid] += gained
            contributions[pid].append(_("%(points)d (%(who)s)") % {"points": gained, "who": who})
            given.append(
                _("%(ordinal)s lugar, problema %(problem)s: %(points)s")
                % {"ordinal": _ordinal(index + 1), "problem": pid, "points": _points(gained)}
            )
        ranked = set(ordered)
        left_out = [pid for pid in problem_ids if pid not in ranked]
        for pid in left_out:
            contributions[pid].append(_("0 (%(who)s, no lo ordenó)") % {"who": who})
        step = _("%(who)s ordenó %(count)d de %(n)d problemas: %(given)s.") % {
            "who": who,
            "count": len(ordered),
            "n": n,
            "given": "; ".join(given),
        }
        if left_out:
            step += " " + ngettext(
                "El problema que no ordenó (%(left)s) recibe 0 puntos de su parte.",
                "Los problemas que no ordenó (%(left)s) reciben 0 puntos de su parte.",
                len(left_out),
            ) % {"left": _join_ids(left_out)}
        steps.append(step)

    for pid in problem_ids:
        terms = contributions[pid]
        steps.append(
            _("Problema %(problem)s: %(terms)s = %(total)s; primeros lugares: %(first)d.")
            % {
                "problem": pid,
                "terms": " + ".join(terms) if terms else "0",
                "total": _points(points[pid]),
                "first": first_places[pid],
            }
        )

    ranking, tie_steps = _rank(
        problem_ids,
        scores={pid: Fraction(points[pid]) for pid in problem_ids},
        top_marks=first_places,
        top_rule=TieBreak.FIRST_PLACES,
        places=0,
        score_text=_points,
    )
    steps.extend(tie_steps)
    return PrioritizationResult(
        method=Method.BORDA,
        name=_("Método de Borda (ordenamiento por puntos)"),
        description=_(
            "Cada participante ordena los problemas del más al menos prioritario. Cada lugar "
            "vale puntos y la suma de los puntos de todas las clasificaciones da la prioridad."
        ),
        rules=(
            _(
                "Con n problemas, el 1.er lugar recibe n − 1 puntos, el 2.º n − 2 puntos, y así "
                "sucesivamente hasta el último lugar, que recibe 0 puntos."
            ),
            _(
                "Quien ordena solo algunos problemas da a cada uno los puntos de su lugar como si "
                "ordenara todos (el lugar i, contando desde 0, recibe n − 1 − i puntos); los "
                "problemas que deja fuera no reciben puntos de su parte."
            ),
            _("Un problema que nadie ordenó obtiene 0 puntos."),
            _("Cada problema puede aparecer una sola vez en cada clasificación."),
            _tiebreak_rule_text(TieBreak.FIRST_PLACES),
        ),
        ranking=ranking,
        steps=tuple(capfirst(step) for step in steps),
    )


# --- Approval vote ---------------------------------------------------------------------------


def approval_vote(
    *,
    problems: Sequence[int],
    ballots: Mapping[Hashable, Collection[int]],
    max_choices: int,
) -> PrioritizationResult:
    """Order the problems by number of votes, each participant voting for up to ``max_choices``.

    Ties: the lower id first (there is no first-place rule in a vote).
    Raise ValueError for a ballot with more than ``max_choices`` problems, or with a problem
    outside ``problems`` or named twice.
    """
    problem_ids = _problem_ids(problems)
    if isinstance(max_choices, bool) or not isinstance(max_choices, int) or max_choices < 1:
        raise ValueError(_("El número máximo de votos por participante debe ser al menos 1."))
    votes: dict[int, list[str]] = {pid: [] for pid in problem_ids}

    steps = [
        _considered_step(problem_ids),
        ngettext(
            "Cada participante puede votar por %(max)d problema como máximo; cada voto vale 1.",
            "Cada participante puede votar por hasta %(max)d problemas; cada voto vale 1.",
            max_choices,
        )
        % {"max": max_choices},
    ]
    if not ballots:
        steps.append(_("No se registró ninguna boleta: todos los problemas tienen 0 votos."))

    for participant, ballot in ballots.items():
        who = _who(participant)
        chosen = _checked_selection(
            ballot,
            problem_ids,
            unknown=_(
                "La boleta de %(who)s incluye el problema %(problem)s, que no pertenece "
                "a los problemas de esta priorización."
            ),
            duplicate=_("La boleta de %(who)s marca el problema %(problem)s más de una vez."),
            who=who,
        )
        if len(chosen) > max_choices:
            raise ValueError(
                _("La boleta de %(who)s marca %(count)d problemas; el máximo permitido es %(max)d.")
                % {"who": who, "count": len(chosen), "max": max_choices}
            )
        if not chosen:
            steps.append(_("%(who)s no votó por ningún problema.") % {"who": who})
            continue
        for pid in chosen:
            votes[pid].append(who)
        steps.append(
            ngettext(
                "%(who)s votó por el problema %(chosen)s.",
                "%(who)s votó por los problemas %(chosen)s.",
                len(chosen),
            )
            % {"who": who, "chosen": _join_ids(sorted(chosen))}
        )

    for pid in problem_ids:
        voters = votes[pid]
        step = _("Problema %(problem)s: %(votes)s") % {
            "problem": pid,
            "votes": _votes(len(voters)),
        }
        if voters:
            step += " (" + ", ".join(voters) + ")"
        steps.append(step + ".")

    ranking, tie_steps = _rank(
        problem_ids,
        scores={pid: Fraction(len(votes[pid])) for pid in problem_ids},
        top_marks=dict.fromkeys(problem_ids, 0),
        top_rule=None,
        places=0,
        score_text=_votes,
    )
    steps.extend(tie_steps)
    return PrioritizationResult(
        method=Method.APPROVAL_VOTE,
        name=_("Votación por aprobación"),
        description=_(
            "Cada participante vota por los problemas que considera prioritarios, hasta un "
            "número máximo. El problema con más votos es el más prioritario."
        ),
        rules=(
            ngettext(
                "Cada participante puede votar por %(max)d problema como máximo.",
                "Cada participante puede votar por hasta %(max)d problemas.",
                max_choices,
            )
            % {"max": max_choices},
            _("Cada voto vale 1; la puntuación de un problema es su número de votos."),
            _("Una boleta no puede marcar el mismo problema dos veces."),
            _tiebreak_rule_text(None),
        ),
        ranking=ranking,
        steps=tuple(capfirst(step) for step in steps),
    )


# --- Weighted criteria -----------------------------------------------------------------------


def weighted_criteria(
    *,
    problems: Sequence[int],
    criteria: Sequence[tuple[Hashable, str, int | Fraction | Decimal | float]],
    scores: Mapping[Hashable, Mapping[tuple[int, Hashable], int]],
) -> PrioritizationResult:
    """Order the problems by the weighted sum of the mean mark (1–5) on each criterion.

    Per criterion only the participants who marked the problem count for the mean; a criterion
    nobody marked adds 0. A problem with no marks at all scores 0 and is flagged ``unscored``.
    Ties: more marks of 5, then the lower id.
    Raise ValueError for a non-positive weight, an unknown problem or criterion, or a mark that
    is not an integer from 1 to 5.
    """
    problem_ids = _problem_ids(problems)
    known_problems = set(problem_ids)
    weights: dict[Hashable, Fraction] = {}
    labels: dict[Hashable, str] = {}
    for criterion_id, label, weight in criteria:
        if criterion_id in weights:
            raise ValueError(
                _("El criterio «%(criterion)s» aparece más de una vez.") % {"criterion": label}
            )
        exact = _exact(weight)
        if exact is None or exact <= 0:
            raise ValueError(
                _("El peso del criterio «%(criterion)s» debe ser un número positivo.")
                % {"criterion": label}
            )
        weights[criterion_id] = exact
        labels[criterion_id] = str(label)
    if not weights:
        raise ValueError(_("Se requiere al menos un criterio para priorizar."))

    marks: dict[tuple[int, Hashable], list[tuple[int, str]]] = {}
    for participant, given in scores.items():
        who = _who(participant)
        for key, mark in given.items():
            try:
                pid, criterion_id = key
            except (TypeError, ValueError):
                raise ValueError(
                    _("%(who)s registró una calificación sin problema y criterio.") % {"who": who}
                ) from None
            if pid not in known_problems:
                raise ValueError(
                    _(
                        "%(who)s calificó el problema %(problem)s, que no pertenece a los "
                        "problemas de esta priorización."
                    )
                    % {"who": who, "problem": pid}
                )
            if criterion_id not in weights:
                raise ValueError(
                    _("%(who)s calificó un criterio que no existe (%(criterion)s).")
                    % {"who": who, "criterion": criterion_id}
                )
            if (
                isinstance(mark, bool)
                or not isinstance(mark, int)
                or not (MIN_MARK <= mark <= MAX_MARK)
            ):
                raise ValueError(
                    _(
                        "La calificación de %(who)s al problema %(problem)s en el criterio "
                        "«%(criterion)s» es %(mark)s; debe ser un número entero del %(min)d al "
                        "%(max)d."
                    )
                    % {
                        "who": who,
                        "problem": pid,
                        "criterion": labels[criterion_id],
                        "mark": mark,
                        "min": MIN_MARK,
                        "max": MAX_MARK,
                    }
                )
            marks.setdefault((pid, criterion_id), []).append((mark, who))

    steps = [
        _considered_step(problem_ids),
        _("Criterios y pesos: %(criteria)s.")
        % {
            "criteria": "; ".join(
                _("«%(label)s», peso %(weight)s")
                % {"label": labels[cid], "weight": _number(weights[cid])}
                for cid in weights
            )
        },
        _(
            "Cada participante califica cada problema del %(min)d al %(max)d en cada criterio. "
            "Por criterio se promedian solo las calificaciones dadas; la puntuación del problema "
            "es la suma de peso × promedio. Se calcula con fracciones exactas; los valores "
            "mostrados se redondean a dos decimales."
        )
        % {"min": MIN_MARK, "max": MAX_MARK},
    ]

    totals: dict[int, Fraction] = {}
    top_marks: dict[int, int] = {}
    unscored: set[int] = set()
    for pid in problem_ids:
        if not any((pid, cid) in marks for cid in weights):
            totals[pid] = Fraction(0)
            top_marks[pid] = 0
            unscored.add(pid)
            steps.append(
                _(
                    "Problema %(problem)s: nadie lo calificó en ningún criterio; obtiene 0 puntos "
                    "y queda marcado como «sin calificar»."
                )
                % {"problem": pid}
            )
            continue
        total = Fraction(0)
        parts = []
        fives = 0
        for cid, weight in weights.items():
            given = marks.get((pid, cid), [])
            if not given:
                parts.append(_number(0, places=2))
                steps.append(
                    _(
                        "Problema %(problem)s, criterio «%(criterion)s»: nadie lo calificó; "
                        "aporta 0."
                    )
                    % {"problem": pid, "criterion": labels[cid]}
                )
                continue
            mean = Fraction(sum(mark for mark, _who_ in given), len(given))
            contribution = weight * mean
            total += contribution
            fives += sum(1 for mark, _who_ in given if mark == MAX_MARK)
            parts.append(_number(contribution, places=2))
            steps.append(
                _(
                    "Problema %(problem)s, criterio «%(criterion)s»: calificaciones %(marks)s; "
                    "promedio (%(sum)s) / %(count)d = %(mean)s; × peso %(weight)s = "
                    "%(contribution)s."
                )
                % {
                    "problem": pid,
                    "criterion": labels[cid],
                    "marks": ", ".join(f"{mark} ({who})" for mark, who in given),
                    "sum": " + ".join(str(mark) for mark, _who_ in given),
                    "count": len(given),
                    "mean": _number(mean, places=2),
                    "weight": _number(weight),
                    "contribution": _number(contribution, places=2),
                }
            )
        totals[pid] = total
        top_marks[pid] = fives
        steps.append(
            _("Problema %(problem)s: %(parts)s = %(total)s; calificaciones de 5: %(fives)d.")
            % {
                "problem": pid,
                "parts": " + ".join(parts),
                "total": _points(total, places=2),
                "fives": fives,
            }
        )

    ranking, tie_steps = _rank(
        problem_ids,
        scores=totals,
        top_marks=top_marks,
        top_rule=TieBreak.TOP_MARKS,
        places=2,
        score_text=lambda value: _points(value, places=2),
        unscored=unscored,
    )
    steps.extend(tie_steps)
    return PrioritizationResult(
        method=Method.WEIGHTED_CRITERIA,
        name=_("Criterios ponderados"),
        description=_(
            "Cada participante califica cada problema del 1 al 5 en varios criterios, cada uno "
            "con un peso. La suma ponderada de los promedios da la prioridad."
        ),
        rules=(
            _("Cada calificación es un número entero del 1 al 5."),
            _(
                "Por criterio se toma el promedio de las calificaciones dadas; quien no calificó "
                "un problema en un criterio no cuenta para ese promedio."
            ),
            _(
                "La puntuación del problema es la suma, sobre los criterios, de peso × promedio. "
                "Un criterio que nadie calificó aporta 0."
            ),
            _("Un problema que nadie calificó obtiene 0 puntos y se marca «sin calificar»."),
            _("Los pesos son números positivos: %(criteria)s.")
            % {
                "criteria": "; ".join(f"«{labels[cid]}» {_number(weights[cid])}" for cid in weights)
            },
            _(
                "Los cálculos usan fracciones exactas; las cifras se muestran redondeadas a dos "
                "decimales."
            ),
            _tiebreak_rule_text(TieBreak.TOP_MARKS),
        ),
        ranking=ranking,
        steps=tuple(capfirst(step) for step in steps),
    )


# --- Ordering and tie-break ------------------------------------------------------------------


def _rank(
    problem_ids: tuple[int, ...],
    *,
    scores: Mapping[int, Fraction],
    top_marks: Mapping[int, int],
    top_rule: TieBreak | None,
    places: int,
    score_text: Callable[[Fraction], str],
    unscored: Collection[int] = (),
) -> tuple[tuple[RankedProblem, ...], list[str]]:
    """Return the final order and the steps that explain its ties."""
    ordered = sorted(problem_ids, key=lambda pid: (-scores[pid], -top_marks[pid], pid))
    tiebreak: dict[int, TieBreak] = {}
    tied_with: dict[int, tuple[int, ...]] = {}
    steps: list[str] = []
    top_name = _top_marks_name(top_rule)

    for score, group_iter in itertools.groupby(ordered, key=lambda pid: scores[pid]):
        group = list(group_iter)
        if len(group) == 1:
            continue
        for pid in group:
            tied_with[pid] = tuple(other for other in group if other != pid)
        step = _("Empate con %(score)s entre los problemas %(problems)s.") % {
            "score": score_text(score),
            "problems": _join_ids(sorted(group)),
        }
        counts = [top_marks[pid] for pid in group]
        if top_rule is None:
            step += " " + _(
                "Se ordenan por orden de registro (menor identificador primero): %(order)s."
            ) % {"order": ", ".join(str(pid) for pid in group)}
            tiebreak.update(dict.fromkeys(group, TieBreak.REGISTRATION_ORDER))
        elif len(set(counts)) == 1:
            step += " " + _(
                "Todos tienen el mismo número de %(top)s (%(count)d): se ordenan por orden de "
                "registro (menor identificador primero): %(order)s."
            ) % {
                "top": top_name,
                "count": counts[0],
                "order": ", ".join(str(pid) for pid in group),
            }
            tiebreak.update(dict.fromkeys(group, TieBreak.REGISTRATION_ORDER))
        else:
            step += " " + _("Se desempata por número de %(top)s: %(order)s.") % {
                "top": top_name,
                "order": ", ".join(
                    _("problema %(problem)s (%(count)d)")
                    % {"problem": pid, "count": top_marks[pid]}
                    for pid in group
                ),
            }
            for count, same_iter in itertools.groupby(group, key=lambda pid: top_marks[pid]):
                same = list(same_iter)
                if len(same) == 1:
                    tiebreak[same[0]] = top_rule
                    continue
                tiebreak.update(dict.fromkeys(same, TieBreak.REGISTRATION_ORDER))
                step += " " + _(
                    "Los problemas %(problems)s siguen empatados (%(top)s: %(count)d cada uno): "
                    "se ordenan por orden de registro (menor identificador primero)."
                ) % {"problems": _join_ids(same), "count": count, "top": top_name}
        steps.append(step)

    if not tied_with and ordered:
        steps.insert(0, _("No hay empates: el orden sigue directamente de las puntuaciones."))
    elif tied_with:
        steps.insert(0, _tiebreak_rule_text(top_rule))

    ranking = tuple(
        RankedProblem(
            position=position,
            problem_id=pid,
            score=scores[pid],
            display_score=_number(scores[pid], places=places),
            top_marks=top_marks[pid],
            tied_with=tied_with.get(pid, ()),
            tiebreak=tiebreak.get(pid),
            unscored=pid in unscored,
        )
        for position, pid in enumerate(ordered, start=1)
    )
    if ranking:
        steps.append(
            _("Orden final: %(order)s.")
            % {
                "order": "; ".join(
                    _final_position_text(entry, score_text, top_name) for entry in ranking
                )
            }
        )
    else:
        steps.append(_("No hay problemas que ordenar."))
    return ranking, steps


def _final_position_text(
    entry: RankedProblem, score_text: Callable[[Fraction], str], top_name: str
) -> str:
    text = _("%(ordinal)s problema %(problem)s (%(score)s") % {
        "ordinal": _ordinal(entry.position),
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


def _tiebreak_rule_text(top_rule: TieBreak | None) -> str:
    if top_rule is TieBreak.FIRST_PLACES:
        return _(
            "Desempate: si dos o más problemas tienen los mismos puntos, va primero el que tiene "
            "más primeros lugares; si persiste el empate, el de menor identificador (registrado "
            "antes)."
        )
    if top_rule is TieBreak.TOP_MARKS:
        return _(
            "Desempate: si dos o más problemas tienen la misma puntuación, va primero el que "
            "recibió más calificaciones de 5; si persiste el empate, el de menor identificador "
            "(registrado antes)."
        )
    return _(
        "Desempate: si dos o más problemas tienen los mismos votos, va primero el de menor "
        "identificador (registrado antes)."
    )


def _top_marks_name(top_rule: TieBreak | None) -> str:
    if top_rule is TieBreak.FIRST_PLACES:
        return _("primeros lugares")
    if top_rule is TieBreak.TOP_MARKS:
        return _("calificaciones de 5")
    return ""


# --- Validation and formatting helpers -------------------------------------------------------


def _problem_ids(problems: Sequence[int]) -> tuple[int, ...]:
    seen: set[int] = set()
    for pid in problems:
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise ValueError(
                _("El identificador de problema %(problem)r no es un número entero.")
                % {"problem": pid}
            )
        if pid in seen:
            raise ValueError(
                _("El problema %(problem)s aparece más de una vez en la lista de problemas.")
                % {"problem": pid}
            )
        seen.add(pid)
    return tuple(sorted(seen))


def _checked_selection(
    selection: Collection[int],
    problem_ids: tuple[int, ...],
    *,
    unknown: str,
    duplicate: str,
    who: str,
) -> tuple[int, ...]:
    if isinstance(selection, str | bytes):
        raise ValueError(unknown % {"who": who, "problem": selection})
    known = set(problem_ids)
    seen: set[int] = set()
    for pid in selection:
        if isinstance(pid, bool) or pid not in known:
            raise ValueError(unknown % {"who": who, "problem": pid})
        if pid in seen:
            raise ValueError(duplicate % {"who": who, "problem": pid})
        seen.add(pid)
    return tuple(selection)


def _considered_step(problem_ids: tuple[int, ...]) -> str:
    return ngettext(
        "Se considera %(n)d problema, en orden de registro: %(problems)s.",
        "Se consideran %(n)d problemas, en orden de registro: %(problems)s.",
        len(problem_ids),
    ) % {"n": len(problem_ids), "problems": ", ".join(str(pid) for pid in problem_ids) or "—"}


def _who(participant: Hashable) -> str:
    if isinstance(participant, str):
        return participant
    return _("participante %(id)s") % {"id": participant}


def _join_ids(ids: Sequence[int]) -> str:
    ids = [str(pid) for pid in ids]
    if len(ids) <= 1:
        return "".join(ids)
    return _("%(first)s y %(last)s") % {"first": ", ".join(ids[:-1]), "last": ids[-1]}


def _ordinal(position: int) -> str:
    # Translators: an ordinal number, e.g. "1.º" in Spanish, "1st" style in English ("No. 1").
    return _("%(position)d.º") % {"position": position}


def _points(value: Fraction | int, places: int = 0) -> str:
    return ngettext("%(value)s punto", "%(value)s puntos", 1 if value == 1 else 2) % {
        "value": _number(value, places=places)
    }


def _votes(count: Fraction | int) -> str:
    return ngettext("%(value)s voto", "%(value)s votos", 1 if count == 1 else 2) % {
        "value": _number(count)
    }


def _exact(value: object) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        # Through its shortest repr, so 0.1 means one tenth and not the nearest binary float.
        return Fraction(repr(value))
    return None


def _number(value: Fraction | int, *, places: int | None = None) -> str:
    """Format an exact value rounding half up; ``places=None`` shows integers bare."""
    value = Fraction(value)
    if places is None:
        places = 0 if value.denominator == 1 else 2
    scale = 10**places
    scaled = value * scale
    sign = "-" if scaled < 0 else ""
    rounded = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
    whole, fraction = divmod(rounded, scale)
    if places == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{places}d}"
