"""Withdrawing a file from its page: who may, with a reason, after confirming."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.evidence.factories import attach

pytestmark = pytest.mark.django_db


def withdraw_url(evidence):
    return reverse(
        "evidence:withdraw", kwargs={"pk": evidence.secretariat_id, "evidence_id": evidence.pk}
    )


def test_page_asks_for_confirmation(state_a, alicia):
    evidence = attach(state_a, alicia)

    page = client_for(alicia).get(withdraw_url(evidence)).content.decode()

    assert 'data-confirm="Retirar una evidencia no se puede deshacer. ¿Continuar?"' in page
    assert "sigue disponible para quienes revisan" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("alicia", 302),
        ("bruno", 404),
        ("fernanda", 302),
        ("rita", 404),
        ("adan", 302),
    ],
)
def test_who_may_withdraw(world, persona, status):
    evidence = attach(world.state_a, world.alicia)

    response = world.client(persona).post(
        withdraw_url(evidence), {"withdrawal_reason": "Se subió por error"}
    )

    assert response.status_code == status
    evidence.refresh_from_db()
    assert (evidence.withdrawn_at is not None) == (status == 302)


def test_reason_is_required(state_a, alicia):
    evidence = attach(state_a, alicia)

    response = client_for(alicia).post(withdraw_url(evidence), {"withdrawal_reason": ""})

    assert response.status_code == 200
    assert "Explica por qué se retira la evidencia." in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None


def test_withdrawn_file_cannot_be_withdrawn_again(state_a, alicia):
    evidence = attach(state_a, alicia)
    client = client_for(alicia)
    client.post(withdraw_url(evidence), {"withdrawal_reason": "Duplicada"})

    response = client.post(withdraw_url(evidence), {"withdrawal_reason": "Otra vez"})

    assert "Esta evidencia fue retirada; ya no se puede cambiar." in response.content.decode()


def test_withdraw_without_csrf_token_is_refused(state_a, alicia):
    evidence = attach(state_a, alicia)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alicia)

    assert client.post(withdraw_url(evidence), {"withdrawal_reason": "x"}).status_code == 403
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
