"""Hand-computed examples of the STL prioritisation methods and their methodology PDF."""

import dataclasses
import json
import re
import shutil
import subprocess
import zlib
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from cocreation.scoring import (
    Method,
    TieBreak,
    approval_vote,
    borda,
    weighted_criteria,
)

# --- Borda -----------------------------------------------------------------------------------


def test_borda_full_rankings_without_ties():
    # n = 3: 1st place 2 points, 2nd 1, 3rd 0.
    result = borda(
        problems=[10, 20, 30],
        rankings={
            "Ana": [20, 10, 30],  # 20:2, 10:1, 30:0
            "Beto": [10, 30, 20],  # 10:2, 30:1, 20:0
            "Carla": [30, 20, 10],  # 30:2, 20:1, 10:0
            "Diego": [10, 20, 30],  # 10:2, 20:1, 30:0
        },
    )

    assert result.method is Method.BORDA
    assert result.order == (10, 20, 30)
    assert result.scores == {10: 5, 20: 4, 30: 3}
    assert [entry.position for entry in result.ranking] == [1, 2, 3]
    assert [entry.display_score for entry in result.ranking] == ["5", "4", "3"]
    assert result.tiebreak_positions == ()
    assert all(not entry.tied_with for entry in result.ranking)
    assert any("No hay empates" in step for step in result.steps)


def test_borda_tie_broken_by_first_places_then_by_registration_order():
    # Every problem sums 4 points. First places: 1 → 2, 2 → 1, 3 → 1.
    result = borda(
        problems=[3, 1, 2],
        rankings={
            "Ana": [1, 2, 3],
            "Beto": [1, 3, 2],
            "Carla": [2, 3, 1],
            "Diego": [3, 2, 1],
        },
    )

    assert result.scores == {1: 4, 2: 4, 3: 4}
    assert result.order == (1, 2, 3)
    first, second, third = result.ranking
    assert first.top_marks == 2
    assert first.tiebreak is TieBreak.FIRST_PLACES
    assert first.tied_with == (2, 3)
    # 2 and 3 still tie on one first place each: the lower id, registered first, goes first,
    # whatever the order in which the problems were passed.
    assert (second.problem_id, second.tiebreak) == (2, TieBreak.REGISTRATION_ORDER)
    assert (third.problem_id, third.tiebreak) == (3, TieBreak.REGISTRATION_ORDER)
    assert result.tiebreak_positions == (1, 2, 3)
    assert all(entry.decided_by_tiebreak for entry in result.ranking)
    tie_step = next(step for step in result.steps if step.startswith("Empate con 4 puntos"))
    assert "primeros lugares" in tie_step
    assert "orden de registro" in tie_step


def test_borda_participant_who_ranks_only_some_problems():
    # n = 4: positions give 3, 2, 1, 0 points; unranked problems get 0 from that participant.
    result = borda(
        problems=[1, 2, 3, 4],
        rankings={
            "Ana": [4, 3, 2, 1],  # 4:3, 3:2, 2:1, 1:0
            "Beto": [2],  # 2:3
            "Carla": [1, 2],  # 1:3, 2:2
        },
    )

    assert result.scores == {1: 3, 2: 6, 3: 2, 4: 3}
    # 1 and 4 tie at 3 points with one first place each: registration order decides.
    assert result.order == (2, 1, 4, 3)
    assert result.entry(1).tiebreak is TieBreak.REGISTRATION_ORDER
    assert result.entry(4).tiebreak is TieBreak.REGISTRATION_ORDER
    assert result.entry(2).tiebreak is None
    assert result.tiebreak_positions == (2, 3)
    beto_step = next(step for step in result.steps if step.startswith("Beto"))
    assert "1 de 4" in beto_step
    assert "(1, 3 y 4) reciben 0 puntos" in beto_step
    assert any("como si ordenara las 4" in step for step in result.steps)
    assert "no reciben puntos" in " ".join(result.rules)
    assert any(
        step.startswith("Problemática 2: 1 (Ana) + 3 (Beto) + 2 (Carla) = 6 puntos")
        for step in result.steps
    )


