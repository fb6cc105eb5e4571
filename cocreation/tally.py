"""Count a prioritisation of problems: the arithmetic of each method, without words.

Each method is a pure function: it takes plain data (problem ids as ints, participants as any
hashable id or label) and returns a frozen tally with every participant's contribution, each
problem's exact score and the final order with its tie-break decisions. ``cocreation.narration``
turns a tally into the Spanish step-by-step explanation; ``cocreation.scoring`` joins both.

Methods:

- ``borda_tally``: each participant orders the problems. With *n* problems the 1st place gets
  *n - 1* points, the 2nd *n - 2*, ..., the last 0. A participant may order only some problems:
  the ones ordered get points as if ranked among all *n* (position *i*, counted from 0, gets
  *n - 1 - i*); the ones left out get 0 points from that participant.
- ``approval_tally``: each participant votes for up to *max_choices* problems; a problem's score
  is its number of votes.
- ``weighted_tally``: each participant marks each problem from 1 to 5 on each weighted criterion;
  per criterion the mean of the marks given is taken (participants who did not mark it are not
  counted), and the problem's score is the sum of weight × mean. A problem nobody marked scores 0
  and is flagged ``unscored``. Arithmetic is exact (``Fraction``); display values are rounded
  half up to two decimals.

Tie-break rule: problems with the same score are ordered

1. by the number of top positions or marks they received — for Borda, more first places; for
   weighted criteria, more marks of 5; for approval vote this rule does not exist;
2. then by order of registration: the lower problem id first.

Invalid input (a problem outside the set, a duplicate, a ballot with too many choices, a mark
outside 1–5, a non-positive weight) raises ``ValueError`` with a Spanish message that a service
can show as a form error.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

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


# --- The order and its ties ------------------------------------------------------------------


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
class TieGroup:
    """Problems with the same score, in their final order, and the rule that separated them.

    ``rule`` is the first rule applied: the method's top-marks rule when their counts differ,
    registration order otherwise. ``still_tied`` lists the runs of problems that the top-marks
    rule left tied, ordered by registration.
    """

    score: Fraction
    problem_ids: tuple[int, ...]
    top_marks: tuple[int, ...]
    rule: TieBreak
    still_tied: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Ranking:
    """The final order, its ties and the method's first tie-break rule (``None``: none)."""

    entries: tuple[RankedProblem, ...]
    ties: tuple[TieGroup, ...]
    top_rule: TieBreak | None


def rank(
    problem_ids: Sequence[int],
    *,
    scores: Mapping[int, Fraction],
    top_marks: Mapping[int, int],
    top_rule: TieBreak | None,
    places: int,
    unscored: Collection[int] = (),
) -> Ranking:
    """Order by score, then by ``top_marks`` (when the method has a ``top_rule``), then by id."""
    if top_rule is None:
        top_marks = dict.fromkeys(problem_ids, 0)
    ordered = sorted(problem_ids, key=lambda pid: (-scores[pid], -top_marks[pid], pid))
    tiebreak: dict[int, TieBreak] = {}
    tied_with: dict[int, tuple[int, ...]] = {}
    ties: list[TieGroup] = []

    for score, group_iter in itertools.groupby(ordered, key=lambda pid: scores[pid]):
        group = tuple(group_iter)
        if len(group) == 1:
            continue
        for pid in group:
            tied_with[pid] = tuple(other for other in group if other != pid)
        counts = tuple(top_marks[pid] for pid in group)
        if top_rule is None or len(set(counts)) == 1:
            tiebreak.update(dict.fromkeys(group, TieBreak.REGISTRATION_ORDER))
            ties.append(TieGroup(score, group, counts, TieBreak.REGISTRATION_ORDER))
            continue
        still_tied = []
        for _count, same_iter in itertools.groupby(group, key=lambda pid: top_marks[pid]):
            same = tuple(same_iter)
            if len(same) == 1:
                tiebreak[same[0]] = top_rule
            else:
                tiebreak.update(dict.fromkeys(same, TieBreak.REGISTRATION_ORDER))
                still_tied.append(same)
        ties.append(TieGroup(score, group, counts, top_rule, tuple(still_tied)))

    entries = tuple(
        RankedProblem(
            position=position,
            problem_id=pid,
            score=scores[pid],
            display_score=format_exact(scores[pid], places=places),
            top_marks=top_marks[pid],
            tied_with=tied_with.get(pid, ()),
            tiebreak=tiebreak.get(pid),
            unscored=pid in unscored,
        )
        for position, pid in enumerate(ordered, start=1)
    )
    return Ranking(entries=entries, ties=tuple(ties), top_rule=top_rule)


