"""Portal-wide tasks and the one way to enqueue a task: after the transaction commits."""

from celery import shared_task

from pal_portal import jobs


def enqueue_on_commit(task_name: str, *args, requested_by=None, key: str = "", **kwargs):
    """Record a durable job for the task registered as ``task_name``; send it after commit.

    Tasks are named, not imported, so a service never imports the tasks module that calls it
    back. Returns the ``Job``, whose state the page concerned shows.
    """
    return jobs.job_enqueue(task_name, *args, requested_by=requested_by, key=key, **kwargs)


@shared_task(name="pal_portal.sweep_jobs", time_limit=300, soft_time_limit=240)
def sweep_jobs() -> dict:
    """Hand over again what the broker did not take; requeue jobs past their time limit."""
    return jobs.jobs_sweep()


@shared_task(name="pal_portal.ping", time_limit=15, soft_time_limit=10)
def ping() -> str:
    """Answer a health check's round trip through the broker and a worker."""
    return "pong"
