"""Smoke tests of the benchmark (bench/): every page can be built, its files pass the vault."""

import os

from bench.data import OBJECT_KEYS
from bench.files import tiny_pdf, tiny_png
from bench.pages import NAMESPACES, url_patterns
from evidence.file_checks import sniff_and_check

# evidence:subject is measured once per registered subject type, with its own arguments.
PER_SUBJECT_TYPE = {"evidence:subject"}


def test_the_bench_finds_pages_in_every_measured_namespace():
    found = {name.split(":", 1)[0] for name, _arguments in url_patterns()}
    assert found == set(NAMESPACES)


def test_the_fill_gives_a_value_to_every_url_argument_of_the_measured_pages():
    unknown = {
        name: sorted(set(arguments) - OBJECT_KEYS - {"pk"})
        for name, arguments in url_patterns()
        if name not in PER_SUBJECT_TYPE
    }
    unknown = {name: arguments for name, arguments in unknown.items() if arguments}
    assert not unknown, (
        "bench/run cannot build these URLs: give the fill an object for each argument "
        f"(OBJECT_KEYS in bench/data.py, bench/heavy.py): {unknown}"
    )


def test_generated_evidence_files_pass_the_vault_checks(tmp_path):
    pdf = tmp_path / "acta.pdf"
    pdf.write_bytes(tiny_pdf(1, padding=os.urandom(4096)))
    png = tmp_path / "foto.png"
    png.write_bytes(tiny_png(1))
    assert sniff_and_check(name="acta.pdf", path=pdf).mime_type == "application/pdf"
    assert sniff_and_check(name="foto.png", path=png).mime_type == "image/png"


def test_generated_files_differ_so_each_evidence_row_has_its_own_hash():
    assert len({tiny_pdf(n) for n in range(300)}) == 300
    assert len({tiny_png(n) for n in range(2000)}) == 2000
