"""Background work of the co-creation record: thin tasks that take ids and call a service."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError
from django.utils import translation

from cocreation.models import (
    METHODOLOGY_SOFT_TIME_LIMIT,
    METHODOLOGY_TIME_LIMIT,
    Prioritization,
)
from cocreation.services.prioritization import prioritization_methodology_attach
from pal_portal.jobs import job_requester_id

# Broker, database and storage hiccups are worth retrying; a document that cannot render is not.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OperationalError, InterfaceError)


@shared_task(
    bind=True,
    name="cocreation.generate_prioritization_methodology",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    # A render takes seconds; past these the page shows the job failed and offers a retry.
    soft_time_limit=METHODOLOGY_SOFT_TIME_LIMIT,
    time_limit=METHODOLOGY_TIME_LIMIT,
)
def generate_prioritization_methodology(self, prioritization_id: int) -> bool:
    """Render a computed prioritisation's methodology PDF and attach it as evidence, once.

    The document is attached on behalf of whoever asked for the job last (who computed the
    result, or who asked again).
    """
    prioritization = (
        Prioritization.objects.select_related("secretariat").filter(pk=prioritization_id).first()
    )
    if prioritization is None:
        return False
    user = get_user_model().objects.filter(pk=job_requester_id(self.request.id)).first()
    with translation.override(settings.LANGUAGE_CODE):
        evidence = prioritization_methodology_attach(prioritization=prioritization, user=user)
    return evidence is not None
