"""Views of the public consultations, per role."""

import pytest
from django.urls import reverse

from cocreation.models import ProblemOrigin, PublicConsultation
from tests.cocreation.factories_dialogue import PublicConsultationFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def create_url(secretariat):
    return reverse("cocreation:consultation_create", kwargs={"pk": secretariat.pk})


def consultation_url(name, consultation, secretariat=None):
    pk = (secretariat or consultation.secretariat).pk
    return reverse(name, kwargs={"pk": pk, "consultation_pk": consultation.pk})


def form_data(**overrides):
    data = {
        "title": "Foro estatal",
        "mechanism": "foro_abierto",
        "call_published_where": "Periódico Oficial",
        "call_published_on": "2017-03-01",
        "opens_on": "2017-03-10",
        "closes_on": "2017-03-20",
        "channels": "Buzones",
        "open_to_anyone": "on",
        "who_could_participate": "Cualquier persona",
        "restrictions": "",
        "participants": "50",
        "contributions": "20",
        "results": "Veinte aportaciones",
        "problem_titles": "Movilidad\nSalud",
    }
    data.update(overrides)
    return data


def test_a_member_records_a_consultation_through_the_form(state_a, alicia):
    client = client_for(alicia)
    response = client.post(create_url(state_a), form_data())
    consultation = PublicConsultation.objects.get()
    assert response.status_code == 302
    assert response.url == consultation_url("cocreation:consultation_detail", consultation)
    assert ProblemOrigin.objects.filter(consultation=consultation).count() == 2
    page = client.get(response.url).content.decode()
    assert "Abierta a cualquier persona" in page


def test_a_restricted_consultation_says_so_plainly(state_a, alicia):
    consultation = PublicConsultationFactory(
        secretariat=state_a, open_to_anyone=False, restrictions="Solo organizaciones registradas"
    )
    page = client_for(alicia).get(consultation_url("cocreation:consultation_detail", consultation))
    text = page.content.decode()
    assert "Con restricciones: Solo organizaciones registradas" in text
    assert "Abierta a cualquier persona" not in text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"closes_on": "2017-03-05"},
            "closes_on",
            "La fecha de cierre no puede ser anterior a la de apertura.",
        ),
        ({"participants": "-3"}, "participants", "El número no puede ser negativo."),
        ({"contributions": "-3"}, "contributions", "El número no puede ser negativo."),
        (
            {"participants": "0"},
            "contributions",
            "Hay aportaciones registradas sin participantes: indica cuántas personas participaron.",
        ),
        (
            {"open_to_anyone": ""},
            "restrictions",
            "Si la consulta no estuvo abierta a cualquier persona, describe las restricciones.",
        ),
        # Bounds (issue 7): beyond 2**31 - 1 the database answered 500.
        (
            {"participants": "2147483648"},
            "participants",
            "El número no puede ser mayor que 10,000,000.",
        ),
        (
            {"contributions": "10000001"},
            "contributions",
            "El número no puede ser mayor que 10,000,000.",
        ),
        ({"opens_on": "0001-01-01"}, "opens_on", "La fecha no puede ser anterior al 01/01/2000."),
        (
            {"results": "x" * 10_001},
            "results",
            "Asegúrate de que este valor tenga como máximo 10000 caracteres (tiene 10001).",
        ),
        (
            {"who_could_participate": "x" * 2_001},
            "who_could_participate",
            "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 2001).",
        ),
    ],
)
def test_bad_input_shows_a_spanish_message_and_saves_nothing(
    state_a, fernanda, overrides, field, message
):
    data = form_data(**overrides)
    if data["open_to_anyone"] == "":
        del data["open_to_anyone"]
    response = client_for(fernanda).post(create_url(state_a), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not PublicConsultation.objects.exists()
    assert not ProblemOrigin.objects.exists()


def test_a_late_call_is_saved_with_a_warning(state_a, fernanda):
    response = client_for(fernanda).post(
        create_url(state_a), form_data(call_published_on="2017-03-15"), follow=True
    )
    assert PublicConsultation.objects.count() == 1
    assert "La convocatoria se publicó después de que la consulta abrió" in (
        response.content.decode()
    )


def test_a_consultation_before_installation_is_shown_as_such(state_a, alicia):
    consultation = PublicConsultationFactory(
        secretariat=state_a,
        call_published_on="2016-01-01",
        opens_on="2016-01-10",
        closes_on="2016-01-20",
    )
    page = client_for(alicia).get(consultation_url("cocreation:consultation_detail", consultation))
    assert "Realizada antes de la instalación del STL" in page.content.decode()


def test_editing_completes_the_results(state_a, fernanda):
    consultation = PublicConsultationFactory(secretariat=state_a, results="")
    url = consultation_url("cocreation:consultation_edit", consultation)
    client = client_for(fernanda)
    assert client.get(url).context["form"].initial["title"] == consultation.title
    response = client.post(url, form_data(results="Resultados finales", problem_titles=""))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.results == "Resultados finales"
    assert consultation.history.latest().history_user == fernanda


@pytest.mark.parametrize("name", ["cocreation:consultation_detail", "cocreation:consultation_edit"])
def test_a_consultation_of_a_under_bs_url_is_404_for_bruno(state_a, state_b, bruno, name):
    consultation = PublicConsultationFactory(secretariat=state_a)
    response = client_for(bruno).get(consultation_url(name, consultation, secretariat=state_b))
    assert response.status_code == 404


def test_a_member_attaches_the_call_through_the_vault(state_a, alicia):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cocreation.selectors import secretariat_timeline
    from tests.factories import MINIMAL_PDF

    consultation = PublicConsultationFactory(secretariat=state_a, title="Foro", participants=0)
    detail = consultation_url("cocreation:consultation_detail", consultation)
    upload = reverse(
        "evidence:subject",
        kwargs={
            "pk": state_a.pk,
            "subject_type": "cocreation.publicconsultation",
            "subject_id": consultation.pk,
        },
    )
    client = client_for(alicia)
    page = client.get(detail).content.decode()
    assert f'action="{upload}" enctype="multipart/form-data"' in page
    before = secretariat_timeline(secretariat=state_a)["items"][0].missing
    assert before == ("Sin la convocatoria como evidencia.", "Sin cifras de participación.")

    response = client.post(
        upload,
        {
            "files": SimpleUploadedFile("convocatoria.pdf", MINIMAL_PDF, "application/pdf"),
            "kind": "convocatoria",
            "description": "Convocatoria publicada en el Periódico Oficial",
            "next": detail,
        },
    )

    assert response.status_code == 302
    assert response.url == detail
    page = client.get(detail).content.decode()
    assert "convocatoria.pdf" in page
    assert "Convocatoria publicada en el Periódico Oficial" in page
    after = secretariat_timeline(secretariat=state_a)["items"][0].missing
    assert after == ("Sin cifras de participación.",)


def test_cancel_goes_back_to_the_consultation_list_or_the_consultation(state_a, fernanda):
    consultation = PublicConsultationFactory(secretariat=state_a)
    client = client_for(fernanda)

    create = client.get(create_url(state_a)).content.decode()
    edit = client.get(
        consultation_url("cocreation:consultation_edit", consultation)
    ).content.decode()

    consultations = reverse("cocreation:consultation_list", kwargs={"pk": state_a.pk})
    detail = consultation_url("cocreation:consultation_detail", consultation)
    assert f'<a href="{consultations}">Cancelar</a>' in create
    assert f'<a href="{detail}">Cancelar</a>' in edit
