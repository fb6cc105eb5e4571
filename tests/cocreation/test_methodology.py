"""The methodology document: every participant's contribution stays traceable, and compact."""

import dataclasses
import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from cocreation.methodology import (
    COLUMN_SEPARATOR,
    FIGURE_DASH,
    FIGURE_SPACE,
    GRID_LINE_DIGITS,
    calculation_context,
    methodology_html,
)
from cocreation.scoring import approval_vote, borda, weighted_criteria
from tests.cocreation.methodology_pdf_timing import build_result, problem_labels


def cells(line: str) -> list[str]:
    """Return the values of one grid line, without their padding."""
    return [value.strip(FIGURE_SPACE) for value in line.split(COLUMN_SEPARATOR)]


def grid_row(grid, problem_id):
    row = next(row for row in grid.rows if row.problem_id == problem_id)
    return [value for line in row.lines for value in cells(line)], list(row.figures)


def html_for(result, participants_count=3):
    return methodology_html(
        title="Priorización «Ronda uno»",
        secretariat="Secretariado Técnico Local de Jalisco",
        method_label=result.name,
        result=result,
        problem_labels={},
        participants_count=participants_count,
        generated_at=datetime(2026, 3, 4, 10, 30, tzinfo=ZoneInfo("America/Mexico_City")),
    )


def test_borda_grid_shows_the_points_each_participant_gave_each_problematica():
    # n = 3: 1st place 2 points, 2nd 1, 3rd 0.
    result = borda(problems=[1, 2, 3], rankings={"Ana": [1, 2, 3], "Beto": [2, 1], "Carla": [3]})

    context = calculation_context(result.tally)

    assert [(p["number"], p["name"], p["given"]) for p in context["participants"]] == [
        ("1", "Ana", "1, 2, 3"),
        ("2", "Beto", "2, 1"),
        ("3", "Carla", "3"),
    ]
    (grid,) = context["grids"]
    assert grid.header == (COLUMN_SEPARATOR.join("123"),)
    # Columns: Ana, Beto, Carla; «‒» did not order it. Figures: total, first places.
    assert grid_row(grid, 1) == (["2", "1", FIGURE_DASH], ["3", "1"])
    assert grid_row(grid, 2) == (["1", "2", FIGURE_DASH], ["3", "1"])
    assert grid_row(grid, 3) == (["0", FIGURE_DASH, "2"], ["2", "1"])
    assert context["opening_steps"] == result.steps[:3]
    assert context["ordering_steps"][-1] == result.steps[-1]


def test_approval_grid_marks_each_vote():
    result = approval_vote(
        problems=[1, 2, 3], ballots={"Ana": [1, 3], "Beto": [3], "Carla": []}, max_choices=2
    )

    context = calculation_context(result.tally)

    assert [p["given"] for p in context["participants"]] == ["1, 3", "3", "—"]
    (grid,) = context["grids"]
    assert grid_row(grid, 1) == (["1", FIGURE_DASH, FIGURE_DASH], ["1"])
    assert grid_row(grid, 2) == ([FIGURE_DASH] * 3, ["0"])
    assert grid_row(grid, 3) == (["1", "1", FIGURE_DASH], ["2"])


def test_weighted_grids_show_every_mark_then_the_weighted_sum():
    result = weighted_criteria(
        problems=[1, 2],
        criteria=[("imp", "Impacto", 3), ("via", "Viabilidad", 2)],
        scores={
            "Ana": {(1, "imp"): 5, (1, "via"): 3},
            "Beto": {(1, "imp"): 4, (2, "imp"): 5, (2, "via"): 5},
        },
    )

    context = calculation_context(result.tally)

    assert [p["given"] for p in context["participants"]] == ["2 de 4", "3 de 4"]
    impact, viability = context["grids"]
    assert "«Impacto», peso 3" in impact.caption
    # Beside the marks: sum ÷ number of marks = mean, padded so that the rows align.
    assert grid_row(impact, 1) == (["5", "4"], ["9 ÷ 2 = 4.50"])
    assert grid_row(impact, 2) == ([FIGURE_DASH, "5"], ["5 ÷ 1 = 5.00"])
    assert grid_row(viability, 1) == (["3", FIGURE_DASH], ["3 ÷ 1 = 3.00"])
    totals = context["totals"]
    assert "«Impacto», peso 3; «Viabilidad», peso 2" in totals["legend"]
    # 1: 3 × 4.5 + 2 × 3 = 19.5; 2: 3 × 5 + 2 × 5 = 25.
    assert [(row["sum"], row["top_marks"]) for row in totals["rows"]] == [
        (f"13.50 + {FIGURE_SPACE}6.00 = 19.50", 1),
        ("15.00 + 10.00 = 25.00", 2),
    ]


