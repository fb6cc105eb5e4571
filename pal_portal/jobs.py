"""Durable background jobs: the job row is the outbox, Celery is the transport.

- ``job_enqueue`` writes a ``Job`` row in the caller's transaction and hands it to the broker
  once that transaction commits. If the broker is down the page still answers at once: the row
  stays "en cola" and ``jobs_sweep`` (every minute, from Celery beat) hands it over again.
- Every task runs through ``DurableTask``: before running, the worker claims the job's row with
  one conditional UPDATE, so a job redelivered by the broker, handed over twice by the sweep, or
  retried by a person while it still runs is never run twice at the same time.
- A job the worker kills at its hard time limit is marked failed at once (``on_failure``); a
  job whose worker died is past its lease: the pages show it failed, and the sweep marks it so
  and queues it again while attempts remain. A person may ask again ("Reintentar") for a failed
  one (``job_retry``).
- Pages read the state of the job about their object with ``latest_job(key)`` (or
  ``latest_jobs(keys)`` for a list), and show ``Job.shown_status``.

Tasks without a job row (periodic ones such as the weekly integrity check) run as plain tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from celery import Task, current_app
from celery.exceptions import Retry, TimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from pal_portal.models import Job

logger = logging.getLogger("pal_portal.jobs")

# The broker errors that mean "not handed over now"; the sweep hands the job over later.
try:  # pragma: no cover - kombu is always installed with Celery
    from kombu.exceptions import OperationalError as KombuOperationalError
except ImportError:  # pragma: no cover
    KombuOperationalError = OSError
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError, TimeoutError)


def _task(task_name: str):
    if task_name not in current_app.tasks:
        # Autodiscovery is lazy: in a web process, import every app's tasks module once.
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]


def hard_time_limit(task) -> int:
    """Return the hard time limit, in seconds, of a task (its own or the portal's default)."""
    return int(task.time_limit or current_app.conf.task_time_limit or 0)


def job_enqueue(task_name: str, *args, requested_by=None, key: str = "", **kwargs) -> Job:
    """Record a job in the current transaction and hand it to the broker after commit.

    The task name is checked now, so a typo fails in the request, not on the worker.
    """
    _task(task_name)
    job = Job.objects.create(
        task_name=task_name,
        args=list(args),
        kwargs=kwargs,
        key=key,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
    )
    transaction.on_commit(lambda: job_send(job))
    return job


# Requests hand their jobs to the broker from this one background thread, so a broker that is
# down or slow (the Redis client retries a refused connection for seconds) never makes a person
# wait. Whatever it fails to hand over stays queued for the sweep.
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pal-job-sender")


def job_send(job: Job, *, wait: bool = False) -> bool:
    """Hand a queued job to the broker; with ``wait``, say whether it took it.

    Without ``wait`` (a request), the hand-over happens on a background thread and this returns
    at once. Eager mode (development) runs the task in-process now.
    """
    task = _task(job.task_name)
    if current_app.conf.task_always_eager:
        Job.objects.filter(pk=job.pk).update(sent_at=timezone.now())
        # Failures propagate, as every eager task's do.
        task.apply_async(args=job.args, kwargs=job.kwargs, task_id=str(job.pk))
        return True
    if wait:
        return _publish(task, job)
    _sender.submit(_publish_in_thread, task, job)
    return True


def _publish(task, job: Job) -> bool:
    try:
        task.apply_async(
            args=job.args,
            kwargs=job.kwargs,
            task_id=str(job.pk),
            retry=False,  # the sweep is the retry
        )
    except BROKER_ERRORS as error:
        logger.warning("Job %s (%s) not handed over: %r", job.pk, job.task_name, error)
        return False
    Job.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    return True


def _publish_in_thread(task, job: Job) -> None:
    try:
        _publish(task, job)
    except Exception:  # noqa: BLE001 - a thread must not die silently; the sweep resends
        logger.exception("Job %s (%s) could not be handed over", job.pk, job.task_name)
    finally:
        connection.close()


def _retryable(now: dt.datetime) -> Q:
    """Failed, or running past its lease (the worker died: the pages show it failed)."""
    return Q(status=Job.Status.FAILED) | Q(status=Job.Status.RUNNING, lease_until__lt=now)


def job_retry(job: Job, *, user=None) -> Job:
    """Queue a failed job again, at a person's request ("Reintentar"); they become its requester.

    A job running past its lease counts as failed (``Job.status_at``) and may be retried too.
    Two people asking at once queue it once: the update is conditional.
    """
    with transaction.atomic():
        updated = (
            Job.objects.filter(pk=job.pk)
            .filter(_retryable(timezone.now()))
            .update(
                status=Job.Status.QUEUED,
                error="",
                sent_at=None,
                finished_at=None,
                requested_by_id=getattr(user, "pk", None) or job.requested_by_id,
            )
        )
        if updated:
            transaction.on_commit(lambda: job_send(job))
    job.refresh_from_db()
    return job


def latest_job(key: str) -> Job | None:
    """Return the newest job for an object's ``key``, with who asked for it, for its page."""
    return (
        Job.objects.filter(key=key).select_related("requested_by").order_by("-created_at").first()
    )


def latest_jobs(keys: Iterable[str]) -> dict[str, Job]:
    """Return the newest job of each of these keys (those that have one), in one query."""
    keys = list(dict.fromkeys(key for key in keys if key))
    if not keys:
        return {}
    newer = Job.objects.filter(key=OuterRef("key"), created_at__gt=OuterRef("created_at"))
    newest = (
        Job.objects.filter(key__in=keys)
        .exclude(Exists(newer))
        .select_related("requested_by")
        .order_by("created_at")
    )
    return {job.key: job for job in newest}


def job_requester_id(job_id) -> int | None:
    """Return the id of whoever asked for a job last (after a retry, who retried it)."""
    if not job_id:
        return None
    try:
        return Job.objects.filter(pk=job_id).values_list("requested_by_id", flat=True).first()
    except (ValueError, TypeError, ValidationError):  # a task id that is not a job's UUID
        return None


def jobs_sweep(*, now: dt.datetime | None = None) -> dict:
    """Hand over again what the broker did not take; fail, and requeue, jobs past their lease."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.PAL_JOB_RESEND_AFTER)
    expired = list(Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=now))
    requeued = failed = 0
    for job in expired:
        retry = job.attempts < settings.PAL_JOB_MAX_ATTEMPTS
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, lease_until__lt=now)
        if retry:
            requeued += updated.update(
                status=Job.Status.QUEUED,
                error="Superó su tiempo límite; se reintenta.",
                sent_at=None,
            )
        else:
            failed += updated.update(
                status=Job.Status.FAILED,
                error="Superó su tiempo límite en cada intento.",
                finished_at=now,
            )
    resent = 0
    for job in Job.objects.filter(status=Job.Status.QUEUED).filter(
        Q(sent_at__isnull=True) | Q(sent_at__lt=stale)
    ):
        resent += job_send(job, wait=True)
    return {"resent": resent, "requeued": requeued, "failed": failed}


def jobs_health(*, now: dt.datetime | None = None) -> dict:
    """Report jobs waiting too long in the queue or running past their lease."""
    now = now or timezone.now()
    waiting = Job.objects.filter(
        status=Job.Status.QUEUED,
        created_at__lt=now - dt.timedelta(seconds=settings.PAL_JOB_QUEUED_TOO_LONG),
    ).count()
    stuck = Job.objects.filter(status=Job.Status.RUNNING, lease_until__lt=now).count()
    queued = Job.objects.filter(status=Job.Status.QUEUED).count()
    return {"ok": not waiting and not stuck, "queued": queued, "waiting": waiting, "stuck": stuck}


def _claim(job_id, task) -> str:
    """Take the job's row for this run: "claimed", "absent" (no job row) or "taken"."""
    now = timezone.now()
    lease = now + dt.timedelta(seconds=hard_time_limit(task) or 3600)
    claimable = Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
    try:
        updated = (
            Job.objects.filter(pk=job_id)
            .filter(claimable)
            .update(
                status=Job.Status.RUNNING,
                started_at=now,
                lease_until=lease,
                attempts=F("attempts") + 1,
            )
        )
    except (ValueError, TypeError, ValidationError):  # a task id that is not a job's UUID
        return "absent"
    if updated:
        return "claimed"
    return "taken" if Job.objects.filter(pk=job_id).exists() else "absent"


class DurableTask(Task):
    """The base of every task: claim the job row first, record how it ended."""

    def __call__(self, *args, **kwargs):
        job_id = self.request.id
        claim = _claim(job_id, self) if job_id else "absent"
        if claim == "taken":
            logger.info("Job %s (%s) is running or finished elsewhere: skipped", job_id, self.name)
            return None
        if claim == "absent":
            return super().__call__(*args, **kwargs)
        try:
            result = super().__call__(*args, **kwargs)
        except Retry:
            # Celery scheduled a new delivery with the same id: let it claim the row again.
            Job.objects.filter(pk=job_id).update(status=Job.Status.QUEUED, sent_at=timezone.now())
            raise
        except Exception as error:
            Job.objects.filter(pk=job_id).update(
                status=Job.Status.FAILED,
                error=f"{error.__class__.__name__}: {error}"[:2000],
                finished_at=timezone.now(),
            )
            raise
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.DONE, finished_at=timezone.now(), error=""
        )
        return result

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Record at once that the worker killed the job at its hard time limit.

        The worker's main process calls this after killing the task's process, which could not
        record anything itself. Without it the job would stay "running" until its lease ends and
        the sweep queued it again, to be killed again: a job that outran its limit fails, and a
        person may retry it.
        """
        if isinstance(exc, TimeLimitExceeded) and task_id:
            job_time_limit_exceeded(task_id, task=self)
        super().on_failure(exc, task_id, args, kwargs, einfo)


def job_time_limit_exceeded(job_id, *, task, now: dt.datetime | None = None) -> bool:
    """Mark failed the job a worker killed at its hard time limit; say whether it was.

    Only the run that was killed: its lease ends about when it was killed, whereas a later
    claim by another worker (once the lease ended) holds a lease a whole time limit away.
    """
    now = now or timezone.now()
    limit = hard_time_limit(task) or 3600
    changes = {
        "status": Job.Status.FAILED,
        "error": f"TimeLimitExceeded: superó su tiempo límite de {limit} s.",
        "finished_at": now,
    }
    for attempt in (1, 2):
        try:
            return bool(
                Job.objects.filter(
                    pk=job_id,
                    status=Job.Status.RUNNING,
                    lease_until__lt=now + dt.timedelta(seconds=limit / 2),
                ).update(**changes)
            )
        except (ValueError, TypeError, ValidationError):  # a task id that is not a job's UUID
            return False
        except DatabaseError:
            # The worker's main process holds an idle connection the server may have dropped.
            if attempt == 2 or connection.in_atomic_block:
                logger.exception("Job %s: could not record its time limit", job_id)
                return False
            connection.close()
    return False
