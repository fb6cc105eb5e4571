"""A visitor who follows a dead link lands on a Spanish page that leads back to the start."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_dead_link_shows_the_portal_404_and_leads_home(live_server, page):
    response = page.goto(f"{live_server.url}/stl/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("No encontramos esta página")
    expect(page.get_by_role("main")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Volver al inicio").click()
    expect(
        page.get_by_role("heading", name="Planes de Acción Local de Gobierno Abierto")
    ).to_be_visible()


@pytest.mark.urls("tests.pal_portal.error_urls")
def test_a_database_outage_shows_the_portal_503_and_offers_to_try_again(live_server, page):
    response = page.goto(f"{live_server.url}/_pruebas/sin-base/")
    assert response.status == 503
    assert response.headers["retry-after"] == "30"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "El portal no está disponible por ahora"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Intentar de nuevo").click()
    expect(page).to_have_url(f"{live_server.url}/_pruebas/sin-base/")
