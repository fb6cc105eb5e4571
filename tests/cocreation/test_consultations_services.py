"""Services of the public consultations of civil society (requirement 1.c)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

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
