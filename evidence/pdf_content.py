"""Find and neutralise active content in uploaded PDFs: JavaScript, automatic actions, actions
that launch programs, submit or import data, embedded files, rich media and XFA forms.

A PDF is read through qpdf (pikepdf), the PDF library that Debian, Ubuntu and most PDF tools rely
on: names are compared once qpdf has decoded them, so ``/J#61vaScript`` is ``/JavaScript``, and
objects hidden in compressed object streams are seen like any other. qpdf reads objects on demand
from the file and copies stream data through in pieces when writing, so a 50 MiB scan costs its
object table, not its size, in memory.

Every object of the file is examined, reachable or not. Neutralising removes the entries that
trigger or carry the active content and writes a new file with qpdf, which keeps only what the
document still reaches; the new file is examined again before it is accepted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import contextmanager
from typing import BinaryIO

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

StrPath = str | os.PathLike[str]

JAVASCRIPT = "javascript"
OPEN_ACTION = "open_action"
ADDITIONAL_ACTIONS = "additional_actions"
LAUNCH = "launch"
EMBEDDED_FILES = "embedded_files"
RICH_MEDIA = "rich_media"
SUBMIT_FORM = "submit_form"
IMPORT_DATA = "import_data"
XFA = "xfa"

# In the order they are named to users.
ACTIVE_CONTENT_LABELS = {
    JAVASCRIPT: gettext_lazy("JavaScript"),
    OPEN_ACTION: gettext_lazy("acciones automáticas al abrirlo"),
    ADDITIONAL_ACTIONS: gettext_lazy("acciones automáticas de páginas, campos o anotaciones"),
    LAUNCH: gettext_lazy("acciones que abren programas o archivos"),
    EMBEDDED_FILES: gettext_lazy("archivos incrustados"),
    RICH_MEDIA: gettext_lazy("contenido multimedia interactivo"),
    SUBMIT_FORM: gettext_lazy("envío de formularios"),
    IMPORT_DATA: gettext_lazy("importación de datos"),
    XFA: gettext_lazy("formularios XFA"),
}

# Action types (/S) that run code, open programs or files, or send or fetch data.
_DANGEROUS_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/SubmitForm": SUBMIT_FORM,
    "/ImportData": IMPORT_DATA,
    "/RichMediaExecute": RICH_MEDIA,
    "/GoToE": EMBEDDED_FILES,
}
# What a dangerous action carries: its script, the program or file, the address.
_ACTION_PAYLOAD_KEYS = ("/JS", "/F", "/Win", "/Mac", "/Unix", "/T", "/TA", "/TI", "/CMD")
# Keys that hold an action to run: on click (/A), after another action (/Next), on opening.
_ACTION_KEYS = ("/A", "/Next")
# Entries that are active content wherever they appear.
_ACTIVE_ENTRIES = {
    "/AA": ADDITIONAL_ACTIONS,  # triggers: page opened, field changed, document printed…
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,  # the document-level scripts of the /Names dictionary
    "/EmbeddedFiles": EMBEDDED_FILES,  # the attachments of the /Names dictionary
    "/EF": EMBEDDED_FILES,  # a file specification's embedded file
    "/RF": EMBEDDED_FILES,
    "/XFA": XFA,  # XML forms, with scripts of their own
    "/RichMediaContent": RICH_MEDIA,
    "/RichMediaSettings": RICH_MEDIA,
}
# Nesting deeper than this in one object is not a real document.
_MAX_DEPTH = 100
# qpdf keeps every object it has read in memory (about 2 KB each, with the Python walk): a
# 1,000-page report has some 20,000, while 50 MiB of tiny objects would be 500,000 (1 GB).
DEFAULT_PDF_MAX_OBJECTS = 50_000


def active_content_text(codes: Iterable[str]) -> str:
    """Return the kinds of active content as people read them, in a stable order."""
    found = set(codes)
    return ", ".join(str(label) for code, label in ACTIVE_CONTENT_LABELS.items() if code in found)


def pdf_active_content(*, path: StrPath) -> tuple[str, ...]:
    """Return the kinds of active content in the PDF at ``path`` (empty if it has none).

    Raises ValidationError when the file cannot be read as a PDF or needs a password.
    """
    with _opened(path) as pdf:
        return _examine(pdf, neutralise=False)


def neutralise_pdf(*, path: StrPath, output: BinaryIO) -> tuple[str, ...]:
    """Write to ``output`` a copy of the PDF at ``path`` without active content.

    Returns the kinds of active content removed. Raises ValidationError if the copy still has
    some (``output`` must then be discarded).
    """
    with _opened(path) as pdf:
        removed = _examine(pdf, neutralise=True)
        # Without its encryption (an owner password only restricts printing or copying), so
        # that the vault can examine what it stores.
        pdf.save(output, encryption=False)
    output.flush()
    output.seek(0)
    with _opened(output) as copy:
        left = _examine(copy, neutralise=False)
    if left:
        raise ValidationError(
            _("No se pudo quitar del PDF el contenido activo (%(kinds)s); no se acepta."),
            code="pdf_active_content",
            params={"kinds": active_content_text(left)},
        )
    return removed


@contextmanager
def _opened(source: StrPath | BinaryIO):
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PasswordError as exc:
        raise ValidationError(
            _("El PDF está protegido con contraseña. Súbelo sin contraseña para poder revisarlo."),
            code="pdf_encrypted",
        ) from exc
    except Exception as exc:  # noqa: BLE001 - qpdf reports a broken file in several ways
        raise _corrupt_pdf() from exc
    try:
        yield pdf
    except (pikepdf.PdfError, RecursionError) as exc:
        raise _corrupt_pdf() from exc
    finally:
        pdf.close()


def _corrupt_pdf() -> ValidationError:
    return ValidationError(_("El PDF está dañado o no se puede leer."), code="corrupt_file")


def _examine(pdf: pikepdf.Pdf, *, neutralise: bool) -> tuple[str, ...]:
    max_objects = getattr(settings, "EVIDENCE_PDF_MAX_OBJECTS", DEFAULT_PDF_MAX_OBJECTS)
    declared = pdf.trailer.get("/Size")
    if not isinstance(declared, int):  # a damaged file whose cross-references qpdf rebuilt
        declared = len(pdf.get_xref_table())
    if declared > max_objects:
        raise ValidationError(
            _(
                "El PDF tiene demasiados objetos internos (más de %(max)d) para revisarlo de "
                "forma segura."
            ),
            code="pdf_too_many_objects",
            params={"max": max_objects},
        )
    found: set[str] = set()
    root = pdf.Root
    open_action = root.get("/OpenAction")
    if open_action is not None and not _is_navigation(open_action):
        found.add(OPEN_ACTION)
        if neutralise:
            del root["/OpenAction"]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            if obj.stream_dict.get("/Type") == pikepdf.Name.EmbeddedFile:
                found.add(EMBEDDED_FILES)  # unreachable once its /EF entry is gone
            _visit(obj.stream_dict, found, neutralise=neutralise, depth=0)
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
            _visit(obj, found, neutralise=neutralise, depth=0)
    return tuple(code for code in ACTIVE_CONTENT_LABELS if code in found)


def _is_navigation(open_action) -> bool:
    """Return whether an /OpenAction only shows a page (a destination or a plain GoTo)."""
    if isinstance(open_action, pikepdf.Array):
        return True
    return (
        isinstance(open_action, pikepdf.Dictionary)
        and open_action.get("/S") == pikepdf.Name.GoTo
        and "/Next" not in open_action
    )


def _dangerous_action(value) -> str | None:
    """Return the kind of active content an action (or array of actions) holds, if any."""
    actions = value if isinstance(value, pikepdf.Array) else [value]
    for action in actions:
        if isinstance(action, pikepdf.Dictionary):
            kind = action.get("/S")
            if isinstance(kind, pikepdf.Name) and str(kind) in _DANGEROUS_ACTIONS:
                return _DANGEROUS_ACTIONS[str(kind)]
            if "/JS" in action:  # a Rendition action with a script
                return JAVASCRIPT
    return None


def _visit(obj, found: set[str], *, neutralise: bool, depth: int) -> None:
    """Record (and remove) the active entries of one object and its direct children."""
    if depth > _MAX_DEPTH:
        raise RecursionError
    if isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        _visit_dictionary(obj, found, neutralise=neutralise)
        children = list(obj.values())
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            _visit(child, found, neutralise=neutralise, depth=depth + 1)


def _visit_dictionary(dictionary: pikepdf.Dictionary, found: set[str], *, neutralise) -> None:
    removed = []
    kind = dictionary.get("/S")
    if isinstance(kind, pikepdf.Name) and str(kind) in _DANGEROUS_ACTIONS:
        found.add(_DANGEROUS_ACTIONS[str(kind)])
        removed += [key for key in _ACTION_PAYLOAD_KEYS if key in dictionary]
    if dictionary.get("/Subtype") == pikepdf.Name.RichMedia:
        found.add(RICH_MEDIA)
    for key in _ACTION_KEYS:
        if key in dictionary:
            code = _dangerous_action(dictionary[key])
            if code is not None:
                found.add(code)
                removed.append(key)
    for key, code in _ACTIVE_ENTRIES.items():
        if key in dictionary:
            found.add(code)
            removed.append(key)
    if neutralise:
        for key in dict.fromkeys(removed):
            del dictionary[key]
