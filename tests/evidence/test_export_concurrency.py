"""Exports and their jobs asked for, or delivered, twice at the same instant (PostgreSQL).

Each round releases two threads, each with its own database connection, at once.
"""

import time
from unittest import mock

import pytest
from django.db import connection

from evidence import services
from evidence.models import EvidenceExport
from evidence.tasks import build_evidence_export
from pal_portal import jobs
from pal_portal.celery import app as celery_app
from pal_portal.models import Job
from tests.evidence.factories import attach
from tests.races import race

ROUNDS = 10

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite serialises writes: no race to show."
    ),
]


@pytest.fixture
def broker():
    """Stand in for Redis: record what is sent to the worker, run nothing."""
    task = celery_app.tasks[build_evidence_export.name]
    celery_app.conf.task_always_eager = False
    with mock.patch.object(task, "apply_async") as sent:
        yield sent
        jobs._sender.submit(lambda: None).result(timeout=10)  # the hand-over thread is done
    celery_app.conf.task_always_eager = True


def test_two_exports_asked_at_once_make_one_export_in_progress_and_one_job(
    state_a, alicia, rita, broker
):
    attach(state_a, alicia)
    for _round in range(ROUNDS):
        before = set(EvidenceExport.objects.values_list("pk", flat=True))

        outcomes = race(
            lambda: services.evidence_export_start(secretariat=state_a, user=rita),
            lambda: services.evidence_export_start(secretariat=state_a, user=rita),
        )

        assert [kind for kind, _value in outcomes] == ["ok", "ok"], outcomes
        first, second = (value for _kind, value in outcomes)
        assert first == second  # the later one was given the export in progress
        new = set(EvidenceExport.objects.values_list("pk", flat=True)) - before
        assert new == {first.pk}
        assert Job.objects.filter(key=first.job_key).count() == 1
        # Nothing else on its way: the next round asks for a new export.
        Job.objects.filter(key=first.job_key).update(status=Job.Status.FAILED)
    jobs._sender.submit(lambda: None).result(timeout=10)
    assert broker.call_count == ROUNDS  # one hand-over per export


def test_two_deliveries_of_the_same_job_at_once_run_it_once(state_a, alicia, rita, broker):
    attach(state_a, alicia)
    task = celery_app.tasks[build_evidence_export.name]
    real_build = services.evidence_export_build
    builds = []

    def slow_build(*, export_id):
        builds.append(export_id)
        time.sleep(0.2)  # long enough for the other delivery to arrive meanwhile
        return real_build(export_id=export_id)

    for _round in range(ROUNDS):
        builds.clear()
        export = services.evidence_export_start(secretariat=state_a, user=rita)
        job = jobs.latest_job(export.job_key)

        def deliver(job=job):
            # What a worker does with a message: the task, under the job's id.
            return task.apply(args=job.args, task_id=str(job.pk)).get()

        with mock.patch("evidence.services.evidence_export_build", side_effect=slow_build):
            outcomes = race(deliver, deliver)

        assert sorted(outcomes, key=str) == [("ok", None), ("ok", True)], outcomes
        assert builds == [export.pk]
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.DONE, 1)
        export.refresh_from_db()
        assert export.is_ready
