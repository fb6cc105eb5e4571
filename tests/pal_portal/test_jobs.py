"""Durable jobs: the row is written with the change, claimed once, swept when the broker failed."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from pal_portal import jobs
from pal_portal.celery import app as celery_app
from pal_portal.models import Job
from pal_portal.tasks import ping

pytestmark = pytest.mark.django_db


def test_a_job_is_recorded_with_the_change_and_runs_after_commit(
    alicia, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_enqueue("pal_portal.ping", requested_by=alicia, key="prueba:1")
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.attempts == 1
    assert job.requested_by == alicia
    assert jobs.latest_job("prueba:1") == job


def test_a_rolled_back_change_leaves_no_job(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.job_enqueue("pal_portal.ping")
        raise RuntimeError("the change failed")
    assert not Job.objects.exists()
    assert callbacks == []


def test_an_unknown_task_name_fails_in_the_request():
    with pytest.raises(KeyError):
        jobs.job_enqueue("pal_portal.no_such_task")


def test_a_claimed_job_never_runs_twice():
    job = Job.objects.create(task_name="pal_portal.ping")
    assert ping.apply(task_id=str(job.pk)).get() == "pong"
    # A second delivery of the same job (broker redelivery, sweep, retry) is skipped.
    assert ping.apply(task_id=str(job.pk)).get() is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)


def test_a_running_job_within_its_lease_is_not_run_again():
    job = Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=timezone.now() + dt.timedelta(minutes=5),
        attempts=1,
    )
    assert ping.apply(task_id=str(job.pk)).get() is None
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_task_without_a_job_row_runs_as_a_plain_task():
    assert ping.apply().get() == "pong"
    assert not Job.objects.exists()


def test_a_failing_job_records_its_error_and_can_be_retried(django_capture_on_commit_callbacks):
    job = Job.objects.create(task_name="evidence.build_export", args=[999_999])
    # The export does not exist: the task returns quietly (done), so force a real failure instead.
    job.args = ["no es un número"]
    job.save()
    with pytest.raises(Exception):  # noqa: B017 - whatever the task raises is recorded
        jobs.job_send(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error
    job.args = [999_999]
    job.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_retry(job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.error == ""


def test_the_sweep_requeues_a_job_past_its_lease_and_runs_it_once():
    past = timezone.now() - dt.timedelta(minutes=1)
    job = Job.objects.create(
        task_name="pal_portal.ping", status=Job.Status.RUNNING, lease_until=past, attempts=1
    )
    result = jobs.jobs_sweep()
    job.refresh_from_db()
    assert result["requeued"] == 1 and result["resent"] == 1
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)


def test_the_sweep_gives_up_after_the_last_attempt(settings):
    past = timezone.now() - dt.timedelta(minutes=1)
    job = Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=past,
        attempts=settings.PAL_JOB_MAX_ATTEMPTS,
    )
    assert jobs.jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "tiempo límite" in job.error


def test_the_sweep_hands_over_jobs_the_broker_never_took():
    job = Job.objects.create(task_name="pal_portal.ping", sent_at=None)
    assert jobs.jobs_sweep()["resent"] == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_health_reports_waiting_and_stuck_jobs(settings):
    now = timezone.now()
    assert jobs.jobs_health(now=now)["ok"]
    Job.objects.create(
        task_name="pal_portal.ping",
        created_at=now - dt.timedelta(seconds=settings.PAL_JOB_QUEUED_TOO_LONG + 1),
    )
    Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=now - dt.timedelta(seconds=1),
    )
    assert jobs.jobs_health(now=now) == {"ok": False, "queued": 1, "waiting": 1, "stuck": 1}


def test_every_task_has_time_limits_below_the_visibility_timeout(settings):
    celery_app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, task in celery_app.tasks.items():
        if name.startswith("celery."):
            continue
        hard = jobs.hard_time_limit(task)
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        assert 0 < soft < hard < visibility, name


def test_the_sweep_runs_every_minute_as_shipped(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pal-portal-sweep-jobs"]
    assert entry == {"task": "pal_portal.sweep_jobs", "schedule": 60.0}
    assert settings.PAL_JOB_RESEND_AFTER == 120


def test_healthz_reports_stuck_jobs_as_degraded(client):
    assert client.get("/healthz").json()["checks"]["jobs"]["ok"]
    Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    body = client.get("/healthz").json()
    assert body["checks"]["jobs"]["stuck"] == 1
    assert body["status"] == "degraded"


# --- what the pages show ----------------------------------------------------------------------


def test_a_job_running_past_its_lease_shows_failed_and_a_queued_one_stays_queued(settings):
    now = timezone.now()
    running = Job(status=Job.Status.RUNNING, lease_until=now)
    assert running.status_at(now) == Job.Status.RUNNING
    assert running.status_at(now + dt.timedelta(seconds=1)) == Job.Status.FAILED
    # Queued for a day (no worker): the sweep keeps handing it over, it has not failed.
    queued = Job(status=Job.Status.QUEUED, created_at=now - dt.timedelta(days=1))
    assert queued.status_at(now) == Job.Status.QUEUED
    assert queued.shown_status_label == "En cola"
    assert Job(status=Job.Status.DONE).shown_status_label == "Terminado"


def test_latest_jobs_gives_the_newest_job_of_each_key_in_one_query(
    alicia, django_assert_num_queries
):
    now = timezone.now()
    for number in range(3):
        Job.objects.create(
            task_name="pal_portal.ping",
            key="prueba:1",
            created_at=now - dt.timedelta(minutes=3 - number),
        )
    newest = Job.objects.create(task_name="pal_portal.ping", key="prueba:1", requested_by=alicia)
    other = Job.objects.create(task_name="pal_portal.ping", key="prueba:2")

    with django_assert_num_queries(1):
        found = jobs.latest_jobs(["prueba:1", "prueba:2", "prueba:3", ""])
        assert found["prueba:1"].requested_by == alicia  # who asked rides along

    assert found == {"prueba:1": newest, "prueba:2": other}
    assert jobs.latest_jobs([]) == {}
    assert jobs.latest_job("prueba:1") == newest


def test_retrying_makes_the_person_the_requester_and_queues_the_job_once(
    alicia, fernanda, django_capture_on_commit_callbacks
):
    job = Job.objects.create(
        task_name="pal_portal.ping", status=Job.Status.FAILED, requested_by=alicia, error="x"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.job_retry(job, user=fernanda)
        jobs.job_retry(job, user=alicia)  # a second click: the job is queued already
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.requested_by, job.error) == (Job.Status.QUEUED, fernanda, "")


def test_a_job_running_past_its_lease_may_be_retried_but_not_one_within_it(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    alive = Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=now + dt.timedelta(minutes=1),
        attempts=1,
    )
    dead = Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=now - dt.timedelta(seconds=1),
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert jobs.job_retry(alive).status == Job.Status.RUNNING
        jobs.job_retry(dead)
    assert len(callbacks) == 1
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Job.Status.DONE, 2)


# --- time limits and memory ---------------------------------------------------------------------


def test_a_job_killed_at_its_hard_time_limit_is_failed_at_once():
    """The worker's main process reports the kill to on_failure: no waiting for the sweep."""
    from celery.exceptions import TimeLimitExceeded

    now = timezone.now()
    job = Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        started_at=now - dt.timedelta(seconds=ping.time_limit),
        lease_until=now + dt.timedelta(milliseconds=50),  # claimed just after the timer started
        attempts=1,
    )

    ping.on_failure(TimeLimitExceeded(ping.time_limit), str(job.pk), (), {}, None)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("TimeLimitExceeded")
    assert job.finished_at is not None
    assert job.attempts == 1  # not queued again: it would only be killed again


