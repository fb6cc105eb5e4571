"""Spanish is the source language; the English catalogue is complete and compiled."""

from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries():
    """Yield (msgid, msgstr) pairs of the catalogue, plural forms joined."""
    msgid, msgstr, field = [], [], None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            if msgid:
                yield "".join(msgid), "".join(msgstr)
            msgid, msgstr = [line[7:-1]], []
            field = msgid
        elif line.startswith("msgid_plural "):
            field = msgid
        elif line.startswith("msgstr"):
            field = msgstr
            msgstr.append(line.split(" ", 1)[1][1:-1])
        elif line.startswith('"') and field is not None:
            field.append(line[1:-1])
    if msgid:
        yield "".join(msgid), "".join(msgstr)


def test_every_message_has_an_english_translation():
    untranslated = [msgid for msgid, msgstr in _entries() if msgid and not msgstr]
    assert not untranslated, untranslated[:10]
    assert '#, fuzzy\nmsgid "' not in PO.read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_compiled_catalogue_serves_english():
    with translation.override("en"):
        assert translation.gettext("Secretariados Técnicos Locales") == (
            "Local Technical Secretariats"
        )
        assert translation.gettext("Iniciar sesión") != "Iniciar sesión"
    with translation.override("es-mx"):
        assert translation.gettext("Iniciar sesión") == "Iniciar sesión"
