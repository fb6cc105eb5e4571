"""evidence_supersede: a wrong file is never edited; a new version takes its place."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evidence import services
from evidence.models import Evidence, EvidenceEvent
from tests.evidence.factories import attach, pdf_bytes, pdf_file, stored_files, stored_path

pytestmark = pytest.mark.django_db


def supersede(evidence, user, **kwargs):
    return services.evidence_supersede(
        evidence=evidence,
        uploaded_file=kwargs.pop("uploaded_file", pdf_file("acta corregida.pdf")),
        description=kwargs.pop("description", "Acta con las firmas completas"),
        user=user,
        **kwargs,
    )


def test_new_version_supersedes_the_old_one_which_stays(state_a, alicia, fernanda):
    old_content = pdf_bytes("primera")
    old = attach(state_a, alicia, content=old_content)

    new = supersede(old, fernanda)

    old.refresh_from_db()
    assert new.supersedes == old
    assert old.successor == new
    assert not old.is_current and new.is_current
    assert (new.subject, new.kind, new.phase) == (old.subject, old.kind, old.phase)
    assert new.uploaded_by == fernanda
    assert stored_path(old).read_bytes() == old_content
    assert len(stored_files()) == 2


def test_supersession_is_logged_and_in_the_history(state_a, alicia, fernanda):
    old = attach(state_a, alicia)

    new = supersede(old, fernanda)

    actions = set(EvidenceEvent.objects.filter(user=fernanda).values_list("action", "evidence_id"))
    assert actions == {
        (EvidenceEvent.Action.SUPERSEDE, old.pk),
        (EvidenceEvent.Action.UPLOAD, new.pk),
    }
    assert new.history.get().history_user == fernanda


def test_personal_data_flag_is_inherited_unless_given(state_a, alicia):
    old = attach(state_a, alicia, contains_personal_data=True)

    assert supersede(old, alicia).contains_personal_data
    newer = Evidence.objects.get(supersedes=old)
    assert not supersede(newer, alicia, contains_personal_data=False).contains_personal_data


def test_a_version_can_be_superseded_only_once(state_a, alicia):
    old = attach(state_a, alicia)
    supersede(old, alicia)

    with pytest.raises(ValidationError) as exc_info:
        supersede(old, alicia)

    assert exc_info.value.messages == [
        "Esta evidencia ya fue sustituida por una versión más reciente."
    ]
    assert len(stored_files()) == 2


def test_withdrawn_evidence_cannot_be_superseded(state_a, alicia):
    old = attach(state_a, alicia)
    services.evidence_withdraw(evidence=old, reason="Archivo equivocado", user=alicia)

    with pytest.raises(ValidationError) as exc_info:
        supersede(old, alicia)

    assert exc_info.value.code == "withdrawn"
    assert len(stored_files()) == 1


def test_refused_new_version_stores_nothing(state_a, alicia):
    old = attach(state_a, alicia)

    with pytest.raises(ValidationError):
        supersede(old, alicia, uploaded_file=pdf_file("acta.pdf.exe"))

    assert Evidence.objects.count() == 1
    assert len(stored_files()) == 1


@pytest.mark.parametrize("persona", ["rita", "bruno"])
def test_reviewer_and_other_states_may_not_supersede(request, state_a, alicia, persona):
    old = attach(state_a, alicia)

    with pytest.raises(PermissionDenied):
        supersede(old, request.getfixturevalue(persona))

    assert Evidence.objects.count() == 1


def test_a_new_version_is_stored_without_direction_controls_in_its_name(
    state_a, alicia, monkeypatch
):
    from tests.evidence.test_attach_service import lenient_name_check

    lenient_name_check(monkeypatch)
    old = attach(state_a, alicia)

    new = supersede(old, alicia, uploaded_file=pdf_file("acta\u202b corregida\u202c.pdf"))

    assert new.original_name == "acta corregida.pdf"