def test_borda_problem_nobody_ranked_scores_zero():
    result = borda(problems=[1, 2, 3], rankings={"Ana": [2]})

    assert result.scores == {1: 0, 2: 2, 3: 0}
    assert result.order == (2, 1, 3)
    assert result.entry(1).tied_with == (3,)


def test_borda_without_rankings_keeps_registration_order():
    result = borda(problems=[2, 1], rankings={})

    assert result.order == (1, 2)
    assert result.scores == {1: 0, 2: 0}


def test_borda_participant_ids_are_named_in_the_steps():
    result = borda(problems=[1, 2], rankings={7: [2, 1]})

    assert any(step.startswith("Participante 7 ordenó 2 de 2") for step in result.steps)


def test_borda_rejects_a_problem_of_another_set():
    with pytest.raises(ValueError, match="problemática 99, que no pertenece a las problemáticas"):
        borda(problems=[1, 2, 3], rankings={"Ana": [1, 99]})


def test_borda_rejects_a_problem_ranked_twice():
    with pytest.raises(ValueError, match="problemática 2 más de una vez"):
        borda(problems=[1, 2, 3], rankings={"Ana": [2, 1, 2]})


def test_borda_rejects_duplicate_problems():
    with pytest.raises(ValueError, match="más de una vez en la lista"):
        borda(problems=[1, 1, 2], rankings={})


# --- Approval vote ---------------------------------------------------------------------------


def test_approval_vote_counts_votes():
    result = approval_vote(
        problems=[1, 2, 3, 4],
        ballots={"Ana": {1, 2}, "Beto": {2, 3}, "Carla": [3], "Diego": {2}, "Eva": []},
        max_choices=2,
    )

    assert result.method is Method.APPROVAL_VOTE
    assert result.scores == {1: 1, 2: 3, 3: 2, 4: 0}
    assert result.order == (2, 3, 1, 4)
    assert result.tiebreak_positions == ()
    assert [entry.display_score for entry in result.ranking] == ["3", "2", "1", "0"]
    assert "Eva no votó por ninguna problemática." in result.steps
    assert "Problemática 2: 3 votos (Ana, Beto, Diego)." in result.steps


def test_approval_vote_tie_goes_to_registration_order_only():
    # No first-place rule in a vote: listing 3 first on a ballot does not help it.
    result = approval_vote(
        problems=[4, 3, 2, 1],
        ballots={"Ana": [1, 3], "Beto": [3, 1], "Carla": [2]},
        max_choices=2,
    )

    assert result.scores == {1: 2, 2: 1, 3: 2, 4: 0}
    assert result.order == (1, 3, 2, 4)
    assert result.entry(1).tiebreak is TieBreak.REGISTRATION_ORDER
    assert result.entry(3).tiebreak is TieBreak.REGISTRATION_ORDER
    assert result.entry(1).tied_with == (3,)
    assert result.entry(2).tiebreak is None
    assert result.tiebreak_positions == (1, 2)
    assert any(
        step.startswith("Empate con 2 votos entre las problemáticas 1 y 3") for step in result.steps
    )


def test_approval_vote_rejects_too_many_choices():
    with pytest.raises(ValueError, match="marca 3 problemáticas; el máximo permitido es 2"):
        approval_vote(problems=[1, 2, 3], ballots={"Ana": [1, 2, 3]}, max_choices=2)


def test_approval_vote_rejects_a_problem_of_another_set():
    with pytest.raises(ValueError, match="problemática 8, que no pertenece"):
        approval_vote(problems=[1, 2, 3], ballots={"Ana": [8]}, max_choices=2)


def test_approval_vote_rejects_a_duplicate_choice():
    with pytest.raises(ValueError, match="problemática 1 más de una vez"):
        approval_vote(problems=[1, 2, 3], ballots={"Ana": [1, 1]}, max_choices=2)


def test_approval_vote_rejects_no_choices_allowed():
    with pytest.raises(ValueError, match="al menos 1"):
        approval_vote(problems=[1, 2], ballots={}, max_choices=0)


# --- Weighted criteria -----------------------------------------------------------------------

CRITERIA = [("imp", "Impacto", 3), ("via", "Viabilidad", 2)]


