"""The list of STLs: one page at a time, filtered by state or exercise and by status."""

import pytest
from django.urls import reverse

from stl.models import Secretariat
from tests.conftest import client_for
from tests.factories import SecretariatFactory

pytestmark = pytest.mark.django_db

LIST = reverse("stl:list")


def rows(response) -> int:
    return response.content.decode().count('<th scope="row">')


def test_a_page_shows_25_stls_and_links_to_the_next(rita):
    SecretariatFactory.create_batch(30)

    first = client_for(rita).get(LIST)
    second = client_for(rita).get(LIST, {"page": "2"})

    assert rows(first) == 25
    assert rows(second) == 5
    assert "Página 1 de 2" in first.content.decode()
    assert "30 registros en total." in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2.0", ""])
def test_any_page_number_answers_a_page(rita, page):
    SecretariatFactory.create_batch(3)
    response = client_for(rita).get(LIST, {"page": page})
    assert response.status_code == 200
    assert rows(response) == 3


def test_the_search_finds_a_state_with_or_without_accents_and_an_exercise(rita):
    SecretariatFactory(state="MIC", exercise="2016–2018")
    SecretariatFactory(state="YUC", exercise="2018–2020")
    SecretariatFactory(state="OAX", exercise="2020–2022")
    client = client_for(rita)

    michoacan = client.get(LIST, {"search": "michoacan"}).content.decode()
    exercise = client.get(LIST, {"search": "2018"}).content.decode()

    assert "Michoacán 2016–2018" in michoacan and "Oaxaca 2020" not in michoacan
    assert "Yucatán 2018–2020" in exercise and "Michoacán 2016–2018" in exercise
    assert "Oaxaca 2020" not in exercise


def test_the_status_filter_is_kept_in_the_page_links(rita):
    SecretariatFactory.create_batch(27, status=Secretariat.Status.INACTIVE)
    SecretariatFactory(state="OAX", status=Secretariat.Status.INSTALLED)

    page = client_for(rita).get(LIST, {"status": "inactivo"}).content.decode()

    assert "27 registros en total." in page
    assert 'href="?status=inactivo&amp;page=2"' in page
    assert '<option value="inactivo" selected>Inactivo</option>' in page


def test_a_filter_that_matches_nothing_says_so(rita, state_a):
    page = client_for(rita).get(LIST, {"search": "Atlántida"}).content.decode()
    assert "Ningún registro coincide con los filtros elegidos." in page
    assert 'href="/stl/">Quitar los filtros</a>' in page


def test_an_unknown_status_is_ignored(rita, state_a):
    response = client_for(rita).get(LIST, {"status": "inventado"})
    assert response.status_code == 200
    assert rows(response) == 1


def test_the_page_weighs_no_more_with_60_stls_than_with_26(rita):
    client = client_for(rita)
    SecretariatFactory.create_batch(26)
    full_page = len(client.get(LIST).content)
    SecretariatFactory.create_batch(34)
    assert len(client.get(LIST).content) < full_page * 1.15
