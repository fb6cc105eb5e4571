"""Tasks travel through the real broker to a real worker process (CI: Redis + celery worker)."""

import pytest
from django.core import mail  # noqa: F401

from pal_portal.tasks import ping
from stl.models import Invitation
from stl.tasks import send_invitation_email

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_ping_round_trip_through_the_worker(live_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()


def test_worker_reads_the_test_database(live_worker, state_a, alicia, adan):
    from stl import services

    member = services.member_invite(
        secretariat=state_a,
        nucleus=state_a.nuclei.get(kind="autoridades_locales"),
        email="nueva@example.mx",
        full_name="Nueva Persona",
        organisation="Contraloría",
        invited_by=adan,
    )
    invitation = Invitation.objects.get(user=member.user)
    # The worker finds the invitation committed by this test and answers True (e-mail sent).
    assert send_invitation_email.delay(invitation.pk).get(timeout=30) is True


def test_healthz_reports_the_worker(live_worker, client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["queue"] == {"ok": True, "mode": "broker", "workers": 1}
