"""Two connections acting at the same moment lose nothing and count nothing twice.

Each test releases threads, each with its own database connection, at the same instant, twenty
rounds in a row. Only PostgreSQL can show a lost update (SQLite serialises every write), so the
tests are skipped there; CI runs them on PostgreSQL.
"""

import pytest
from django.db import connection

from cocreation import services
from cocreation.models import MinutesApproval, Prioritization, PrioritizationEntry, Vote
from cocreation.services.decisions import decision_outcome
from cocreation.services.prioritization import prioritization_result
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import DialogueTableFactory, nucleus_of
from tests.cocreation.factories_prioritization import make_decision, make_prioritization
from tests.factories import UserFactory, add_member
from tests.races import race

ROUNDS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serialises writes: no race to show."
    ),
]


def refusals(outcomes) -> list[str]:
    return [" ".join(value.messages) for kind, value in outcomes if kind == "error"]


def unexpected(outcomes, *allowed: str) -> list:
    """Return the errors that are not the Spanish refusals ``allowed`` (deadlocks, crashes…)."""
    return [
        value
        for kind, value in outcomes
        if kind == "error" and " ".join(getattr(value, "messages", [str(value)])) not in allowed
    ]


def member(secretariat, kind, name):
    return add_member(secretariat, kind=kind, user=UserFactory(full_name=name)).user


# --- minutes ------------------------------------------------------------------------------------


ALREADY_APPROVED = "Esta versión de la minuta ya fue aprobada por la mayoría del núcleo."


def test_members_approving_the_minutes_at_once_are_each_counted_once(state_a, alicia):
    """Three of three members approve at once: two make the majority, the third is told so."""
    beto = member(state_a, Nucleus.Kind.CIVIL_SOCIETY, "Beto Cruz")
    ceci = member(state_a, Nucleus.Kind.CIVIL_SOCIETY, "Ceci Luna")
    for _round in range(ROUNDS):
        table = DialogueTableFactory(nucleus=nucleus_of(state_a))

        outcomes = race(
            *(
                lambda user=user, table=table: services.minutes_answer(
                    table=table, answer=MinutesApproval.Answer.APPROVE, user=user
                )
                for user in (alicia, beto, ceci)
            )
        )

        assert unexpected(outcomes, ALREADY_APPROVED) == []
        assert refusals(outcomes) == [ALREADY_APPROVED]
        table.refresh_from_db()
        assert table.minutes_approved_at is not None
        assert table.minutes_approvals.count() == 2


def test_one_member_answering_twice_at_once_leaves_one_answer(state_a, alicia):
    member(state_a, Nucleus.Kind.CIVIL_SOCIETY, "Beto Cruz")
    member(state_a, Nucleus.Kind.CIVIL_SOCIETY, "Ceci Luna")
    for _round in range(ROUNDS):
        table = DialogueTableFactory(nucleus=nucleus_of(state_a))

        outcomes = race(
            lambda table=table: services.minutes_answer(
                table=table, answer=MinutesApproval.Answer.APPROVE, user=alicia
            ),
            lambda table=table: services.minutes_answer(
                table=table,
                answer=MinutesApproval.Answer.CORRECTIONS,
                comment="Falta un acuerdo.",
                user=alicia,
            ),
        )

        assert unexpected(outcomes) == []
        assert table.minutes_approvals.count() == 1
        table.refresh_from_db()
        assert table.minutes_approved_at is None  # one approval of three is no majority


# --- votes --------------------------------------------------------------------------------------


CLOSED = "Este acuerdo ya está cerrado: no admite más cambios."


@pytest.fixture
def voters(state_a, alicia):
    return [
        alicia,
        member(state_a, Nucleus.Kind.LOCAL_AUTHORITIES, "Carlos Pérez"),
        member(state_a, Nucleus.Kind.GUARANTOR, "Olga Núñez"),
        member(state_a, Nucleus.Kind.GUARANTOR, "Óscar Ruiz"),
    ]


