"""Portal-wide tasks and the one way to enqueue a task: after the transaction commits."""

from celery import current_app, shared_task
from django.db import transaction


def enqueue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task registered as ``task_name`` once the current transaction has committed.

    Tasks are named, not imported, so a service never imports the tasks module that calls it
    back. The name is checked now, so a typo fails in the request, not on the worker.
    """
    if task_name not in current_app.tasks:
        # Autodiscovery is lazy: in a web process, import every app's tasks module once.
        current_app.loader.import_default_modules()
    task = current_app.tasks[task_name]
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@shared_task(name="pal_portal.ping")
def ping() -> str:
    """Answer a health check's round trip through the broker and a worker."""
    return "pong"
