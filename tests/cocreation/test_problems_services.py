"""Services of the problems: adding one from its origin, merging duplicates (requirement 1.b)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cocreation.models import Problem, ProblemOrigin
from cocreation.services.problems import parse_problem_lines, problem_add, problem_merge
from tests.cocreation.factories_dialogue import (
    DialogueTableFactory,
    PublicConsultationFactory,
    nucleus_of,
    problem_from,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_a(state_a):
    return DialogueTableFactory(nucleus=nucleus_of(state_a))


@pytest.fixture
def consultation_a(state_a):
    return PublicConsultationFactory(secretariat=state_a)


def origins_of(problem):
    return sorted(
        ProblemOrigin.objects.filter(problem=problem).values_list(
            "dialogue_table_id", "consultation_id"
        ),
        key=str,
    )


def test_problem_lines_are_trimmed_and_deduplicated():
    text = "- Opacidad\n\n  Falta de agua \n• opacidad\nInseguridad"
    assert parse_problem_lines(text) == ["Opacidad", "Falta de agua", "Inseguridad"]


@pytest.mark.parametrize("persona", ["alicia", "fernanda"])
def test_a_problem_is_added_from_a_table(request, state_a, table_a, persona):
    user = request.getfixturevalue(persona)
    problem = problem_add(secretariat=state_a, origin=table_a, title="  Falta  de agua ", user=user)
    assert problem.title == "Falta de agua"
    assert origins_of(problem) == [(table_a.pk, None)]


def test_a_problem_is_added_from_a_consultation(state_a, consultation_a, alicia):
    problem = problem_add(secretariat=state_a, origin=consultation_a, title="Salud", user=alicia)
    assert origins_of(problem) == [(None, consultation_a.pk)]


@pytest.mark.parametrize(("field", "limit"), [("title", 300), ("description", 10_000)])
def test_the_texts_of_a_problem_have_a_maximum_length(state_a, table_a, alicia, field, limit):
    data = {"title": "Salud", "description": "", field: "x" * (limit + 1)}
    with pytest.raises(ValidationError) as excinfo:
        problem_add(secretariat=state_a, origin=table_a, user=alicia, **data)
    assert excinfo.value.message_dict[field] == [
        f"Asegúrate de que este valor tenga como máximo {limit} caracteres (tiene {limit + 1})."
    ]
    assert not Problem.objects.exists()


def test_a_problem_without_origin_is_refused(state_a, alicia):
    with pytest.raises(ValidationError) as excinfo:
        problem_add(secretariat=state_a, origin=None, title="Impuesta", user=alicia)
    assert excinfo.value.message_dict["origin"] == [
        "Indica la mesa de diálogo o la consulta pública de donde surgió."
    ]
    assert not Problem.objects.exists()


def test_a_problem_from_another_stls_table_is_refused(state_a, state_b, alicia):
    table_b = DialogueTableFactory(nucleus=nucleus_of(state_b))
    with pytest.raises(ValidationError) as excinfo:
        problem_add(secretariat=state_a, origin=table_b, title="Ajena", user=alicia)
    assert excinfo.value.message_dict["origin"] == ["Esa mesa o consulta no pertenece a este STL."]
    assert not Problem.objects.exists()


@pytest.mark.parametrize("persona", ["rita", "adan", "bruno"])
def test_only_members_and_the_facilitator_add_problems(request, state_a, table_a, persona):
    with pytest.raises(PermissionDenied):
        problem_add(
            secretariat=state_a,
            origin=table_a,
            title="X",
            user=request.getfixturevalue(persona),
        )


def test_merging_keeps_both_origins_on_the_survivor(table_a, consultation_a, alicia):
    survivor = problem_from(table_a, "Opacidad en obra pública")
    duplicate = problem_from(consultation_a, "Obra pública opaca")

    result = problem_merge(problem=duplicate, into=survivor, user=alicia)

    duplicate.refresh_from_db()
    assert result == survivor
    assert duplicate.merged_into == survivor
    assert origins_of(survivor) == sorted([(table_a.pk, None), (None, consultation_a.pk)], key=str)
    assert origins_of(duplicate) == [(None, consultation_a.pk)]  # its own origin stays too
    assert duplicate.history.latest().history_user == alicia


def test_merging_a_problem_whose_origin_the_survivor_already_has_adds_no_copy(table_a, alicia):
    survivor = problem_from(table_a, "Agua")
    duplicate = problem_from(table_a, "Agua potable")
    problem_merge(problem=duplicate, into=survivor, user=alicia)
    assert origins_of(survivor) == [(table_a.pk, None)]


def test_a_merge_chain_stays_one_level_deep(table_a, consultation_a, fernanda):
    first = problem_from(table_a, "A")
    second = problem_from(consultation_a, "B")
    third = problem_from(table_a, "C")
    problem_merge(problem=first, into=second, user=fernanda)
    problem_merge(problem=second, into=third, user=fernanda)
    first.refresh_from_db()
    assert first.merged_into == third
    assert set(third.merged_problems.values_list("title", flat=True)) == {"A", "B"}
    assert origins_of(third) == sorted([(table_a.pk, None), (None, consultation_a.pk)], key=str)


def test_a_problem_cannot_be_merged_into_itself(table_a, alicia):
    problem = problem_from(table_a)
    with pytest.raises(ValidationError) as excinfo:
        problem_merge(problem=problem, into=problem, user=alicia)
    assert excinfo.value.message_dict["into"] == [
        "Una problemática no se puede fusionar consigo misma."
    ]
    problem.refresh_from_db()
    assert problem.merged_into is None


def test_problems_of_different_stls_cannot_be_merged(table_a, state_b, alicia):
    mine = problem_from(table_a)
    theirs = problem_from(DialogueTableFactory(nucleus=nucleus_of(state_b)))
    with pytest.raises(ValidationError) as excinfo:
        problem_merge(problem=mine, into=theirs, user=alicia)
    assert excinfo.value.message_dict["into"] == [
        "Solo se pueden fusionar problemáticas del mismo STL."
    ]
    mine.refresh_from_db()
    assert mine.merged_into is None
    assert origins_of(theirs) == [(theirs.origins.get().dialogue_table_id, None)]


def test_an_already_merged_problem_cannot_be_merged_again(table_a, alicia):
    a, b, c = (problem_from(table_a, t) for t in "ABC")
    problem_merge(problem=a, into=b, user=alicia)
    with pytest.raises(ValidationError) as excinfo:
        problem_merge(problem=a, into=c, user=alicia)
    assert excinfo.value.messages == ["Esta problemática ya fue fusionada en otra."]
    with pytest.raises(ValidationError) as excinfo:
        problem_merge(problem=c, into=a, user=alicia)
    assert "ya fue fusionada en otra" in excinfo.value.messages[0]


@pytest.mark.parametrize("persona", ["rita", "adan", "bruno"])
def test_only_members_and_the_facilitator_merge(request, table_a, persona):
    a, b = problem_from(table_a, "A"), problem_from(table_a, "B")
    with pytest.raises(PermissionDenied):
        problem_merge(problem=a, into=b, user=request.getfixturevalue(persona))
    a.refresh_from_db()
    assert a.merged_into is None
