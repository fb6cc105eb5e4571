"""Choosing problems (the merge target, a prioritisation's problems) never lists them all: a
search narrows the candidates, and at most PAL_CHOICE_LIMIT (100 as shipped) are offered."""

import pytest
from django.urls import reverse

from cocreation.models import Prioritization, Problem
from cocreation.selectors import problem_candidates
from tests.cocreation.factories_prioritization import make_problem, make_problems
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LIMIT = 100  # PAL_CHOICE_LIMIT as shipped


def merge_url(problem, **query):
    url = reverse(
        "cocreation:problem_merge", kwargs={"pk": problem.secretariat_id, "problem_pk": problem.pk}
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def create_url(secretariat, **query):
    url = reverse("cocreation:prioritization_create", kwargs={"pk": secretariat.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def target_options(page: str) -> int:
    """Return how many options the merge form's target select offers (0 without the select)."""
    if '<select name="into"' not in page:
        return 0
    select = page[page.index('<select name="into"') :]
    return select[: select.index("</select>")].count("<option value=")


def test_candidates_are_the_active_problems_matching_the_search_at_most_the_limit(state_a):
    problems = make_problems(state_a, LIMIT + 5)
    water = make_problem(state_a, "Falta de agua", description="En colonias del norte")
    make_problem(state_a, "Agua sucia", merged_into=water)

    everything = problem_candidates(secretariat=state_a, exclude=problems[0])
    found = problem_candidates(secretariat=state_a, search="COLONIAS")

    assert everything.more
    assert everything.limit == LIMIT
    assert list(everything.problems) == problems[1 : LIMIT + 1]
    assert list(found.problems) == [water] and not found.more


# --- merging -------------------------------------------------------------------------------------


def test_the_merge_target_offers_at_most_the_limit_and_says_so(state_a, alicia):
    duplicate, *others = make_problems(state_a, LIMIT + 20)

    page = text(client_for(alicia).get(merge_url(duplicate)))

    assert target_options(page) == LIMIT + 1  # and the empty choice
    assert f'<option value="{duplicate.pk}"' not in page
    assert "Se muestran las primeras 100 problemáticas que coinciden." in page
    assert '<label for="filtro_search">Buscar la problemática</label>' in page


def test_the_search_finds_a_merge_target_beyond_the_first_hundred(state_a, alicia):
    duplicate, *_others = make_problems(state_a, LIMIT + 20)
    survivor = make_problem(state_a, "Opacidad en la obra pública")
    client = client_for(alicia)

    page = text(client.get(merge_url(duplicate, search="opacidad")))
    assert target_options(page) == 2
    assert f'action="{merge_url(duplicate, search="opacidad")}"' in page

    response = client.post(merge_url(duplicate, search="opacidad"), {"into": survivor.pk})

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


def test_a_target_outside_the_candidates_is_refused(state_a, alicia):
    duplicate, other = make_problems(state_a, 2)
    response = client_for(alicia).post(merge_url(duplicate, search="nada"), {"into": other.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["into"]
    assert Problem.objects.get(pk=duplicate.pk).merged_into is None


def test_a_search_that_finds_nothing_says_so(state_a, alicia):
    duplicate, _other = make_problems(state_a, 2)
    page = text(client_for(alicia).get(merge_url(duplicate, search="inexistente")))
    assert "Ninguna problemática vigente coincide con la búsqueda." in page
    assert target_options(page) == 0


def test_a_lone_problem_has_nothing_to_merge_into(state_a, alicia):
    (alone,) = make_problems(state_a, 1)
    page = text(client_for(alicia).get(merge_url(alone)))
    assert "No hay otra problemática vigente en la cual fusionarla." in page
    assert target_options(page) == 0
    assert "Fusionar</button>" not in page


def test_the_merge_page_weighs_the_same_with_300_problems_as_with_101(state_a, alicia):
    duplicate, *_others = make_problems(state_a, LIMIT + 1)
    client = client_for(alicia)
    bounded = len(client.get(merge_url(duplicate)).content)
    make_problems(state_a, 200)
    assert len(client.get(merge_url(duplicate)).content) < bounded * 1.05


# --- opening a prioritisation -------------------------------------------------------------------


def test_the_prioritization_form_offers_at_most_the_limit(state_a, alicia):
    make_problems(state_a, LIMIT + 20)

    page = text(client_for(alicia).get(create_url(state_a)))

    assert page.count('type="checkbox" name="problems"') == LIMIT
    assert "Se muestran las primeras 100 problemáticas que coinciden." in page


def test_the_search_narrows_the_problems_to_prioritize(state_a, alicia):
    make_problems(state_a, LIMIT + 20)
    water = make_problem(state_a, "Falta de agua potable")
    drainage = make_problem(state_a, "Drenaje y agua de lluvia")
    client = client_for(alicia)

    page = text(client.get(create_url(state_a, search="agua")))
    assert page.count('type="checkbox" name="problems"') == 2

    response = client.post(
        create_url(state_a, search="agua"),
        {"title": "Agua", "method": "borda", "problems": [water.pk, drainage.pk]},
    )

    assert response.status_code == 302
    assert set(Prioritization.objects.get().problems.all()) == {water, drainage}


def test_a_problem_outside_the_search_is_not_accepted(state_a, alicia):
    water = make_problem(state_a, "Falta de agua potable")
    other = make_problem(state_a, "Inseguridad")

    response = client_for(alicia).post(
        create_url(state_a, search="agua"),
        {"title": "Mezcla", "method": "borda", "problems": [water.pk, other.pk]},
    )

    assert "Esa problemática no pertenece a esta priorización." in text(response)
    assert not Prioritization.objects.exists()


def test_without_problems_the_form_says_to_register_them_first(state_a, alicia):
    page = text(client_for(alicia).get(create_url(state_a)))
    assert "Este STL todavía no tiene problemáticas registradas." in page
    assert 'role="search"' not in page
