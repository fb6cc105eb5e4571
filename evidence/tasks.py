"""Background work of the evidence vault: thin tasks that take ids and call a service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from evidence import services

# Storage and database hiccups are worth retrying; a wrong file is not.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OperationalError, InterfaceError, OSError)

# A ZIP of a whole STL copies and re-hashes every file: minutes for gigabytes. Past the hard
# limit the export's page shows it failed, with "Reintentar".
EXPORT_SOFT_TIME_LIMIT = 1_500  # seconds
EXPORT_TIME_LIMIT = 1_800  # seconds
# The weekly re-hash of the whole vault, below the broker's visibility timeout (one hour).
VERIFY_SOFT_TIME_LIMIT = 3_000  # seconds
VERIFY_TIME_LIMIT = 3_300  # seconds


@shared_task(
    name="evidence.build_export",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
)
def build_evidence_export(export_id: int) -> bool:
    """Build the ZIP of one export (a ready one is left untouched); say whether it is ready."""
    export = services.evidence_export_build(export_id=export_id)
    return export is not None and export.is_ready


@shared_task(
    name="evidence.verify_evidence",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=3,
    soft_time_limit=VERIFY_SOFT_TIME_LIMIT,
    time_limit=VERIFY_TIME_LIMIT,
)
def verify_evidence() -> dict:
    """Re-hash every stored evidence file (weekly, from Celery beat)."""
    check = services.evidence_verify_all()
    return {
        "check": check.pk,
        "checked": check.checked,
        "missing": check.missing,
        "altered": check.altered,
    }
