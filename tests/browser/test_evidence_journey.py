"""A member attaches the STL's installation act; a CPGAT reviewer downloads the very same file."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.factories import (
    MINIMAL_PDF,
    PASSWORD,
    SecretariatFactory,
    UserFactory,
    add_member,
    reviewer_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

ACT = MINIMAL_PDF


def test_member_attaches_installation_act_and_reviewer_downloads_it(live_server, page, tmp_path):
    stl = SecretariatFactory(state="OAX", exercise="2016–2018")
    alicia = add_member(stl, user=UserFactory(full_name="Alicia Morales")).user
    rita = reviewer_user(full_name="Rita Cárdenas")
    act = tmp_path / "acta-instalacion-oaxaca.pdf"
    act.write_bytes(ACT)

    login(page, live_server, alicia, PASSWORD)
    page.get_by_role("link", name="Evidencia", exact=True).click()
    page.get_by_role("link", name="Adjuntar el acta de instalación").click()
    page.get_by_label(re.compile("^Archivos")).set_input_files(str(act))
    page.get_by_label(re.compile("^Tipo de evidencia")).select_option(value="acta")
    page.get_by_label(re.compile("^Descripción breve")).fill("Acta firmada de la instalación")
    assert_accessible(page)
    page.get_by_role("button", name="Adjuntar").click()
    link = page.get_by_role("link", name="acta-instalacion-oaxaca.pdf", exact=True)
    expect(link).to_be_visible()
    expect(page.get_by_text(hashlib.sha256(ACT).hexdigest()).first).to_be_visible()
    page.get_by_role("button", name="Cerrar sesión").click()

    login(page, live_server, rita, PASSWORD)
    page.goto(f"{live_server.url}/stl/{stl.pk}/")
    page.get_by_role("link", name="Evidencia", exact=True).click()
    assert_accessible(page)
    # The vault lists the STL's subjects; the files are on each subject's page.
    page.get_by_role("link", name=re.compile("^Instalación del STL: ")).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="acta-instalacion-oaxaca.pdf", exact=True).first.click()
    assert download.value.suggested_filename == "acta-instalacion-oaxaca.pdf"
    with open(download.value.path(), "rb") as downloaded:
        assert hashlib.sha256(downloaded.read()).hexdigest() == hashlib.sha256(ACT).hexdigest()
