"""The pages the benchmark measures. Adding a page is one line in ``PAGES``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from bench.data import BenchData


@dataclass(frozen=True)
class Page:
    """One URL to measure: its URL name, how to get its arguments, and who requests it."""

    url_name: str
    kwargs: Callable[[BenchData], dict] = field(default=lambda data: {})
    persona: str = "reviewer"

    def url(self, data: BenchData) -> str:
        return reverse(self.url_name, kwargs=self.kwargs(data))


# The baseline every page is compared with: a constant HttpResponse from the same process.
TRIVIAL = Page("bench_trivial")

PAGES = [
    Page("stl:list"),
    Page("stl:dashboard", kwargs=lambda data: {"pk": data.secretariat_pk}),
]
