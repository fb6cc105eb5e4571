"""Rules of the codebase that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The ladder of DESIGN.md: each app may import only itself and the apps before it.
LADDER = (
    "pal_portal",
    "stl",
    "evidence",
    "cocreation",
    "commitments",
    "validation",
    "transparency",
)
# The root URLconf alone reaches across the apps.
ROOT_URLCONF = Path("pal_portal/urls.py")
# Guardian's direct foreign-key permission tables are declared as models, beside their object.
GUARDIAN_ALLOWED = {Path("stl/policy.py"), Path("stl/models.py")}
# Every app with pages has the same shape, as a module or a package of the same name.
SHAPE = ("models", "services", "selectors", "policy", "forms", "views", "urls", "tasks")


def _sources():
    for app in LADDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT), path.read_text(encoding="utf-8")


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path, _text in _sources()}


def _imports(path: Path, text: str):
    """Yield ``(line, module)`` for every project module ``path`` imports, lazily or not."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import module" imports the module; "from module import name" the module.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                yield node.lineno, name


IMPORTS = {_module_name(path): list(_imports(path, text)) for path, text in _sources()}


def _app(module: str) -> str:
    return module.split(".")[0]


def test_apps_depend_only_on_the_apps_below_them():
    upward = [
        f"{MODULES[module]}:{line} imports {target}"
        for module, targets in IMPORTS.items()
        for line, target in targets
        if MODULES[module] != ROOT_URLCONF
        and LADDER.index(_app(target)) > LADDER.index(_app(module))
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycle_between_modules():
    graph = {module: {target for _line, target in targets} for module, targets in IMPORTS.items()}
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_the_architecture_test_sees_lazy_and_upward_imports():
    source = "def f():\n    from cocreation.models import Decision\n"
    assert list(_imports(Path("stl/selectors.py"), source)) == [(2, "cocreation.models")]


def test_selectors_never_import_services_and_services_never_import_tasks():
    offenders = [
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        for _line, target in targets
        if (".selectors" in module and ".services" in target)
        or (".services" in module and target == f"{_app(module)}.tasks")
    ]
    assert not offenders, offenders


@pytest.mark.parametrize("app", ["stl", "evidence", "cocreation"])
def test_every_app_with_pages_has_the_same_shape(app):
    missing = [
        part
        for part in SHAPE
        if not (ROOT / app / f"{part}.py").exists() and not (ROOT / app / part).is_dir()
    ]
    assert not missing, missing


def test_no_module_is_named_like_an_app():
    clashes = [
        str(path)
        for path, _text in _sources()
        if path.stem in LADDER and path.parent != Path(".") and path.stem != path.parts[0]
    ]
    assert not clashes, clashes


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
        if (".delay(" in text or ".apply_async(" in text) and path != Path("pal_portal/jobs.py")
    ]
    assert not offenders, offenders


# --- Every form strips bidirectional control characters (pal_portal.forms.PortalFormMixin) -------

# Apps whose forms must all use PortalFormMixin: every app that has forms.
BIDI_ENFORCED_APPS = ("pal_portal", "stl", "evidence", "cocreation")
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


def test_every_app_with_forms_is_enforced():
    """An app that gains forms must be listed above, so that its forms are checked too."""
    unlisted = [app for app in FORM_APPS if app not in BIDI_ENFORCED_APPS and _form_classes(app)]
    assert not unlisted, f"Add {unlisted} to BIDI_ENFORCED_APPS."
