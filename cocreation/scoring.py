"""Prioritise the problems of a Secretariado Técnico Local.

INAI's minimum requirements (1.a, footnote 2) ask that, where the problems to solve were ranked,
the ranking methodology be provided as evidence. Each method here is a pure function: it takes
plain data (problem ids as ints, participants as any hashable id or label) and returns a frozen
``PrioritizationResult`` with the final order, the exact score of each problem and every
computation step written in Spanish, so the portal can show them and print them in the
methodology document.

The work is split in two: :mod:`cocreation.tally` does the arithmetic and the tie-break (and
documents the methods and their rules), :mod:`cocreation.narration` words it. A result keeps its
tally, so a document can lay the same figures out as tables.

Invalid input raises ``ValueError`` with a Spanish message that a service can show as a form
error.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from cocreation import narration
from cocreation.tally import (
    MAX_MARK,
    MIN_MARK,
    ApprovalTally,
    BordaTally,
    Method,
    RankedProblem,
    TieBreak,
    WeightedTally,
    approval_tally,
    borda_tally,
    weighted_tally,
)

__all__ = [
    "MAX_MARK",
    "MIN_MARK",
    "Method",
    "PrioritizationResult",
    "RankedProblem",
    "TieBreak",
    "approval_vote",
    "borda",
    "weighted_criteria",
]


@dataclass(frozen=True)
class PrioritizationResult:
    """The outcome of one prioritisation: order, scores, rules and every computation step.

    ``tally`` holds the figures the steps were written from; it is not part of ``as_dict()``.
    """

    method: Method
    name: str
    description: str
    rules: tuple[str, ...]
    ranking: tuple[RankedProblem, ...]
    steps: tuple[str, ...]
    tally: BordaTally | ApprovalTally | WeightedTally | None = field(
        default=None, compare=False, repr=False
    )

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


def borda(
    *, problems: Sequence[int], rankings: Mapping[Hashable, Sequence[int]]
) -> PrioritizationResult:
    """Order the problems by Borda count (see :func:`cocreation.tally.borda_tally`)."""
    tally = borda_tally(problems=problems, rankings=rankings)
    return _result(Method.BORDA, tally, narration.borda_narrative(tally))


def approval_vote(
    *,
    problems: Sequence[int],
    ballots: Mapping[Hashable, Collection[int]],
    max_choices: int,
) -> PrioritizationResult:
    """Order the problems by votes, each participant voting for up to ``max_choices``."""
    tally = approval_tally(problems=problems, ballots=ballots, max_choices=max_choices)
    return _result(Method.APPROVAL_VOTE, tally, narration.approval_narrative(tally))


def weighted_criteria(
    *,
    problems: Sequence[int],
    criteria: Sequence[tuple[Hashable, str, int | Fraction | Decimal | float]],
    scores: Mapping[Hashable, Mapping[tuple[int, Hashable], int]],
) -> PrioritizationResult:
    """Order the problems by the weighted sum of the mean mark (1–5) on each criterion."""
    tally = weighted_tally(problems=problems, criteria=criteria, scores=scores)
    return _result(Method.WEIGHTED_CRITERIA, tally, narration.weighted_narrative(tally))


def _result(
    method: Method,
    tally: BordaTally | ApprovalTally | WeightedTally,
    narrative: narration.Narrative,
) -> PrioritizationResult:
    return PrioritizationResult(
        method=method,
        name=narrative.name,
        description=narrative.description,
        rules=narrative.rules,
        ranking=tally.ranking.entries,
        steps=narrative.steps,
        tally=tally,
    )
