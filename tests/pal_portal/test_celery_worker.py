"""Tasks travel through the real broker to a real worker process (CI: Redis + celery worker)."""

import time

import pytest
from django.core import mail  # noqa: F401

from pal_portal import jobs
from pal_portal.models import Job
from stl.models import Invitation

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _finished(job, timeout=30) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_pending:
            return job
        time.sleep(0.2)
    return job


def test_ping_round_trip_through_the_worker(live_worker):
    job = _finished(jobs.job_enqueue("pal_portal.ping"))
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)


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
    # The worker finds the invitation committed by this test and sends the e-mail.
    job = _finished(Job.objects.get(task_name="stl.send_invitation_email", args=[invitation.pk]))
    assert (job.status, job.attempts, job.error) == (Job.Status.DONE, 1, "")


def test_healthz_reports_the_worker(live_worker, client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["queue"] == {"ok": True, "mode": "broker", "workers": 1}
