"""Decision pages: members vote by nucleus, the facilitator speaks but never votes (4.b)."""

import datetime as dt

import pytest
from django.urls import reverse

from cocreation.models import Decision, DecisionComment, Vote
from stl.models import Nucleus
from tests.cocreation.factories_prioritization import make_decision, make_vote
from tests.conftest import client_for
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

FACILITATOR_MESSAGE = "La persona facilitadora tiene voz, pero no voto (requisito 4.b)."


def url(name, decision):
    return reverse(
        f"cocreation:{name}", kwargs={"pk": decision.secretariat_id, "decision_pk": decision.pk}
    )


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def carlos(state_a):
    return add_member(
        state_a, kind=Nucleus.Kind.LOCAL_AUTHORITIES, user=UserFactory(full_name="Carlos Pérez")
    ).user


def test_member_opens_a_decision_through_the_form(state_a, alicia):
    response = client_for(alicia).post(
        reverse("cocreation:decision_create", kwargs={"pk": state_a.pk}),
        {"title": "Aprobar el calendario", "description": "", "discussed_on": "2017-03-01"},
    )

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response.url == url("decision_detail", decision)
    assert decision.discussed_on == dt.date(2017, 3, 1)


def test_a_future_date_shows_the_message_and_saves_nothing(state_a, alicia):
    response = client_for(alicia).post(
        reverse("cocreation:decision_create", kwargs={"pk": state_a.pk}),
        {"title": "Mañana", "discussed_on": "2999-01-01"},
    )
    assert response.status_code == 200
    assert "La fecha del acuerdo no puede estar en el futuro." in text(response)
    assert not Decision.objects.exists()


def test_member_votes_and_changes_the_vote_through_the_page(state_a, alicia):
    decision = make_decision(state_a)
    client = client_for(alicia)

    page = text(client.get(url("decision_detail", decision)))
    assert 'name="choice"' in page

    client.post(url("decision_vote", decision), {"choice": "a_favor"})
    response = client.post(url("decision_vote", decision), {"choice": "abstencion"})

    assert response.status_code == 302
    assert list(Vote.objects.values_list("choice", flat=True)) == ["abstencion"]
    assert "Cambiar mi voto" in text(client.get(url("decision_detail", decision)))


def test_facilitator_cannot_vote(state_a, fernanda):
    decision = make_decision(state_a)
    client = client_for(fernanda)

    page = text(client.get(url("decision_detail", decision)))
    assert 'name="choice"' not in page
    assert url("decision_vote", decision) not in page
    assert FACILITATOR_MESSAGE in page

    response = client.post(url("decision_vote", decision), {"choice": "a_favor"})

    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_facilitator_can_comment(state_a, fernanda, alicia):
    decision = make_decision(state_a)
    client = client_for(fernanda)

    response = client.post(
        url("decision_comment", decision), {"body": "Sugiero votar cada punto por separado."}
    )

    assert response.status_code == 302
    comment = DecisionComment.objects.get()
    assert comment.author == fernanda
    page = text(client_for(alicia).get(url("decision_detail", decision)))
    assert "Fernanda Ríos" in page
    assert "Sugiero votar cada punto por separado." in page
    assert "Persona facilitadora · voz sin voto" in page


def test_a_comment_keeps_no_direction_controls(state_a, alicia):
    decision = make_decision(state_a)
    client_for(alicia).post(url("decision_comment", decision), {"body": "\u202eDe acuerdo."})
    assert DecisionComment.objects.get().body == "De acuerdo."


def test_an_empty_comment_shows_a_message(state_a, alicia):
    decision = make_decision(state_a)
    response = client_for(alicia).post(
        url("decision_comment", decision), {"body": " "}, follow=True
    )
    assert "Escribe tu comentario." in text(response)
    assert not DecisionComment.objects.exists()


def test_a_comment_too_long_shows_a_message(state_a, alicia):
    decision = make_decision(state_a)
    response = client_for(alicia).post(
        url("decision_comment", decision), {"body": "x" * 2_001}, follow=True
    )
    assert "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 2001)." in text(
        response
    )
    assert not DecisionComment.objects.exists()


