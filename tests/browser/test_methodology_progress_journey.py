"""The methodology PDF renders on a worker while the prioritisation page shows each step in place:
queued, failed with a retry, queued again, ready with its link, without reloading the page."""

from unittest import mock

import pytest
from playwright.sync_api import expect

from cocreation.services import prioritization_compute
from cocreation.tasks import generate_prioritization_methodology
from pal_portal.celery import app as celery_app
from tests.browser.conftest import assert_accessible, login
from tests.cocreation.factories_prioritization import (
    fail_methodology,
    make_entry,
    make_prioritization,
    make_problems,
)
from tests.factories import PASSWORD, SecretariatFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_follows_the_methodology_job_without_reloading(live_server, page):
    stl = SecretariatFactory(state="OAX", exercise="2016–2018")
    alicia = add_member(stl, user=UserFactory(full_name="Alicia Morales")).user
    p1, p2 = make_problems(stl, 2)
    prioritization = make_prioritization(stl, problems=[p1, p2], title="Ronda con trabajador")
    make_entry(prioritization, participant="Ana", data=[p2.pk, p1.pk])
    task = celery_app.tasks["cocreation.generate_prioritization_methodology"]
    # The broker: every task this test (or the live server) sends lands here; the test runs them.
    with mock.patch.object(task, "apply_async") as broker:
        prioritization = prioritization_compute(prioritization=prioritization, user=alicia)

        login(page, live_server, alicia, PASSWORD)
        page.goto(f"{live_server.url}{prioritization_url(prioritization)}")
        box = page.locator("#documento-metodologia")
        expect(box).to_contain_text("En cola")
        assert_accessible(page)

        # The worker's render breaks: the page shows it and offers to try again.
        fail_methodology(prioritization)
        expect(box).to_contain_text("No se pudo generar el documento de metodología")
        expect(box).to_contain_text("Solicitud de Alicia Morales.")
        page.get_by_role("button", name="Reintentar").click()
        expect(box).to_contain_text("En cola")
        assert broker.call_count == 2
        # The same job, queued again.
        assert len({call.kwargs["task_id"] for call in broker.call_args_list}) == 1

        # The worker takes the new message; the page shows the document's link in place.
        generate_prioritization_methodology.apply(
            args=broker.call_args.kwargs["args"], task_id=broker.call_args.kwargs["task_id"]
        )
        link = box.get_by_role("link", name="Descargar el documento de metodología (PDF)")
        expect(link).to_be_visible()
        expect(box).to_contain_text("Terminado")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def prioritization_url(prioritization) -> str:
    return f"/stl/{prioritization.secretariat_id}/priorizaciones/{prioritization.pk}/"
