"""The evidence of a whole STL on one page, by phase and subject, in a fixed number of queries."""

import pytest
from django.urls import reverse

from evidence import services
from tests.conftest import client_for
from tests.evidence.factories import (
    attach,
    attach_to_each,
    pdf_file,
    subjects_of_several_types,
)

pytestmark = pytest.mark.django_db


def list_url(secretariat):
    return reverse("evidence:secretariat_list", kwargs={"pk": secretariat.pk})


def test_reviewer_sees_every_file_with_its_state(state_a, alicia, rita):
    old = attach(state_a, alicia, name="primera versión.pdf")
    services.evidence_supersede(
        evidence=old,
        uploaded_file=pdf_file("segunda versión.pdf"),
        description="Firmas",
        user=alicia,
    )
    wrong = attach(state_a, alicia, name="equivocada.pdf")
    services.evidence_withdraw(evidence=wrong, reason="Era de otra sesión", user=alicia)

    page = client_for(rita).get(list_url(state_a)).content.decode()

    assert "Instalación del STL: Oaxaca 2016–2018" in page
    for name in ("primera versión.pdf", "segunda versión.pdf", "equivocada.pdf"):
        assert name in page
    assert "Sustituida" in page and "Retirada" in page and "Era de otra sesión" in page
    assert "Descargar toda la evidencia (ZIP)" in page
    assert "Adjuntar el acta de instalación" not in page


def test_member_is_offered_to_attach_the_installation_act(state_a, alicia):
    page = client_for(alicia).get(list_url(state_a)).content.decode()

    installation = reverse(
        "evidence:subject",
        kwargs={"pk": state_a.pk, "subject_type": "stl.secretariat", "subject_id": state_a.pk},
    )
    assert f'href="{installation}"' in page
    assert "Adjuntar el acta de instalación" in page
    assert "Todavía no hay evidencia en este STL." in page


def test_dashboard_links_to_the_evidence(state_a, alicia):
    page = client_for(alicia).get(state_a.get_absolute_url()).content.decode()

    assert f'href="{list_url(state_a)}"' in page


def test_evidence_of_another_stl_is_not_listed(state_a, state_b, alicia, bruno, rita):
    attach(state_a, alicia, name="de oaxaca.pdf")
    attach(state_b, bruno, name="de jalisco.pdf")

    page = client_for(rita).get(list_url(state_a)).content.decode()

    assert "de oaxaca.pdf" in page
    assert "de jalisco.pdf" not in page


STL_LIST_QUERIES = 10


@pytest.mark.parametrize("files", [1, 20])
def test_stl_list_takes_a_fixed_number_of_queries(
    state_a, alicia, rita, files, django_assert_num_queries
):
    for number in range(files):
        evidence = attach(state_a, alicia, name=f"acta {number}.pdf", contains_personal_data=True)
    services.evidence_add_public_version(
        evidence=evidence, uploaded_file=pdf_file("testada.pdf"), user=alicia
    )
    services.evidence_export_start(secretariat=state_a, user=rita)
    client = client_for(rita)
    client.get(list_url(state_a))  # warm the content-type cache

    with django_assert_num_queries(STL_LIST_QUERIES):
        response = client.get(list_url(state_a))

    # Each file's link, plus the one public version.
    assert response.content.decode().count("/descargar/") == files + 1


# One more query per further subject model on the page (tables, consultations, prioritisations,
# facilitator assignments), never one per subject.
SEVERAL_TYPES_LIST_QUERIES = STL_LIST_QUERIES + 4


@pytest.mark.parametrize("count", [1, 10])
def test_stl_list_of_several_subject_types_takes_a_fixed_number_of_queries(
    state_a, adan, rita, count, django_assert_num_queries
):
    made = subjects_of_several_types(state_a, count=count)
    attach_to_each(made, adan, files=2)
    client = client_for(rita)
    client.get(list_url(state_a))  # warm the content-type cache

    with django_assert_num_queries(SEVERAL_TYPES_LIST_QUERIES):
        response = client.get(list_url(state_a))

    page = response.content.decode()
    assert page.count("/descargar/") == 2 * len(made)
    # Each subject is named, using what its __str__ needs (nucleus, person, STL).
    assert "Instalación del STL: Oaxaca 2016–2018" in page
    assert "Mesa de diálogo: Mesa de " in page
    assert "Consulta pública: Foro abierto" in page
    assert "Priorización: Priorización 0" in page
    assert "Facilitación del STL: Facilitadora anterior 0 — Oaxaca 2016–2018" in page
