"""Where the apps above the secretariat plug into its pages and services.

``stl`` sits at the bottom of the ladder of domain apps and never imports the apps above it. They
register here, from their ``AppConfig.ready``, what they add to the STL's dashboard, to its
history, and how the installation act is filed in the evidence vault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an STL's history: who changed what, when."""

    date: object
    user: object
    change: str
    subject: str
    label: str
    url: str = ""  # where the record can be seen (evidence: its subject's page)


@dataclass(frozen=True)
class DashboardLink:
    """A link in the STL dashboard's action bar, shown when the user's access has ``need``."""

    label: str
    url_name: str  # reversed with the STL's pk
    need: str  # a flag of ``stl.policy.SecretariatAccess`` without its ``can_`` prefix
    order: int = 100


@dataclass(frozen=True)
class DashboardSection:
    """A section of the STL dashboard: a template and the function that fills it.

    ``context(secretariat=..., access=..., user=...)`` returns the section's context, or None to
    hide it.
    """

    template_name: str
    context: Callable[..., dict | None]
    order: int = 100


@dataclass(frozen=True)
class HistorySource:
    """Where one kind of line of an STL's history comes from, so the page can merge the kinds
    one page at a time.

    ``rows(secretariat=...)`` returns the queryset of the STL's rows of this kind (any order);
    ``date_field`` names their date; ``entries(pks)`` returns ``{pk: HistoryEntry}`` for some of
    those rows, in a fixed number of queries.
    """

    rows: Callable[..., QuerySet]
    date_field: str
    entries: Callable[[list], dict[object, HistoryEntry]]


InstallationActFiler = Callable[..., object]

_dashboard_links: dict[str, DashboardLink] = {}
_dashboard_sections: dict[str, DashboardSection] = {}
_history_sources: dict[str, HistorySource] = {}
_installation_act_filer: list[InstallationActFiler] = []


def register_dashboard_link(key: str, link: DashboardLink) -> None:
    """Add (or replace, under the same ``key``) a link of the dashboard's action bar."""
    _dashboard_links[key] = link


def register_dashboard_section(key: str, section: DashboardSection) -> None:
    """Add (or replace, under the same ``key``) a section of the STL dashboard."""
    _dashboard_sections[key] = section


def register_history_source(key: str, source: HistorySource) -> None:
    """Add (or replace, under the same ``key``) a source of lines of the STL's history."""
    _history_sources[key] = source


def register_installation_act_filer(filer: InstallationActFiler) -> None:
    """Set how the installation act is filed: ``filer(secretariat=, uploaded_file=, user=)``."""
    _installation_act_filer[:] = [filer]


def dashboard_links(access) -> list[DashboardLink]:
    """Return the action-bar links this access may follow, in order."""
    links = sorted(_dashboard_links.values(), key=lambda link: link.order)
    return [link for link in links if getattr(access, f"can_{link.need}")]


def dashboard_sections(*, secretariat, access, user) -> list[tuple[str, dict]]:
    """Return ``(template_name, context)`` for every section shown to this access, in order."""
    shown = []
    for section in sorted(_dashboard_sections.values(), key=lambda s: s.order):
        context = section.context(secretariat=secretariat, access=access, user=user)
        if context is not None:
            shown.append((section.template_name, context))
    return shown


def history_sources() -> list[HistorySource]:
    return list(_history_sources.values())


def file_installation_act(*, secretariat, uploaded_file, user):
    """File the STL's installation act through the registered filer (the evidence vault)."""
    if not _installation_act_filer:
        raise LookupError("No app files installation acts: is the evidence app installed?")
    return _installation_act_filer[0](
        secretariat=secretariat, uploaded_file=uploaded_file, user=user
    )