def test_weighted_criteria_sums_weighted_means_and_flags_unscored():
    result = weighted_criteria(
        problems=[1, 2, 3],
        criteria=CRITERIA,
        scores={
            "Ana": {(1, "imp"): 5, (1, "via"): 3, (2, "imp"): 4, (2, "via"): 4},
            "Beto": {(1, "imp"): 4, (2, "imp"): 5, (2, "via"): 5},
        },
    )

    # 1: 3 × (5 + 4)/2 + 2 × 3 = 13.5 + 6 = 19.5 (Beto did not mark viability: not counted).
    # 2: 3 × (4 + 5)/2 + 2 × (4 + 5)/2 = 13.5 + 9 = 22.5.
    # 3: nobody marked it.
    assert result.method is Method.WEIGHTED_CRITERIA
    assert result.scores == {1: Fraction(39, 2), 2: Fraction(45, 2), 3: 0}
    assert result.order == (2, 1, 3)
    assert [entry.display_score for entry in result.ranking] == ["22.50", "19.50", "0.00"]
    assert result.unscored == (3,)
    assert result.entry(3).unscored
    assert not result.entry(1).unscored
    assert result.tiebreak_positions == ()
    assert (
        "Problemática 1, criterio «Viabilidad»: calificación 3 (Ana); promedio (3) / 1 = 3.00; "
        "× peso 2 = 6.00." in result.steps
    )
    assert any("nadie la calificó en ningún criterio" in step for step in result.steps)


def test_weighted_criteria_tie_broken_by_marks_of_five():
    # Both problems average 13/3 on a single criterion of weight 1; 2 got two marks of 5.
    result = weighted_criteria(
        problems=[1, 2],
        criteria=[("imp", "Impacto", 1)],
        scores={
            "Ana": {(1, "imp"): 5, (2, "imp"): 5},
            "Beto": {(1, "imp"): 4, (2, "imp"): 5},
            "Carla": {(1, "imp"): 4, (2, "imp"): 3},
        },
    )

    assert result.scores == {1: Fraction(13, 3), 2: Fraction(13, 3)}
    assert result.order == (2, 1)
    assert [entry.display_score for entry in result.ranking] == ["4.33", "4.33"]
    assert result.entry(2).top_marks == 2
    assert result.entry(2).tiebreak is TieBreak.TOP_MARKS
    assert result.entry(1).tiebreak is TieBreak.TOP_MARKS
    assert any("calificaciones de 5" in step and "Empate" in step for step in result.steps)


def test_weighted_criteria_unscored_problems_tie_in_registration_order():
    result = weighted_criteria(
        problems=[5, 4, 6],
        criteria=CRITERIA,
        scores={"Ana": {(6, "imp"): 1}},
    )

    assert result.order == (6, 4, 5)
    assert result.unscored == (4, 5)
    assert result.entry(4).tiebreak is TieBreak.REGISTRATION_ORDER
    assert result.entry(6).tiebreak is None


def test_weighted_criteria_criterion_nobody_marked_adds_zero():
    result = weighted_criteria(problems=[1], criteria=CRITERIA, scores={"Ana": {(1, "imp"): 2}})

    assert result.scores == {1: 6}
    assert not result.entry(1).unscored
    assert "Problemática 1, criterio «Viabilidad»: nadie la calificó; aporta 0." in result.steps


def test_weighted_criteria_arithmetic_is_exact_and_display_rounds_half_up():
    result = weighted_criteria(
        problems=[1, 2],
        criteria=[("a", "A", Decimal("0.1")), ("b", "B", 0.2)],
        scores={"Ana": {(1, "a"): 1, (1, "b"): 1, (2, "a"): 3}},
    )

    # 0.1 + 0.2 is exactly 0.3 here, so the two problems tie and the lower id goes first.
    assert result.scores == {1: Fraction(3, 10), 2: Fraction(3, 10)}
    assert result.order == (1, 2)
    assert result.entry(1).tiebreak is TieBreak.REGISTRATION_ORDER

    halves = weighted_criteria(
        problems=[1],
        criteria=[("a", "A", Fraction(1, 8))],
        scores={"Ana": {(1, "a"): 1}},
    )
    assert halves.ranking[0].display_score == "0.13"


