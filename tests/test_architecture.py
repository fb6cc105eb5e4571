"""Rules of the codebase that a reviewer would otherwise have to remember."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("pal_portal", "stl", "commitments", "evidence", "validation", "transparency")
# Guardian's direct foreign-key permission tables are declared as models, beside their object.
GUARDIAN_ALLOWED = {Path("pal_portal/access.py"), Path("stl/models.py")}


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT), path.read_text(encoding="utf-8")


def test_every_django_guardian_call_sits_in_the_access_layer():
    offenders = [
        str(path)
        for path, text in _sources()
        if ("from guardian" in text or "import guardian" in text) and path not in GUARDIAN_ALLOWED
    ]
    assert not offenders, offenders


def test_tasks_are_only_enqueued_after_commit():
    offenders = [
        str(path)
        for path, text in _sources()
        if (".delay(" in text or ".apply_async(" in text) and path != Path("pal_portal/tasks.py")
    ]
    assert not offenders, offenders