# --- Borda -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BordaBallot:
    """One participant's ranking: the problems in the order given and the points of each."""

    participant: Hashable
    ordered: tuple[int, ...]
    points: tuple[int, ...]
    left_out: tuple[int, ...]


@dataclass(frozen=True)
class BordaContribution:
    """What one participant gave one problem: its place (``None``: not ordered) and points."""

    participant: Hashable
    place: int | None
    points: int


@dataclass(frozen=True)
class BordaTally:
    """Every ballot, each problem's contributions in ballot order, totals and the order."""

    problem_ids: tuple[int, ...]
    ballots: tuple[BordaBallot, ...]
    contributions: Mapping[int, tuple[BordaContribution, ...]]
    points: Mapping[int, int]
    first_places: Mapping[int, int]
    ranking: Ranking

    @property
    def top(self) -> int:
        """Return the points of a 1st place: one fewer than the problems."""
        return len(self.problem_ids) - 1

    @property
    def participants(self) -> tuple[Hashable, ...]:
        return tuple(ballot.participant for ballot in self.ballots)


def borda_tally(
    *, problems: Sequence[int], rankings: Mapping[Hashable, Sequence[int]]
) -> BordaTally:
    """Count a Borda prioritisation.

    Raise ValueError for a problem outside ``problems`` or one named twice in a ranking.
    """
    problem_ids = checked_problem_ids(problems)
    top = len(problem_ids) - 1
    points = dict.fromkeys(problem_ids, 0)
    first_places = dict.fromkeys(problem_ids, 0)
    contributions: dict[int, list[BordaContribution]] = {pid: [] for pid in problem_ids}
    ballots = []

    for participant, ranking in rankings.items():
        who = participant_name(participant)
        ordered = _checked_selection(
            ranking,
            problem_ids,
            unknown=_(
                "La clasificación de %(who)s incluye la problemática %(problem)s, que no "
                "pertenece a las problemáticas de esta priorización."
            ),
            duplicate=_(
                "La clasificación de %(who)s menciona la problemática %(problem)s más de una vez."
            ),
            who=who,
        )
        given = tuple(top - index for index in range(len(ordered)))
        for place, (pid, gained) in enumerate(zip(ordered, given, strict=True), start=1):
            points[pid] += gained
            contributions[pid].append(BordaContribution(participant, place, gained))
        if ordered:
            first_places[ordered[0]] += 1
        ranked = set(ordered)
        left_out = tuple(pid for pid in problem_ids if pid not in ranked)
        for pid in left_out:
            contributions[pid].append(BordaContribution(participant, None, 0))
        ballots.append(BordaBallot(participant, ordered, given, left_out))

    return BordaTally(
        problem_ids=problem_ids,
        ballots=tuple(ballots),
        contributions={pid: tuple(given) for pid, given in contributions.items()},
        points=points,
        first_places=first_places,
        ranking=rank(
            problem_ids,
            scores={pid: Fraction(points[pid]) for pid in problem_ids},
            top_marks=first_places,
            top_rule=TieBreak.FIRST_PLACES,
            places=0,
        ),
    )


# --- Approval vote ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalBallot:
    """One participant's ballot: the problems voted for, in registration order."""

    participant: Hashable
    chosen: tuple[int, ...]


@dataclass(frozen=True)
class ApprovalTally:
    """Every ballot, each problem's voters in ballot order, and the order."""

    problem_ids: tuple[int, ...]
    max_choices: int
    ballots: tuple[ApprovalBallot, ...]
    voters: Mapping[int, tuple[Hashable, ...]]
    ranking: Ranking

    @property
    def participants(self) -> tuple[Hashable, ...]:
        return tuple(ballot.participant for ballot in self.ballots)

    def votes(self, problem_id: int) -> int:
        """Return the number of votes of one problem."""
        return len(self.voters[problem_id])


