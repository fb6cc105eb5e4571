"""Services of the public consultations of civil society (requirement 1.c)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cocreation.models import Problem, ProblemOrigin, PublicConsultation
from cocreation.selectors.records import consultation_warnings
from cocreation.services.consultations import consultation_record, consultation_update
from tests.cocreation.factories_dialogue import PublicConsultationFactory

pytestmark = pytest.mark.django_db


def consultation_data(secretariat, **overrides):
    data = {
        "secretariat": secretariat,
        "title": "Foro estatal de gobierno abierto",
        "mechanism": PublicConsultation.Mechanism.OPEN_FORUM,
        "call_published_where": "Periódico Oficial y redes sociales",
        "call_published_on": dt.date(2017, 3, 1),
        "opens_on": dt.date(2017, 3, 10),
        "closes_on": dt.date(2017, 3, 20),
        "channels": "Formulario en línea y buzones",
        "open_to_anyone": True,
        "who_could_participate": "Cualquier persona",
        "restrictions": "",
        "participants": 120,
        "contributions": 64,
        "results": "64 aportaciones",
        "problem_titles": ["Transparencia del gasto en salud"],
    }
    data.update(overrides)
    return data


def assert_nothing_saved():
    assert PublicConsultation.objects.count() == 0
    assert Problem.objects.count() == 0
    assert ProblemOrigin.objects.count() == 0


@pytest.mark.parametrize("persona", ["alicia", "fernanda"])
def test_members_and_the_facilitator_record_a_consultation(request, state_a, persona):
    user = request.getfixturevalue(persona)
    consultation = consultation_record(user=user, **consultation_data(state_a))
    assert consultation.registered_by == user
    assert consultation.open_to_anyone and consultation.restrictions == ""
    origin = ProblemOrigin.objects.get(consultation=consultation)
    assert origin.problem.title == "Transparencia del gasto en salud"
    assert origin.problem.secretariat == state_a


@pytest.mark.parametrize("persona", ["rita", "adan", "bruno"])
def test_others_cannot_record_a_consultation(request, state_a, persona):
    with pytest.raises(PermissionDenied):
        consultation_record(user=request.getfixturevalue(persona), **consultation_data(state_a))
    assert_nothing_saved()


def test_a_consultation_whose_end_precedes_its_start_is_refused(state_a, fernanda):
    data = consultation_data(state_a, closes_on=dt.date(2017, 3, 5))
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **data)
    assert excinfo.value.message_dict["closes_on"] == [
        "La fecha de cierre no puede ser anterior a la de apertura."
    ]
    assert_nothing_saved()


def test_a_call_published_after_the_close_is_refused(state_a, fernanda):
    data = consultation_data(state_a, call_published_on=dt.date(2017, 3, 21))
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **data)
    assert excinfo.value.message_dict["call_published_on"] == [
        "La convocatoria no puede publicarse después del cierre de la consulta: nadie habría "
        "podido participar."
    ]
    assert_nothing_saved()


def test_a_call_published_after_the_opening_is_accepted_with_a_warning(state_a, fernanda):
    data = consultation_data(state_a, call_published_on=dt.date(2017, 3, 12))
    consultation = consultation_record(user=fernanda, **data)
    assert consultation_warnings(consultation=consultation) == [
        "La convocatoria se publicó después de que la consulta abrió: quien no la vio a tiempo "
        "pudo perder días para participar."
    ]


@pytest.mark.parametrize("field", ["participants", "contributions"])
def test_negative_participation_figures_are_refused(state_a, fernanda, field):
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **consultation_data(state_a, **{field: -1}))
    assert "no puede ser negativo" in excinfo.value.message_dict[field][0]
    assert_nothing_saved()


@pytest.mark.parametrize("field", ["participants", "contributions"])
@pytest.mark.parametrize("figure", [10_000_001, 2**31, 10**20])
def test_participation_figures_beyond_ten_million_are_refused(state_a, fernanda, field, figure):
    # Beyond 2**31 - 1 PostgreSQL refused the row and the page answered 500.
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **consultation_data(state_a, **{field: figure}))
    assert excinfo.value.message_dict[field] == ["El número no puede ser mayor que 10,000,000."]
    assert_nothing_saved()


def test_ten_million_participants_are_accepted(state_a, fernanda):
    data = consultation_data(state_a, participants=10_000_000, contributions=10_000_000)
    consultation = consultation_record(user=fernanda, **data)
    assert (consultation.participants, consultation.contributions) == (10_000_000, 10_000_000)


@pytest.mark.parametrize("field", ["call_published_on", "opens_on", "closes_on"])
def test_dates_before_2000_are_refused(state_a, fernanda, field):
    data = consultation_data(
        state_a,
        call_published_on=dt.date(1, 1, 1),
        opens_on=dt.date(1, 1, 1),
        closes_on=dt.date(1, 1, 2),
    )
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **data)
    assert excinfo.value.message_dict[field] == ["La fecha no puede ser anterior al 01/01/2000."]
    assert_nothing_saved()


def test_dates_more_than_two_years_ahead_are_refused(state_a, fernanda):
    today = timezone.localdate()
    try:
        in_two_years = today.replace(year=today.year + 2)
    except ValueError:  # 29 February
        in_two_years = today.replace(year=today.year + 2, day=28)
    data = consultation_data(
        state_a, closes_on=in_two_years + dt.timedelta(days=1), open_to_anyone=True
    )
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **data)
    assert excinfo.value.message_dict["closes_on"] == [
        f"La fecha no puede ser posterior al {in_two_years:%d/%m/%Y}."
    ]
    assert_nothing_saved()


def test_a_consultation_still_open_may_close_within_two_years(state_a, fernanda):
    today = timezone.localdate()
    data = consultation_data(
        state_a, opens_on=today, closes_on=today + dt.timedelta(days=365), call_published_on=today
    )
    assert consultation_record(user=fernanda, **data).closes_on == today + dt.timedelta(days=365)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("title", 200),
        ("call_published_where", 300),
        ("channels", 2_000),
        ("who_could_participate", 2_000),
        ("results", 10_000),
    ],
)
def test_texts_of_a_consultation_have_a_maximum_length(state_a, fernanda, field, limit):
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(
            user=fernanda, **consultation_data(state_a, **{field: "x" * (limit + 1)})
        )
    assert excinfo.value.message_dict[field] == [
        f"Asegúrate de que este valor tenga como máximo {limit} caracteres (tiene {limit + 1})."
    ]
    assert_nothing_saved()


def test_the_restrictions_have_a_maximum_length(state_a, fernanda):
    data = consultation_data(state_a, open_to_anyone=False, restrictions="x" * 2_001)
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **data)
    assert excinfo.value.message_dict["restrictions"] == [
        "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 2001)."
    ]


def test_contributions_without_participants_are_refused(state_a, fernanda):
    data = consultation_data(state_a, participants=0, contributions=5)
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **data)
    assert excinfo.value.message_dict["contributions"] == [
        "Hay aportaciones registradas sin participantes: indica cuántas personas participaron."
    ]
    assert_nothing_saved()


def test_a_restricted_consultation_must_describe_its_restrictions(state_a, fernanda):
    with pytest.raises(ValidationError) as excinfo:
        consultation_record(user=fernanda, **consultation_data(state_a, open_to_anyone=False))
    assert excinfo.value.message_dict["restrictions"] == [
        "Si la consulta no estuvo abierta a cualquier persona, describe las restricciones."
    ]
    assert_nothing_saved()


def test_a_restricted_consultation_keeps_its_restrictions(state_a, fernanda):
    consultation = consultation_record(
        user=fernanda,
        **consultation_data(
            state_a, open_to_anyone=False, restrictions="Solo organizaciones registradas"
        ),
    )
    assert not consultation.open_to_anyone
    assert consultation.restrictions == "Solo organizaciones registradas"


def test_a_consultation_held_before_installation_is_accepted_and_flagged(state_a, fernanda):
    data = consultation_data(
        state_a,
        call_published_on=dt.date(2016, 8, 1),
        opens_on=dt.date(2016, 8, 10),
        closes_on=dt.date(2016, 8, 30),
    )
    consultation = consultation_record(user=fernanda, **data)
    assert consultation.held_before_installation
    assert any(
        "antes de la instalación" in w for w in consultation_warnings(consultation=consultation)
    )


def test_updating_completes_figures_and_adds_problems(state_a, alicia):
    consultation = PublicConsultationFactory(secretariat=state_a, participants=0, contributions=0)
    data = consultation_data(state_a, problem_titles=["Movilidad"])
    del data["secretariat"]
    consultation_update(consultation=consultation, user=alicia, **data)
    consultation.refresh_from_db()
    assert (consultation.participants, consultation.contributions) == (120, 64)
    assert ProblemOrigin.objects.get(consultation=consultation).problem.title == "Movilidad"
    assert consultation.history.latest().history_user == alicia


def test_an_invalid_update_changes_nothing(state_a, alicia):
    consultation = PublicConsultationFactory(secretariat=state_a)
    data = consultation_data(state_a, closes_on=dt.date(2017, 1, 1), title="Otro título")
    del data["secretariat"]
    with pytest.raises(ValidationError):
        consultation_update(consultation=consultation, user=alicia, **data)
    consultation.refresh_from_db()
    assert consultation.title.startswith("Foro abierto")
    assert not Problem.objects.exists()
