"""A facilitator logs a dialogue table, a member approves its minutes, and the STL ranks the
problems raised there by Borda count, with the methodology PDF attached as evidence."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, SecretariatFactory, UserFactory, add_facilitator, add_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_table_minutes_and_borda_ranking(live_server, page):
    stl = SecretariatFactory(state="OAX", exercise="2016–2018")
    alicia = add_member(stl, user=UserFactory(full_name="Alicia Morales")).user
    fernanda = add_facilitator(stl, user=UserFactory(full_name="Fernanda Ríos")).user

    # The facilitator logs the civil-society table with its minutes and the problems raised.
    login(page, live_server, fernanda, PASSWORD)
    page.get_by_role("link", name="Mesas de diálogo").click()
    page.get_by_role("link", name="Registrar una mesa").click()
    page.get_by_label("Núcleo").select_option(label="Sociedad civil")
    page.get_by_label("Fecha").first.fill("2017-02-15")
    page.get_by_label("Presencial").check()
    page.get_by_label(re.compile("^Lugar")).fill("Casa de la Cultura, Oaxaca de Juárez")
    page.get_by_label(re.compile("^Orden del día")).fill("Problemáticas de la ciudadanía")
    page.get_by_label(re.compile("^Minuta")).fill("Se discutieron tres problemáticas.")
    page.get_by_label(re.compile("^Número de asistentes")).fill("12")
    page.get_by_label(re.compile("^Problemáticas planteadas")).fill(
        "Opacidad en obra pública\nFalta de agua potable\nInseguridad en el transporte"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Opacidad en obra pública")).to_be_visible()
    page.get_by_role("button", name="Cerrar sesión").click()

    # The only member of the nucleus approves the minutes: a majority, so they count.
    login(page, live_server, alicia, PASSWORD)
    page.get_by_role("link", name="Mesas de diálogo").click()
    page.get_by_role("link", name="15 Feb 2017").click()
    page.get_by_role("link", name="Aprobar la minuta o pedir correcciones").click()
    page.get_by_label("Apruebo la minuta").check()
    page.get_by_role("button", name="Enviar mi respuesta").click()
    expect(page.get_by_text(re.compile("aprobada", re.IGNORECASE)).first).to_be_visible()

    # She opens a Borda prioritisation of the three problems and ranks them.
    page.goto(f"{live_server.url}/stl/{stl.pk}/")
    page.get_by_role("link", name="Priorización de problemáticas").click()
    page.get_by_role("link", name="Nueva priorización").click()
    page.get_by_label(re.compile("^Título")).fill("Priorización de la sociedad civil")
    page.get_by_label("Ordenamiento (conteo de Borda)").check()
    for title in (
        "Opacidad en obra pública",
        "Falta de agua potable",
        "Inseguridad en el transporte",
    ):
        page.get_by_label(title).check()
    page.get_by_role("button", name="Abrir la priorización").click()
    page.get_by_role("link", name="Participar").click()
    page.get_by_label("Lugar de «Falta de agua potable»").fill("1")
    page.get_by_label("Lugar de «Opacidad en obra pública»").fill("2")
    page.get_by_label("Lugar de «Inseguridad en el transporte»").fill("3")
    assert_accessible(page)
    page.get_by_role("button", name="Guardar").click()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Calcular el resultado").click()
    result = page.get_by_role("table", name="Orden de prioridad resultante")
    expect(result.get_by_role("row").nth(1)).to_contain_text("Falta de agua potable")
    expect(page.get_by_role("heading", name="Cálculo paso a paso")).to_be_visible()
    # The methodology PDF was generated and attached as evidence of the prioritisation.
    expect(page.get_by_role("link", name=re.compile(r"^metodologia-.*\.pdf$"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^metodologia-.*\.pdf$")).click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert_accessible(page)


def test_a_long_list_is_filtered_and_paged_accessibly(live_server, page):
    import datetime as dt

    from tests.cocreation.factories_dialogue import DialogueTableFactory, nucleus_of

    stl = SecretariatFactory(state="OAX", exercise="2016–2018")
    alicia = add_member(stl, user=UserFactory(full_name="Alicia Morales")).user
    for day in range(40):
        DialogueTableFactory(
            nucleus=nucleus_of(stl), held_on=dt.date(2017, 1, 1) + dt.timedelta(days=day)
        )

    login(page, live_server, alicia, PASSWORD)
    page.get_by_role("link", name="Mesas de diálogo").click()
    pages = page.get_by_role("navigation", name="Páginas de mesas de diálogo")
    expect(pages).to_contain_text("Página 1 de 2")
    assert_accessible(page)
    page.get_by_role("search", name="Filtrar las mesas de diálogo").get_by_label(
        "Núcleo"
    ).select_option(label="Sociedad civil")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("40 registros en total.")).to_be_visible()
    pages.get_by_role("link", name="Siguiente").click()
    expect(pages).to_contain_text("Página 2 de 2")
    expect(pages.get_by_role("link", name="Página 2")).to_have_attribute("aria-current", "page")
    assert "nucleus=" in page.url and "page=2" in page.url
    assert_accessible(page)
