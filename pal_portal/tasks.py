"""Portal-wide tasks and the one way to enqueue a task: after the transaction commits."""

from celery import shared_task
from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@shared_task(name="pal_portal.ping")
def ping() -> str:
    """Answer a health check's round trip through the broker and a worker."""
    return "pong"
