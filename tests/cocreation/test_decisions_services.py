"""Decisions (acuerdos): members vote, the facilitator has voice but no vote (requirement 4.b)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cocreation import services
from cocreation.models import Decision, DecisionComment, Vote
from cocreation.services.decisions import decision_outcome
from stl.models import Nucleus
from tests.cocreation.factories_prioritization import make_decision
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

FACILITATOR_MESSAGE = "La persona facilitadora tiene voz, pero no voto (requisito 4.b)."


@pytest.fixture
def carlos(state_a):
    return add_member(
        state_a, kind=Nucleus.Kind.LOCAL_AUTHORITIES, user=UserFactory(full_name="Carlos Pérez")
    ).user


@pytest.fixture
def olga(state_a):
    return add_member(
        state_a, kind=Nucleus.Kind.GUARANTOR, user=UserFactory(full_name="Olga Núñez")
    ).user


def test_member_opens_a_decision(state_a, alicia):
    decision = services.decision_open(
        secretariat=state_a,
        title="Aprobar el calendario de mesas",
        description="Tres mesas en marzo.",
        discussed_on=dt.date(2017, 3, 1),
        user=alicia,
    )
    assert decision.status == Decision.Status.OPEN
    assert decision.created_by == alicia
    assert decision.history.get().history_user == alicia


def test_facilitator_opens_a_decision(state_a, fernanda):
    decision = services.decision_open(
        secretariat=state_a, title="Orden del día", discussed_on=dt.date(2017, 3, 1), user=fernanda
    )
    assert decision.created_by == fernanda


def test_a_decision_dated_in_the_future_is_refused(state_a, alicia):
    with pytest.raises(ValidationError) as error:
        services.decision_open(
            secretariat=state_a,
            title="Mañana",
            discussed_on=timezone.localdate() + dt.timedelta(days=1),
            user=alicia,
        )
    assert "La fecha del acuerdo no puede estar en el futuro." in error.value.messages
    assert not Decision.objects.exists()


def test_a_decision_dated_before_2000_is_refused(state_a, alicia):
    with pytest.raises(ValidationError) as error:
        services.decision_open(
            secretariat=state_a, title="Antiguo", discussed_on=dt.date(1, 1, 1), user=alicia
        )
    assert error.value.message_dict["discussed_on"] == [
        "La fecha no puede ser anterior al 01/01/2000."
    ]
    assert not Decision.objects.exists()


@pytest.mark.parametrize(("field", "limit"), [("title", 300), ("description", 10_000)])
def test_the_texts_of_a_decision_have_a_maximum_length(state_a, alicia, field, limit):
    data = {"title": "Acuerdo", "description": "", field: "x" * (limit + 1)}
    with pytest.raises(ValidationError) as error:
        services.decision_open(
            secretariat=state_a, discussed_on=dt.date(2017, 3, 1), user=alicia, **data
        )
    assert error.value.message_dict[field] == [
        f"Asegúrate de que este valor tenga como máximo {limit} caracteres (tiene {limit + 1})."
    ]
    assert not Decision.objects.exists()


def test_outsiders_do_not_open_decisions(state_a, bruno, rita, adan):
    for user in (bruno, rita, adan):
        with pytest.raises(PermissionDenied):
            services.decision_open(
                secretariat=state_a, title="Ajeno", discussed_on=dt.date(2017, 3, 1), user=user
            )
    assert not Decision.objects.exists()


def test_member_votes_once_and_may_change_the_vote_while_open(state_a, alicia):
    decision = make_decision(state_a)

    first = services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=alicia)
    changed = services.decision_vote(decision=decision, choice=Vote.Choice.AGAINST, user=alicia)

    assert changed.pk == first.pk
    vote = Vote.objects.get()
    assert vote.choice == Vote.Choice.AGAINST
    assert vote.member.user == alicia
    assert [record.history_user for record in vote.history.all()] == [alicia, alicia]


def test_facilitator_cannot_vote(state_a, fernanda):
    decision = make_decision(state_a)

    with pytest.raises(PermissionDenied) as error:
        services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=fernanda)

    assert str(error.value) == FACILITATOR_MESSAGE
    assert not Vote.objects.exists()


def test_facilitator_cannot_vote_even_if_wrongly_also_a_member(state_a, fernanda):
    # The registry forbids it; should the data ever be inconsistent, the vote is still refused.
    from stl.models import Member

    Member.objects.create(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind=Nucleus.Kind.CIVIL_SOCIETY),
        user=fernanda,
        organisation="Colada",
    )
    decision = make_decision(state_a)

    with pytest.raises(PermissionDenied) as error:
        services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=fernanda)

    assert str(error.value) == FACILITATOR_MESSAGE
    assert not Vote.objects.exists()


def test_outsiders_cannot_vote(state_a, bruno, rita, adan):
    decision = make_decision(state_a)
    for user in (bruno, rita, adan):
        with pytest.raises(PermissionDenied):
            services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=user)
    assert not Vote.objects.exists()


def test_an_unknown_choice_is_refused(state_a, alicia):
    decision = make_decision(state_a)
    with pytest.raises(ValidationError) as error:
        services.decision_vote(decision=decision, choice="tal_vez", user=alicia)
    assert "Elige a favor, en contra o abstención." in error.value.messages
    assert not Vote.objects.exists()


def test_facilitator_can_comment(state_a, fernanda, alicia):
    decision = make_decision(state_a)

    comment = services.decision_comment_add(
        decision=decision, body="Propongo votar por separado cada punto.", user=fernanda
    )
    services.decision_comment_add(decision=decision, body="De acuerdo.", user=alicia)

    assert comment.author == fernanda
    assert list(DecisionComment.objects.values_list("author__full_name", flat=True)) == [
        "Fernanda Ríos",
        "Alicia Morales",
    ]
    assert comment.history.get().history_user == fernanda


def test_an_empty_comment_is_refused_and_outsiders_cannot_comment(state_a, alicia, bruno, rita):
    decision = make_decision(state_a)
    with pytest.raises(ValidationError) as error:
        services.decision_comment_add(decision=decision, body="   ", user=alicia)
    assert "Escribe tu comentario." in error.value.messages
    for user in (bruno, rita):
        with pytest.raises(PermissionDenied):
            services.decision_comment_add(decision=decision, body="Hola", user=user)
    assert not DecisionComment.objects.exists()


def test_a_comment_of_a_hundred_thousand_characters_is_refused(state_a, alicia):
    decision = make_decision(state_a)
    with pytest.raises(ValidationError) as error:
        services.decision_comment_add(decision=decision, body="x" * 100_000, user=alicia)
    assert error.value.message_dict["body"] == [
        "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 100000)."
    ]
    assert not DecisionComment.objects.exists()


@pytest.mark.parametrize(
    ("choices", "outcome"),
    [
        (["a_favor", "a_favor", "en_contra"], Decision.Outcome.APPROVED),
        (["a_favor", "en_contra", "en_contra"], Decision.Outcome.REJECTED),
        (["a_favor", "en_contra", "abstencion"], Decision.Outcome.TIED),
        (["abstencion", "abstencion", "a_favor"], Decision.Outcome.APPROVED),
        (["abstencion", "abstencion", "abstencion"], Decision.Outcome.TIED),
    ],
)
def test_closing_computes_the_majority_of_votes_cast(
    state_a, alicia, carlos, olga, fernanda, choices, outcome
):
    decision = make_decision(state_a)
    for user, choice in zip((alicia, carlos, olga), choices, strict=False):
        services.decision_vote(decision=decision, choice=choice, user=user)

    closed = services.decision_close(decision=decision, user=fernanda)

    closed.refresh_from_db()
    assert closed.status == Decision.Status.CLOSED
    assert closed.outcome == outcome
    assert closed.closed_at is not None
    assert closed.history.latest().history_user == fernanda


def test_outcome_rule():
    assert decision_outcome(in_favour=2, against=1, quorum_met=True) == Decision.Outcome.APPROVED
    assert decision_outcome(in_favour=1, against=2, quorum_met=True) == Decision.Outcome.REJECTED
    assert decision_outcome(in_favour=0, against=0, quorum_met=True) == Decision.Outcome.TIED
    assert decision_outcome(in_favour=1, against=2, quorum_met=False) == (
        Decision.Outcome.NO_QUORUM
    )


def test_a_decision_without_votes_cannot_be_closed(state_a, alicia):
    decision = make_decision(state_a)
    with pytest.raises(ValidationError) as error:
        services.decision_close(decision=decision, user=alicia)
    assert "no se puede cerrar sin votos" in error.value.messages[0]
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OPEN


def test_a_closed_decision_refuses_votes_and_comments(state_a, alicia, carlos):
    decision = make_decision(state_a)
    services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=alicia)
    services.decision_close(decision=decision, user=alicia)

    with pytest.raises(ValidationError) as error:
        services.decision_vote(decision=decision, choice=Vote.Choice.AGAINST, user=carlos)
    assert "Este acuerdo ya está cerrado" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.decision_vote(decision=decision, choice=Vote.Choice.AGAINST, user=alicia)
    with pytest.raises(ValidationError):
        services.decision_comment_add(decision=decision, body="Tarde", user=carlos)
    with pytest.raises(ValidationError):
        services.decision_close(decision=decision, user=alicia)
    assert list(Vote.objects.values_list("choice", flat=True)) == [Vote.Choice.FOR]


def test_reviewers_and_administrators_do_not_close(state_a, alicia, rita, adan):
    decision = make_decision(state_a)
    services.decision_vote(decision=decision, choice=Vote.Choice.FOR, user=alicia)
    for user in (rita, adan):
        with pytest.raises(PermissionDenied):
            services.decision_close(decision=decision, user=user)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OPEN
