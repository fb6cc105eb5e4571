"""Rules of the codebase that a reviewer would otherwise have to remember."""

from pathlib import Path

import pytest

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


# --- Every form strips bidirectional control characters (pal_portal.forms.PortalFormMixin) -------

# Apps whose forms must all use PortalFormMixin; add each app once its forms are converted.
BIDI_ENFORCED_APPS = ("pal_portal",)
# Every app that may define forms, present or not yet.
FORM_APPS = (
    "pal_portal",
    "stl",
    "cocreation",
    "evidence",
    "commitments",
    "validation",
    "transparency",
)


def _form_module_names(app: str) -> list[str]:
    """Return the dotted names of ``app``'s forms modules: ``forms``, ``forms_*`` or a package."""
    import importlib.util

    if importlib.util.find_spec(app) is None:
        return []
    names = []
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts or "tests" in parts:
            continue
        if any(part == "forms" or part.startswith("forms_") for part in parts[1:]):
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _form_classes(app: str) -> list[type]:
    """Return every Form or ModelForm class defined in ``app``'s forms modules."""
    import importlib
    import inspect

    from django import forms

    classes = []
    for name in _form_module_names(app):
        module = importlib.import_module(name)
        classes += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
        ]
    return classes


def _bidi_offenders(app: str) -> list[str]:
    """Return the forms of ``app`` without PortalFormMixin ahead of Django's BaseForm."""
    from django import forms

    from pal_portal.forms import PortalFormMixin

    def wrapped(cls):
        mro = cls.__mro__
        return PortalFormMixin in mro and mro.index(PortalFormMixin) < mro.index(forms.BaseForm)

    return sorted(
        f"{cls.__module__}.{cls.__qualname__}" for cls in _form_classes(app) if not wrapped(cls)
    )


@pytest.mark.parametrize("app", BIDI_ENFORCED_APPS)
def test_every_form_strips_bidirectional_controls(app):
    assert _form_classes(app), f"no forms found in {app}: is the discovery still right?"
    offenders = _bidi_offenders(app)
    assert not offenders, (
        "These forms must put pal_portal.forms.PortalFormMixin first in their bases (or derive "
        "from pal_portal.forms.Form / ModelForm): " + ", ".join(offenders)
    )


@pytest.mark.parametrize("app", [app for app in FORM_APPS if app not in BIDI_ENFORCED_APPS])
def test_forms_not_yet_enforced_are_listed(app):
    """Report, without failing, the forms of apps not yet in BIDI_ENFORCED_APPS."""
    offenders = _bidi_offenders(app)
    if offenders:
        pytest.skip(f"{app} not in BIDI_ENFORCED_APPS yet; forms to convert: {offenders}")
    if _form_classes(app):
        pytest.skip(f"{app}: every form uses PortalFormMixin; add it to BIDI_ENFORCED_APPS")
