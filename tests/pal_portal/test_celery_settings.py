"""The Celery settings that keep tasks from being lost or run twice by accident."""

from django.conf import settings

from pal_portal.celery import app
from stl.tasks import send_invitation_email


def test_tasks_are_acknowledged_late_and_requeued_if_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_broker_and_result_backend_share_the_visibility_timeout():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    assert app.conf.broker_transport_options["visibility_timeout"] == timeout
    assert app.conf.result_backend_transport_options["visibility_timeout"] == timeout


def test_transient_failures_are_retried_a_bounded_number_of_times_with_backoff():
    assert send_invitation_email.max_retries == 5
    assert send_invitation_email.retry_backoff
    assert ConnectionError in send_invitation_email.autoretry_for
