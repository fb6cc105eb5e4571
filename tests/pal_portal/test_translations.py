"""Spanish is the source language; the English catalogue is complete, current and compiled."""

import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# The files makemessages reads for the "django" domain (its default extensions).
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
# Never copied to the scratch tree: not source, or large.
NOT_COPIED = {".git", ".venv", "venv", "node_modules", "__pycache__", "staticfiles", "media"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self):
        return self.msgctxt, self.msgid


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), quoted[1:-1])


def read_catalogue(path: Path) -> list[Entry]:
    """Return the entries of a .po file, the header (empty msgid) included."""
    entries, entry, last = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, last = None, None
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#~"):
            entry.obsolete, line = True, line[2:].strip()
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        elif line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, text = match[1], _unquote(match[2])
            if keyword.startswith("msgstr"):
                entry.msgstr.append(text)
                last = "msgstr"
            else:
                setattr(entry, keyword, text)
                last = keyword
        elif line.startswith('"') and last == "msgstr":
            entry.msgstr[-1] += _unquote(line)
        elif line.startswith('"') and last:
            setattr(entry, last, getattr(entry, last) + _unquote(line))
    return entries


def _messages(path: Path) -> list[Entry]:
    return [entry for entry in read_catalogue(path) if entry.msgid and not entry.obsolete]


def _makemessages_arguments() -> list[str]:
    """The flags of ``make messages``: the test extracts exactly what the Makefile does."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"manage\.py makemessages (.+)", makefile)
    assert match, "the Makefile's messages target no longer runs makemessages"
    return shlex.split(match[1])


def _copy_sources(destination: Path) -> None:
    def ignore(directory, names):
        return {
            name
            for name in names
            if name in NOT_COPIED
            or (Path(directory, name).is_file() and Path(name).suffix not in SOURCE_SUFFIXES)
        }

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)
    catalogue = destination / PO.relative_to(ROOT)
    catalogue.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PO, catalogue)


def test_every_message_has_an_english_translation():
    messages = _messages(PO)
    assert len(messages) > 900
    untranslated = [entry.msgid for entry in messages if not all(entry.msgstr)]
    assert not untranslated, untranslated[:10]
    fuzzy = [entry.msgid for entry in messages if "fuzzy" in entry.flags]
    assert not fuzzy, fuzzy[:10]
    assert not [entry for entry in read_catalogue(PO) if entry.obsolete]


def test_catalogue_has_every_translatable_string_of_the_source(tmp_path, settings, monkeypatch):
    """Run ``make messages``'s extraction on a scratch copy and compare the msgids.

    A string marked for translation in the code or a template but absent from the English
    catalogue (the catalogue was not regenerated) fails here, and so does an entry the code no
    longer uses. The repository is not touched: makemessages writes its temporary files next to
    the templates it reads, so it reads a copy.
    """
    before = PO.read_bytes()
    scratch = tmp_path / "src"
    _copy_sources(scratch)
    settings.LOCALE_PATHS = [str(scratch / "locale")]
    monkeypatch.chdir(scratch)
    call_command("makemessages", *_makemessages_arguments(), verbosity=0)

    committed = {entry.key for entry in _messages(PO)}
    extracted = {entry.key for entry in _messages(scratch / PO.relative_to(ROOT))}
    missing = sorted(msgid for _, msgid in extracted - committed)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
    unused = sorted(msgid for _, msgid in committed - extracted)
    assert not unused, f"run `make messages`; no longer in the source: {unused[:10]}"
    assert PO.read_bytes() == before


def test_compiled_catalogue_matches_the_po():
    """Every English message is in the .mo as the .po says (``make messages`` compiles it)."""
    with translation.override("en"):
        for entry in _messages(PO):
            if entry.msgid_plural is not None:
                assert translation.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr[0]
                assert translation.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr[1]
            elif entry.msgctxt is not None:
                assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_compiled_catalogue_serves_english():
    with translation.override("en"):
        assert translation.gettext("Secretariados Técnicos Locales") == (
            "Local Technical Secretariats"
        )
        assert translation.gettext("Iniciar sesión") != "Iniciar sesión"
    with translation.override("es-mx"):
        assert translation.gettext("Iniciar sesión") == "Iniciar sesión"