def test_a_decision_dated_before_2000_shows_the_message(state_a, alicia):
    response = client_for(alicia).post(
        reverse("cocreation:decision_create", kwargs={"pk": state_a.pk}),
        {"title": "Antiguo", "discussed_on": "0001-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["discussed_on"] == [
        "La fecha no puede ser anterior al 01/01/2000."
    ]
    assert not Decision.objects.exists()


def test_closing_shows_the_outcome_and_the_votes_by_nucleus(state_a, alicia, carlos, fernanda):
    olga = add_member(
        state_a, kind=Nucleus.Kind.GUARANTOR, user=UserFactory(full_name="Olga Núñez")
    ).user
    decision = make_decision(state_a)
    client_for(alicia).post(url("decision_vote", decision), {"choice": "a_favor"})
    client_for(carlos).post(url("decision_vote", decision), {"choice": "en_contra"})
    client_for(olga).post(url("decision_vote", decision), {"choice": "abstencion"})

    response = client_for(fernanda).post(url("decision_close", decision), follow=True)

    page = text(response)
    decision.refresh_from_db()
    assert decision.outcome == Decision.Outcome.TIED
    assert "Se cerró la votación. Resultado: Empate." in page
    civil = page.index("<h3>Sociedad civil</h3>")
    authorities = page.index("<h3>Autoridades locales</h3>")
    # Nuclei in their order, each with its members' names and votes.
    assert authorities < page.index("Carlos Pérez") < civil < page.index("Alicia Morales")
    assert 'name="choice"' not in page
    assert url("decision_close", decision) not in page


def test_a_closed_decision_refuses_votes(state_a, alicia, carlos):
    decision = make_decision(state_a)
    make_vote(decision, alicia.memberships.get(), Vote.Choice.FOR)
    client_for(alicia).post(url("decision_close", decision))

    response = client_for(carlos).post(
        url("decision_vote", decision), {"choice": "en_contra"}, follow=True
    )

    assert "Este acuerdo ya está cerrado" in text(response)
    assert list(Vote.objects.values_list("choice", flat=True)) == ["a_favor"]


def test_closing_without_votes_is_refused_with_a_message(state_a, alicia):
    decision = make_decision(state_a)
    response = client_for(alicia).post(url("decision_close", decision), follow=True)
    assert "no se puede cerrar sin votos" in text(response)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OPEN


def test_another_states_member_gets_404_on_each_object(state_a, state_b, bruno):
    decision = make_decision(state_a)
    client = client_for(bruno)

    assert client.get(url("decision_detail", decision)).status_code == 404
    wrong_stl = reverse(
        "cocreation:decision_detail", kwargs={"pk": state_b.pk, "decision_pk": decision.pk}
    )
    assert client.get(wrong_stl).status_code == 404
    for name, data in (
        ("decision_vote", {"choice": "a_favor"}),
        ("decision_comment", {"body": "Hola"}),
        ("decision_close", {}),
    ):
        assert client.post(url(name, decision), data).status_code == 404
    assert not Vote.objects.exists()
    assert not DecisionComment.objects.exists()


@pytest.mark.parametrize("voters", [2, 40])
def test_detail_query_count_does_not_grow_with_votes(
    state_a, alicia, fernanda, voters, django_assert_num_queries
):
    decision = make_decision(state_a)
    kinds = [kind for kind, _label in Nucleus.Kind.choices][:3]
    for n in range(voters):
        member = add_member(state_a, kind=kinds[n % 3], user=UserFactory(full_name=f"V {n}"))
        make_vote(decision, member, Vote.Choice.values[n % 3])
        DecisionComment.objects.create(decision=decision, author=member.user, body=f"C {n}")
    DecisionComment.objects.create(decision=decision, author=fernanda, body="Moderación")
    client = client_for(alicia)
    detail = url("decision_detail", decision)
    client.get(detail)

    # Session, user, secretariat, object permissions (user, groups), global permissions (user,
    # groups), decision, votes, nuclei, members, facilitators, comments, the person's own
    # membership (may they vote?), the evidence list. The evidence panel reuses the page's
    # access: it asks for no permission again.
    with django_assert_num_queries(QUERIES_ON_DETAIL):
        response = client.get(detail)
    assert response.status_code == 200
    assert text(response).count("<tr>") >= voters


QUERIES_ON_DETAIL = 13


def test_dashboard_links_to_prioritizations_decisions_and_neutrality(state_a, alicia, fernanda):
    page = text(client_for(alicia).get(reverse("stl:dashboard", kwargs={"pk": state_a.pk})))

    for name in (
        "cocreation:prioritization_list",
        "cocreation:decision_list",
        "cocreation:neutrality",
    ):
        assert reverse(name, kwargs={"pk": state_a.pk}) in page
    assert "Declaración de neutralidad (pendiente de firma)" in page


def test_a_member_attaches_the_minutes_of_a_decision_through_the_vault(state_a, alicia):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cocreation.selectors import secretariat_timeline
    from tests.factories import MINIMAL_PDF

    decision = make_decision(state_a)
    detail = url("decision_detail", decision)
    upload = reverse(
        "evidence:subject",
        kwargs={"pk": state_a.pk, "subject_type": "cocreation.decision", "subject_id": decision.pk},
    )
    client = client_for(alicia)
    page = text(client.get(detail))
    assert f'action="{upload}" enctype="multipart/form-data"' in page
    assert secretariat_timeline(secretariat=state_a)["items"][0].missing == (
        "Votación sin cerrar.",
        "Sin el acta de la sesión del acuerdo como evidencia.",
    )

    response = client.post(
        upload,
        {
            "files": SimpleUploadedFile("acta-acuerdo.pdf", MINIMAL_PDF, "application/pdf"),
            "kind": "acta",
            "description": "Acta de la sesión",
            "next": detail,
        },
    )

    assert response.status_code == 302
    assert response.url == detail
    assert "acta-acuerdo.pdf" in text(client.get(detail))
    item = secretariat_timeline(secretariat=state_a)["items"][0]
    assert item.missing == ("Votación sin cerrar.",)
    assert item.evidence == (("Acta", 1),)


def test_reviewer_reads_a_decisions_evidence_but_cannot_attach(state_a, rita, alicia):
    from tests.cocreation.factories_dialogue import evidence_of

    decision = make_decision(state_a)
    evidence_of(decision, "acta", user=alicia)
    page = text(client_for(rita).get(url("decision_detail", decision)))
    assert "acta.pdf" in page
    assert "Adjuntar evidencia" not in page


def test_closing_asks_for_confirmation_first(state_a, alicia):
    decision = make_decision(state_a)
    page = text(client_for(alicia).get(url("decision_detail", decision)))

    action = url("decision_close", decision)
    at = page.index(f'action="{action}"')
    tag = page[page.rindex("<form", 0, at) : page.index(">", at) + 1]
    assert 'data-confirm="Al cerrar la votación se calcula el resultado' in tag


def test_cancel_goes_back_to_the_decision_list(state_a, alicia):
    page = text(
        client_for(alicia).get(reverse("cocreation:decision_create", kwargs={"pk": state_a.pk}))
    )
    decisions = reverse("cocreation:decision_list", kwargs={"pk": state_a.pk})
    assert f'<a href="{decisions}">Cancelar</a>' in page
