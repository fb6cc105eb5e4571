"""The STL's timeline: every table, consultation, prioritisation and decision, with its evidence
and what is still missing; a fixed number of queries whatever the number of items."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cocreation.models import Decision, Prioritization
from cocreation.selectors import secretariat_timeline
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import (
    DialogueTableFactory,
    PublicConsultationFactory,
    evidence_of,
    nucleus_of,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def item_titled(timeline, title):
    return next(item for item in timeline["items"] if item.title == title)


def test_items_come_in_date_order_with_their_kind(state_a):
    DialogueTableFactory(nucleus=nucleus_of(state_a), held_on=dt.date(2017, 2, 1))
    PublicConsultationFactory(secretariat=state_a, title="Foro", opens_on=dt.date(2017, 1, 10))
    Decision.objects.create(
        secretariat=state_a, title="Acuerdo 1", discussed_on=dt.date(2017, 3, 1)
    )
    prioritization = Prioritization.objects.create(
        secretariat=state_a, title="Priorización", method=Prioritization.Method.BORDA
    )

    items = secretariat_timeline(secretariat=state_a)["items"]

    assert [(item.kind, item.title) for item in items] == [
        ("consulta", "Foro"),
        ("mesa", "Sociedad civil"),
        ("acuerdo", "Acuerdo 1"),
        ("priorizacion", "Priorización"),
    ]
    assert items[-1].date == timezone.localdate(prioritization.created_at)


def test_every_item_links_to_its_page(state_a):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    consultation = PublicConsultationFactory(secretariat=state_a)
    decision = Decision.objects.create(
        secretariat=state_a, title="Acuerdo", discussed_on=dt.date(2017, 3, 1)
    )
    prioritization = Prioritization.objects.create(
        secretariat=state_a, title="P", method=Prioritization.Method.BORDA
    )
    urls = {item.kind: item.url for item in secretariat_timeline(secretariat=state_a)["items"]}
    pk = state_a.pk
    assert urls == {
        "mesa": reverse("cocreation:table_detail", kwargs={"pk": pk, "table_pk": table.pk}),
        "consulta": reverse(
            "cocreation:consultation_detail", kwargs={"pk": pk, "consultation_pk": consultation.pk}
        ),
        "acuerdo": reverse(
            "cocreation:decision_detail", kwargs={"pk": pk, "decision_pk": decision.pk}
        ),
        "priorizacion": reverse(
            "cocreation:prioritization_detail",
            kwargs={"pk": pk, "prioritization_pk": prioritization.pk},
        ),
    }


def test_a_nucleus_without_any_table_is_missing_at_the_top(state_a):
    DialogueTableFactory(nucleus=nucleus_of(state_a))
    gaps = secretariat_timeline(secretariat=state_a)["gaps"]
    assert gaps[:2] == [
        "El núcleo Autoridades locales no ha celebrado ninguna mesa de diálogo (requisito 1.a).",
        "El núcleo Órgano garante no ha celebrado ninguna mesa de diálogo (requisito 1.a).",
    ]
    assert "Sociedad civil" not in " ".join(gaps)


def test_a_stl_without_an_open_consultation_is_missing_it(state_a):
    gaps = secretariat_timeline(secretariat=state_a)["gaps"]
    assert any("No hay ninguna consulta pública" in gap for gap in gaps)
    PublicConsultationFactory(secretariat=state_a, open_to_anyone=False, restrictions="Solo OSC")
    gaps = secretariat_timeline(secretariat=state_a)["gaps"]
    assert "Ninguna consulta pública estuvo abierta a cualquier persona (requisito 1.c)." in gaps


def test_a_table_lists_its_evidence_by_kind_and_what_it_lacks(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    evidence_of(table, "fotografia", user=alicia)
    evidence_of(table, "fotografia", user=alicia)

    item = secretariat_timeline(secretariat=state_a)["items"][0]

    assert item.evidence == (("Fotografía", 2),)
    assert item.missing == (
        "Minuta sin aprobar por la mayoría del núcleo.",
        "Sin acta o minuta firmada como evidencia.",
        "Sin lista de asistencia como evidencia.",
    )


def test_a_complete_table_lacks_nothing(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a), minutes_approved_at=timezone.now())
    evidence_of(table, "acta", user=alicia)
    evidence_of(table, "lista_asistencia", user=alicia)
    item = secretariat_timeline(secretariat=state_a)["items"][0]
    assert item.missing == ()
    assert item.status_ok
    assert dict(item.evidence) == {"Acta": 1, "Lista de asistencia": 1}


def test_withdrawn_evidence_does_not_count(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    minutes = evidence_of(table, "acta", user=alicia)
    minutes.withdrawn_at, minutes.withdrawn_by = timezone.now(), alicia
    minutes.withdrawal_reason = "Archivo equivocado"
    minutes.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    item = secretariat_timeline(secretariat=state_a)["items"][0]
    assert item.evidence == ()
    assert "Sin acta o minuta firmada como evidencia." in item.missing


def test_a_consultation_without_its_call_lacks_it(state_a, alicia):
    consultation = PublicConsultationFactory(secretariat=state_a, title="Foro")
    assert item_titled(secretariat_timeline(secretariat=state_a), "Foro").missing == (
        "Sin la convocatoria como evidencia.",
    )
    evidence_of(consultation, "convocatoria", user=alicia)
    assert item_titled(secretariat_timeline(secretariat=state_a), "Foro").missing == ()


def test_a_table_without_minutes_lacks_them(state_a):
    DialogueTableFactory(nucleus=nucleus_of(state_a), minutes="")
    assert secretariat_timeline(secretariat=state_a)["items"][0].missing[0] == "Sin minuta."


def test_an_open_prioritization_lacks_its_result(state_a):
    Prioritization.objects.create(secretariat=state_a, title="P", method="borda")
    item = secretariat_timeline(secretariat=state_a)["items"][0]
    assert item.missing == ("Resultado sin calcular.",)


def test_items_held_before_installation_are_flagged(state_a):
    DialogueTableFactory(nucleus=nucleus_of(state_a), held_on=dt.date(2016, 9, 1))
    DialogueTableFactory(
        nucleus=nucleus_of(state_a, Nucleus.Kind.GUARANTOR), held_on=dt.date(2016, 11, 1)
    )
    items = secretariat_timeline(secretariat=state_a)["items"]
    assert [item.before_installation for item in items] == [True, False]


def test_the_timeline_shows_only_this_stls_items(state_a, state_b):
    DialogueTableFactory(nucleus=nucleus_of(state_b))
    PublicConsultationFactory(secretariat=state_b)
    assert secretariat_timeline(secretariat=state_a)["items"] == []


def populate(secretariat, n, *, user):
    """Create ``n`` items of every kind in turn, each with some evidence."""
    nuclei = list(secretariat.nuclei.all())
    for i in range(n):
        day = dt.date(2017, 1, 1) + dt.timedelta(days=i)
        match i % 4:
            case 0:
                table = DialogueTableFactory(nucleus=nuclei[i % len(nuclei)], held_on=day)
                evidence_of(table, "acta", user=user)
            case 1:
                consultation = PublicConsultationFactory(secretariat=secretariat, opens_on=day)
                evidence_of(consultation, "convocatoria", user=user)
            case 2:
                Prioritization.objects.create(
                    secretariat=secretariat, title=f"P{i}", method="borda"
                )
            case 3:
                Decision.objects.create(secretariat=secretariat, title=f"A{i}", discussed_on=day)


TIMELINE_QUERIES = 6  # tables, consultations, prioritisations, decisions, nuclei, evidence


@pytest.mark.parametrize("n", [3, 60])
def test_the_timeline_takes_a_fixed_number_of_queries(
    state_a, alicia, n, django_assert_num_queries
):
    populate(state_a, n, user=alicia)
    secretariat_timeline(secretariat=state_a)  # warm Django's content-type cache
    with django_assert_num_queries(TIMELINE_QUERIES):
        timeline = secretariat_timeline(secretariat=state_a)
    assert len(timeline["items"]) == n


def page_queries(client, url) -> int:
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_timeline_page_takes_as_many_queries_for_3_as_for_60_items(state_a, state_b, alicia):
    client = client_for(alicia)
    populate(state_a, 3, user=alicia)
    populate(state_b, 60, user=alicia)
    few = page_queries(client, reverse("cocreation:timeline", kwargs={"pk": state_a.pk}))
    # Alicia sees only A: compare with A grown to 60 items.
    populate(state_a, 57, user=alicia)
    many = page_queries(client, reverse("cocreation:timeline", kwargs={"pk": state_a.pk}))
    assert few == many


def test_a_decision_lacks_its_closing_and_its_minutes(state_a, alicia):
    decision = Decision.objects.create(
        secretariat=state_a, title="Acuerdo", discussed_on=dt.date(2017, 3, 1)
    )
    item = item_titled(secretariat_timeline(secretariat=state_a), "Acuerdo")
    assert item.evidence == ()
    assert item.missing == (
        "Votación sin cerrar.",
        "Sin el acta de la sesión del acuerdo como evidencia.",
    )

    decision.status, decision.outcome = Decision.Status.CLOSED, Decision.Outcome.APPROVED
    decision.save(update_fields=["status", "outcome"])
    evidence_of(decision, "acta", user=alicia)
    item = item_titled(secretariat_timeline(secretariat=state_a), "Acuerdo")
    assert item.missing == ()
    assert item.evidence == (("Acta", 1),)


def test_the_timeline_page_tags_what_happened_before_installation(state_a, alicia):
    DialogueTableFactory(nucleus=nucleus_of(state_a), held_on=dt.date(2016, 9, 1))
    PublicConsultationFactory(
        secretariat=state_a,
        title="Foro posterior",
        call_published_on=dt.date(2017, 3, 1),
        opens_on=dt.date(2017, 3, 10),
    )
    page = client_for(alicia).get(reverse("cocreation:timeline", kwargs={"pk": state_a.pk}))
    html = page.content.decode()

    tag = "Realizada antes de la instalación del STL"
    assert html.count(tag) == 1
    # The tag sits in the row of the early table, not in the later consultation's.
    rows = html.split("<tr>")
    early = next(row for row in rows if "Sociedad civil</a>" in row)
    later = next(row for row in rows if "Foro posterior</a>" in row)
    assert tag in early
    assert tag not in later
