"""evidence_add_public_version: a redacted copy beside a file with personal data."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evidence import services
from evidence.models import Evidence, EvidenceEvent
from evidence.selectors import evidence_for_subject
from tests.evidence.factories import attach, pdf_file

pytestmark = pytest.mark.django_db


def add_public_version(evidence, user, name="lista testada.pdf"):
    return services.evidence_add_public_version(
        evidence=evidence, uploaded_file=pdf_file(name), user=user
    )


def test_attendance_list_gets_a_redacted_public_version(state_a, alicia):
    original = attach(
        state_a, alicia, kind=Evidence.Kind.ATTENDANCE_LIST, contains_personal_data=True
    )
    assert original.needs_public_version

    public = add_public_version(original, alicia)

    original.refresh_from_db()
    assert original.public_version == public
    assert not original.needs_public_version
    assert public.is_public_version
    assert not public.contains_personal_data
    assert (public.subject, public.kind) == (original.subject, original.kind)
    assert EvidenceEvent.objects.filter(
        action=EvidenceEvent.Action.PUBLIC_VERSION, evidence=original, user=alicia
    ).exists()
    assert original.history.order_by("-history_id").first().public_version_id == public.pk


def test_public_versions_are_not_listed_as_evidence_of_their_own(state_a, alicia):
    original = attach(state_a, alicia, contains_personal_data=True)
    add_public_version(original, alicia)

    assert list(evidence_for_subject(subject=state_a)) == [original]


def test_a_new_public_version_supersedes_the_previous_one(state_a, alicia, fernanda):
    original = attach(state_a, alicia, contains_personal_data=True)
    first = add_public_version(original, alicia)

    second = add_public_version(original, fernanda, name="lista mejor testada.pdf")

    original.refresh_from_db()
    assert original.public_version == second
    assert second.supersedes == first


def test_evidence_without_personal_data_needs_no_public_version(state_a, alicia):
    original = attach(state_a, alicia)

    with pytest.raises(ValidationError) as exc_info:
        add_public_version(original, alicia)

    assert exc_info.value.code == "no_personal_data"
    assert Evidence.objects.count() == 1


def test_reviewer_may_not_add_a_public_version(state_a, alicia, rita):
    original = attach(state_a, alicia, contains_personal_data=True)

    with pytest.raises(PermissionDenied):
        add_public_version(original, rita)
