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


def installation_page(secretariat):
    return reverse(
        "evidence:subject",
        kwargs={
            "pk": secretariat.pk,
            "subject_type": "stl.secretariat",
            "subject_id": secretariat.pk,
        },
    )


def test_reviewer_sees_each_subject_with_its_files_and_their_states_on_its_page(
    state_a, alicia, rita
):
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

    # One row per subject, not one per file: three files, one of them current.
    assert (
        f'<a href="{installation_page(state_a)}">Instalación del STL: Oaxaca 2016–2018</a>' in page
    )
    assert '<td>3 <span class="meta">(1 vigente)</span></td>' in page
    assert "primera versión.pdf" not in page
    assert "Descargar toda la evidencia (ZIP)" in page
    assert "Adjuntar el acta de instalación" not in page
    subject_page = client_for(rita).get(installation_page(state_a)).content.decode()
    for name in ("primera versión.pdf", "segunda versión.pdf", "equivocada.pdf"):
        assert name in subject_page
    assert "Sustituida" in subject_page and "Retirada" in subject_page
    assert "Era de otra sesión" in subject_page


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

    assert "Instalación del STL: Oaxaca 2016–2018" in page
    assert "Jalisco" not in page
    assert "1 registro en total." in page


def tables_with_a_file_each(secretariat, user, count):
    from tests.cocreation.factories_dialogue import DialogueTableFactory, nucleus_of

    for number in range(count):
        table = DialogueTableFactory(nucleus=nucleus_of(secretariat))
        attach(table, user, name=f"acta {number}.pdf", contains_personal_data=True)


# Session, user, secretariat, object permissions (user, groups), global permissions (user,
# groups); the number of subjects, the page of subjects, the subjects of the page (one query per
# subject model among them), the person's recent exports.
STL_LIST_QUERIES = 9
# And the jobs of those recent exports whose ZIP is not ready, all in one query.
EXPORT_JOBS_QUERIES = 1


@pytest.mark.parametrize("subjects", [1, 30])
def test_stl_list_takes_a_fixed_number_of_queries(
    state_a, alicia, rita, subjects, django_assert_num_queries
):
    tables_with_a_file_each(state_a, alicia, subjects)
    services.evidence_export_start(secretariat=state_a, user=rita)
    client = client_for(rita)
    client.get(list_url(state_a))  # warm the content-type cache

    with django_assert_num_queries(STL_LIST_QUERIES + EXPORT_JOBS_QUERIES):
        response = client.get(list_url(state_a))

    page = response.content.decode()
    assert page.count('<th scope="row">') == min(subjects, 25)
    assert '<span class="tag">En cola</span>' in page  # the recent export's job


# One more query per further subject model on the page (the STL, consultations, prioritisations,
# facilitator assignments), never one per subject.
SEVERAL_TYPES_LIST_QUERIES = STL_LIST_QUERIES + 4


@pytest.mark.parametrize("count", [1, 10])
def test_stl_list_of_several_subject_types_takes_a_fixed_number_of_queries(
    state_a, adan, rita, count, django_assert_num_queries
):
    made = subjects_of_several_types(state_a, count=count)
    # The STL's own files last, so that the first page (newest first) shows every type.
    attach_to_each([*made[1:], made[0]], adan, files=2)
    client = client_for(rita)
    client.get(list_url(state_a))  # warm the content-type cache

    with django_assert_num_queries(SEVERAL_TYPES_LIST_QUERIES):
        response = client.get(list_url(state_a))

    page = response.content.decode()
    assert page.count('<th scope="row">') == min(len(made), 25)
    assert f"{len(made)} registros en total." in page
    # Each subject is named, using what its __str__ needs (nucleus, person, STL).
    assert "Instalación del STL: Oaxaca 2016–2018" in page
    assert "Mesa de diálogo: Mesa de " in page
    assert "Consulta pública: Foro abierto" in page
    assert "Priorización: Priorización " in page
    assert "Facilitación del STL: Facilitadora anterior " in page


def test_the_page_weighs_the_same_with_many_files_per_subject(state_a, alicia, rita):
    from evidence.models import Evidence

    tables_with_a_file_each(state_a, alicia, 26)
    client = client_for(rita)
    full_page = len(client.get(list_url(state_a)).content)
    # 40 more subjects and 400 more files: the page still holds 25 rows of summaries.
    tables_with_a_file_each(state_a, alicia, 40)
    table = Evidence.objects.filter(secretariat=state_a).latest("uploaded_at").subject
    for number in range(400):
        evidence_row(table, alicia, number)
    assert len(client.get(list_url(state_a)).content) < full_page * 1.15


def evidence_row(subject, user, number):
    """Store one more file row for ``subject`` directly (the vault's checks are not the point)."""
    from tests.cocreation.factories_dialogue import evidence_of

    row = evidence_of(subject, "otro", user=user)
    row.original_name = f"foto {number}.jpg"
    row.save(update_fields=["original_name"])


def test_subjects_are_filtered_by_kind_phase_type_and_text(state_a, alicia, rita):
    from tests.cocreation.factories_dialogue import DialogueTableFactory, nucleus_of

    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    attach(table, alicia, name="lista.pdf", kind="lista_asistencia", description="Asistentes")
    attach(state_a, alicia, name="acta de instalación.pdf")
    client = client_for(rita)

    def rows(**params):
        page = client.get(list_url(state_a), params).content.decode()
        return {
            label for label in ("Instalación del STL", "Mesa de diálogo") if f">{label}: " in page
        }

    assert rows() == {"Instalación del STL", "Mesa de diálogo"}
    assert rows(kind="lista_asistencia") == {"Mesa de diálogo"}
    assert rows(phase="instalacion") == {"Instalación del STL"}
    assert rows(subject_type="cocreation.dialoguetable") == {"Mesa de diálogo"}
    assert rows(search="INSTALACIÓN") == {"Instalación del STL"}
    assert rows(search="asistentes") == {"Mesa de diálogo"}
    assert rows(subject_type="no.registrado", kind="inventado") == {
        "Instalación del STL",
        "Mesa de diálogo",
    }
    assert (
        "Ningún registro coincide"
        in client.get(list_url(state_a), {"kind": "fotografia"}).content.decode()
    )