@pytest.mark.parametrize("mark", [6, 0, True, 4.5])
def test_weighted_criteria_rejects_a_mark_outside_one_to_five(mark):
    with pytest.raises(ValueError, match="debe ser un número entero del 1 al 5"):
        weighted_criteria(problems=[1], criteria=CRITERIA, scores={"Ana": {(1, "imp"): mark}})


def test_weighted_criteria_rejects_a_problem_of_another_set():
    with pytest.raises(ValueError, match="problemática 9, que no pertenece"):
        weighted_criteria(problems=[1], criteria=CRITERIA, scores={"Ana": {(9, "imp"): 3}})


def test_weighted_criteria_rejects_an_unknown_criterion():
    with pytest.raises(ValueError, match="criterio que no existe"):
        weighted_criteria(problems=[1], criteria=CRITERIA, scores={"Ana": {(1, "costo"): 3}})


@pytest.mark.parametrize("weight", [0, -1, "3"])
def test_weighted_criteria_rejects_a_weight_that_is_not_positive(weight):
    with pytest.raises(ValueError, match="debe ser un número positivo"):
        weighted_criteria(problems=[1], criteria=[("imp", "Impacto", weight)], scores={})


def test_weighted_criteria_rejects_a_repeated_criterion():
    with pytest.raises(ValueError, match="aparece más de una vez"):
        weighted_criteria(
            problems=[1], criteria=[("imp", "Impacto", 1), ("imp", "Impacto", 2)], scores={}
        )


def test_weighted_criteria_needs_a_criterion():
    with pytest.raises(ValueError, match="al menos un criterio"):
        weighted_criteria(problems=[1], criteria=[], scores={})


# --- The result ------------------------------------------------------------------------------


def test_result_is_immutable_and_serialisable():
    result = borda(problems=[1, 2], rankings={"Ana": [2, 1]})

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.steps = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.ranking[0].score = Fraction(9)
    assert isinstance(result.steps, tuple)
    assert isinstance(result.ranking, tuple)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["method"] == "borda"
    assert [row["problem_id"] for row in data["ranking"]] == [2, 1]
    assert data["ranking"][0]["score"] == "1"


def test_every_method_documents_its_tiebreak_rule():
    results = [
        borda(problems=[1], rankings={}),
        approval_vote(problems=[1], ballots={}, max_choices=1),
        weighted_criteria(problems=[1], criteria=CRITERIA, scores={}),
    ]

    for result in results:
        assert result.name
        assert result.description
        assert any(rule.startswith("Desempate:") for rule in result.rules)
        assert result.steps[-1].startswith("Orden final:")


# --- Wording ---------------------------------------------------------------------------------


def _every_text(result):
    return [result.name, result.description, *result.rules, *result.steps]


def test_the_steps_speak_of_problematicas_as_the_inai_document_does():
    results = [
        borda(problems=[1, 2, 3], rankings={"Ana": [1, 2], "Beto": [2, 1], 7: []}),
        approval_vote(problems=[1, 2, 3], ballots={"Ana": [1], "Beto": [2], 7: []}, max_choices=2),
        weighted_criteria(
            problems=[1, 2, 3],
            criteria=CRITERIA,
            scores={"Ana": {(1, "imp"): 5, (2, "imp"): 5}, "Beto": {(1, "via"): 2}},
        ),
        borda(problems=[], rankings={}),
    ]

    for result in results:
        for text in _every_text(result):
            assert not re.search(r"\bproblemas?\b", text, re.IGNORECASE), text
    assert (
        "Problemática 1: 2 (Ana) + 1 (Beto) + 0 (participante 7, no la ordenó) = 3 puntos"
        in " ".join(results[0].steps)
    )


