"""One page of a list at a time: the shared paginator, its page links, and list filters."""

import re

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory

from pal_portal.listing import ListFilters, choice_limit, page_size, paginate, requested_page


def get(query: str = ""):
    return RequestFactory().get(f"/lista/{query}")


def test_a_page_holds_25_rows_and_a_choice_100_candidates_as_shipped():
    assert settings.PAL_PAGE_SIZE == 25
    assert page_size() == 25
    assert settings.PAL_CHOICE_LIMIT == 100
    assert choice_limit() == 100
    page = paginate(get(), list(range(60)))
    assert list(page.object_list) == list(range(25))
    assert page.paginator.num_pages == 3


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("", 1),
        ("2", 2),
        (" 3 ", 3),
        ("abc", 1),
        ("0", 1),
        ("-4", 1),
        ("2.5", 1),
        ("1e3", 1),
        ("9" * 5000, 1),  # too long for int(): not a number either
        ("%00", 1),
    ],
)
def test_the_requested_page_is_a_positive_whole_number_or_1(value, number):
    assert requested_page(get(f"?page={value}")) == number


@pytest.mark.parametrize(("value", "number"), [("3", 3), ("999", 3), ("x", 1), ("-1", 1)])
def test_a_page_past_the_end_shows_the_last_one_and_nonsense_the_first(value, number):
    page = paginate(get(f"?page={value}"), list(range(60)))
    assert page.number == number


def test_an_empty_list_has_one_empty_page():
    page = paginate(get("?page=7"), [])
    assert page.number == 1
    assert list(page.object_list) == []
    assert render_to_string("includes/_pagination.html", {"page": page}, get()).strip() == ""


def links(html: str) -> dict[str, str]:
    """Return ``{link text: href}`` of the page links (the visually hidden word included)."""
    found = re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html)
    return {re.sub(r"<[^>]+>", "", text).strip(): href for href, text in found}


def test_page_links_are_an_accessible_nav_that_keeps_the_filters():
    request = get("?status=abierta&search=agua&page=2")
    page = paginate(request, list(range(60)))

    html = render_to_string(
        "includes/_pagination.html", {"page": page, "label": "Páginas de la lista"}, request
    )

    assert '<nav class="pagination" aria-label="Páginas de la lista">' in html
    assert "Página 2 de 3" in html
    assert "60 registros en total." in html
    assert html.count('aria-current="page"') == 1
    assert re.search(
        r'href="\?status=abierta&amp;search=agua&amp;page=2" aria-current="page"', html
    )
    found = links(html)
    # The first page is the list's plain address, with its filters and no page number.
    assert found["Anterior"] == "?status=abierta&amp;search=agua"
    assert found["Página 1"] == "?status=abierta&amp;search=agua"
    assert found["Siguiente"] == "?status=abierta&amp;search=agua&amp;page=3"
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_a_single_page_says_how_many_rows_without_page_links():
    html = render_to_string("includes/_pagination.html", {"page": paginate(get(), [1])}, get())
    assert "1 registro en total." in html
    assert "<nav" not in html


def test_many_pages_are_elided_around_the_current_one():
    page = paginate(get("?page=20"), list(range(1000)))
    assert page.links == [1, None, 18, 19, 20, 21, 22, None, 40]


class Filters(ListFilters):
    search = forms.CharField(label="Buscar", required=False, max_length=20)
    status = forms.ChoiceField(
        label="Estado", required=False, choices=[("", "Todas"), ("abierta", "Abierta")]
    )


def test_filters_that_do_not_validate_are_ignored():
    filters = Filters({"search": " agua ", "status": "inventada"})
    assert filters.values == {"search": "agua"}
    assert filters.is_filtered
    assert not Filters({"search": "", "status": ""}).is_filtered
    assert Filters({"search": "x" * 21, "status": "abierta"}).values == {"status": "abierta"}


def test_filters_render_as_a_labelled_get_form():
    html = render_to_string(
        "includes/_filters.html",
        {"filters": Filters({"search": "agua"}), "label": "Filtrar la lista"},
        get("?search=agua"),
    )
    assert '<form method="get" class="filters" role="search" aria-label="Filtrar la lista">' in html
    assert '<label for="filtro_search">Buscar</label>' in html
    assert '<label for="filtro_status">Estado</label>' in html
    assert 'value="agua"' in html
    assert '<a href="/lista/">Quitar los filtros</a>' in html
