"""Time the methodology PDF of a large prioritisation: 30 participants × 40 problemáticas.

Run from the project root::

    .venv/bin/python -m tests.cocreation.methodology_pdf_timing [--participants 30]
        [--problems 40] [--repeat 2]

Each method renders in a fresh process, so the figures include WeasyPrint's first-use costs (as
in a Celery worker's first task) and the peak RSS is that render's own. Printed per method: the
seconds of each render (wall clock, then the process's CPU time, steadier on a shared machine),
the process's resident memory before the first render (Django and WeasyPrint already imported)
and its peak, and the size of the PDF.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

FIRST_NAMES = ["Ana", "Luis", "Martha", "Jorge", "Rosa", "Pedro", "Claudia", "Héctor", "Laura"]
LAST_NAMES = ["Hernández", "López", "Ruiz", "Gómez", "Vásquez", "Ramírez", "Díaz", "Méndez"]
NUCLEI = ["Sociedad civil", "Autoridades locales", "Órgano garante", "Academia"]
CRITERIA = [(1, "Impacto en la población", 3), (2, "Viabilidad", 2), (3, "Urgencia", 1)]
METHODS = ("borda", "weighted_criteria")


def participants(count: int) -> list[str]:
    """Return distinct participant labels as the service writes them: name (nucleus)."""
    return [
        f"{FIRST_NAMES[i % 9]} {LAST_NAMES[i // 9 % 8]} {LAST_NAMES[i % 8]} ({NUCLEI[i % 4]})"
        for i in range(count)
    ]


def problem_labels(count: int) -> dict[int, str]:
    """Return realistic titles keyed by problem id (ids start at 101, as in a shared table)."""
    return {
        101 + i: f"Falta de información pública sobre el tema {i + 1} en el municipio"
        for i in range(count)
    }


def build_result(method: str, *, participants_count: int, problems_count: int):
    """Return a result of ``method`` where every participant ranks or marks every problem."""
    from cocreation.scoring import borda, weighted_criteria

    rng = random.Random(f"{method}-{participants_count}-{problems_count}")  # noqa: S311
    problems = list(problem_labels(problems_count))
    people = participants(participants_count)
    if method == "borda":
        return borda(
            problems=problems, rankings={who: rng.sample(problems, len(problems)) for who in people}
        )
    return weighted_criteria(
        problems=problems,
        criteria=CRITERIA,
        scores={
            who: {(pid, cid): rng.randint(1, 5) for pid in problems for cid, _label, _w in CRITERIA}
            for who in people
        },
    )


def _memory_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure(method: str, *, participants_count: int, problems_count: int, repeat: int) -> dict:
    """Render the PDF ``repeat`` times in this process and return the timings and memory."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pal_portal.settings")
    django.setup()
    import weasyprint  # noqa: F401  (its import is not part of a render)
    from django.utils import translation

    from cocreation.methodology import methodology_pdf

    translation.activate("es-mx")
    result = build_result(
        method, participants_count=participants_count, problems_count=problems_count
    )
    arguments = {
        "title": "Metodología de la priorización «Ronda de prueba»",
        "secretariat": "Secretariado Técnico Local de Jalisco",
        "method_label": result.name,
        "result": result,
        "problem_labels": problem_labels(problems_count),
        "participants_count": participants_count,
        "generated_at": datetime(2026, 3, 4, 10, 30, tzinfo=ZoneInfo("America/Mexico_City")),
    }
    rss_before = _memory_kib("VmRSS")
    seconds, cpu_seconds = [], []
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        pdf = methodology_pdf(**arguments)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
    return {
        "method": method,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "rss_before_mib": rss_before / 1024,
        "peak_rss_mib": _memory_kib("VmHWM") / 1024,
        "pdf_kib": len(pdf) / 1024,
        "steps": len(result.steps),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--problems", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=2, help="renders per process (default 2)")
    parser.add_argument("--method", choices=METHODS, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    sizes = {"participants_count": options.participants, "problems_count": options.problems}
    if options.method:
        print(json.dumps(measure(options.method, repeat=options.repeat, **sizes)))
        return
    print(f"{options.participants} participants × {options.problems} problemáticas")
    for method in METHODS:
        child = subprocess.run(
            [sys.executable, "-m", __spec__.name, *(argv or sys.argv[1:]), "--method", method],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(child.stdout.strip().splitlines()[-1])
        renders = ", ".join(f"{value:.2f}" for value in row["seconds"])
        cpu = ", ".join(f"{value:.2f}" for value in row.get("cpu_seconds", ()))
        print(
            f"{method:18} renders {renders} s (CPU {cpu} s) | "
            f"RSS before {row['rss_before_mib']:.0f} MiB, "
            f"peak {row['peak_rss_mib']:.0f} MiB "
            f"(+{row['peak_rss_mib'] - row['rss_before_mib']:.0f}) | "
            f"PDF {row['pdf_kib']:.0f} KiB | {row['steps']} steps"
        )


if __name__ == "__main__":
    main()
