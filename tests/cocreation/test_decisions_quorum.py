"""The quorum of a decision: by default more than half of the active members vote, with a vote
from each nucleus of requirement 1.a; an STL's rules of operation may set another rule."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cocreation import services
from cocreation.models import Decision, Vote
from stl import quorum
from stl import services as stl_services
from stl.models import Nucleus, Secretariat
from tests.cocreation.factories_prioritization import make_decision
from tests.conftest import client_for
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

DEFAULT_RULE_TEXT = (
    "Hay quórum cuando vota más de la mitad de las personas integrantes activas del STL (las "
    "abstenciones cuentan como voto emitido), con al menos un voto de cada uno de los núcleos "
    "sociedad civil, autoridades locales y órgano garante. Es la regla predeterminada del portal."
)
OUTCOME_RULE_TEXT = (
    "Con quórum, el acuerdo se aprueba si hay más votos a favor que en contra, no se aprueba si "
    "hay más en contra, y si son iguales hay empate. Sin quórum, la votación se cierra con el "
    "resultado «Sin quórum»."
)


def member(secretariat, kind, name):
    return add_member(secretariat, kind=kind, user=UserFactory(full_name=name)).user


@pytest.fixture
def carlos(state_a):
    return member(state_a, Nucleus.Kind.LOCAL_AUTHORITIES, "Carlos Pérez")


@pytest.fixture
def olga(state_a):
    return member(state_a, Nucleus.Kind.GUARANTOR, "Olga Núñez")


def vote_and_close(decision, votes, *, closer):
    for user, choice in votes:
        services.decision_vote(decision=decision, choice=choice, user=user)
    closed = services.decision_close(decision=decision, user=closer)
    closed.refresh_from_db()
    return closed


def detail(decision, user) -> str:
    return (
        client_for(user)
        .get(
            reverse(
                "cocreation:decision_detail",
                kwargs={"pk": decision.secretariat_id, "decision_pk": decision.pk},
            )
        )
        .content.decode()
    )


# --- the rule as shipped ------------------------------------------------------------------------


def test_a_registered_stl_applies_the_default_rule_and_the_page_states_it(adan, alicia):
    secretariat = stl_services.secretariat_register(
        state="YUC", exercise="2016–2018", installation_date=dt.date(2016, 10, 1), user=adan
    )
    add_member(secretariat, user=alicia)

    assert secretariat.quorum_rule == "mayoria_y_nucleos"
    assert quorum.rule_of(secretariat) == quorum.MAJORITY_EACH_NUCLEUS
    page = detail(make_decision(secretariat), alicia)
    assert DEFAULT_RULE_TEXT in page
    assert OUTCOME_RULE_TEXT in page
    assert "por núcleo" not in page


def test_every_rule_an_stl_may_record_is_defined():
    assert set(quorum.RULES) == set(Secretariat.QuorumRule.values)


@pytest.mark.parametrize(
    ("rule", "electorate", "needed"),
    [
        (quorum.MAJORITY, 1, 1),
        (quorum.MAJORITY, 4, 3),
        (quorum.MAJORITY, 5, 3),
        (quorum.TWO_THIRDS, 3, 2),
        (quorum.TWO_THIRDS, 4, 3),
        (quorum.TWO_THIRDS, 6, 4),
        (quorum.TWO_THIRDS, 0, 1),
    ],
)
def test_votes_needed(rule, electorate, needed):
    assert rule.votes_needed(electorate) == needed


# --- closing ------------------------------------------------------------------------------------


def test_a_vote_of_each_nucleus_and_a_majority_decide(state_a, alicia, carlos, olga):
    decision = make_decision(state_a)

    closed = vote_and_close(
        decision,
        [(alicia, Vote.Choice.FOR), (carlos, Vote.Choice.AGAINST), (olga, Vote.Choice.FOR)],
        closer=alicia,
    )

    assert closed.outcome == Decision.Outcome.APPROVED
    assert (closed.quorum_rule, closed.electorate) == ("mayoria_y_nucleos", 3)


def test_a_majority_without_the_guarantor_closes_without_quorum(state_a, alicia, carlos, olga):
    beto = member(state_a, Nucleus.Kind.CIVIL_SOCIETY, "Beto Cruz")
    decision = make_decision(state_a)

    # Three of four members vote against, but the órgano garante did not vote.
    closed = vote_and_close(
        decision,
        [(alicia, Vote.Choice.AGAINST), (beto, Vote.Choice.AGAINST), (carlos, "en_contra")],
        closer=carlos,
    )

    assert closed.outcome == Decision.Outcome.NO_QUORUM  # not "no aprobado"
    page = detail(closed, olga)
    assert "Sin quórum" in page
    assert (
        "Votaron 3 de 4 personas integrantes; se necesitan 3. Falta al menos un voto de: órgano "
        "garante." in page
    )


def test_too_few_votes_close_without_quorum_even_from_every_nucleus(state_a, alicia, carlos, olga):
    for n in range(4):
        member(state_a, Nucleus.Kind.CIVIL_SOCIETY, f"Integrante {n}")
    decision = make_decision(state_a)

    closed = vote_and_close(
        decision,
        [(alicia, Vote.Choice.FOR), (carlos, Vote.Choice.FOR), (olga, Vote.Choice.FOR)],
        closer=alicia,
    )

    assert closed.outcome == Decision.Outcome.NO_QUORUM
    assert "Votaron 3 de 7 personas integrantes; se necesitan 4." in detail(closed, alicia)


def test_the_vote_of_a_member_who_left_still_counts(state_a, adan, alicia, carlos, olga):
    member(state_a, Nucleus.Kind.CIVIL_SOCIETY, "Beto Cruz")
    decision = make_decision(state_a)
    services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=olga)
    stl_services.member_deactivate(member=olga.memberships.get(), user=adan)

    closed = vote_and_close(
        decision, [(alicia, Vote.Choice.FOR), (carlos, Vote.Choice.FOR)], closer=alicia
    )

    # Three active members and Olga, who voted for the órgano garante before leaving.
    assert closed.electorate == 4
    assert closed.outcome == Decision.Outcome.APPROVED


def test_the_open_decision_page_tells_how_the_vote_stands(state_a, alicia, carlos, olga):
    decision = make_decision(state_a)
    services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=alicia)

    page = detail(decision, carlos)

    assert (
        "Votó 1 de 3 personas integrantes; se necesitan 2. Falta al menos un voto de: "
        "autoridades locales y órgano garante." in page
    )


# --- an STL's own rule --------------------------------------------------------------------------


def test_inai_sets_the_rule_of_the_stls_rules_of_operation_with_history(
    state_a, adan, alicia, carlos
):
    stl_services.secretariat_quorum_rule_set(
        secretariat=state_a,
        quorum_rule="dos_tercios",
        quorum_reference="Reglas de operación, artículo 12",
        user=adan,
    )
    state_a.refresh_from_db()
    assert state_a.history.latest().history_user == adan
    assert state_a.history.latest().quorum_rule == "dos_tercios"

    decision = make_decision(state_a)
    page = detail(decision, alicia)
    assert (
        "Hay quórum cuando vota al menos 2 de cada 3 personas integrantes activas del STL (las "
        "abstenciones cuentan como voto emitido). Regla de las reglas de operación del STL: "
        "Reglas de operación, artículo 12." in page
    )
    # Two of two members, both of civil society and authorities: enough under this rule.
    closed = vote_and_close(
        decision, [(alicia, Vote.Choice.FOR), (carlos, Vote.Choice.FOR)], closer=alicia
    )
    assert closed.outcome == Decision.Outcome.APPROVED


def test_a_closed_decision_keeps_the_rule_it_was_decided_by(state_a, adan, alicia, carlos, olga):
    decision = make_decision(state_a)
    closed = vote_and_close(decision, [(alicia, Vote.Choice.FOR)], closer=alicia)
    assert closed.outcome == Decision.Outcome.NO_QUORUM

    stl_services.secretariat_quorum_rule_set(
        secretariat=state_a, quorum_rule="mayoria", quorum_reference="Artículo 3", user=adan
    )

    page = detail(closed, alicia)
    assert DEFAULT_RULE_TEXT in page
    assert "Artículo 3" not in page


def test_only_inai_administrators_set_the_rule(state_a, alicia, fernanda):
    for user in (alicia, fernanda):
        with pytest.raises(PermissionDenied):
            stl_services.secretariat_quorum_rule_set(
                secretariat=state_a, quorum_rule="mayoria", user=user
            )
    assert Secretariat.objects.get(pk=state_a.pk).quorum_rule == "mayoria_y_nucleos"


def test_inai_sets_the_rule_through_the_form(state_a, adan):
    url = reverse("stl:quorum_rule", kwargs={"pk": state_a.pk})
    page = client_for(adan).get(url).content.decode()
    assert "regla predeterminada" in page
    assert url in client_for(adan).get(state_a.get_absolute_url()).content.decode()

    response = client_for(adan).post(
        url, {"quorum_rule": "dos_tercios_y_nucleos", "quorum_reference": "Artículo 7"}
    )

    assert response.status_code == 302
    state_a.refresh_from_db()
    assert (state_a.quorum_rule, state_a.quorum_reference) == (
        "dos_tercios_y_nucleos",
        "Artículo 7",
    )
