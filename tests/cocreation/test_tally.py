"""The arithmetic of the prioritisation methods alone: figures and decisions, no words."""

import random
from fractions import Fraction

import pytest

from cocreation.tally import (
    BordaContribution,
    Mark,
    TieBreak,
    TieGroup,
    approval_tally,
    borda_tally,
    format_exact,
    rank,
    weighted_tally,
)

# --- Borda -----------------------------------------------------------------------------------


def test_borda_gives_each_place_its_points_among_all_problems():
    # n = 4: places give 3, 2, 1, 0; a partial ranking keeps the points of its places.
    tally = borda_tally(
        problems=[4, 3, 2, 1],
        rankings={"Ana": [4, 3, 2, 1], "Beto": [2], "Carla": [1, 2]},
    )

    assert tally.problem_ids == (1, 2, 3, 4)
    assert tally.top == 3
    assert tally.participants == ("Ana", "Beto", "Carla")
    ana, beto, carla = tally.ballots
    assert (ana.ordered, ana.points, ana.left_out) == ((4, 3, 2, 1), (3, 2, 1, 0), ())
    assert (beto.ordered, beto.points, beto.left_out) == ((2,), (3,), (1, 3, 4))
    assert (carla.ordered, carla.points, carla.left_out) == ((1, 2), (3, 2), (3, 4))
    assert tally.points == {1: 3, 2: 6, 3: 2, 4: 3}
    assert tally.first_places == {1: 1, 2: 1, 3: 0, 4: 1}


def test_borda_keeps_every_participants_contribution_to_every_problem():
    tally = borda_tally(problems=[1, 2, 3], rankings={"Ana": [2, 1], 7: [], "Beto": [3, 2, 1]})

    assert tally.contributions[2] == (
        BordaContribution("Ana", place=1, points=2),
        BordaContribution(7, place=None, points=0),
        BordaContribution("Beto", place=2, points=1),
    )
    assert tally.contributions[3] == (
        BordaContribution("Ana", place=None, points=0),
        BordaContribution(7, place=None, points=0),
        BordaContribution("Beto", place=1, points=2),
    )
    for pid in tally.problem_ids:
        assert sum(given.points for given in tally.contributions[pid]) == tally.points[pid]
    assert tally.ballots[1].left_out == (1, 2, 3)


def test_borda_ranking_breaks_ties_by_first_places_then_by_id():
    # Every problem sums 4 points; first places: 1 → 2, 2 → 1, 3 → 1.
    tally = borda_tally(
        problems=[3, 1, 2],
        rankings={"Ana": [1, 2, 3], "Beto": [1, 3, 2], "Carla": [2, 3, 1], "Diego": [3, 2, 1]},
    )

    ranking = tally.ranking
    assert [entry.problem_id for entry in ranking.entries] == [1, 2, 3]
    assert ranking.top_rule is TieBreak.FIRST_PLACES
    assert ranking.ties == (
        TieGroup(
            score=Fraction(4),
            problem_ids=(1, 2, 3),
            top_marks=(2, 1, 1),
            rule=TieBreak.FIRST_PLACES,
            still_tied=((2, 3),),
        ),
    )
    assert [entry.tiebreak for entry in ranking.entries] == [
        TieBreak.FIRST_PLACES,
        TieBreak.REGISTRATION_ORDER,
        TieBreak.REGISTRATION_ORDER,
    ]


def test_borda_with_random_ballots_adds_up():
    rng = random.Random(7)
    problems = list(range(101, 141))
    rankings = {f"P{i}": rng.sample(problems, rng.randint(0, 40)) for i in range(30)}

    tally = borda_tally(problems=problems, rankings=rankings)

    for pid in problems:
        expected = sum(39 - ranking.index(pid) for ranking in rankings.values() if pid in ranking)
        assert tally.points[pid] == expected
        assert len(tally.contributions[pid]) == 30
    scores = [entry.score for entry in tally.ranking.entries]
    assert scores == sorted(scores, reverse=True)


# --- Approval vote ---------------------------------------------------------------------------


def test_approval_counts_each_problems_voters_in_ballot_order():
    tally = approval_tally(
        problems=[1, 2, 3, 4],
        ballots={"Ana": {2, 1}, "Beto": [3, 2], "Carla": [3], "Diego": {2}, "Eva": []},
        max_choices=2,
    )

    assert [ballot.chosen for ballot in tally.ballots] == [(1, 2), (2, 3), (3,), (2,), ()]
    assert tally.voters == {
        1: ("Ana",),
        2: ("Ana", "Beto", "Diego"),
        3: ("Beto", "Carla"),
        4: (),
    }
    assert [tally.votes(pid) for pid in tally.problem_ids] == [1, 3, 2, 0]
    assert [entry.problem_id for entry in tally.ranking.entries] == [2, 3, 1, 4]
    assert tally.ranking.ties == ()


def test_approval_ties_go_to_registration_order_whatever_the_ballot_order():
    tally = approval_tally(
        problems=[4, 3, 2, 1], ballots={"Ana": [3, 1], "Beto": [3, 1]}, max_choices=2
    )

    assert tally.ranking.top_rule is None
    assert tally.ranking.ties == (
        TieGroup(Fraction(2), (1, 3), (0, 0), TieBreak.REGISTRATION_ORDER),
        TieGroup(Fraction(0), (2, 4), (0, 0), TieBreak.REGISTRATION_ORDER),
    )
    assert all(entry.top_marks == 0 for entry in tally.ranking.entries)


