"""The pages the benchmark measures, found in the URL resolver rather than listed by hand.

Every named URL of the namespaces in ``NAMESPACES`` is a candidate, so a page added to
``stl``, ``cocreation`` or ``evidence`` is measured without touching the bench. Its URL arguments
are filled by name from ``BenchData`` (``pk`` is the measured STL, ``table_pk`` one of its
tables, …); ``evidence:subject`` is measured once per registered evidence subject type.

Each candidate is requested in process, first as the persona named in ``PERSONAS`` (the CPGAT
reviewer by default, who sees every STL), then, if that answers 404 or a redirect, as the STL's
member, its facilitator and an INAI administrator in turn; the first 200 decides who it is
measured as. What answers 405 to GET is an action (POST only) and is listed, not measured. A
200 sent as an attachment is a download, measured apart from the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bench.data import BenchData

NAMESPACES = ("stl", "cocreation", "evidence")

# Who requests a page first; anyone else starts with the reviewer.
PERSONAS = {
    # INAI administrators register STLs and manage their people.
    "stl:create": "admin",
    "stl:nucleus_create": "admin",
    "stl:member_invite": "admin",
    "stl:facilitator_assign": "admin",
}
FALLBACK = ("reviewer", "member", "facilitator", "admin")


@dataclass(frozen=True)
class Page:
    """One URL to measure: its label, URL name and arguments, and who requests it."""

    url_name: str
    kwargs: dict = field(default_factory=dict)
    persona: str = "reviewer"
    label: str = ""

    def url(self, data: BenchData | None = None) -> str:
        return reverse(self.url_name, kwargs=self.kwargs)

    @property
    def name(self) -> str:
        return self.label or self.url_name


@dataclass(frozen=True)
class Unmeasured:
    """A URL the bench found but does not measure, and why."""

    name: str
    reason: str
    expected: bool  # True for actions (POST only); False means the bench needs a fix


# The baseline every page is compared with: a constant HttpResponse from the same process.
TRIVIAL = Page("bench_trivial", label="bench_trivial")


def url_patterns(namespaces=NAMESPACES) -> Iterator[tuple[str, list[str]]]:
    """Yield ``(namespace:name, [argument names])`` of every named URL in ``namespaces``."""

    def walk(resolver, prefix, converters):
        for pattern in resolver.url_patterns:
            arguments = converters + list(pattern.pattern.converters)
            if isinstance(pattern, URLResolver):
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                yield from walk(pattern, namespace, arguments)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{prefix}{pattern.name}", arguments

    for name, arguments in walk(get_resolver(), "", []):
        if name.split(":", 1)[0] in namespaces and ":" in name:
            yield name, list(dict.fromkeys(arguments))


def candidates(data: BenchData) -> tuple[list[Page], list[Unmeasured]]:
    """Return a page per URL of ``NAMESPACES`` (per subject type for ``evidence:subject``)."""
    pages, unmeasured = [], []
    for name, arguments in sorted(url_patterns()):
        if name == "evidence:subject":
            for key, subject_id in sorted(data.subjects.items()):
                kwargs = {"pk": data.measured_pk, "subject_type": key, "subject_id": subject_id}
                pages.append(
                    Page(
                        name,
                        kwargs=kwargs,
                        persona=PERSONAS.get(name, "reviewer"),
                        label=f"{name} ({key})",
                    )
                )
            continue
        kwargs, missing = {}, []
        known = {"pk": data.measured_pk, **data.objects, **data.overrides.get(name, {})}
        for argument in arguments:
            if argument in known:
                kwargs[argument] = known[argument]
            else:
                missing.append(argument)
        if missing:
            unmeasured.append(
                Unmeasured(
                    name,
                    f"no value for URL argument(s) {', '.join(missing)}: add it to "
                    "BenchData.objects in bench/data.py",
                    expected=False,
                )
            )
            continue
        pages.append(Page(name, kwargs=kwargs, persona=PERSONAS.get(name, "reviewer")))
    return pages, unmeasured


def personas_to_try(page: Page) -> list[str]:
    return [page.persona, *(persona for persona in FALLBACK if persona != page.persona)]
