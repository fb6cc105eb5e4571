"""An INAI administrator registers an STL and invites a member, who activates the account."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from pal_portal.models import User
from tests.browser.conftest import assert_accessible, login
from tests.factories import PASSWORD, admin_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_stl_and_member_activates_and_sees_it(live_server, page):
    admin = admin_user(full_name="Adán Villalobos")

    login(page, live_server, admin, PASSWORD)
    expect(page.get_by_role("heading", name="Secretariados Técnicos Locales")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Registrar un STL").click()
    page.get_by_label("Entidad federativa").select_option(label="Zacatecas")
    page.get_by_label("Ejercicio").fill("2016-2018")
    page.get_by_label("Fecha de instalación").fill("2016-11-30")
    page.get_by_label("Academia").check()
    assert_accessible(page)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se registró el STL Zacatecas 2016–2018.")).to_be_visible()

    page.get_by_role("link", name="Invitar integrante").click()
    page.get_by_label("Nombre completo").fill("Sofía Robles")
    page.get_by_label("Correo electrónico").fill("sofia@zacatecas.mx")
    page.get_by_label("Núcleo").select_option(label="Sociedad civil")
    page.get_by_label("Organización o institución").fill("Zacatecas Abierto AC")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se envió la invitación a sofia@zacatecas.mx.")).to_be_visible()
    expect(page.get_by_text("invitación pendiente")).to_be_visible()

    # The member opens the e-mailed link in a fresh session.
    page.get_by_role("button", name="Cerrar sesión").click()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/cuentas/invitacion/\S+/", mail.outbox[0].body).group(0)
    path = link.split("/cuentas/", 1)[1]
    page.goto(f"{live_server.url}/cuentas/{path}")
    expect(page.get_by_role("heading", name="Activa tu cuenta")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("^Contraseña nueva")).fill("Zacatecas-Abierto-2016")
    page.get_by_label("Confirmación de contraseña nueva").fill("Zacatecas-Abierto-2016")
    page.get_by_role("button", name="Activar mi cuenta").click()
    expect(page.get_by_role("heading", name=re.compile("Zacatecas 2016–2018"))).to_be_visible()

    # She logs out and back in with her new password, and lands on her STL.
    page.get_by_role("button", name="Cerrar sesión").click()
    member = User.objects.get(email="sofia@zacatecas.mx")
    login(page, live_server, member, "Zacatecas-Abierto-2016")
    expect(page.get_by_role("heading", name=re.compile("Zacatecas 2016–2018"))).to_be_visible()
    expect(page.get_by_text("Sofía Robles — Zacatecas Abierto AC")).to_be_visible()
    assert_accessible(page)


def test_phone_sized_screen_keeps_the_navigation_usable(live_server, page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url)
    expect(page.get_by_role("link", name="Iniciar sesión").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert_accessible(page)