def test_a_late_kill_report_leaves_alone_the_run_another_worker_claimed_since():
    from celery.exceptions import TimeLimitExceeded

    job = Job.objects.create(
        task_name="pal_portal.ping",
        status=Job.Status.RUNNING,
        lease_until=timezone.now() + dt.timedelta(seconds=ping.time_limit),  # a fresh lease
        attempts=2,
    )

    ping.on_failure(TimeLimitExceeded(ping.time_limit), str(job.pk), (), {}, None)
    ping.on_failure(RuntimeError("any other failure"), str(job.pk), (), {}, None)
    ping.on_failure(TimeLimitExceeded(1), "not-a-job-id", (), {}, None)

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_every_portal_task_sets_its_own_time_limits():
    celery_app.loader.import_default_modules()
    portal_tasks = {
        name: task
        for name, task in celery_app.tasks.items()
        if not name.startswith(("celery.", "tests."))
    }
    assert {
        "stl.send_invitation_email",
        "evidence.build_export",
        "evidence.verify_evidence",
        "cocreation.generate_prioritization_methodology",
        "pal_portal.sweep_jobs",
        "pal_portal.ping",
    } <= set(portal_tasks)
    for name, task in portal_tasks.items():
        assert task.soft_time_limit and task.time_limit, name
        assert task.soft_time_limit < task.time_limit, name


def test_worker_processes_are_replaced_past_a_memory_bound_as_shipped(settings):
    assert settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 400_000  # KiB
    assert celery_app.conf.worker_max_memory_per_child == 400_000
    assert celery_app.conf.worker_max_tasks_per_child == 500