def test_approval_refuses_too_many_choices():
    with pytest.raises(ValueError):
        approval_tally(problems=[1, 2, 3], ballots={"Ana": [1, 2, 3]}, max_choices=2)


# --- Weighted criteria -----------------------------------------------------------------------


def test_weighted_means_count_only_the_marks_given():
    tally = weighted_tally(
        problems=[1, 2, 3],
        criteria=[("imp", "Impacto", 3), ("via", "Viabilidad", 2)],
        scores={
            "Ana": {(1, "imp"): 5, (1, "via"): 3, (2, "imp"): 4, (2, "via"): 4},
            "Beto": {(1, "imp"): 4, (2, "imp"): 5, (2, "via"): 5},
        },
    )

    assert [criterion.weight for criterion in tally.criteria] == [3, 2]
    assert tally.participants == ("Ana", "Beto")
    one, two, three = tally.problems
    impact, viability = one.criteria
    assert impact.marks == (Mark("Ana", 5), Mark("Beto", 4))
    assert (impact.mean, impact.contribution) == (Fraction(9, 2), Fraction(27, 2))
    assert viability.marks == (Mark("Ana", 3),)
    assert (viability.mean, viability.contribution) == (3, 6)
    assert (one.total, one.top_marks, one.unscored) == (Fraction(39, 2), 1, False)
    assert (two.total, two.top_marks, two.unscored) == (Fraction(45, 2), 2, False)
    assert (three.total, three.top_marks, three.unscored) == (0, 0, True)
    assert all(score.mean is None for score in three.criteria)
    assert [entry.problem_id for entry in tally.ranking.entries] == [2, 1, 3]
    assert tally.ranking.entries[2].unscored


def test_weighted_criterion_nobody_marked_adds_zero_without_a_mean():
    tally = weighted_tally(
        problems=[1],
        criteria=[("imp", "Impacto", 3), ("via", "Viabilidad", 2)],
        scores={"Ana": {(1, "imp"): 2}},
    )

    (problem,) = tally.problems
    assert [(score.mean, score.contribution) for score in problem.criteria] == [(2, 6), (None, 0)]
    assert (problem.total, problem.unscored) == (6, False)


def test_weighted_arithmetic_is_exact():
    tally = weighted_tally(
        problems=[1, 2],
        criteria=[("a", "A", 0.1), ("b", "B", 0.2)],
        scores={"Ana": {(1, "a"): 1, (1, "b"): 1, (2, "a"): 3}},
    )

    assert [problem.total for problem in tally.problems] == [Fraction(3, 10), Fraction(3, 10)]
    assert tally.ranking.ties == (
        TieGroup(Fraction(3, 10), (1, 2), (0, 0), TieBreak.REGISTRATION_ORDER),
    )


def test_weighted_tie_broken_by_marks_of_five():
    tally = weighted_tally(
        problems=[1, 2],
        criteria=[("imp", "Impacto", 1)],
        scores={
            "Ana": {(1, "imp"): 5, (2, "imp"): 5},
            "Beto": {(1, "imp"): 4, (2, "imp"): 5},
            "Carla": {(1, "imp"): 4, (2, "imp"): 3},
        },
    )

    assert tally.ranking.ties == (TieGroup(Fraction(13, 3), (2, 1), (2, 1), TieBreak.TOP_MARKS),)
    assert [entry.display_score for entry in tally.ranking.entries] == ["4.33", "4.33"]


@pytest.mark.parametrize("mark", [6, 0, True, 4.5])
def test_weighted_refuses_a_mark_outside_one_to_five(mark):
    with pytest.raises(ValueError):
        weighted_tally(problems=[1], criteria=[("a", "A", 1)], scores={"Ana": {(1, "a"): mark}})


# --- Ranking and numbers ---------------------------------------------------------------------


def test_rank_runs_left_tied_by_the_first_rule_keep_registration_order():
    scores = dict.fromkeys([1, 2, 3, 4, 5], Fraction(7))
    scores[6] = Fraction(9)
    top_marks = {1: 0, 2: 3, 3: 3, 4: 1, 5: 0, 6: 0}

    ranking = rank(
        list(scores), scores=scores, top_marks=top_marks, top_rule=TieBreak.TOP_MARKS, places=2
    )

    assert [entry.problem_id for entry in ranking.entries] == [6, 2, 3, 4, 1, 5]
    assert ranking.ties == (
        TieGroup(
            Fraction(7), (2, 3, 4, 1, 5), (3, 3, 1, 0, 0), TieBreak.TOP_MARKS, ((2, 3), (1, 5))
        ),
    )
    by_id = {entry.problem_id: entry for entry in ranking.entries}
    assert by_id[4].tiebreak is TieBreak.TOP_MARKS
    assert by_id[2].tiebreak is by_id[5].tiebreak is TieBreak.REGISTRATION_ORDER
    assert by_id[6].tiebreak is None
    assert by_id[4].tied_with == (2, 3, 1, 5)
    assert by_id[6].display_score == "9.00"


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(1, 8), 2, "0.13"),
        (Fraction(-1, 8), 2, "-0.13"),
        (Fraction(5, 2), 0, "3"),
        (Fraction(13, 3), None, "4.33"),
        (7, None, "7"),
    ],
)
def test_format_exact_rounds_half_up(value, places, shown):
    assert format_exact(value, places=places) == shown
