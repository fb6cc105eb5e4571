"""Services of the dialogue tables: logging, correcting, and approving the minutes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cocreation.models import Attendee, DialogueTable, MinutesApproval, Problem, ProblemOrigin
from cocreation.services.dialogue import (
    AttendeeLine,
    dialogue_table_log,
    dialogue_table_update,
    format_attendance_register,
    minutes_answer,
    parse_attendance_register,
)
from stl.models import Nucleus
from tests.cocreation.factories_dialogue import DialogueTableFactory, nucleus_of
from tests.factories import add_member

pytestmark = pytest.mark.django_db


def table_data(secretariat, **overrides):
    data = {
        "secretariat": secretariat,
        "nucleus": nucleus_of(secretariat),
        "held_on": dt.date(2017, 2, 15),
        "modality": DialogueTable.Modality.IN_PERSON,
        "place": "Sala de cabildo",
        "agenda": "Problemáticas de la sociedad civil",
        "minutes": "Acuerdos de la mesa.",
        "attendee_count": 3,
        "attendees": [AttendeeLine("Rosa Pérez", "Colectivo A"), AttendeeLine("Luis Díaz", "")],
        "problem_titles": ["Opacidad en obra pública", "Falta de agua potable"],
    }
    data.update(overrides)
    return data


def error_text(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def assert_nothing_saved():
    assert DialogueTable.objects.count() == 0
    assert Attendee.objects.count() == 0
    assert Problem.objects.count() == 0
    assert ProblemOrigin.objects.count() == 0


# --- logging a table ---------------------------------------------------------------------------


def test_facilitator_logs_a_table_with_register_and_problems(state_a, fernanda):
    table = dialogue_table_log(user=fernanda, **table_data(state_a))

    assert table.logged_by == fernanda
    assert table.minutes_version == 1 and table.minutes_approved_at is None
    assert [(a.full_name, a.organisation) for a in table.attendees.all()] == [
        ("Rosa Pérez", "Colectivo A"),
        ("Luis Díaz", ""),
    ]
    problems = Problem.objects.filter(origins__dialogue_table=table).order_by("pk")
    assert [p.title for p in problems] == ["Opacidad en obra pública", "Falta de agua potable"]
    assert all(p.secretariat == state_a and p.created_by == fernanda for p in problems)


def test_member_logs_a_table_of_their_own_nucleus(state_a, alicia):
    table = dialogue_table_log(user=alicia, **table_data(state_a))
    assert table.nucleus.kind == Nucleus.Kind.CIVIL_SOCIETY


def test_member_cannot_log_a_table_of_another_nucleus(state_a, alicia):
    other = nucleus_of(state_a, Nucleus.Kind.LOCAL_AUTHORITIES)
    with pytest.raises(PermissionDenied):
        dialogue_table_log(user=alicia, **table_data(state_a, nucleus=other))
    assert_nothing_saved()


@pytest.mark.parametrize("persona", ["rita", "adan", "bruno"])
def test_only_the_facilitator_and_nucleus_members_log_tables(request, state_a, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        dialogue_table_log(user=user, **table_data(state_a))
    assert_nothing_saved()


def test_a_table_dated_in_the_future_is_refused(state_a, fernanda):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, held_on=tomorrow))
    assert "no puede estar en el futuro" in error_text(excinfo)
    assert_nothing_saved()


def test_more_people_in_the_register_than_attendees_is_refused(state_a, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, attendee_count=1))
    assert excinfo.value.message_dict["attendees"] == [
        "El registro de asistencia tiene 2 personas, más que el número de asistentes (1). "
        "Corrige el número o el registro."
    ]
    assert_nothing_saved()


def test_a_negative_attendance_figure_is_refused(state_a, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, attendee_count=-4))
    assert excinfo.value.message_dict["attendee_count"] == ["El número no puede ser negativo."]
    assert_nothing_saved()


@pytest.mark.parametrize("count", [10_001, 2**31, 10**20])
def test_an_attendance_figure_beyond_ten_thousand_is_refused(state_a, fernanda, count):
    # 2**31 overflowed PostgreSQL's integer and 10**20 raised OverflowError: both answered 500.
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, attendee_count=count))
    assert excinfo.value.message_dict["attendee_count"] == [
        "El número no puede ser mayor que 10,000."
    ]
    assert_nothing_saved()


def test_ten_thousand_attendees_are_accepted(state_a, fernanda):
    table = dialogue_table_log(user=fernanda, **table_data(state_a, attendee_count=10_000))
    assert table.attendee_count == 10_000


def test_a_table_dated_before_2000_is_refused(state_a, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, held_on=dt.date(1, 1, 1)))
    assert excinfo.value.message_dict["held_on"] == [
        "La fecha no puede ser anterior al 01/01/2000."
    ]
    assert_nothing_saved()


@pytest.mark.parametrize(("field", "limit"), [("agenda", 10_000), ("minutes", 30_000)])
def test_texts_of_a_table_have_a_maximum_length(state_a, fernanda, field, limit):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, **{field: "x" * (limit + 1)}))
    assert excinfo.value.message_dict[field] == [
        f"Asegúrate de que este valor tenga como máximo {limit} caracteres (tiene {limit + 1})."
    ]
    assert_nothing_saved()


def test_an_update_beyond_the_bounds_changes_nothing(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    data = table_data(state_a, attendee_count=10**20)
    del data["secretariat"], data["nucleus"]
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_update(table=table, user=fernanda, **data)
    assert excinfo.value.message_dict["attendee_count"] == [
        "El número no puede ser mayor que 10,000."
    ]
    table.refresh_from_db()
    assert table.attendee_count != 10**20


def test_a_nucleus_of_another_stl_is_refused(state_a, state_b, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, nucleus=nucleus_of(state_b)))
    assert excinfo.value.message_dict["nucleus"] == ["Ese núcleo no pertenece a este STL."]
    assert_nothing_saved()


def test_an_in_person_table_needs_its_place(state_a, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, place="  "))
    assert excinfo.value.message_dict["place"] == ["Indica el lugar de la mesa presencial."]
    assert_nothing_saved()


def test_an_online_table_needs_its_link(state_a, fernanda):
    data = table_data(state_a, modality=DialogueTable.Modality.ONLINE, place="")
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **data)
    assert excinfo.value.message_dict["link"] == ["Indica el enlace de la mesa en línea."]
    assert_nothing_saved()


def test_a_mixed_table_takes_place_and_link(state_a, fernanda):
    table = dialogue_table_log(
        user=fernanda,
        **table_data(
            state_a,
            modality=DialogueTable.Modality.MIXED,
            link="https://reunion.example.mx/mesa",
        ),
    )
    assert table.place == "Sala de cabildo"
    assert table.link == "https://reunion.example.mx/mesa"


def test_a_table_held_before_installation_is_accepted_and_flagged(state_a, fernanda):
    before = state_a.installation_date - dt.timedelta(days=30)
    table = dialogue_table_log(user=fernanda, **table_data(state_a, held_on=before))
    assert table.held_before_installation


def test_a_problem_line_too_long_is_refused(state_a, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        dialogue_table_log(user=fernanda, **table_data(state_a, problem_titles=["x" * 301]))
    assert "es demasiado larga" in error_text(excinfo)
    assert_nothing_saved()


def test_the_register_reads_one_person_per_line():
    text = "Rosa Pérez — Colectivo A\n\n  Luis Díaz  \nAna Ruiz - Universidad\nEva Gil | Cámara"
    assert parse_attendance_register(text) == [
        AttendeeLine("Rosa Pérez", "Colectivo A"),
        AttendeeLine("Luis Díaz", ""),
        AttendeeLine("Ana Ruiz", "Universidad"),
        AttendeeLine("Eva Gil", "Cámara"),
    ]
    with pytest.raises(ValidationError) as excinfo:
        parse_attendance_register("Rosa Pérez\n— Colectivo sin nombre")
    assert excinfo.value.messages == ["Falta el nombre de la persona en la línea 2 del registro."]


def test_the_register_is_written_back_as_it_is_read(state_a):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    Attendee.objects.create(dialogue_table=table, full_name="Rosa Pérez", organisation="A")
    Attendee.objects.create(dialogue_table=table, full_name="Luis Díaz")
    text = format_attendance_register(table.attendees.all())
    assert parse_attendance_register(text) == [
        AttendeeLine("Rosa Pérez", "A"),
        AttendeeLine("Luis Díaz", ""),
    ]


# --- correcting a table ------------------------------------------------------------------------


def update_data(table, **overrides):
    data = {
        "held_on": table.held_on,
        "modality": table.modality,
        "place": table.place,
        "link": table.link,
        "agenda": table.agenda,
        "minutes": table.minutes,
        "attendee_count": table.attendee_count,
        "attendees": [],
    }
    data.update(overrides)
    return data


def test_editing_the_minutes_starts_a_new_version_to_approve(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a), minutes_approved_at=timezone.now())
    table = dialogue_table_update(
        table=table, user=fernanda, **update_data(table, minutes="Minuta corregida.")
    )
    table.refresh_from_db()
    assert table.minutes == "Minuta corregida."
    assert table.minutes_version == 2
    assert table.minutes_approved_at is None


def test_editing_other_fields_keeps_the_minutes_version_and_approval(state_a, fernanda):
    approved_at = timezone.now()
    table = DialogueTableFactory(nucleus=nucleus_of(state_a), minutes_approved_at=approved_at)
    dialogue_table_update(table=table, user=fernanda, **update_data(table, attendee_count=20))
    table.refresh_from_db()
    assert (table.attendee_count, table.minutes_version) == (20, 1)
    assert table.minutes_approved_at == approved_at


def test_editing_replaces_the_register_and_adds_new_problems(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    Attendee.objects.create(dialogue_table=table, full_name="Antes")
    dialogue_table_update(
        table=table,
        user=alicia,
        **update_data(
            table,
            attendees=[AttendeeLine("Después", "Org")],
            problem_titles=["Inseguridad"],
        ),
    )
    assert [a.full_name for a in table.attendees.all()] == ["Después"]
    assert ProblemOrigin.objects.get(dialogue_table=table).problem.title == "Inseguridad"


def test_an_edit_into_the_future_is_refused_and_changes_nothing(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        dialogue_table_update(
            table=table,
            user=fernanda,
            **update_data(table, held_on=tomorrow, minutes="Otra minuta"),
        )
    table.refresh_from_db()
    assert table.held_on == dt.date(2017, 2, 15)
    assert (table.minutes, table.minutes_version) == ("Se identificaron tres problemáticas.", 1)


def test_a_table_edit_records_who_made_it(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    dialogue_table_update(table=table, user=alicia, **update_data(table, agenda="Nuevo orden"))
    latest = table.history.latest()
    assert latest.history_user == alicia
    assert latest.agenda == "Nuevo orden"


def test_a_member_of_another_nucleus_cannot_edit_a_table(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a, Nucleus.Kind.GUARANTOR))
    outsider = add_member(state_a).user  # civil society
    with pytest.raises(PermissionDenied):
        dialogue_table_update(table=table, user=outsider, **update_data(table, agenda="X"))


# --- approving the minutes ---------------------------------------------------------------------


@pytest.fixture
def nucleus_of_three(state_a, alicia):
    """Alicia and two more active members in civil society, plus one who left."""
    others = [add_member(state_a).user for _ in range(2)]
    add_member(state_a, is_active=False)
    return [alicia, *others]


def test_minutes_count_once_a_strict_majority_approves(state_a, nucleus_of_three):
    alicia, beto, carla = nucleus_of_three
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))

    minutes_answer(table=table, user=alicia, answer=MinutesApproval.Answer.APPROVE)
    table.refresh_from_db()
    assert table.minutes_approved_at is None  # 1 of 3

    minutes_answer(
        table=table, user=beto, answer=MinutesApproval.Answer.CORRECTIONS, comment="Falta un punto"
    )
    table.refresh_from_db()
    assert table.minutes_approved_at is None

    minutes_answer(table=table, user=carla, answer=MinutesApproval.Answer.APPROVE)
    table.refresh_from_db()
    assert table.minutes_approved_at is not None  # 2 of 3 (the inactive member does not count)
    assert MinutesApproval.objects.filter(dialogue_table=table, minutes_version=1).count() == 3


def test_half_of_the_nucleus_is_not_a_majority(state_a, alicia):
    add_member(state_a)
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    minutes_answer(table=table, user=alicia, answer=MinutesApproval.Answer.APPROVE)
    table.refresh_from_db()
    assert table.minutes_approved_at is None


def test_asking_for_corrections_needs_a_comment(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    with pytest.raises(ValidationError) as excinfo:
        minutes_answer(table=table, user=alicia, answer=MinutesApproval.Answer.CORRECTIONS)
    assert excinfo.value.message_dict["comment"] == [
        "Escribe qué correcciones pides para que se puedan atender."
    ]
    assert not MinutesApproval.objects.exists()


def test_a_comment_of_a_hundred_thousand_characters_is_refused(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    with pytest.raises(ValidationError) as excinfo:
        minutes_answer(
            table=table,
            user=alicia,
            answer=MinutesApproval.Answer.CORRECTIONS,
            comment="x" * 100_000,
        )
    assert excinfo.value.message_dict["comment"] == [
        "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 100000)."
    ]
    assert not MinutesApproval.objects.exists()


def test_a_member_may_change_their_answer_until_the_minutes_are_approved(state_a, alicia):
    add_member(state_a)
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    minutes_answer(table=table, user=alicia, answer="correcciones", comment="Falta la fecha")
    minutes_answer(table=table, user=alicia, answer="aprueba")
    approval = MinutesApproval.objects.get()
    assert (approval.answer, approval.comment) == ("aprueba", "")


def test_an_answer_after_approval_is_refused(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    minutes_answer(table=table, user=alicia, answer="aprueba")  # 1 of 1
    with pytest.raises(ValidationError) as excinfo:
        minutes_answer(table=table, user=alicia, answer="correcciones", comment="Cambio")
    assert "ya fue aprobada" in error_text(excinfo)


def test_new_minutes_need_a_new_majority(state_a, alicia, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    minutes_answer(table=table, user=alicia, answer="aprueba")
    table = dialogue_table_update(
        table=table, user=fernanda, **update_data(table, minutes="Versión 2")
    )
    assert table.minutes_approved_at is None
    minutes_answer(table=table, user=alicia, answer="aprueba")
    table.refresh_from_db()
    assert table.minutes_approved_at is not None
    assert list(
        MinutesApproval.objects.filter(dialogue_table=table).values_list(
            "minutes_version", flat=True
        )
    ) == [1, 2]


def test_minutes_cannot_be_approved_before_they_exist(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a), minutes="")
    with pytest.raises(ValidationError) as excinfo:
        minutes_answer(table=table, user=alicia, answer="aprueba")
    assert excinfo.value.messages == ["Esta mesa aún no tiene minuta que aprobar."]


def test_the_facilitator_does_not_approve_minutes(state_a, fernanda):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a))
    with pytest.raises(PermissionDenied):
        minutes_answer(table=table, user=fernanda, answer="aprueba")


def test_a_member_of_another_nucleus_does_not_approve_its_minutes(state_a, alicia):
    table = DialogueTableFactory(nucleus=nucleus_of(state_a, Nucleus.Kind.GUARANTOR))
    with pytest.raises(PermissionDenied):
        minutes_answer(table=table, user=alicia, answer="aprueba")
    assert not MinutesApproval.objects.exists()
