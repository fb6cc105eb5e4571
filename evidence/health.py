"""The evidence vault's probe for /healthz: the last integrity check, and every read since.

A download or an export that finds a file missing or altered logs a ``verify_failure`` event;
the vault turns degraded at once, not at the next weekly ``verify_evidence`` run, and stays so
until a run finds every file intact again.
"""

from evidence.models import EvidenceEvent, IntegrityCheck


def check_integrity() -> dict:
    """Report the last finished ``verify_evidence`` run and the failures any read found since."""
    try:
        last = (
            IntegrityCheck.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at", "-pk")
            .first()
        )
        failures = EvidenceEvent.objects.filter(action=EvidenceEvent.Action.VERIFY_FAILURE)
        if last is not None:
            failures = failures.filter(at__gt=last.finished_at)
        failed_reads = failures.count()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": exc.__class__.__name__}
    if last is None:
        return {"ok": not failed_reads, "last_run": None, "failed_reads": failed_reads}
    return {
        "ok": last.ok and not failed_reads,
        "last_run": last.finished_at.isoformat(),
        "checked": last.checked,
        "missing": last.missing,
        "altered": last.altered,
        "failed_reads": failed_reads,
    }
