"""The registry of things evidence can be attached to."""

import pytest

from evidence import subjects
from evidence.models import Evidence
from evidence.policy import evidence_access
from stl.models import Nucleus, Secretariat
from tests.evidence.factories import attach


def test_the_stl_itself_is_registered_for_its_installation():
    subject_type = subjects.subject_type_for_key("stl.secretariat")

    assert subject_type.model is Secretariat
    assert subject_type.phase == Evidence.Phase.INSTALLATION
    assert str(subject_type.label) == "Instalación del STL"


def test_unknown_types_are_not_subjects():
    with pytest.raises(LookupError):
        subjects.subject_type_for_key("pal_portal.user")
    assert subjects.get_subject("pal_portal.user", 1) is None
    assert subjects.get_subject("stl.secretariat", "abc") is None


@pytest.fixture
def nucleus_subject():
    subject_type = subjects.register_subject(
        Nucleus,
        phase=Evidence.Phase.DIALOGUE_TABLES,
        secretariat_of=lambda nucleus: nucleus.secretariat,
        label="Núcleo",
    )
    yield subject_type
    subjects.unregister_subject(Nucleus)


@pytest.mark.django_db
def test_another_app_registers_its_model_and_evidence_follows(nucleus_subject, state_a, alicia):
    nucleus = state_a.nuclei.first()

    evidence = attach(nucleus, alicia, kind=Evidence.Kind.MINUTES)

    assert nucleus_subject.key == "stl.nucleus"
    assert subjects.get_subject("stl.nucleus", nucleus.pk) == (nucleus_subject, nucleus)
    assert evidence.subject == nucleus
    assert evidence.secretariat == state_a
    assert evidence.phase == Evidence.Phase.DIALOGUE_TABLES


@pytest.mark.django_db
def test_a_subject_type_may_narrow_who_attaches(state_a, alicia, rita):
    subject_type = subjects.register_subject(
        Nucleus,
        phase=Evidence.Phase.REVIEW,
        secretariat_of=lambda nucleus: nucleus.secretariat,
        label="Revisión",
        may_attach=lambda access: access.can_review,
    )
    try:
        assert evidence_access(rita, state_a, subject_type=subject_type).can_attach
        assert not evidence_access(alicia, state_a, subject_type=subject_type).can_attach
    finally:
        subjects.unregister_subject(Nucleus)


def test_subjects_are_fetched_with_every_foreign_key_unless_the_type_says_otherwise():
    from cocreation.models import DialogueTable
    from stl.models import FacilitatorAssignment

    table = subjects.subject_type_for_key("cocreation.dialoguetable").queryset()
    assignment = subjects.subject_type_for_key("stl.facilitatorassignment").queryset()

    assert {"nucleus", "secretariat"} <= set(table.query.select_related)
    assert {"user", "secretariat"} <= set(assignment.query.select_related)
    assert table.model is DialogueTable and assignment.model is FacilitatorAssignment
    declared = subjects.register_subject(
        Nucleus,
        phase=Evidence.Phase.DIALOGUE_TABLES,
        secretariat_of=lambda nucleus: nucleus.secretariat,
        label="Núcleo",
        select_related=(),
    )
    try:
        assert declared.queryset().query.select_related is False
    finally:
        subjects.unregister_subject(Nucleus)


@pytest.mark.django_db
def test_a_newly_registered_type_is_listed_with_one_more_query(
    nucleus_subject, state_a, adan, django_assert_num_queries
):
    from django.contrib.contenttypes.models import ContentType

    from evidence.selectors import evidence_subjects, subject_summaries

    for nucleus in state_a.nuclei.all():
        attach(nucleus, adan)
    attach(state_a, adan)
    ContentType.objects.get_for_models(*(t.model for t in subjects.registered_subject_types()))

    # The subjects with files, the STL, the nuclei (whatever their number).
    with django_assert_num_queries(3):
        rows = evidence_subjects(secretariat=state_a)
        labels = [row.label for row in subject_summaries(secretariat=state_a, rows=rows)]

    assert "Instalación del STL: Oaxaca 2016–2018" in labels
    assert sum(label.startswith("Núcleo: ") for label in labels) == state_a.nuclei.count()
