"""evidence_withdraw: a wrong file is withdrawn with a reason, never erased."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evidence import services
from evidence.models import EvidenceEvent
from tests.evidence.factories import attach, stored_files, stored_path

pytestmark = pytest.mark.django_db


def test_withdrawn_file_keeps_its_bytes_and_records_who_and_why(state_a, alicia, fernanda):
    evidence = attach(state_a, alicia)
    content = stored_path(evidence).read_bytes()

    services.evidence_withdraw(
        evidence=evidence, reason="Se subió el acta de otra sesión", user=fernanda
    )

    evidence.refresh_from_db()
    assert evidence.withdrawn_at is not None
    assert evidence.withdrawn_by == fernanda
    assert evidence.withdrawal_reason == "Se subió el acta de otra sesión"
    assert not evidence.is_current
    assert stored_path(evidence).read_bytes() == content
    assert len(stored_files()) == 1


def test_withdrawal_is_logged_and_in_the_history_with_the_acting_user(state_a, alicia, fernanda):
    evidence = attach(state_a, alicia)

    services.evidence_withdraw(
        evidence=evidence, reason="Duplicada", user=fernanda, ip_address="198.51.100.4"
    )

    event = EvidenceEvent.objects.get(action=EvidenceEvent.Action.WITHDRAW)
    assert (event.user, event.evidence_id, event.ip_address) == (
        fernanda,
        evidence.pk,
        "198.51.100.4",
    )
    assert event.detail == {"reason": "Duplicada"}
    latest = evidence.history.order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == fernanda
    assert latest.withdrawal_reason == "Duplicada"


def test_a_reason_is_required(state_a, alicia):
    evidence = attach(state_a, alicia)

    with pytest.raises(ValidationError) as exc_info:
        services.evidence_withdraw(evidence=evidence, reason="  ", user=alicia)

    assert exc_info.value.messages == ["Explica por qué se retira la evidencia."]


def test_a_reason_is_at_most_two_thousand_characters(state_a, alicia):
    evidence = attach(state_a, alicia)

    with pytest.raises(ValidationError) as exc_info:
        services.evidence_withdraw(evidence=evidence, reason="x" * 2_001, user=alicia)

    assert exc_info.value.messages == [
        "Asegúrate de que este valor tenga como máximo 2000 caracteres (tiene 2001)."
    ]
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None


def test_evidence_is_withdrawn_only_once(state_a, alicia):
    evidence = attach(state_a, alicia)
    services.evidence_withdraw(evidence=evidence, reason="Duplicada", user=alicia)

    with pytest.raises(ValidationError) as exc_info:
        services.evidence_withdraw(evidence=evidence, reason="Otra vez", user=alicia)

    assert exc_info.value.messages == ["Esta evidencia fue retirada; ya no se puede cambiar."]


@pytest.mark.parametrize("persona", ["rita", "bruno"])
def test_reviewer_and_other_states_may_not_withdraw(request, state_a, alicia, persona):
    evidence = attach(state_a, alicia)

    with pytest.raises(PermissionDenied):
        services.evidence_withdraw(
            evidence=evidence, reason="No me gusta", user=request.getfixturevalue(persona)
        )

    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