def test_weighted_figures_keep_their_columns_when_widths_differ():
    result = weighted_criteria(
        problems=[1, 2, 3],
        criteria=[("imp", "Impacto", 1)],
        scores={f"P{i}": {(1, "imp"): 5, (2, "imp"): 1} for i in range(12)}
        | {"Q": {(3, "imp"): 2}},
    )

    (grid,) = calculation_context(result.tally)["grids"]

    assert [row.figures[0] for row in grid.rows] == [
        "60 ÷ 12 = 5.00",
        "12 ÷ 12 = 1.00",
        f"{FIGURE_SPACE}2 ÷ {FIGURE_SPACE}1 = 2.00",
    ]
    nobody = weighted_criteria(problems=[1, 2], criteria=[("imp", "Impacto", 1)], scores={})
    (grid,) = calculation_context(nobody.tally)["grids"]
    assert [row.figures for row in grid.rows] == [("—",), ("—",)]


def test_thirty_participants_fit_one_line_and_every_contribution_is_traceable():
    result = build_result("borda", participants_count=30, problems_count=40)
    tally = result.tally

    (grid,) = calculation_context(tally)["grids"]

    assert len(grid.header) == 1
    for pid in tally.problem_ids:
        values, figures = grid_row(grid, pid)
        assert values == [
            str(given.points) if given.place is not None else FIGURE_DASH
            for given in tally.contributions[pid]
        ]
        assert figures == [str(tally.points[pid]), str(tally.first_places[pid])]


def test_many_participants_wrap_into_balanced_aligned_lines():
    rng = random.Random(3)
    problems = list(range(1, 121))
    people = {f"Persona {i}": rng.sample(problems, 5) for i in range(100)}
    result = borda(problems=problems, rankings=people)

    (grid,) = calculation_context(result.tally)["grids"]

    # Three digits per value (119 points, 100 participants): 100 columns on 4 lines of 25.
    assert [len(cells(line)) for line in grid.header] == [25] * 4
    for row in grid.rows:
        assert [len(line) for line in row.lines] == [len(line) for line in grid.header]
    width = len(grid.header[0].split(COLUMN_SEPARATOR)[0])
    assert width == 3
    assert 25 * width + 24 / 2 <= GRID_LINE_DIGITS


def test_the_document_keeps_the_steps_in_words_that_are_not_in_the_grids():
    result = borda(problems=[1, 2, 3], rankings={"Ana": [1, 2, 3], "Beto": [2, 1], "Carla": [3]})

    html = html_for(result)

    for step in (*result.steps[:3], *result.steps[-2:]):
        assert step in html
    assert "Ana" in html and "Carla" in html


def test_a_result_without_its_tally_prints_every_step():
    result = borda(problems=[1, 2], rankings={"Ana": [2, 1]})

    html = html_for(dataclasses.replace(result, tally=None), participants_count=1)

    for step in result.steps:
        assert step in html


def test_a_large_document_stays_compact():
    # WeasyPrint's time and memory grow with every element: 30 × 40 must not mean 1200 cells.
    for method in ("borda", "weighted_criteria"):
        result = build_result(method, participants_count=30, problems_count=40)
        html = methodology_html(
            title="Priorización",
            secretariat="STL",
            method_label=result.name,
            result=result,
            problem_labels=problem_labels(40),
            participants_count=30,
            generated_at=datetime(2026, 3, 4, 10, 30, tzinfo=ZoneInfo("America/Mexico_City")),
        )

        assert len(re.findall(r"<t[dh][ >]", html)) < 1200, method
        assert len(re.findall(r"<li>", html)) < 20, method


def test_empty_prioritizations_still_render():
    results = [
        borda(problems=[], rankings={}),
        borda(problems=[1, 2], rankings={}),
        approval_vote(problems=[1, 2], ballots={}, max_choices=1),
        weighted_criteria(problems=[1], criteria=[("imp", "Impacto", 1)], scores={}),
    ]

    for result in results:
        html = html_for(result, participants_count=0)
        assert "No se registró ninguna participación." in html
        assert result.steps[-1] in html


def test_weighted_methodology_pdf_renders():
    from cocreation.methodology import methodology_pdf

    result = weighted_criteria(
        problems=[1, 2],
        criteria=[("imp", "Impacto", 3), ("via", "Viabilidad", 2)],
        scores={"Ana": {(1, "imp"): 5, (1, "via"): 3}, "Beto": {(2, "imp"): 4}},
    )

    pdf = methodology_pdf(
        title="Priorización «Ronda uno»",
        secretariat="Secretariado Técnico Local de Jalisco",
        method_label=result.name,
        result=result,
        problem_labels={1: "Opacidad en compras públicas"},
        participants_count=2,
        generated_at=datetime(2026, 3, 4, 10, 30, tzinfo=ZoneInfo("America/Mexico_City")),
    )

    assert pdf.startswith(b"%PDF")
