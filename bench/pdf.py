"""Time and memory of rendering one methodology PDF, in a fresh process.

``python -m bench.pdf`` renders the methodology document of a Borda prioritisation of 30
participants × 40 problems (what each of the heavy STL's prioritisations holds) with
``cocreation.methodology.methodology_pdf``, render only (no database, no storage), and prints one
JSON object. A fresh process, so that the peak memory is the render's and not what an earlier
render left in the allocator. ``bench/run`` calls it in its own environment; alone it runs with
the development settings.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> None:
    # Linux: writing 5 resets VmHWM (the peak resident set) to the current resident set.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def measure(*, participants: int, problems: int, rounds: int) -> dict:
    import logging

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pal_portal.settings")
    django.setup()
    from django.utils import timezone, translation

    from bench.heavy import TOPICS
    from cocreation.methodology import methodology_pdf
    from cocreation.scoring import borda

    translation.activate("es-mx")
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    rng = random.Random(7)
    ids = list(range(1001, 1001 + problems))
    rankings = {}
    for number in range(participants):
        ranking = ids[:]
        rng.shuffle(ranking)
        rankings[f"Participante {number + 1} (Sociedad civil)"] = ranking
    result = borda(problems=ids, rankings=rankings)
    labels = {pid: f"{TOPICS[n % len(TOPICS)]} ({n + 1})" for n, pid in enumerate(ids)}

    def render() -> dict:
        _reset_peak()
        before = _status_kib("VmRSS")
        start = time.perf_counter()
        pdf = methodology_pdf(
            title="Metodología de la priorización «Jerarquización de las problemáticas»",
            secretariat="Secretariado Técnico Local de Oaxaca 2016–2018",
            method_label="Ordenamiento (conteo de Borda)",
            result=result,
            problem_labels=labels,
            participants_count=participants,
            generated_at=timezone.localtime(),
        )
        seconds = time.perf_counter() - start
        peak = _status_kib("VmHWM")
        return {
            "seconds": seconds,
            "growth_mb": (peak - before) / 1024,
            "peak_mb": peak / 1024,
            "bytes": len(pdf),
        }

    baseline = _status_kib("VmRSS") / 1024
    first = render()  # imports WeasyPrint and loads the fonts
    warm = [render() for _ in range(rounds)]
    return {
        "participants": participants,
        "problems": problems,
        "rss_before_mb": baseline,
        "first": first,
        "warm": warm,
        "median_seconds": statistics.median(sample["seconds"] for sample in warm),
        "max_growth_mb": max(sample["growth_mb"] for sample in warm),
        "peak_mb": max(sample["peak_mb"] for sample in [first, *warm]),
    }


def describe(figures: dict) -> str:
    warm = ", ".join(f"{sample['seconds']:.2f}" for sample in figures["warm"])
    first = figures["first"]
    return (
        f"methodology PDF, Borda, {figures['participants']} participants × "
        f"{figures['problems']} problems (cocreation.methodology.methodology_pdf, render only, "
        f"fresh process): {figures['median_seconds']:.2f} s median of {len(figures['warm'])} "
        f"renders ({warm} s), each growing the resident set by at most "
        f"{figures['max_growth_mb']:.0f} MB; the first render {first['seconds']:.2f} s and "
        f"+{first['growth_mb']:.0f} MB (imports WeasyPrint, loads fonts); process peak "
        f"{figures['peak_mb']:.0f} MB (after Django's start-up {figures['rss_before_mb']:.0f} MB); "
        f"{first['bytes'] // 1024} KiB"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf", description=__doc__)
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--problems", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a sentence")
    args = parser.parse_args(argv)
    figures = measure(participants=args.participants, problems=args.problems, rounds=args.rounds)
    print(json.dumps(figures) if args.json else describe(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
