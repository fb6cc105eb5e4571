"""What may ever be shown publicly: current files without personal data, and for files with
personal data only their redacted public version, never the original."""

import pytest
from django.contrib.contenttypes.models import ContentType

from evidence import services
from evidence.selectors import publishable_evidence
from evidence.subjects import registered_subject_types
from tests.evidence.factories import (
    attach,
    attach_to_each,
    pdf_file,
    subjects_of_several_types,
)

pytestmark = pytest.mark.django_db


def names(secretariat) -> set[str]:
    return {evidence.original_name for evidence in publishable_evidence(secretariat=secretariat)}


def with_public_version(subject, user, name="lista.pdf", public_name="lista testada.pdf"):
    original = attach(subject, user, name=name, contains_personal_data=True)
    public = services.evidence_add_public_version(
        evidence=original, uploaded_file=pdf_file(public_name), user=user
    )
    original.refresh_from_db()
    return original, public


def test_a_current_file_without_personal_data_is_publishable(state_a, alicia):
    act = attach(state_a, alicia, name="acta.pdf")

    assert list(publishable_evidence(secretariat=state_a)) == [act]


def test_a_file_with_personal_data_and_no_public_version_is_left_out(state_a, alicia):
    attach(state_a, alicia, name="lista.pdf", contains_personal_data=True)

    assert names(state_a) == set()


def test_only_the_public_version_of_a_file_with_personal_data_is_publishable(state_a, alicia):
    original, public = with_public_version(state_a, alicia)

    publishable = list(publishable_evidence(secretariat=state_a))

    assert publishable == [public]
    assert original not in publishable


def test_only_the_newest_public_version_is_publishable(state_a, alicia):
    original, first = with_public_version(state_a, alicia, public_name="primera testada.pdf")
    second = services.evidence_add_public_version(
        evidence=original, uploaded_file=pdf_file("segunda testada.pdf"), user=alicia
    )

    assert list(publishable_evidence(secretariat=state_a)) == [second]


def test_superseded_and_withdrawn_files_are_not_publishable(state_a, alicia):
    old = attach(state_a, alicia, name="borrador.pdf")
    new = services.evidence_supersede(
        evidence=old, uploaded_file=pdf_file("acta firmada.pdf"), description="Firmas", user=alicia
    )
    wrong = attach(state_a, alicia, name="equivocada.pdf")
    services.evidence_withdraw(evidence=wrong, reason="Era de otro estado", user=alicia)

    assert list(publishable_evidence(secretariat=state_a)) == [new]


def test_the_public_version_of_a_withdrawn_original_is_not_publishable(state_a, alicia):
    original, _public = with_public_version(state_a, alicia)
    services.evidence_withdraw(evidence=original, reason="Lista de otra mesa", user=alicia)

    assert names(state_a) == set()


def test_a_withdrawn_public_version_leaves_nothing_publishable(state_a, alicia):
    _original, public = with_public_version(state_a, alicia)
    services.evidence_withdraw(evidence=public, reason="Quedó un nombre sin testar", user=alicia)

    assert names(state_a) == set()


def test_a_new_version_with_personal_data_needs_its_own_public_version(state_a, alicia):
    original, _old_public = with_public_version(state_a, alicia)
    new = services.evidence_supersede(
        evidence=original,
        uploaded_file=pdf_file("lista corregida.pdf"),
        description="Lista corregida",
        user=alicia,
    )
    assert new.contains_personal_data

    assert names(state_a) == set()

    services.evidence_add_public_version(
        evidence=new, uploaded_file=pdf_file("lista corregida testada.pdf"), user=alicia
    )
    assert names(state_a) == {"lista corregida testada.pdf"}


def test_a_new_version_without_personal_data_replaces_the_old_public_version(state_a, alicia):
    original, _old_public = with_public_version(state_a, alicia)
    services.evidence_supersede(
        evidence=original,
        uploaded_file=pdf_file("resumen sin nombres.pdf"),
        description="Resumen sin datos personales",
        contains_personal_data=False,
        user=alicia,
    )

    assert names(state_a) == {"resumen sin nombres.pdf"}


def test_evidence_of_another_stl_is_not_included(state_a, state_b, alicia, bruno):
    attach(state_a, alicia, name="de oaxaca.pdf")
    attach(state_b, bruno, name="de jalisco.pdf")
    with_public_version(state_b, bruno, name="lista jalisco.pdf", public_name="testada jalisco.pdf")

    assert names(state_a) == {"de oaxaca.pdf"}


def test_never_an_original_with_personal_data_whatever_happened(state_a, alicia):
    with_public_version(state_a, alicia, name="lista 1.pdf", public_name="testada 1.pdf")
    original, _public = with_public_version(
        state_a, alicia, name="lista 2.pdf", public_name="testada 2.pdf"
    )
    services.evidence_add_public_version(
        evidence=original, uploaded_file=pdf_file("testada 2b.pdf"), user=alicia
    )
    attach(state_a, alicia, name="lista 3.pdf", contains_personal_data=True)
    attach(state_a, alicia, name="acta.pdf")

    publishable = list(publishable_evidence(secretariat=state_a))

    assert not any(evidence.contains_personal_data for evidence in publishable)
    assert {evidence.original_name for evidence in publishable} == {
        "testada 1.pdf",
        "testada 2b.pdf",
        "acta.pdf",
    }


# The files, then one query per subject model present: the STL, tables, consultations,
# prioritisations and facilitator assignments.
PUBLISHABLE_QUERIES = 6


@pytest.mark.parametrize("count", [1, 10])
def test_publishable_evidence_takes_a_fixed_number_of_queries(
    state_a, adan, count, django_assert_num_queries
):
    made = subjects_of_several_types(state_a, count=count)
    attach_to_each(made, adan, files=1)
    for subject in made:
        with_public_version(subject, adan)
    ContentType.objects.get_for_models(*(t.model for t in registered_subject_types()))

    with django_assert_num_queries(PUBLISHABLE_QUERIES):
        labels = [str(evidence.subject) for evidence in publishable_evidence(secretariat=state_a)]

    assert len(labels) == 2 * len(made)
