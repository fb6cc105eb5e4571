"""The evidence vault's probe for /healthz: the result of the last integrity check."""

from evidence.models import IntegrityCheck


def check_integrity() -> dict:
    """Report the last finished ``verify_evidence`` run; healthy when none has run yet."""
    try:
        last = (
            IntegrityCheck.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at", "-pk")
            .first()
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": exc.__class__.__name__}
    if last is None:
        return {"ok": True, "last_run": None}
    return {
        "ok": last.ok,
        "last_run": last.finished_at.isoformat(),
        "checked": last.checked,
        "missing": last.missing,
        "altered": last.altered,
    }
