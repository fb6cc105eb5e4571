"""Views of the problems: the list (query count pinned), adding from an origin, merging."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cocreation.models import Problem
from cocreation.selectors import problem_list
from tests.cocreation.factories_dialogue import (
    DialogueTableFactory,
    PublicConsultationFactory,
    nucleus_of,
    problem_from,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def list_url(secretariat):
    return reverse("cocreation:problem_list", kwargs={"pk": secretariat.pk})


def merge_url(problem, secretariat=None):
    pk = (secretariat or problem.secretariat).pk
    return reverse("cocreation:problem_merge", kwargs={"pk": pk, "problem_pk": problem.pk})


def test_the_list_shows_each_problem_with_its_linked_origins(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    consultation = PublicConsultationFactory(secretariat=state_a, title="Foro de salud")
    problem_from(table, "Agua")
    problem_from(consultation, "Salud")

    page = client_for(alicia).get(list_url(state_a)).content.decode()

    assert (
        reverse("cocreation:table_detail", kwargs={"pk": state_a.pk, "table_pk": table.pk}) in page
    )
    assert (
        reverse(
            "cocreation:consultation_detail",
            kwargs={"pk": state_a.pk, "consultation_pk": consultation.pk},
        )
        in page
    )
    assert "Consulta «Foro de salud»" in page


def test_merged_problems_are_folded_under_their_survivor(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    survivor = problem_from(table, "Opacidad en obra pública")
    problem_from(table, "Obra pública opaca", merged_into=survivor)

    problems = list(problem_list(secretariat=state_a))

    assert problems == [survivor]
    assert [p.title for p in problems[0].merged_problems.all()] == ["Obra pública opaca"]
    page = client_for(alicia).get(list_url(state_a)).content.decode()
    assert "Integra:" in page and "«Obra pública opaca»" in page


def populate(secretariat, n):
    tables = [DialogueTableFactory(nucleus=nucleus) for nucleus in secretariat.nuclei.all()]
    consultation = PublicConsultationFactory(secretariat=secretariat)
    survivors = []
    for i in range(n):
        origin = consultation if i % 2 else tables[i % len(tables)]
        problem = problem_from(origin, f"Problemática {i}")
        if i % 3 == 2 and survivors:
            problem.merged_into = survivors[-1]
            problem.save(update_fields=["merged_into"])
        else:
            survivors.append(problem)


PROBLEM_LIST_QUERIES = 3  # problems, their origins (with table, nucleus, consultation), merged


@pytest.mark.parametrize("n", [3, 60])
def test_the_problem_list_takes_a_fixed_number_of_queries(state_a, n, django_assert_num_queries):
    populate(state_a, n)
    with django_assert_num_queries(PROBLEM_LIST_QUERIES):
        problems = list(problem_list(secretariat=state_a))
        for problem in problems:
            for origin in problem.origins.all():
                str(origin)
            list(problem.merged_problems.all())
    assert sum(1 + len(p.merged_problems.all()) for p in problems) == n


def page_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_problem_list_page_takes_as_many_queries_for_3_as_for_60(state_a, alicia):
    client = client_for(alicia)
    populate(state_a, 3)
    few = page_queries(client, list_url(state_a))
    populate(state_a, 57)
    many = page_queries(client, list_url(state_a))
    assert Problem.objects.filter(secretariat=state_a).count() == 60
    assert few == many


def test_a_problem_is_added_from_an_origin_through_the_form(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    url = reverse("cocreation:problem_create", kwargs={"pk": state_a.pk})
    response = client_for(fernanda).post(
        url, {"origin": f"mesa-{table.pk}", "title": "Inseguridad", "description": ""}
    )
    assert response.status_code == 302
    assert Problem.objects.get().origins.get().dialogue_table == table


def test_a_description_too_long_shows_a_message(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    url = reverse("cocreation:problem_create", kwargs={"pk": state_a.pk})
    response = client_for(fernanda).post(
        url, {"origin": f"mesa-{table.pk}", "title": "Inseguridad", "description": "x" * 10_001}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "Asegúrate de que este valor tenga como máximo 10000 caracteres (tiene 10001)."
    ]
    assert not Problem.objects.exists()


def test_a_problem_needs_an_origin_of_this_stl(state_a, state_b, fernanda):
    table_b = DialogueTableFactory(nucleus=nucleus_of(state_b))
    url = reverse("cocreation:problem_create", kwargs={"pk": state_a.pk})
    response = client_for(fernanda).post(url, {"origin": f"mesa-{table_b.pk}", "title": "X"})
    assert response.status_code == 200
    assert response.context["form"].errors["origin"]
    assert not Problem.objects.exists()


def test_merging_through_the_view_asks_for_confirmation_and_keeps_both_origins(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    consultation = PublicConsultationFactory(secretariat=state_a)
    survivor = problem_from(table, "Agua")
    duplicate = problem_from(consultation, "Agua potable")
    client = client_for(alicia)

    form_page = client.get(merge_url(duplicate)).content.decode()
    assert "data-confirm=" in form_page

    response = client.post(merge_url(duplicate), {"into": survivor.pk})

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert survivor.origins.count() == 2


def test_merging_into_itself_is_refused_by_the_view(state_a, alicia):
    problem = problem_from(DialogueTableFactory(nucleus=nucleus_of(state_a)))
    response = client_for(alicia).post(merge_url(problem), {"into": problem.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["into"]
    problem.refresh_from_db()
    assert problem.merged_into is None


def test_a_problem_of_a_under_bs_url_is_404_for_bruno(state_a, state_b, bruno):
    problem = problem_from(DialogueTableFactory(nucleus=nucleus_of(state_a)))
    assert client_for(bruno).get(merge_url(problem, secretariat=state_b)).status_code == 404
    assert client_for(bruno).post(merge_url(problem), {"into": problem.pk}).status_code == 404


def test_cancel_goes_back_to_the_problem_list(state_a, alicia):
    page = client_for(alicia).get(reverse("cocreation:problem_create", kwargs={"pk": state_a.pk}))
    assert f'<a href="{list_url(state_a)}">Cancelar</a>' in page.content.decode()
