"""Render the methodology of a prioritisation as a PDF, the evidence INAI's footnote 2 asks for.

The document states the method and its rules, then lays out every participant's contribution as
grids — one row per problemática, one column per participant — with the sums, means and totals
beside them, then the tie-breaks and the final order in words. The narrated steps that the
portal shows (one paragraph per participant and per problemática) hold the same figures; in the
PDF the grids replace them, because WeasyPrint lays out tens of pages of long paragraphs, or a
table cell per participant and problemática, in seconds.

A grid row is one line of text in DejaVu Sans, whose digits, figure space (U+2007) and figure
dash (U+2012) share one width: every value is padded to the same number of those characters and
separated by a punctuation space (U+2008, half as wide), so the columns align without a cell each.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from cocreation import narration
from cocreation.scoring import PrioritizationResult
from cocreation.tally import (
    ApprovalTally,
    BordaTally,
    RankedProblem,
    TieBreak,
    WeightedTally,
    format_exact,
    participant_name,
)

TEMPLATE_NAME = "cocreation/methodology_pdf.html"
FIGURE_SPACE = "\u2007"
# Means «gave nothing here»: did not order it, did not vote for it, did not mark it.
FIGURE_DASH = "\u2012"
COLUMN_SEPARATOR = "\u2008"
# Digit widths that fit, with some room to spare, in the grid column of the template's A4 page at
# 6.5pt (about 136 mm beside the row head and 24 mm of figures: 93 digits); a separator is half a
# digit wide, so 35 participants fit on a line with points below 100.
GRID_LINE_DIGITS = 88


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
    context = {
        "title": title,
        "secretariat": secretariat,
        "method_label": method_label,
        "result": result,
        "rows": [_row(entry, problem_labels) for entry in result.ranking],
        "has_ties": any(entry.decided_by_tiebreak for entry in result.ranking),
        "has_unscored": any(entry.unscored for entry in result.ranking),
        "problems_count": len(result.ranking),
        "participants_count": participants_count,
        "generated_at": generated_at,
        "language_code": get_language() or "es-mx",
    }
    if result.tally is None:
        # A result rebuilt without its figures: the narrated steps still say everything.
        context["steps"] = result.steps
    else:
        context.update(calculation_context(result.tally))
    return render_to_string(TEMPLATE_NAME, context)


# --- The calculation laid out as grids -------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    problem_id: int
    lines: tuple[str, ...]
    figures: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    """One row per problemática, one column per participant, and the figures of each row."""

    caption: str
    legend: str
    header: tuple[str, ...]
    figure_headers: tuple[str, ...]
    rows: tuple[GridRow, ...]
    wide_figures: bool = False


def calculation_context(tally: BordaTally | ApprovalTally | WeightedTally) -> dict:
    """Return the steps in words, the participants and the grids of the calculation."""
    narrative = narration.narrate(tally)
    participants = tally.participants
    numbers = _participant_numbers(participants)
    if isinstance(tally, BordaTally):
        grids, totals = (_borda_grid(tally, numbers),), None
        given_header = _("Orden en que clasificó las problemáticas")
        given = [", ".join(map(str, ballot.ordered)) or "—" for ballot in tally.ballots]
    elif isinstance(tally, ApprovalTally):
        grids, totals = (_approval_grid(tally, numbers),), None
        given_header = _("Votó por")
        given = [", ".join(map(str, ballot.chosen)) or "—" for ballot in tally.ballots]
    else:
        grids, totals = _weighted_grids(tally, numbers), _weighted_totals(tally)
        given_header = _("Calificaciones que registró")
        marks = dict.fromkeys(participants, 0)
        for problem in tally.problems:
            for score in problem.criteria:
                for mark in score.marks:
                    marks[mark.participant] += 1
        possible = len(tally.problems) * len(tally.criteria)
        given = [
            _("%(count)d de %(possible)d") % {"count": marks[participant], "possible": possible}
            for participant in participants
        ]
    return {
        "opening_steps": narrative.opening,
        "ordering_steps": narrative.ordering,
        "participants": [
            {"number": numbers[participant], "name": participant_name(participant), "given": text}
            for participant, text in zip(participants, given, strict=True)
        ],
        "given_header": given_header,
        "grids": grids,
        "totals": totals,
    }


def _participant_numbers(participants: Sequence[Hashable]) -> dict[Hashable, str]:
    width = len(str(len(participants)))
    return {participant: str(n).zfill(width) for n, participant in enumerate(participants, 1)}


def _grid(
    *,
    caption: str,
    legend: str,
    numbers: Mapping[Hashable, str],
    cells: Mapping[int, Sequence[str]],
    figure_headers: Sequence[str] = (),
    figures: Mapping[int, Sequence[str]] | None = None,
    wide_figures: bool = False,
) -> Grid:
    """Lay ``cells`` (per problem, one text per participant) out as aligned lines."""
    header = list(numbers.values())
    texts = [*header, *(text for row in cells.values() for text in row)]
    width = max((len(text) for text in texts), default=1)
    per_line = max(1, int((GRID_LINE_DIGITS + 0.5) // (width + 0.5)))
    # Balanced lines: 40 participants on two lines are 20 and 20, not 31 and 9.
    per_line = max(1, math.ceil(len(header) / max(1, math.ceil(len(header) / per_line))))

    def lines(texts: Sequence[str]) -> tuple[str, ...]:
        padded = [text.rjust(width, FIGURE_SPACE) for text in texts]
        return tuple(
            COLUMN_SEPARATOR.join(padded[start : start + per_line])
            for start in range(0, len(padded), per_line)
        ) or ("",)

    return Grid(
        caption=caption,
        legend=legend,
        header=lines(header),
        figure_headers=tuple(figure_headers),
        rows=tuple(
            GridRow(pid, lines(texts), tuple(figures[pid]) if figures else ())
            for pid, texts in cells.items()
        ),
        wide_figures=wide_figures,
    )


def _borda_grid(tally: BordaTally, numbers: Mapping[Hashable, str]) -> Grid:
    return _grid(
        caption=_("Puntos que dio cada participante a cada problemática"),
        legend=_(
            "Cada fila es una problemática; cada columna, una persona participante (su número en "
            "la lista anterior). «‒»: no la ordenó y le da 0 puntos. La suma de la fila es el "
            "total de la problemática."
        ),
        numbers=numbers,
        cells={
            pid: [
                str(given.points) if given.place is not None else FIGURE_DASH
                for given in tally.contributions[pid]
            ]
            for pid in tally.problem_ids
        },
        figure_headers=(_("Total"), _("1.os lugares")),
        figures={
            pid: (str(tally.points[pid]), str(tally.first_places[pid])) for pid in tally.problem_ids
        },
    )


def _approval_grid(tally: ApprovalTally, numbers: Mapping[Hashable, str]) -> Grid:
    chosen = {ballot.participant: set(ballot.chosen) for ballot in tally.ballots}
    return _grid(
        caption=_("Votos de cada participante por cada problemática"),
        legend=_(
            "Cada fila es una problemática; cada columna, una persona participante (su número en "
            "la lista anterior). «1»: votó por ella; «‒»: no votó por ella. La suma de la fila es "
            "el número de votos."
        ),
        numbers=numbers,
        cells={
            pid: ["1" if pid in chosen[participant] else FIGURE_DASH for participant in numbers]
            for pid in tally.problem_ids
        },
        figure_headers=(_("Votos"),),
        figures={pid: (str(tally.votes(pid)),) for pid in tally.problem_ids},
    )


def _weighted_grids(tally: WeightedTally, numbers: Mapping[Hashable, str]) -> tuple[Grid, ...]:
    grids = []
    for index, criterion in enumerate(tally.criteria):
        cells, means = {}, {}
        for problem in tally.problems:
            score = problem.criteria[index]
            given = {mark.participant: mark.mark for mark in score.marks}
            cells[problem.problem_id] = [
                str(given[participant]) if participant in given else FIGURE_DASH
                for participant in numbers
            ]
            if score.mean is not None:
                means[problem.problem_id] = (
                    str(sum(mark.mark for mark in score.marks)),
                    str(len(score.marks)),
                    format_exact(score.mean, places=2),
                )
        # One cell per row, «suma ÷ calificaciones = promedio», its columns aligned; «—» where
        # nobody marked the problemática on this criterion.
        padded = dict(zip(means, _padded(list(means.values())), strict=True))
        figures = {
            pid: (
                _("%(sum)s ÷ %(count)s = %(mean)s")
                % dict(zip(("sum", "count", "mean"), padded[pid], strict=True))
                if pid in padded
                else "—",
            )
            for pid in tally.problem_ids
        }
        grids.append(
            _grid(
                caption=_(
                    "Criterio «%(criterion)s», peso %(weight)s: calificación de cada "
                    "participante a cada problemática"
                )
                % {"criterion": criterion.label, "weight": format_exact(criterion.weight)},
                legend=_(
                    "Cada fila es una problemática; cada columna, una persona participante (su "
                    "número en la lista anterior). «‒»: no la calificó en este criterio y no "
                    "cuenta para el promedio."
                ),
                numbers=numbers,
                cells=cells,
                figure_headers=(_("Suma ÷ calificaciones = promedio"),),
                figures=figures,
                wide_figures=True,
            )
        )
    return tuple(grids)


def _weighted_totals(tally: WeightedTally) -> dict:
    figures = _padded(
        [
            [format_exact(score.contribution, places=2) for score in problem.criteria]
            + [format_exact(problem.total, places=2)]
            for problem in tally.problems
        ]
    )
    return {
        "caption": ngettext(
            "Puntuación de cada problemática: el aporte de su criterio",
            "Puntuación de cada problemática: la suma de los aportes de sus criterios",
            len(tally.criteria),
        ),
        "legend": _("Aporte de un criterio = peso × promedio. Criterios, en este orden: %(list)s.")
        % {
            "list": "; ".join(
                _("«%(label)s», peso %(weight)s")
                % {"label": criterion.label, "weight": format_exact(criterion.weight)}
                for criterion in tally.criteria
            )
        },
        "rows": [
            {
                "problem_id": problem.problem_id,
                "sum": " + ".join(parts[:-1]) + " = " + parts[-1],
                "top_marks": problem.top_marks,
                "unscored": problem.unscored,
            }
            for problem, parts in zip(tally.problems, figures, strict=True)
        ],
    }


def _padded(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """Right-align each column of ``rows`` with figure spaces, so that equal shapes align."""
    widths = (
        [max(len(row[column]) for row in rows) for column in range(len(rows[0]))] if rows else []
    )
    return [
        [value.rjust(width, FIGURE_SPACE) for value, width in zip(row, widths, strict=True)]
        for row in rows
    ]


# --- The resulting order ---------------------------------------------------------------------


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
