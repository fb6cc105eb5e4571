"""Views of the dialogue tables, per role."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocreation.models import DialogueTable, MinutesApproval, Problem
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import DialogueTableFactory, nucleus_of
from tests.conftest import client_for
from tests.factories import add_member

pytestmark = pytest.mark.django_db


def create_url(secretariat):
    return reverse("cocreation:table_create", kwargs={"pk": secretariat.pk})


def table_url(name, table, secretariat=None):
    pk = (secretariat or table.secretariat).pk
    return reverse(name, kwargs={"pk": pk, "table_pk": table.pk})


def form_data(secretariat, **overrides):
    data = {
        "nucleus": nucleus_of(secretariat).pk,
        "held_on": "2017-02-15",
        "modality": "presencial",
        "place": "Sala de cabildo",
        "link": "",
        "agenda": "Problemáticas de la sociedad civil",
        "minutes": "Acuerdos de la mesa.",
        "attendee_count": "2",
        "attendees": "Rosa Pérez — Colectivo A\nLuis Díaz",
        "problem_titles": "Opacidad en obra pública\nFalta de agua potable",
    }
    data.update(overrides)
    return data


def test_the_facilitator_logs_a_table_through_the_form(state_a, fernanda):
    response = client_for(fernanda).post(create_url(state_a), form_data(state_a))

    table = DialogueTable.objects.get()
    assert response.status_code == 302
    assert response.url == table_url("cocreation:table_detail", table)
    assert [a.full_name for a in table.attendees.all()] == ["Rosa Pérez", "Luis Díaz"]
    assert Problem.objects.filter(origins__dialogue_table=table).count() == 2


def test_direction_controls_never_reach_the_record(state_a, fernanda):
    rlo = "\u202e"
    data = form_data(
        state_a,
        place=f"{rlo}Sala de cabildo",
        agenda=f"Problemáticas{rlo} de la sociedad civil",
        attendees=f"Rosa Pérez{rlo} — Colectivo A",
        problem_titles=f"{rlo}Opacidad en obra pública",
    )
    response = client_for(fernanda).post(create_url(state_a), data)

    assert response.status_code == 302
    table = DialogueTable.objects.get()
    assert (table.place, table.agenda) == ("Sala de cabildo", "Problemáticas de la sociedad civil")
    assert [(a.full_name, a.organisation) for a in table.attendees.all()] == [
        ("Rosa Pérez", "Colectivo A")
    ]
    assert Problem.objects.get().title == "Opacidad en obra pública"


def test_the_facilitator_may_choose_any_nucleus(state_a, fernanda):
    response = client_for(fernanda).get(create_url(state_a))
    choices = {n.pk for n in response.context["form"].fields["nucleus"].queryset}
    assert choices == set(state_a.nuclei.values_list("pk", flat=True))


def test_a_member_may_choose_only_their_own_nucleus(state_a, alicia):
    client = client_for(alicia)
    response = client.get(create_url(state_a))
    assert list(response.context["form"].fields["nucleus"].queryset) == [nucleus_of(state_a)]

    other = nucleus_of(state_a, Nucleus.Kind.GUARANTOR)
    response = client.post(create_url(state_a), form_data(state_a, nucleus=other.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["nucleus"]
    assert not DialogueTable.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"held_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
            "held_on",
            "La fecha de la mesa no puede estar en el futuro: regístrala una vez realizada.",
        ),
        ({"attendee_count": "-1"}, "attendee_count", "El número no puede ser negativo."),
        (
            {"attendee_count": "1"},
            "attendees",
            "El registro de asistencia tiene 2 personas, más que el número de asistentes (1). "
            "Corrige el número o el registro.",
        ),
        ({"place": ""}, "place", "Indica el lugar de la mesa presencial."),
        # Bounds (issue 7): beyond them the database answered 500.
        ({"attendee_count": "10001"}, "attendee_count", "El número no puede ser mayor que 10,000."),
        (
            {"attendee_count": "2147483648"},
            "attendee_count",
            "El número no puede ser mayor que 10,000.",
        ),
        ({"held_on": "0001-01-01"}, "held_on", "La fecha no puede ser anterior al 01/01/2000."),
        (
            {"agenda": "x" * 10_001},
            "agenda",
            "Asegúrate de que este valor tenga como máximo 10000 caracteres (tiene 10001).",
        ),
        (
            {"minutes": "x" * 30_001},
            "minutes",
            "Asegúrate de que este valor tenga como máximo 30000 caracteres (tiene 30001).",
        ),
        (
            {"problem_titles": "x\n" * 5_001},
            "problem_titles",
            "Asegúrate de que este valor tenga como máximo 10000 caracteres (tiene 10001).",
        ),
    ],
)
def test_bad_input_shows_a_spanish_message_and_saves_nothing(
    state_a, fernanda, overrides, field, message
):
    response = client_for(fernanda).post(create_url(state_a), form_data(state_a, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not DialogueTable.objects.exists()
    assert not Problem.objects.exists()


def test_a_table_held_before_installation_is_shown_as_such(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a), held_on=dt.date(2016, 5, 2))
    client = client_for(alicia)
    for url in (
        table_url("cocreation:table_detail", table),
        reverse("cocreation:table_list", kwargs={"pk": state_a.pk}),
    ):
        assert "Realizada antes de la instalación del STL" in client.get(url).content.decode()


def test_the_attendance_register_is_never_shown_outside_the_stl(state_a, bruno, rita):
    state_a.is_public = True
    state_a.save(update_fields=["is_public"])
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    table.attendees.create(full_name="Persona Privada", organisation="Colectivo")
    url = table_url("cocreation:table_detail", table)

    outsider = client_for(bruno).get(url)  # the STL is public, its register is not
    assert outsider.status_code == 200
    assert "Persona Privada" not in outsider.content.decode()

    assert "Persona Privada" in client_for(rita).get(url).content.decode()


def test_a_member_approves_the_minutes(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    client = client_for(alicia)
    detail = client.get(table_url("cocreation:table_detail", table)).content.decode()
    assert table_url("cocreation:table_minutes", table) in detail

    response = client.post(table_url("cocreation:table_minutes", table), {"answer": "aprueba"})

    assert response.status_code == 302
    table.refresh_from_db()
    assert table.minutes_approved_at is not None  # Alicia is the whole nucleus
    assert "Aprobada el" in client.get(table_url("cocreation:table_detail", table)).content.decode()


def test_asking_for_corrections_needs_a_comment(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    response = client_for(alicia).post(
        table_url("cocreation:table_minutes", table), {"answer": "correcciones", "comment": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [
        "Escribe qué correcciones pides para que se puedan atender."
    ]
    assert not MinutesApproval.objects.exists()


def test_a_comment_on_the_minutes_is_at_most_two_thousand_characters(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    response = client_for(alicia).post(
        table_url("cocreation:table_minutes", table),
        {"answer": "correcciones", "comment": "x" * 2_001},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [
        "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 2001)."
    ]
    assert not MinutesApproval.objects.exists()


def test_approved_minutes_send_the_member_back_to_the_table(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a), minutes_approved_at=timezone.now())
    response = client_for(alicia).get(table_url("cocreation:table_minutes", table))
    assert response.status_code == 302
    assert response.url == table_url("cocreation:table_detail", table)


def test_the_facilitator_sees_no_approval_button(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    detail = client_for(fernanda).get(table_url("cocreation:table_detail", table)).content.decode()
    assert table_url("cocreation:table_minutes", table) not in detail
    assert table_url("cocreation:table_edit", table) in detail


def test_editing_through_the_view_records_the_acting_user(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    data = form_data(state_a, minutes="Minuta corregida", problem_titles="")
    del data["nucleus"]
    response = client_for(alicia).post(table_url("cocreation:table_edit", table), data)

    assert response.status_code == 302
    table.refresh_from_db()
    assert table.minutes_version == 2
    latest = table.history.latest()
    assert latest.history_user == alicia
    assert latest.minutes == "Minuta corregida"


def test_the_edit_form_shows_the_register_as_text(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    table.attendees.create(full_name="Rosa Pérez", organisation="Colectivo A")
    response = client_for(fernanda).get(table_url("cocreation:table_edit", table))
    assert "Rosa Pérez — Colectivo A" in response.content.decode()
    assert "nucleus" not in response.context["form"].fields


def test_a_member_of_another_nucleus_gets_404_on_edit_and_minutes(state_a):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    guarantor = add_member(state_a, kind=Nucleus.Kind.GUARANTOR).user
    client = client_for(guarantor)
    assert client.get(table_url("cocreation:table_detail", table)).status_code == 200
    assert client.get(table_url("cocreation:table_edit", table)).status_code == 404
    assert client.get(table_url("cocreation:table_minutes", table)).status_code == 404
    assert (
        client.post(table_url("cocreation:table_minutes", table), {"answer": "aprueba"}).status_code
        == 404
    )
    assert not MinutesApproval.objects.exists()


@pytest.mark.parametrize(
    "name", ["cocreation:table_detail", "cocreation:table_edit", "cocreation:table_minutes"]
)
def test_a_table_of_a_under_bs_url_is_404_for_bruno(state_a, state_b, bruno, name):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    response = client_for(bruno).get(table_url(name, table, secretariat=state_b))
    assert response.status_code == 404


def test_bruno_cannot_log_a_table_in_a_by_post(state_a, bruno):
    response = client_for(bruno).post(create_url(state_a), form_data(state_a))
    assert response.status_code == 404
    assert not DialogueTable.objects.exists()


def test_the_table_list_names_nuclei_without_tables(state_a, alicia):
    DialogueTableFactory(nucleus=nucleus_of(state_a))
    content = client_for(alicia).get(reverse("cocreation:table_list", kwargs={"pk": state_a.pk}))
    text = content.content.decode()
    assert "Núcleos sin ninguna mesa registrada" in text
    assert "Autoridades locales" in text


# --- evidence through the vault ----------------------------------------------------------------


def test_the_facilitator_attaches_the_attendance_list_through_the_vault(state_a, fernanda):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cocreation.selectors import secretariat_timeline
    from tests.factories import MINIMAL_PDF

    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    detail = table_url("cocreation:table_detail", table)
    upload = reverse(
        "evidence:subject",
        kwargs={
            "pk": state_a.pk,
            "subject_type": "cocreation.dialoguetable",
            "subject_id": table.pk,
        },
    )
    client = client_for(fernanda)
    page = client.get(detail).content.decode()
    assert f'action="{upload}" enctype="multipart/form-data"' in page
    before = secretariat_timeline(secretariat=state_a)["items"][0].missing
    assert "Sin lista de asistencia como evidencia." in before

    response = client.post(
        upload,
        {
            "files": SimpleUploadedFile("lista-asistencia.pdf", MINIMAL_PDF, "application/pdf"),
            "kind": "lista_asistencia",
            "description": "Lista de asistencia firmada",
            "contains_personal_data": "on",
            "next": detail,
        },
    )

    assert response.status_code == 302
    assert response.url == detail
    page = client.get(detail).content.decode()
    assert "lista-asistencia.pdf" in page
    assert "Lista de asistencia firmada" in page
    after = secretariat_timeline(secretariat=state_a)["items"][0].missing
    assert after == tuple(m for m in before if m != "Sin lista de asistencia como evidencia.")
    assert len(after) == len(before) - 1


def test_cancel_goes_back_to_the_table_list_or_the_table(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    client = client_for(fernanda)

    create = client.get(create_url(state_a)).content.decode()
    edit = client.get(table_url("cocreation:table_edit", table)).content.decode()

    table_list = reverse("cocreation:table_list", kwargs={"pk": state_a.pk})
    assert f'<a href="{table_list}">Cancelar</a>' in create
    assert f'<a href="{table_url("cocreation:table_detail", table)}">Cancelar</a>' in edit


def test_a_nucleus_without_active_members_is_told_its_minutes_cannot_be_approved(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a, Nucleus.Kind.GUARANTOR))

    page = client_for(fernanda).get(table_url("cocreation:table_detail", table)).content.decode()

    assert "Sin integrantes que la aprueben" in page
    assert (
        "El núcleo Órgano garante no tiene integrantes activos, así que nadie puede aprobar esta "
        "minuta: nunca contará como aprobada."
    ) in page
    assert "se necesitan 1" not in page


def test_a_nucleus_with_members_is_not_told_so(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    page = client_for(alicia).get(table_url("cocreation:table_detail", table)).content.decode()
    assert "no tiene integrantes activos" not in page
    assert "Sin integrantes que la aprueben" not in page