def approval_tally(
    *,
    problems: Sequence[int],
    ballots: Mapping[Hashable, Collection[int]],
    max_choices: int,
) -> ApprovalTally:
    """Count an approval vote, each participant voting for up to ``max_choices`` problems.

    Raise ValueError for a ballot with more than ``max_choices`` problems, or with a problem
    outside ``problems`` or named twice.
    """
    problem_ids = checked_problem_ids(problems)
    if isinstance(max_choices, bool) or not isinstance(max_choices, int) or max_choices < 1:
        raise ValueError(_("El número máximo de votos por participante debe ser al menos 1."))
    voters: dict[int, list[Hashable]] = {pid: [] for pid in problem_ids}
    counted = []

    for participant, ballot in ballots.items():
        who = participant_name(participant)
        chosen = _checked_selection(
            ballot,
            problem_ids,
            unknown=_(
                "La boleta de %(who)s incluye la problemática %(problem)s, que no pertenece "
                "a las problemáticas de esta priorización."
            ),
            duplicate=_("La boleta de %(who)s marca la problemática %(problem)s más de una vez."),
            who=who,
        )
        if len(chosen) > max_choices:
            raise ValueError(
                ngettext(
                    "La boleta de %(who)s marca %(count)d problemática; el máximo permitido es "
                    "%(max)d.",
                    "La boleta de %(who)s marca %(count)d problemáticas; el máximo permitido es "
                    "%(max)d.",
                    len(chosen),
                )
                % {"who": who, "count": len(chosen), "max": max_choices}
            )
        for pid in chosen:
            voters[pid].append(participant)
        counted.append(ApprovalBallot(participant, tuple(sorted(chosen))))

    return ApprovalTally(
        problem_ids=problem_ids,
        max_choices=max_choices,
        ballots=tuple(counted),
        voters={pid: tuple(given) for pid, given in voters.items()},
        ranking=rank(
            problem_ids,
            scores={pid: Fraction(len(voters[pid])) for pid in problem_ids},
            top_marks=dict.fromkeys(problem_ids, 0),
            top_rule=None,
            places=0,
        ),
    )


# --- Weighted criteria -----------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    criterion_id: Hashable
    label: str
    weight: Fraction


@dataclass(frozen=True)
class Mark:
    participant: Hashable
    mark: int


@dataclass(frozen=True)
class CriterionScore:
    """One problem on one criterion: the marks given, their mean and weight × mean.

    ``mean`` is ``None`` when nobody marked it; the contribution is then 0.
    """

    criterion: Criterion
    marks: tuple[Mark, ...]
    mean: Fraction | None
    contribution: Fraction


@dataclass(frozen=True)
class ProblemScore:
    """One problem: its score on each criterion, its total and its marks of 5."""

    problem_id: int
    criteria: tuple[CriterionScore, ...]
    total: Fraction
    top_marks: int
    unscored: bool


@dataclass(frozen=True)
class WeightedTally:
    """The criteria, each problem's scores in registration order, and the order."""

    problem_ids: tuple[int, ...]
    criteria: tuple[Criterion, ...]
    participants: tuple[Hashable, ...]
    problems: tuple[ProblemScore, ...]
    ranking: Ranking


