"""The co-creation record's lists: one page at a time, with the filters a person looks for, in a
fixed number of queries and a bounded weight whatever the number of rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocreation.models import Decision, DialogueTable, Prioritization, Vote
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import (
    DialogueTableFactory,
    PublicConsultationFactory,
    nucleus_of,
    problem_from,
)
from tests.cocreation.factories_prioritization import (
    make_decision,
    make_prioritization,
    make_problems,
    make_vote,
)
from tests.conftest import client_for
from tests.factories import add_member

pytestmark = pytest.mark.django_db

PAGE_SIZE = 25  # PAL_PAGE_SIZE as shipped


def list_url(name, secretariat):
    return reverse(f"cocreation:{name}", kwargs={"pk": secretariat.pk})


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- filling each list ---------------------------------------------------------------------------


def fill_tables(secretariat, count):
    nuclei = list(secretariat.nuclei.all())
    for n in range(count):
        DialogueTableFactory(
            nucleus=nuclei[n % len(nuclei)],
            held_on=dt.date(2017, 1, 1) + dt.timedelta(days=n),
            minutes="" if n % 3 == 0 else "Minuta",
        )


def fill_consultations(secretariat, count):
    for n in range(count):
        PublicConsultationFactory(
            secretariat=secretariat, opens_on=dt.date(2017, 3, 10) + dt.timedelta(days=n)
        )


def fill_problems(secretariat, count):
    table = DialogueTableFactory(nucleus=nucleus_of(secretariat))
    consultation = PublicConsultationFactory(secretariat=secretariat)
    for n in range(count):
        problem = problem_from(consultation if n % 2 else table, f"Problemática {n}")
        if n % 3 == 0:
            problem_from(table, f"Duplicado {n}", merged_into=problem)


def fill_prioritizations(secretariat, count):
    problems = make_problems(secretariat, 3)
    for n in range(count):
        make_prioritization(
            secretariat,
            problems=problems,
            title=f"Ronda {n}",
            method=list(Prioritization.Method)[n % 3],
            max_choices=2,
        )


def fill_decisions(secretariat, count):
    voter = add_member(secretariat, kind=Nucleus.Kind.GUARANTOR)
    for n in range(count):
        make_vote(make_decision(secretariat, title=f"Acuerdo {n}"), voter, Vote.Choice.FOR)


# name: (fill, marker of one row, queries). Every page costs five queries before its list:
# session, user, secretariat, object permissions (own and through groups), global roles;
# then the list's count and its page, plus what each list says below.
LISTS = {
    # + the nuclei (for the filter and the warning of nuclei without tables)
    "table_list": (fill_tables, '<th scope="row">', 5 + 1 + 2),
    "consultation_list": (fill_consultations, '<th scope="row">', 5 + 2),
    # + each problem's origins and the duplicates merged into it
    "problem_list": (fill_problems, '<li id="problematica-', 5 + 2 + 2),
    "prioritization_list": (fill_prioritizations, '<th scope="row">', 5 + 2),
    "decision_list": (fill_decisions, '<th scope="row">', 5 + 2),
}


@pytest.mark.parametrize("rows", [2, 60])
@pytest.mark.parametrize("name", LISTS)
def test_each_list_takes_a_fixed_number_of_queries_and_shows_one_page(
    state_a, alicia, name, rows, django_assert_num_queries
):
    fill, marker, queries = LISTS[name]
    fill(state_a, rows)
    client = client_for(alicia)
    client.get(list_url(name, state_a))  # warms Django's content-type cache, as a server has it

    with django_assert_num_queries(queries):
        page = text(client.get(list_url(name, state_a)))

    assert page.count(marker) == min(rows, PAGE_SIZE)
    assert f"{rows} registros en total." in page


@pytest.mark.parametrize("name", LISTS)
def test_each_list_weighs_no_more_with_60_rows_than_with_26(state_a, alicia, name):
    fill, _marker, _queries = LISTS[name]
    client = client_for(alicia)
    fill(state_a, PAGE_SIZE + 1)
    full_page = len(client.get(list_url(name, state_a)).content)
    fill(state_a, 60 - PAGE_SIZE - 1)
    assert len(client.get(list_url(name, state_a)).content) < full_page * 1.15


@pytest.mark.parametrize("name", LISTS)
def test_each_list_has_labelled_filters_and_accessible_page_links(state_a, alicia, name):
    fill, _marker, _queries = LISTS[name]
    fill(state_a, 60)

    page = text(client_for(alicia).get(list_url(name, state_a), {"page": "2"}))

    assert '<form method="get" class="filters" role="search" aria-label="Filtrar' in page
    assert '<nav class="pagination" aria-label="Páginas de' in page
    assert "Página 2 de 3" in page
    assert 'aria-current="page"><span class="visually-hidden">Página </span>2</a>' in page
    assert 'rel="prev"' in page and 'rel="next"' in page


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page", ["0", "-2", "dos", "999999999999999999999999", "1.5"])
def test_no_page_number_breaks_a_list(state_a, alicia, name, page):
    LISTS[name][0](state_a, 3)
    assert client_for(alicia).get(list_url(name, state_a), {"page": page}).status_code == 200


# --- dialogue tables -----------------------------------------------------------------------------


def test_tables_are_filtered_by_nucleus_minutes_and_text(state_a, alicia):
    civil = nucleus_of(state_a)
    guarantor = nucleus_of(state_a, Nucleus.Kind.GUARANTOR)
    DialogueTableFactory(
        nucleus=civil, held_on=dt.date(2017, 2, 1), place="Casa de la Cultura", minutes=""
    )
    approved = DialogueTableFactory(nucleus=civil, held_on=dt.date(2017, 2, 2))
    DialogueTable.objects.filter(pk=approved.pk).update(minutes_approved_at=timezone.now())
    DialogueTableFactory(nucleus=guarantor, held_on=dt.date(2017, 2, 3))
    client = client_for(alicia)
    url = list_url("table_list", state_a)

    def days(**params):
        page = text(client.get(url, params))
        return {day for day in (1, 2, 3) if f">{day} Feb 2017</a>" in page}

    assert days(nucleus=guarantor.pk) == {3}
    assert days(minutes="aprobada") == {2}
    assert days(minutes="sin_minuta") == {1}
    assert days(minutes="pendiente") == {3}
    assert days(search="cultura") == {1}
    assert days(nucleus="9999", minutes="otra") == {1, 2, 3}


def test_the_table_list_still_names_the_nuclei_without_tables(state_a, alicia):
    DialogueTableFactory(nucleus=nucleus_of(state_a))
    page = text(client_for(alicia).get(list_url("table_list", state_a), {"minutes": "aprobada"}))
    assert "Núcleos sin ninguna mesa registrada:" in page
    assert "Autoridades locales, Órgano garante." in page
    assert "Ningún registro coincide con los filtros elegidos." in page


def test_the_table_filters_offer_only_this_stls_nuclei(state_a, state_b, alicia):
    page = text(client_for(alicia).get(list_url("table_list", state_a)))
    assert f'<option value="{nucleus_of(state_a).pk}">Sociedad civil</option>' in page
    assert f'value="{nucleus_of(state_b).pk}"' not in page


def test_page_links_keep_the_filters(state_a, alicia):
    fill_tables(state_a, 90)  # a third without minutes
    page = text(client_for(alicia).get(list_url("table_list", state_a), {"minutes": "sin_minuta"}))
    assert "30 registros en total." in page
    assert 'href="?minutes=sin_minuta&amp;page=2" rel="next"' in page


# --- consultations ------------------------------------------------------------------------------


def test_consultations_are_filtered_by_period_and_text(state_a, alicia):
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    PublicConsultationFactory(
        secretariat=state_a, title="Foro cerrado", opens_on=today - 9 * day, closes_on=today - day
    )
    PublicConsultationFactory(
        secretariat=state_a, title="Foro abierto", opens_on=today - day, closes_on=today + day
    )
    PublicConsultationFactory(
        secretariat=state_a,
        title="Foro futuro",
        opens_on=today + day,
        closes_on=today + 9 * day,
        results="Propuestas de salud",
    )
    client = client_for(alicia)
    url = list_url("consultation_list", state_a)

    def titles(**params):
        page = text(client.get(url, params))
        return {t for t in ("Foro cerrado", "Foro abierto", "Foro futuro") if t + "</a>" in page}

    assert titles(status="abierta") == {"Foro abierto"}
    assert titles(status="cerrada") == {"Foro cerrado"}
    assert titles(status="por_abrir") == {"Foro futuro"}
    assert titles(search="SALUD") == {"Foro futuro"}
    assert titles() == {"Foro cerrado", "Foro abierto", "Foro futuro"}


# --- problems ----------------------------------------------------------------------------------


def test_problems_are_filtered_by_origin_state_and_text(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    consultation = PublicConsultationFactory(secretariat=state_a)
    water = problem_from(table, "Falta de agua potable")
    problem_from(consultation, "Inseguridad", description="En el transporte público")
    problem_from(table, "Agua sucia", merged_into=water)
    client = client_for(alicia)
    url = list_url("problem_list", state_a)

    def titles(**params):
        page = text(client.get(url, params))
        return {
            t
            for t in ("Falta de agua potable", "Inseguridad", "Agua sucia")
            if f"<strong>{t}</strong>" in page
        }

    assert titles() == {"Falta de agua potable", "Inseguridad"}
    assert titles(origin="consulta") == {"Inseguridad"}
    assert titles(origin="mesa") == {"Falta de agua potable"}
    assert titles(status="fusionadas") == {"Agua sucia"}
    assert titles(status="todas") == {"Falta de agua potable", "Inseguridad", "Agua sucia"}
    assert titles(search="transporte") == {"Inseguridad"}
    merged = text(client.get(url, {"status": "fusionadas"}))
    assert "Fusionada en «Falta de agua potable»" in merged
    assert "en otra problemática" not in merged  # a merged problem cannot be merged again


def test_problems_are_numbered_across_pages(state_a, alicia):
    fill_problems(state_a, 30)
    page = text(client_for(alicia).get(list_url("problem_list", state_a), {"page": "2"}))
    assert '<ol class="problem-list" start="26">' in page


# --- prioritisations and decisions -------------------------------------------------------------


def test_prioritizations_are_filtered_by_status_and_method(state_a, alicia):
    problems = make_problems(state_a, 2)
    make_prioritization(state_a, problems=problems, title="Por Borda")
    make_prioritization(
        state_a, problems=problems, title="Por votación", method="approval_vote", max_choices=1
    )
    make_prioritization(
        state_a, problems=problems, title="Ya calculada", status=Prioritization.Status.COMPUTED
    )
    client = client_for(alicia)
    url = list_url("prioritization_list", state_a)

    def titles(**params):
        page = text(client.get(url, params))
        return {t for t in ("Por Borda", "Por votación", "Ya calculada") if t + "</a>" in page}

    assert titles(status="calculada") == {"Ya calculada"}
    assert titles(status="abierta", method="borda") == {"Por Borda"}
    assert titles(method="approval_vote") == {"Por votación"}


def test_decisions_are_filtered_by_status_or_outcome_and_text(state_a, alicia):
    make_decision(state_a, title="Calendario de mesas")
    make_decision(
        state_a,
        title="Sede de la consulta",
        status=Decision.Status.CLOSED,
        outcome=Decision.Outcome.APPROVED,
    )
    make_decision(
        state_a,
        title="Orden del día",
        description="Incluir el presupuesto",
        status=Decision.Status.CLOSED,
        outcome=Decision.Outcome.TIED,
    )
    client = client_for(alicia)
    url = list_url("decision_list", state_a)

    def titles(**params):
        page = text(client.get(url, params))
        return {
            t
            for t in ("Calendario de mesas", "Sede de la consulta", "Orden del día")
            if t + "</a>" in page
        }

    assert titles(status="abierta") == {"Calendario de mesas"}
    assert titles(status="aprobado") == {"Sede de la consulta"}
    assert titles(status="empate") == {"Orden del día"}
    assert titles(status="rechazado") == set()
    assert titles(search="presupuesto") == {"Orden del día"}
