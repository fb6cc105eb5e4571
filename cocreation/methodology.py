"""Render the methodology of a prioritisation as a PDF, the evidence INAI's footnote 2 asks for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cocreation.scoring import PrioritizationResult, RankedProblem, TieBreak

TEMPLATE_NAME = "cocreation/methodology_pdf.html"


def methodology_pdf(
    *,
    title: str,
    secretariat: str,
    method_label: str,
    result: PrioritizationResult,
    problem_labels: Mapping[int, str],
    participants_count: int,
    generated_at: datetime,
) -> bytes:
    """Return an A4 PDF explaining the method, its rules, every step and the resulting order."""
    html = methodology_html(
        title=title,
        secretariat=secretariat,
        method_label=method_label,
        result=result,
        problem_labels=problem_labels,
        participants_count=participants_count,
        generated_at=generated_at,
    )
    # Imported here so that modules importing this one do not pay for loading Pango.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The document is self-contained: refuse every URL so user text can never pull a resource.
    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def methodology_html(
    *,
    title: str,
    secretariat: str,
    method_label: str,
    result: PrioritizationResult,
    problem_labels: Mapping[int, str],
    participants_count: int,
    generated_at: datetime,
) -> str:
    """Return the HTML of the methodology document."""
    rows = [_row(entry, problem_labels) for entry in result.ranking]
    context = {
        "title": title,
        "secretariat": secretariat,
        "method_label": method_label,
        "result": result,
        "rows": rows,
        "has_ties": any(entry.decided_by_tiebreak for entry in result.ranking),
        "has_unscored": any(entry.unscored for entry in result.ranking),
        "problems_count": len(result.ranking),
        "participants_count": participants_count,
        "generated_at": generated_at,
        "language_code": get_language() or "es-mx",
    }
    return render_to_string(TEMPLATE_NAME, context)


def _row(entry: RankedProblem, problem_labels: Mapping[int, str]) -> dict:
    return {
        "position": entry.position,
        "problem_id": entry.problem_id,
        "label": problem_labels.get(
            entry.problem_id, _("Problemática %(id)s") % {"id": entry.problem_id}
        ),
        "score": entry.display_score,
        "tiebreak": _tiebreak_label(entry),
        "tied_with": ", ".join(str(pid) for pid in entry.tied_with),
        "unscored": entry.unscored,
    }


def _tiebreak_label(entry: RankedProblem) -> str:
    if entry.tiebreak is None:
        return ""
    if entry.tiebreak is TieBreak.REGISTRATION_ORDER:
        return _("Orden de registro")
    if entry.tiebreak is TieBreak.FIRST_PLACES:
        return _("Primeros lugares (%(count)d)") % {"count": entry.top_marks}
    return _("Calificaciones de 5 (%(count)d)") % {"count": entry.top_marks}