def test_votes_cast_at_once_are_each_counted_once(state_a, voters):
    alicia, carlos, olga, oscar = voters
    for _round in range(ROUNDS):
        decision = make_decision(state_a)

        outcomes = race(
            lambda d=decision: services.decision_vote(decision=d, choice="a_favor", user=alicia),
            lambda d=decision: services.decision_vote(decision=d, choice="en_contra", user=carlos),
            lambda d=decision: services.decision_vote(decision=d, choice="a_favor", user=olga),
            # Óscar votes twice at once from two connections: one vote remains.
            lambda d=decision: services.decision_vote(decision=d, choice="a_favor", user=oscar),
            lambda d=decision: services.decision_vote(decision=d, choice="abstencion", user=oscar),
        )

        assert unexpected(outcomes) == []
        votes = dict(decision.votes.values_list("member__user", "choice"))
        assert set(votes) == {alicia.pk, carlos.pk, olga.pk, oscar.pk}
        assert votes[alicia.pk] == "a_favor" and votes[carlos.pk] == "en_contra"
        assert votes[oscar.pk] in {"a_favor", "abstencion"}


def test_closing_while_members_vote_counts_exactly_the_votes_it_kept(state_a, voters):
    alicia, carlos, olga, oscar = voters
    for _round in range(ROUNDS):
        decision = make_decision(state_a)
        services.decision_vote(decision=decision, choice="a_favor", user=alicia)
        services.decision_vote(decision=decision, choice="a_favor", user=carlos)

        outcomes = race(
            lambda d=decision: services.decision_vote(decision=d, choice="en_contra", user=olga),
            lambda d=decision: services.decision_vote(decision=d, choice="en_contra", user=oscar),
            lambda d=decision: services.decision_close(decision=d, user=alicia),
        )

        assert unexpected(outcomes, CLOSED) == []
        decision.refresh_from_db()
        assert decision.status == decision.Status.CLOSED
        kept = list(decision.votes.values_list("choice", flat=True))
        # Each late vote was either refused (and not stored) or stored before the count.
        assert len(kept) == 4 - len(refusals(outcomes))
        assert decision.electorate == 4
        # Alicia and Carlos voted first; either late vote brings the órgano garante and the
        # third vote of four, hence quorum.
        quorum_met = len(kept) >= 3
        assert decision.outcome == decision_outcome(
            in_favour=kept.count(Vote.Choice.FOR),
            against=kept.count(Vote.Choice.AGAINST),
            quorum_met=quorum_met,
        )


# --- prioritisation -------------------------------------------------------------------------


ALREADY_COMPUTED = "Esta priorización ya se calculó: ya no recibe ni modifica participaciones."


def test_computing_twice_at_once_while_a_member_votes_computes_once_over_every_entry(
    state_a, voters, fernanda, monkeypatch
):
    alicia, carlos, olga, _oscar = voters
    enqueued = []
    monkeypatch.setattr(
        "cocreation.services.prioritization.enqueue_on_commit",
        lambda name, *args, **kwargs: enqueued.append((name, *args)),
    )
    for _round in range(ROUNDS):
        enqueued.clear()
        prioritization = make_prioritization(
            state_a, method=Prioritization.Method.APPROVAL_VOTE, max_choices=1
        )
        first, second, _third = prioritization.problems.order_by("pk")
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[first.pk], user=alicia
        )
        services.prioritization_entry_submit(
            prioritization=prioritization, data=[second.pk], user=carlos
        )

        outcomes = race(
            lambda p=prioritization: services.prioritization_compute(prioritization=p, user=alicia),
            lambda p=prioritization: services.prioritization_compute(
                prioritization=p, user=fernanda
            ),
            lambda p=prioritization, pid=second.pk: services.prioritization_entry_submit(
                prioritization=p, data=[pid], user=olga
            ),
        )

        assert unexpected(outcomes, ALREADY_COMPUTED) == []
        computed = [v for k, v in outcomes[:2] if k == "ok"]
        assert len(computed) == 1  # one computation; the other was told it is done
        assert len(enqueued) == 1  # one methodology document asked for
        prioritization.refresh_from_db()
        entries = list(
            PrioritizationEntry.objects.filter(prioritization=prioritization)
            .select_related("nucleus")
            .order_by("nucleus", "pk")
        )
        olga_refused = outcomes[2][0] == "error"
        assert len(entries) == (2 if olga_refused else 3)
        # The stored result is exactly the result of the entries kept: none lost, none twice.
        expected = prioritization_result(prioritization=prioritization, entries=entries)
        assert prioritization.result == expected.as_dict()