def test_the_steps_agree_in_number_with_one_problematica_vote_or_criterion():
    vote = approval_vote(problems=[1, 2], ballots={"Ana": [2]}, max_choices=1)
    assert "Cada participante puede votar por hasta 1 problemática." in vote.rules
    assert vote.steps[:4] == (
        "Se consideran 2 problemáticas, en orden de registro: 1, 2.",
        "Cada participante puede votar por hasta 1 problemática; cada voto vale 1.",
        "Ana votó por la problemática 2.",
        "Problemática 1: 0 votos.",
    )
    assert "Problemática 2: 1 voto (Ana)." in vote.steps

    single = borda(problems=[5], rankings={"Ana": [5]})
    assert single.steps[:3] == (
        "Se considera 1 problemática, en orden de registro: 5.",
        "Con 1 problemática, cada participante da 0 puntos a la problemática que pone en 1.er "
        "lugar, que es también el último lugar posible (el lugar 1.º).",
        "Ana ordenó 1 de 1 problemática: 1.º lugar, problemática 5: 0 puntos.",
    )
    assert single.steps[-1] == "Orden final: 1.º lugar, problemática 5 (0 puntos)."

    partial = borda(problems=[1, 2, 3], rankings={"Ana": [1, 2]})
    assert partial.steps[3] == (
        "Ana ordenó 2 de 3 problemáticas: 1.º lugar, problemática 1: 2 puntos; 2.º lugar, "
        "problemática 2: 1 punto. La problemática que no ordenó (3) recibe 0 puntos de su parte."
    )

    one_criterion = weighted_criteria(
        problems=[1], criteria=[("imp", "Impacto", 2)], scores={"Ana": {(1, "imp"): 5}}
    )
    assert "Criterio y peso: «Impacto», peso 2." in one_criterion.steps
    assert "El peso es un número positivo: «Impacto» 2." in one_criterion.rules


def test_tie_steps_speak_of_problematicas_still_tied():
    result = borda(
        problems=[1, 2, 3],
        rankings={"Ana": [1, 2, 3], "Beto": [1, 3, 2], "Carla": [2, 3, 1], "Diego": [3, 2, 1]},
    )

    assert (
        "Empate con 4 puntos entre las problemáticas 1, 2 y 3. Se desempata por número de "
        "primeros lugares: problemática 1 (2), problemática 2 (1), problemática 3 (1). Las "
        "problemáticas 2 y 3 siguen empatadas (primeros lugares: 1 cada una): se ordenan por "
        "orden de registro (menor identificador primero)."
    ) in result.steps


# --- Methodology PDF -------------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str | None:
    """Return the text of a PDF with pypdf or pdftotext, or None when neither is available."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        import io

        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return "\n".join(page.extract_text() for page in reader.pages)
    if shutil.which("pdftotext"):
        completed = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return completed.stdout.decode()
    return None


def _pdf_metadata_contains(pdf: bytes, text: str) -> bool:
    """Look for ``text`` in the PDF's document information, compressed or not."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    utf16 = b"<" + ("\ufeff" + text).encode("utf-16-be").hex().encode() + b">"
    return any(utf16 in chunk.lower() or text.encode() in chunk for chunk in chunks)


def test_methodology_pdf_renders_the_method_and_result():
    from cocreation.methodology import methodology_html, methodology_pdf

    result = borda(
        problems=[1, 2, 3],
        rankings={"Ana": [1, 2, 3], "Beto": [2, 1], "Carla": [3]},
    )
    arguments = {
        "title": "Priorización «Ronda uno»",
        "secretariat": "Secretariado Técnico Local de Jalisco",
        "method_label": "Método de Borda",
        "result": result,
        "problem_labels": {1: "Opacidad en compras públicas", 2: "Acceso al agua <potable>"},
        "participants_count": 3,
        "generated_at": datetime(2026, 3, 4, 10, 30, tzinfo=ZoneInfo("America/Mexico_City")),
    }

    html = methodology_html(**arguments)
    assert "Metodología de priorización (jerarquización) de problemáticas" in html
    assert "Método de Borda" in html
    assert "Acceso al agua &lt;potable&gt;" in html
    assert "Problemática 3" in html  # a problem without a label keeps its number
    # What each participant gave is laid out as grids (tests/cocreation/test_methodology.py).
    assert "Puntos que dio cada participante a cada problemática" in html
    assert result.steps[-1] in html

    pdf = methodology_pdf(**arguments)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000
    text = _pdf_text(pdf)
    if text is not None:
        assert "Método de Borda" in text
        assert "Opacidad en compras públicas" in text
    else:
        assert _pdf_metadata_contains(pdf, "Método de Borda")