def weighted_tally(
    *,
    problems: Sequence[int],
    criteria: Sequence[tuple[Hashable, str, int | Fraction | Decimal | float]],
    scores: Mapping[Hashable, Mapping[tuple[int, Hashable], int]],
) -> WeightedTally:
    """Count a prioritisation by weighted criteria.

    Raise ValueError for a non-positive weight, an unknown problem or criterion, or a mark that
    is not an integer from 1 to 5.
    """
    problem_ids = checked_problem_ids(problems)
    known_problems = set(problem_ids)
    checked: dict[Hashable, Criterion] = {}
    for criterion_id, label, weight in criteria:
        if criterion_id in checked:
            raise ValueError(
                _("El criterio «%(criterion)s» aparece más de una vez.") % {"criterion": label}
            )
        exact = _exact(weight)
        if exact is None or exact <= 0:
            raise ValueError(
                _("El peso del criterio «%(criterion)s» debe ser un número positivo.")
                % {"criterion": label}
            )
        checked[criterion_id] = Criterion(criterion_id, str(label), exact)
    if not checked:
        raise ValueError(_("Se requiere al menos un criterio para priorizar."))

    marks: dict[tuple[int, Hashable], list[Mark]] = {}
    for participant, given in scores.items():
        who = participant_name(participant)
        for key, mark in given.items():
            try:
                pid, criterion_id = key
            except (TypeError, ValueError):
                raise ValueError(
                    _("%(who)s registró una calificación sin problemática y criterio.")
                    % {"who": who}
                ) from None
            if pid not in known_problems:
                raise ValueError(
                    _(
                        "%(who)s calificó la problemática %(problem)s, que no pertenece a las "
                        "problemáticas de esta priorización."
                    )
                    % {"who": who, "problem": pid}
                )
            if criterion_id not in checked:
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
                        "La calificación de %(who)s a la problemática %(problem)s en el criterio "
                        "«%(criterion)s» es %(mark)s; debe ser un número entero del %(min)d al "
                        "%(max)d."
                    )
                    % {
                        "who": who,
                        "problem": pid,
                        "criterion": checked[criterion_id].label,
                        "mark": mark,
                        "min": MIN_MARK,
                        "max": MAX_MARK,
                    }
                )
            marks.setdefault((pid, criterion_id), []).append(Mark(participant, mark))

    scored = tuple(_problem_score(pid, checked.values(), marks) for pid in problem_ids)
    return WeightedTally(
        problem_ids=problem_ids,
        criteria=tuple(checked.values()),
        participants=tuple(scores),
        problems=scored,
        ranking=rank(
            problem_ids,
            scores={problem.problem_id: problem.total for problem in scored},
            top_marks={problem.problem_id: problem.top_marks for problem in scored},
            top_rule=TieBreak.TOP_MARKS,
            places=2,
            unscored={problem.problem_id for problem in scored if problem.unscored},
        ),
    )


def _problem_score(
    pid: int,
    criteria: Collection[Criterion],
    marks: Mapping[tuple[int, Hashable], Sequence[Mark]],
) -> ProblemScore:
    per_criterion = []
    for criterion in criteria:
        given = tuple(marks.get((pid, criterion.criterion_id), ()))
        if not given:
            per_criterion.append(CriterionScore(criterion, (), None, Fraction(0)))
            continue
        mean = Fraction(sum(given_mark.mark for given_mark in given), len(given))
        per_criterion.append(CriterionScore(criterion, given, mean, criterion.weight * mean))
    return ProblemScore(
        problem_id=pid,
        criteria=tuple(per_criterion),
        total=sum((score.contribution for score in per_criterion), Fraction(0)),
        top_marks=sum(
            1 for score in per_criterion for given in score.marks if given.mark == MAX_MARK
        ),
        unscored=all(not score.marks for score in per_criterion),
    )


# --- Validation and numbers ------------------------------------------------------------------


def checked_problem_ids(problems: Sequence[int]) -> tuple[int, ...]:
    """Return the problem ids in registration order (ascending); refuse non-ints and repeats."""
    seen: set[int] = set()
    for pid in problems:
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise ValueError(
                _("El identificador de problemática %(problem)r no es un número entero.")
                % {"problem": pid}
            )
        if pid in seen:
            raise ValueError(
                _(
                    "La problemática %(problem)s aparece más de una vez en la lista de "
                    "problemáticas."
                )
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


def participant_name(participant: Hashable) -> str:
    """Return how a participant is named: its label, or «participante N» for a bare id."""
    if isinstance(participant, str):
        return participant
    return _("participante %(id)s") % {"id": participant}


def _exact(value: object) -> Fraction | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        # Through its shortest repr, so 0.1 means one tenth and not the nearest binary float.
        return Fraction(repr(value))
    return None


def format_exact(value: Fraction | int, *, places: int | None = None) -> str:
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
