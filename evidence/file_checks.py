"""Decide whether an uploaded evidence file is what it claims to be, and clean it before storing.

The caller streams the upload to a temporary file (hashing it on the way), then calls
``sniff_and_check`` with that path. Nothing here reads a whole file into memory: content is
sniffed from its first bytes, bodies are scanned in chunks and ZIP containers are inspected
through their central directory. Images are then cleaned by ``strip_image_metadata``, which
rewrites their structure (segments, chunks) in pieces without ever decoding the pixels. Every
rejection is a single ``ValidationError`` with a Spanish message and a stable ``code`` so views
and tests can tell the reasons apart.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import BinaryIO

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from evidence.pdf_content import pdf_active_content
from pal_portal.text import BIDI_CONTROLS

StrPath = str | os.PathLike[str]

DEFAULT_ZIP_MAX_ENTRIES = 1000
DEFAULT_ZIP_MAX_RATIO = 100
DEFAULT_ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
DEFAULT_ZIP_MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024

MAX_FILENAME_LENGTH = 200

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv"
TEXT = "text/plain"
ZIP = "application/zip"


@dataclass(frozen=True, slots=True)
class AcceptedFormat:
    """One kind of file the vault accepts: how people call it, its extensions, its real types."""

    label: str
    extensions: tuple[str, ...]
    # MIME types its real content may have; the first is the one to store and serve it with.
    mime_types: tuple[str, ...]


# The one list of accepted files: the checks, the form's ``accept`` attribute and every text
# that names the formats to users are generated from it.
ACCEPTED_FORMATS: tuple[AcceptedFormat, ...] = (
    AcceptedFormat("PDF", ("pdf",), (PDF,)),
    AcceptedFormat("JPG", ("jpg", "jpeg"), (JPEG,)),
    AcceptedFormat("PNG", ("png",), (PNG,)),
    AcceptedFormat("WebP", ("webp",), (WEBP,)),
    AcceptedFormat("DOCX", ("docx",), (DOCX,)),
    AcceptedFormat("XLSX", ("xlsx",), (XLSX,)),
    AcceptedFormat("PPTX", ("pptx",), (PPTX,)),
    AcceptedFormat("ODT", ("odt",), (ODT,)),
    AcceptedFormat("ODS", ("ods",), (ODS,)),
    AcceptedFormat("CSV", ("csv",), (CSV, TEXT)),
    AcceptedFormat("TXT", ("txt",), (TEXT,)),
)

# Extension -> MIME types its real content may have (the first one is canonical).
ACCEPTED_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        extension: accepted.mime_types
        for accepted in ACCEPTED_FORMATS
        for extension in accepted.extensions
    }
)

IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
TEXT_TYPES = frozenset({CSV, TEXT})
OOXML_PARTS = MappingProxyType({DOCX: "word/", XLSX: "xl/", PPTX: "ppt/"})
ODF_TYPES = frozenset({ODT, ODS})

_PILLOW_FORMATS = MappingProxyType({JPEG: {"JPEG", "MPO"}, PNG: {"PNG"}, WEBP: {"WEBP"}})

_TYPE_LABELS = MappingProxyType(
    {
        PDF: "PDF",
        JPEG: "JPEG",
        PNG: "PNG",
        WEBP: "WebP",
        DOCX: "DOCX",
        XLSX: "XLSX",
        PPTX: "PPTX",
        ODT: "ODT",
        ODS: "ODS",
        "application/vnd.oasis.opendocument.presentation": "ODP",
        "application/vnd.oasis.opendocument.graphics": "ODG",
        TEXT: "texto",
        ZIP: "ZIP",
        "image/gif": "GIF",
        "image/bmp": "BMP",
        "image/tiff": "TIFF",
        "image/heic": "HEIC",
        "image/heif": "HEIF",
        "application/msword": "DOC",
        "application/vnd.ms-excel": "XLS",
        "application/vnd.ms-powerpoint": "PPT",
        "application/x-ole-storage": "documento de Office antiguo o cifrado",
        "application/CDFV2": "documento de Office antiguo o cifrado",
        "application/octet-stream": "binario desconocido",
    }
)

_SVG_TYPES = frozenset({"image/svg+xml", "image/svg"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_LIKE_TYPES = frozenset({"application/json", "application/csv", "application/x-csv"})
_EXECUTABLE_TYPES = frozenset(
    {
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
        "application/x-msdownload",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-mach-binary",
        "application/x-elf",
    }
)
_EXECUTABLE_HEADERS = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)
_HTML_EXTENSIONS = frozenset({"html", "htm", "xhtml", "shtml", "xht"})

# Markup that a browser, a web server or an XML parser would act on: HTML and script tags,
# server-side code (PHP, including its short echo tag, ASP/JSP, server-side includes) and XML
# document type declarations (entities, XXE). Patterns are ASCII, so they match in UTF-8,
# Latin-1 and Windows-1252 alike, and case-insensitive.
#
# Text files are held to the short markers. Binary files (images, PDF) are full of random bytes,
# where "<%" turns up every 64 KiB and "<?=" every 16 MiB, so there a marker only counts when
# it reads as code: a complete tag, or an opening tag followed by a run of printable characters.
# With those patterns a 50 MiB photo of random-looking compressed data trips one, by estimate,
# less than once in a thousand uploads, and a real payload (those of PayloadsAllTheThings and
# fuzzdb, see tests/evidence/corpus/README.md) always matches.
_PRINTABLE = rb"[\t\n\r\x20-\x3b\x3d\x3f-\x7e]"  # printable ASCII but "<" and ">"
_SSI = rb"<!--\s*#\s*(?:exec|include|echo|config|set|printenv|fsize|flastmod|if)\b"
_SERVER_CODE_IN_BINARY = (
    rb"<\?php\s"
    rb"|<\?=" + _PRINTABLE + rb"{10}"
    rb"|<\?=" + _PRINTABLE + rb"{1,9}\?>"
    rb"|<%" + _PRINTABLE + rb"{4,256}%>"
    rb"|" + _SSI
)


def _tag_in_binary(tags: bytes) -> bytes:
    return rb"<(?:" + tags + rb")(?:[\s/]" + _PRINTABLE + rb"{0,256})?>"


_TEXT_MARKUP = re.compile(
    rb"<(?:script|iframe|object|embed|svg|html|body)"
    rb"|<\?php|<\?=|<%|" + _SSI + rb"|<!(?:doctype|entity)",
    re.IGNORECASE,
)
# Images: XML declarations are left out, as honest XMP and Photoshop metadata carry them (and
# all metadata is stripped anyway).
_IMAGE_MARKUP = re.compile(
    _tag_in_binary(rb"script|iframe|object|embed|svg|html|body") + rb"|" + _SERVER_CODE_IN_BINARY,
    re.IGNORECASE,
)
# PDF: "<body" is left out too, as annotations keep their rich text as XHTML (<body xmlns=…>).
_PDF_MARKUP = re.compile(
    _tag_in_binary(rb"script|iframe|object|embed|svg|html") + rb"|" + _SERVER_CODE_IN_BINARY,
    re.IGNORECASE,
)
# Longest match a pattern needs to see whole; windows overlap by that much.
_MARKUP_OVERLAP = 512


SNIFF_BYTES = 8192
CHUNK_BYTES = 1024 * 1024
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_ZIP_EMPTY_ARCHIVE = b"PK\x05\x06"
_ZIP_EOCD_SIZE = 22
_ZIP_MAX_COMMENT = 0xFFFF
# A central-directory record is 46 bytes plus its name; 1 KiB per entry is generous for real
# documents and keeps zipfile from parsing millions of records before we can count them.
_ZIP_CENTRAL_DIRECTORY_BYTES_PER_ENTRY = 1024


@dataclass(frozen=True, slots=True)
class SniffResult:
    """What an accepted upload turned out to be."""

    name: str
    extension: str
    mime_type: str
    size: int
    text_encoding: str | None = None
    # Kinds of active content found in a PDF (see evidence.pdf_content), to remove or refuse.
    active_content: tuple[str, ...] = ()

    @property
    def is_image(self) -> bool:
        """Return whether the file is an image whose metadata must be stripped."""
        return self.mime_type in IMAGE_TYPES


def clean_filename(name: str) -> str:
    """Return the display name of an upload, or raise ValidationError if it is unsafe."""
    # Bidirectional controls let "acta‮fdp.exe" display as "actaexe.pdf".
    if any(unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS for char in name):
        raise ValidationError(
            _("El nombre del archivo contiene caracteres de control no permitidos."),
            code="filename_control_chars",
        )
    if "/" in name or "\\" in name:
        raise ValidationError(
            _("El nombre del archivo no puede contener barras (/ o \\)."),
            code="filename_path",
        )
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise ValidationError(_("El archivo no tiene nombre."), code="filename_empty")
    if not cleaned.strip("."):
        raise ValidationError(
            _("El nombre del archivo no puede estar formado solo por puntos."),
            code="filename_dots",
        )
    if len(cleaned) > MAX_FILENAME_LENGTH:
        raise ValidationError(
            _("El nombre del archivo es demasiado largo (máximo %(max)d caracteres)."),
            code="filename_too_long",
            params={"max": MAX_FILENAME_LENGTH},
        )
    return cleaned


def accepted_extension(*, name: str) -> str:
    """Return the lower-case extension of a clean name, or raise if it is not accepted."""
    _stem, dot, extension = name.rpartition(".")
    extension = extension.lower()
    if not dot or not extension:
        raise ValidationError(
            _("El archivo no tiene extensión. Formatos aceptados: %(formats)s."),
            code="extension_missing",
            params={"formats": accepted_formats_text()},
        )
    if extension == "svg" or extension == "svgz":
        raise ValidationError(_("Los archivos SVG no se aceptan."), code="svg_not_allowed")
    if extension in _HTML_EXTENSIONS:
        raise ValidationError(_("Los archivos HTML no se aceptan."), code="html_not_allowed")
    if extension not in ACCEPTED_TYPES:
        raise ValidationError(
            _("La extensión .%(extension)s no está permitida. Formatos aceptados: %(formats)s."),
            code="extension_not_allowed",
            params={"extension": extension, "formats": accepted_formats_text()},
        )
    return extension


def sniff_and_check(*, name: str, path: StrPath, size: int | None = None) -> SniffResult:
    """Return what the file at ``path`` really is, or raise ValidationError if it is refused.

    ``name`` is the name the user gave; ``size`` is the byte count measured while streaming the
    upload to ``path`` (read from the file system when omitted).
    """
    display_name = clean_filename(name)
    extension = accepted_extension(name=display_name)
    if size is None:
        size = os.path.getsize(path)
    _check_size(size=size)

    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    sniffed = magic.from_buffer(head, mime=True)
    _refuse_dangerous_types(head=head, sniffed=sniffed)

    expected = ACCEPTED_TYPES[extension]
    detected = _detected_type(extension=extension, head=head, sniffed=sniffed, path=path, size=size)
    if detected not in expected:
        raise ValidationError(
            _(
                "La extensión .%(extension)s no coincide con el contenido real del archivo "
                "(%(detected)s)."
            ),
            code="type_mismatch",
            params={"extension": extension, "detected": _TYPE_LABELS.get(detected, detected)},
        )

    mime_type = expected[0]
    text_encoding = None
    active_content: tuple[str, ...] = ()
    if mime_type in IMAGE_TYPES:
        _check_image(path=path, mime_type=mime_type)
    elif mime_type in TEXT_TYPES:
        text_encoding = _check_text(path=path, allow_legacy_encoding=mime_type == CSV)
    elif mime_type == PDF:
        active_content = _check_pdf(path=path)
    return SniffResult(
        name=display_name,
        extension=extension,
        mime_type=mime_type,
        size=size,
        text_encoding=text_encoding,
        active_content=active_content,
    )


def strip_image_metadata(*, path: StrPath, output: StrPath | BinaryIO) -> None:
    """Copy the JPEG, PNG or WebP at ``path`` into ``output`` without its metadata.

    The file is rewritten at the level of its structure (JPEG segments, PNG chunks, RIFF chunks):
    pixels are never decoded or re-encoded, so the picture keeps its exact quality, and the file
    is read and written in pieces of at most ``CHUNK_BYTES``, so memory stays flat whatever its
    size (the vault's requirement, issue 3).

    Dropped: EXIF (with GPS and maker notes), XMP, Photoshop/IPTC, comments, every other JPEG
    APPn segment, PNG text, time and any other ancillary chunk not needed to show the picture
    (private and unknown ones included, which may carry anything), unknown WebP chunks, and
    anything after the end of the image (MPO secondary pictures, "motion photo" videos, vendor
    trailers), which can carry metadata of its own. Kept: the image data verbatim, the ICC
    colour profile, JFIF and Adobe (colour transform) segments, PNG transparency, colour space,
    bit depth, background, density and APNG animation chunks, WebP animation and alpha.

    Damaged but decodable files are taken as libjpeg takes them: stray bytes between JPEG
    segments are skipped, and a stray marker inside a scan is copied as data, so the copy
    decodes to the same pixels as the original.

    Orientation: the pixels cannot be rotated without decoding them, and phones store most
    photos sideways. So when the original has an orientation other than 1, a minimal EXIF
    holding that single tag takes the metadata's place: the picture still shows the right way
    up and nothing else survives. The orientation is read as Pillow reads it: the EXIF tag
    first, then XMP's ``tiff:Orientation``, and for PNG also ImageMagick's "Raw profile type
    exif" text chunk.

    ``output`` is a path (removed again if stripping fails) or a binary file object. Raises
    ValidationError (code ``corrupt_file``) when the structure is malformed or truncated.
    """
    with open(path, "rb") as fh:
        source = _Source(fh)
        strip = _stripper(source.peek(12))
        if not isinstance(output, str | os.PathLike):
            strip(source, output)
            return
        try:
            with open(output, "wb") as out:
                strip(source, out)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(output)
            raise


def accepted_formats_text() -> str:
    """Return the accepted formats as people read them: "PDF, JPG, … CSV o TXT"."""
    *labels, last = (accepted.label for accepted in ACCEPTED_FORMATS)
    return _("%(formats)s o %(last)s") % {"formats": ", ".join(labels), "last": last}


def max_upload_bytes() -> int:
    """Return the largest file the vault accepts, in bytes (``EVIDENCE_MAX_UPLOAD_BYTES``)."""
    return settings.EVIDENCE_MAX_UPLOAD_BYTES


def limit_label() -> str:
    """Return the size limit as people read it, e.g. "50 MB"."""
    return size_label(max_upload_bytes())


def size_label(size: int) -> str:
    """Return a byte count as people read it, e.g. "50 MB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


def _check_size(*, size: int) -> None:
    if size <= 0:
        raise ValidationError(_("El archivo está vacío."), code="empty_file")
    if size > max_upload_bytes():
        raise ValidationError(
            _("El archivo pesa más de %(limit)s, el máximo permitido."),
            code="file_too_large",
            params={"limit": limit_label()},
        )


def _refuse_dangerous_types(*, head: bytes, sniffed: str) -> None:
    windows_executable = head.startswith(b"MZ") and not sniffed.startswith("text/")
    if windows_executable or head.startswith(_EXECUTABLE_HEADERS) or sniffed in _EXECUTABLE_TYPES:
        raise ValidationError(
            _("El archivo es un programa ejecutable y no se acepta."),
            code="executable_not_allowed",
        )
    if sniffed in _SVG_TYPES:
        raise ValidationError(_("Los archivos SVG no se aceptan."), code="svg_not_allowed")
    if sniffed in _HTML_TYPES:
        raise ValidationError(_("Los archivos HTML no se aceptan."), code="html_not_allowed")


def _detected_type(*, extension: str, head: bytes, sniffed: str, path: StrPath, size: int) -> str:
    """Return the real MIME type, looking inside ZIP containers that claim an office format."""
    expected = ACCEPTED_TYPES[extension][0]
    if head.startswith((_ZIP_LOCAL_HEADER, _ZIP_EMPTY_ARCHIVE)):
        if expected in OOXML_PARTS or expected in ODF_TYPES:
            return _inspect_office_zip(path=path, size=size, expected=expected)
        return ZIP
    if sniffed.startswith("text/") or sniffed in _TEXT_LIKE_TYPES:
        return TEXT
    return sniffed


def _inspect_office_zip(*, path: StrPath, size: int, expected: str) -> str:
    """Return the office type a ZIP really holds, refusing bombs and macro documents."""
    max_entries = getattr(settings, "EVIDENCE_ZIP_MAX_ENTRIES", DEFAULT_ZIP_MAX_ENTRIES)
    too_many_entries = ValidationError(
        _("El documento contiene demasiados elementos internos (más de %(max)d)."),
        code="zip_too_many_entries",
        params={"max": max_entries},
    )
    declared = _zip_declared_directory(path=path, size=size)
    if declared is not None:
        entry_count, directory_bytes = declared
        if entry_count > max_entries or directory_bytes > max(
            max_entries * _ZIP_CENTRAL_DIRECTORY_BYTES_PER_ENTRY, CHUNK_BYTES
        ):
            raise too_many_entries

    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise too_many_entries
            _check_zip_expansion(entries=entries, size=size)
            names = {entry.filename for entry in entries}
            if expected in OOXML_PARTS:
                return _ooxml_type(names=names, expected=expected)
            return _odf_type(archive=archive, entries=entries)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,  # an encrypted member
        ValueError,
        struct.error,
        zlib.error,
    ) as exc:
        raise ValidationError(
            _("El archivo está dañado o no es un documento válido."), code="corrupt_file"
        ) from exc


def _zip_declared_directory(*, path: StrPath, size: int) -> tuple[int, int] | None:
    """Return the entry count and central-directory size the ZIP's end record declares."""
    tail_size = min(size, _ZIP_EOCD_SIZE + _ZIP_MAX_COMMENT)
    with open(path, "rb") as fh:
        fh.seek(size - tail_size)
        tail = fh.read(tail_size)
    position = tail.rfind(_ZIP_EMPTY_ARCHIVE)
    if position < 0 or len(tail) - position < _ZIP_EOCD_SIZE:
        return None
    entry_count, directory_bytes = struct.unpack("<HI", tail[position + 10 : position + 16])
    # 0xFFFF / 0xFFFFFFFF mean "see the ZIP64 record"; either way, far past any sane limit.
    return entry_count, directory_bytes


def _check_zip_expansion(*, entries: list[zipfile.ZipInfo], size: int) -> None:
    # Declared sizes: zipfile never inflates an entry past them, and we never inflate the
    # members at all, so they are what a downstream reader would be asked to allocate.
    uncompressed = sum(entry.file_size for entry in entries)
    max_ratio = getattr(settings, "EVIDENCE_ZIP_MAX_RATIO", DEFAULT_ZIP_MAX_RATIO)
    floor = getattr(settings, "EVIDENCE_ZIP_RATIO_FLOOR_BYTES", DEFAULT_ZIP_RATIO_FLOOR_BYTES)
    ceiling = getattr(
        settings, "EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES", DEFAULT_ZIP_MAX_UNCOMPRESSED_BYTES
    )
    if uncompressed > ceiling or (uncompressed > floor and uncompressed > max_ratio * size):
        raise ValidationError(
            _(
                "El documento se expande de forma sospechosa al descomprimirse "
                "(posible bomba de descompresión) y no se acepta."
            ),
            code="zip_bomb",
        )


def _ooxml_type(*, names: set[str], expected: str) -> str:
    if "[Content_Types].xml" not in names:
        return ZIP
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("El documento contiene macros y no se acepta. Guárdalo sin macros."),
            code="office_macros",
        )
    found = [
        mime_type
        for mime_type, part in OOXML_PARTS.items()
        if any(name.startswith(part) for name in names)
    ]
    if expected in found:
        return expected
    return found[0] if found else ZIP


def _odf_type(*, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> str:
    if not entries or entries[0].filename != "mimetype" or entries[0].file_size > 256:
        return ZIP
    with archive.open(entries[0]) as member:
        declared = member.read(256).decode("ascii", errors="replace").strip()
    return declared if declared.startswith("application/vnd.oasis.opendocument.") else ZIP


def _check_image(*, path: StrPath, mime_type: str) -> None:
    corrupt = _corrupt_image()
    try:
        with Image.open(path) as image:
            if image.format not in _PILLOW_FORMATS[mime_type]:
                raise corrupt
            width, height = image.size
            if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                raise _image_too_large()
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise _image_too_large() from exc
    except Exception as exc:  # noqa: BLE001 - a malformed image can trip any decoder error.
        raise corrupt from exc
    if _contains_markup(path=path, pattern=_IMAGE_MARKUP):
        raise ValidationError(
            _(
                "La imagen contiene código HTML, de script o de servidor (PHP, ASP, SSI) "
                "oculto y no se acepta."
            ),
            code="embedded_markup",
        )


def _check_pdf(*, path: StrPath) -> tuple[str, ...]:
    """Refuse a PDF that is also HTML or server code; return the active content it holds."""
    if _contains_markup(path=path, pattern=_PDF_MARKUP):
        raise ValidationError(
            _(
                "El PDF contiene código HTML, de script o de servidor (PHP, ASP, SSI) "
                "y no se acepta."
            ),
            code="embedded_markup",
        )
    return pdf_active_content(path=path)


def _image_too_large() -> ValidationError:
    return ValidationError(
        _("La imagen tiene demasiados píxeles para procesarla de forma segura."),
        code="image_too_large",
    )


def _contains_markup(*, path: StrPath, pattern: re.Pattern[bytes]) -> bool:
    """Return whether the file holds markup or server code, reading it in pieces."""
    with open(path, "rb") as fh:
        return _markup_in(_pieces(fh), pattern=pattern)


def _pieces(fh: BinaryIO) -> Iterator[bytes]:
    while piece := fh.read(CHUNK_BYTES):
        yield piece


def _markup_in(pieces, *, pattern: re.Pattern[bytes]) -> bool:
    """Return whether ``pattern`` matches in the stream of ``pieces`` (matches may straddle)."""
    tail = b""
    for piece in pieces:
        window = tail + piece
        if pattern.search(window):
            return True
        tail = window[-_MARKUP_OVERLAP:]
    return False


def _check_text(*, path: StrPath, allow_legacy_encoding: bool) -> str:
    """Return the text encoding of the file, refusing binary content and HTML markup."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    tail = b""
    has_bom = False
    with open(path, "rb") as fh:
        first = True
        while chunk := fh.read(CHUNK_BYTES):
            if b"\x00" in chunk:
                raise ValidationError(
                    _(
                        "El archivo de texto contiene bytes nulos; parece binario o está en "
                        "UTF-16. Guárdalo como UTF-8."
                    ),
                    code="text_binary",
                )
            window = tail + chunk
            if _TEXT_MARKUP.search(window):
                raise ValidationError(
                    _(
                        "El archivo de texto contiene código HTML, de script o de servidor "
                        "(PHP, ASP, SSI) o declaraciones XML y no se acepta."
                    ),
                    code="embedded_markup",
                )
            tail = window[-_MARKUP_OVERLAP:]
            if first:
                has_bom = chunk.startswith(codecs.BOM_UTF8)
                first = False
            if is_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        return "utf-8-sig" if has_bom else "utf-8"
    if not allow_legacy_encoding:
        raise ValidationError(
            _("El archivo de texto no está codificado en UTF-8. Guárdalo como UTF-8."),
            code="text_encoding",
        )
    # Excel in es-MX saves CSV as Windows-1252; Latin-1 decodes anything else.
    return "cp1252" if _decodes(path=path, encoding="cp1252") else "latin-1"


def _decodes(*, path: StrPath, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# --- metadata stripping --------------------------------------------------------------------

_EXIF_HEADER = b"Exif\x00\x00"
_EXIF_ORIENTATION_TAG = 0x0112
_EXIF_SHORT = 3
_EXIF_LONG = 4
# Bytes of an EXIF block searched for the orientation (IFD0 comes first).
_EXIF_SEARCH_BYTES = 64 * 1024
# Largest XMP packet or PNG text chunk read to find an orientation; larger ones are dropped
# unread (an orientation lives in the first kilobytes, and memory must stay flat).
_METADATA_READ_BYTES = 1024 * 1024
# The XMP orientation as Pillow reads it (``Image.getexif``), so that both agree.
_XMP_ORIENTATION = re.compile(rb'tiff:Orientation(="|>)([0-9])')
_XMP_JPEG_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = 0xD9
_JPEG_SOS = 0xDA
_JPEG_APP0 = 0xE0
_JPEG_APP1 = 0xE1
_JPEG_COM = 0xFE
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and RST0-7: no length
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOFn, not DHT/JPG/DAC
# Segments libjpeg knows, besides APPn and COM: SOFn, DHT, DAC, DQT, DNL, DRI, DHP, EXP, SOS.
# Any other marker (JPG, JPGn, RESn) makes libjpeg stop with "unsupported marker": refused.
_JPEG_TABLES = frozenset({0xC4, 0xCC, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, _JPEG_SOS})
# APPn segments kept, by the identifier their payload starts with.
_JPEG_KEPT_APPS = MappingProxyType(
    {_JPEG_APP0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
)
# Entropy-coded data ends where libjpeg sees a marker that is not a restart: a stray "FF 9F"
# in a damaged scan is data to libjpeg (it stops decoding there), so it is copied as it is.
_JPEG_MARKER_IN_SCAN = re.compile(rb"\xff[\xc0-\xcf\xd8-\xfe]")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks kept: the image (IHDR, PLTE, IDAT, IEND), how to show it (transparency, colour space,
# bit depth, background, pixel size) and APNG animation. Every other ancillary chunk is dropped:
# text, EXIF, time, and any private or unknown chunk, which may carry anything.
_PNG_KEPT_CHUNKS = frozenset(
    {
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
        b"cICP", b"mDCV", b"cLLI", b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
    }
)  # fmt: skip
_PNG_TEXT_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_PNG_RAW_EXIF_KEY = b"Raw profile type exif"  # ImageMagick's hex-encoded EXIF
_PNG_XMP_KEY = b"XML:com.adobe.xmp"
_PNG_MAX_CHUNK_BYTES = 0x7FFFFFFF

_WEBP_FIRST_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X"})
_WEBP_KEPT_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
_WEBP_EXIF = b"EXIF"
_WEBP_XMP = b"XMP "
_WEBP_VP8X_EXIF_FLAG = 0x08
_WEBP_VP8X_XMP_FLAG = 0x04
_WEBP_VP8X_BYTES = 10


class _Source:
    """The image being stripped: bounded reads that refuse to run past the end of the file."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.size = os.fstat(fh.fileno()).st_size

    def peek(self, size: int) -> bytes:
        position = self.fh.tell()
        data = self.fh.read(size)
        self.fh.seek(position)
        return data

    def read_exactly(self, size: int) -> bytes:
        data = self.fh.read(size)
        if len(data) != size:
            raise _corrupt_image()
        return data

    def skip(self, size: int) -> None:
        if self.fh.tell() + size > self.size:
            raise _corrupt_image()
        self.fh.seek(size, os.SEEK_CUR)

    def skip_until(self, pattern: re.Pattern[bytes]) -> None:
        """Move to the first byte that matches ``pattern`` (one byte long), reading in pieces."""
        while True:
            start = self.fh.tell()
            piece = self.fh.read(CHUNK_BYTES)
            if not piece:
                raise _corrupt_image()
            found = pattern.search(piece)
            if found:
                self.fh.seek(start + found.start())
                return

    def copy(self, out: BinaryIO, size: int, crc: int | None = None) -> int | None:
        """Copy ``size`` bytes to ``out`` in pieces; with ``crc``, return their CRC-32 after it."""
        while size > 0:
            piece = self.read_exactly(min(CHUNK_BYTES, size))
            out.write(piece)
            if crc is not None:
                crc = zlib.crc32(piece, crc)
            size -= len(piece)
        return crc


_FF = re.compile(rb"\xff")
_NOT_FF = re.compile(rb"[^\xff]")


def _stripper(head: bytes) -> Callable[[_Source, BinaryIO], None]:
    if head.startswith(_JPEG_SOI):
        return _strip_jpeg
    if head.startswith(_PNG_SIGNATURE):
        return _strip_png
    if len(head) == 12 and head.startswith(b"RIFF") and head.endswith(b"WEBP"):
        return _strip_webp
    raise _corrupt_image()


def _corrupt_image() -> ValidationError:
    return ValidationError(_("La imagen está dañada o no se puede leer."), code="corrupt_file")


def _exif_orientation(exif: bytes) -> int | None:
    """Return the Orientation in IFD0 of an EXIF block: None if absent, 0 if unusable."""
    if exif.startswith(_EXIF_HEADER):
        exif = exif[len(_EXIF_HEADER) :]
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(exif[:4])
    if order is None:
        return None
    try:
        (ifd,) = struct.unpack_from(order + "I", exif, 4)
        (count,) = struct.unpack_from(order + "H", exif, ifd)
        for index in range(count):
            entry = ifd + 2 + 12 * index
            tag, kind, number = struct.unpack_from(order + "HHI", exif, entry)
            if tag == _EXIF_ORIENTATION_TAG:
                if number != 1 or kind not in (_EXIF_SHORT, _EXIF_LONG):
                    return 0
                value_format = order + ("H" if kind == _EXIF_SHORT else "I")
                return struct.unpack_from(value_format, exif, entry + 8)[0]
    except struct.error:
        return None
    return None


def _xmp_orientation(xmp: bytes) -> int | None:
    found = _XMP_ORIENTATION.search(xmp)
    return int(found[2]) if found else None


def _orientation(*, exif: bytes | None, xmp: bytes | None) -> int | None:
    """Return the orientation (2-8) to keep, read as Pillow and ExifTool read it, or None.

    The EXIF tag wins; XMP's ``tiff:Orientation`` counts only when the EXIF has none (Pillow's
    ``Image.getexif``). 1 (upright) and unusable values need no EXIF at all.
    """
    orientation = _exif_orientation(exif) if exif is not None else None
    if orientation is None and xmp is not None:
        orientation = _xmp_orientation(xmp)
    return orientation if orientation is not None and 2 <= orientation <= 8 else None


def _minimal_exif(orientation: int) -> bytes:
    """Return a TIFF-structured EXIF block whose only tag is ``orientation``."""
    entry = struct.pack(">HHIHH", _EXIF_ORIENTATION_TAG, _EXIF_SHORT, 1, orientation, 0)
    return b"MM\x00*" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)


# --- JPEG ---


def _strip_jpeg(source: _Source, out: BinaryIO) -> None:
    out.write(source.read_exactly(len(_JPEG_SOI)))
    start = source.fh.tell()
    orientation = _jpeg_orientation(source)
    source.fh.seek(start)
    seen_frame = seen_scan = False
    while True:
        marker = _next_jpeg_marker(source)
        if orientation and marker != _JPEG_APP0:
            # Right after SOI, or after the JFIF segment that must come first.
            exif = _EXIF_HEADER + _minimal_exif(orientation)
            out.write(struct.pack(">BBH", 0xFF, _JPEG_APP1, len(exif) + 2) + exif)
            orientation = None
        if marker == _JPEG_EOI:
            if not seen_scan:
                raise _corrupt_image()
            out.write(b"\xff\xd9")
            return  # anything after EOI is dropped
        if marker in _JPEG_STANDALONE:
            out.write(bytes((0xFF, marker)))
            continue
        length_bytes, payload = _jpeg_segment(source)
        if 0xE0 <= marker <= 0xEF or marker == _JPEG_COM:
            if _kept_jpeg_app(marker=marker, payload=payload):
                out.write(bytes((0xFF, marker)) + length_bytes + payload)
            continue
        if marker in _JPEG_FRAMES:
            seen_frame = True
        elif marker not in _JPEG_TABLES or (marker == _JPEG_SOS and not seen_frame):
            raise _corrupt_image()
        out.write(bytes((0xFF, marker)) + length_bytes + payload)
        if marker == _JPEG_SOS:
            seen_scan = True
            _copy_jpeg_scan(source, out)


def _jpeg_orientation(source: _Source) -> int | None:
    """Read the segments before the first scan for the orientation (EXIF first, then XMP)."""
    exif = xmp = None
    while True:
        marker = _next_jpeg_marker(source)
        if marker in (_JPEG_EOI, _JPEG_SOS):
            return _orientation(exif=exif, xmp=xmp)
        if marker in _JPEG_STANDALONE:
            continue
        _length_bytes, payload = _jpeg_segment(source)
        if marker == _JPEG_APP1:
            if exif is None and payload.startswith(_EXIF_HEADER):
                exif = payload
            elif payload.startswith(_XMP_JPEG_HEADER):
                xmp = payload[len(_XMP_JPEG_HEADER) :]  # Pillow keeps the last one


def _jpeg_segment(source: _Source) -> tuple[bytes, bytes]:
    length_bytes = source.read_exactly(2)
    (length,) = struct.unpack(">H", length_bytes)
    if length < 2:
        raise _corrupt_image()
    return length_bytes, source.read_exactly(length - 2)  # at most 64 KiB


def _kept_jpeg_app(*, marker: int, payload: bytes) -> bool:
    identifier = _JPEG_KEPT_APPS.get(marker)
    return identifier is not None and payload.startswith(identifier)


def _next_jpeg_marker(source: _Source) -> int:
    """Return the next marker, skipping what libjpeg skips before it.

    Cameras and editors leave stray bytes between segments (a segment length one byte short, a
    few zeros, "FF 00"); libjpeg skips them with a warning, so the stray bytes are dropped here
    and the picture decodes the same. Fill bytes (0xFF) before a marker are skipped too.
    """
    while True:
        source.skip_until(_FF)
        source.skip_until(_NOT_FF)
        (marker,) = source.read_exactly(1)
        if marker == 0x00:  # "FF 00" outside a scan: stray bytes as well
            continue
        if marker == 0xD8:  # a second SOI
            raise _corrupt_image()
        return marker


def _copy_jpeg_scan(source: _Source, out: BinaryIO) -> None:
    """Copy entropy-coded data verbatim, leaving ``source`` at the 0xFF of the next marker."""
    fh = source.fh
    size = max(CHUNK_BYTES, 2)
    while True:
        start = fh.tell()
        piece = fh.read(size)
        found = _JPEG_MARKER_IN_SCAN.search(piece)
        end = found.start() if found else len(piece)
        if not found:
            if len(piece) < size:  # the file ends inside the scan: truncated
                raise _corrupt_image()
            if piece[-1] == 0xFF:  # maybe the first half of a marker: read it again
                end -= 1
        with memoryview(piece) as view:
            out.write(view[:end])
        at_marker, read = found is not None, len(piece)
        del piece, found  # let go of this piece before reading the next (the match holds it too)
        if at_marker or end < read:
            fh.seek(start + end)
        if at_marker:
            return


# --- PNG ---


def _strip_png(source: _Source, out: BinaryIO) -> None:
    out.write(source.read_exactly(len(_PNG_SIGNATURE)))
    start = source.fh.tell()
    orientation = _png_orientation(source)
    source.fh.seek(start)
    for kind, length in _png_chunks(source):
        if kind not in _PNG_KEPT_CHUNKS:
            if kind[0] & 0x20 == 0:  # an unknown critical chunk: no decoder can show the image
                raise _corrupt_image()
            source.skip(length + 4)  # and its CRC
            continue
        out.write(struct.pack(">I4s", length, kind))
        crc = source.copy(out, length, zlib.crc32(kind))
        stored_crc = source.read_exactly(4)
        if struct.unpack(">I", stored_crc)[0] != crc:
            raise _corrupt_image()
        out.write(stored_crc)
        if kind == b"IHDR" and orientation:
            exif = _minimal_exif(orientation)
            chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif
            out.write(chunk + struct.pack(">I", zlib.crc32(chunk[4:])))
        if kind == b"IEND":
            return  # anything after IEND is dropped


def _png_chunks(source: _Source) -> Iterator[tuple[bytes, int]]:
    """Yield (type, length) of each chunk up to IEND, ``source`` at its data; the caller moves
    past the data and CRC."""
    first = True
    while True:
        length, kind = struct.unpack(">I4s", source.read_exactly(8))
        if length > _PNG_MAX_CHUNK_BYTES or not kind.isalpha() or first != (kind == b"IHDR"):
            raise _corrupt_image()
        first = False
        yield kind, length
        if kind == b"IEND":
            return


def _png_orientation(source: _Source) -> int | None:
    """Read the chunks for the orientation: eXIf, else ImageMagick's raw EXIF text, else XMP."""
    exif = raw_exif = xmp = None
    for kind, length in _png_chunks(source):
        data_start = source.fh.tell()
        if kind == b"eXIf":
            exif = source.read_exactly(min(length, _EXIF_SEARCH_BYTES))
        elif kind in _PNG_TEXT_CHUNKS and length <= _METADATA_READ_BYTES:
            keyword, text = _png_text(kind, source.read_exactly(length))
            if keyword == _PNG_RAW_EXIF_KEY and text is not None:
                raw_exif = _imagemagick_exif(text)
            elif keyword == _PNG_XMP_KEY and text is not None:
                xmp = text
        source.fh.seek(data_start)
        source.skip(length + 4)
    return _orientation(exif=exif if exif is not None else raw_exif, xmp=xmp)


def _png_text(kind: bytes, data: bytes) -> tuple[bytes, bytes | None]:
    """Return the keyword and the (inflated) text of a tEXt, zTXt or iTXt chunk."""
    keyword, _null, rest = data.partition(b"\x00")
    if kind == b"tEXt":
        return keyword, rest
    if kind == b"zTXt":
        return keyword, _inflate(rest[1:]) if rest[:1] == b"\x00" else None
    compressed, method = rest[:1], rest[1:2]
    _language, _null, rest = rest[2:].partition(b"\x00")
    _translated, _null, text = rest.partition(b"\x00")
    if compressed == b"\x01":
        return keyword, _inflate(text) if method == b"\x00" else None
    return keyword, text


def _inflate(data: bytes) -> bytes | None:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, _METADATA_READ_BYTES)
    except zlib.error:
        return None
    return text if not inflater.unconsumed_tail else None  # larger than we care to read


def _imagemagick_exif(text: bytes) -> bytes | None:
    """Return the EXIF of ImageMagick's "Raw profile type exif" text ("\nexif\n  len\nhex…")."""
    try:
        return bytes.fromhex("".join(text.decode("latin-1").split("\n")[3:]))
    except ValueError:
        return None


# --- WebP ---


def _strip_webp(source: _Source, out: BinaryIO) -> None:
    (riff_size,) = struct.unpack("<I", source.read_exactly(12)[4:8])
    end = 8 + riff_size
    if riff_size < 4 or end > source.size:
        raise _corrupt_image()

    # First pass, reading chunk headers (and metadata): the RIFF size and the VP8X flags come
    # first in the output.
    has_vp8x = False
    exif = xmp = None
    out_size = 4  # "WEBP"
    for kind, offset, size in _webp_chunks(source, end):
        if offset == 20:
            if kind not in _WEBP_FIRST_CHUNKS:
                raise _corrupt_image()
            has_vp8x = kind == b"VP8X"
            if has_vp8x and size < _WEBP_VP8X_BYTES:
                raise _corrupt_image()
        if kind == _WEBP_EXIF and exif is None:
            exif = source.read_exactly(min(size, _EXIF_SEARCH_BYTES))
        elif kind == _WEBP_XMP and xmp is None and size <= _METADATA_READ_BYTES:
            xmp = source.read_exactly(size)
        elif kind in _WEBP_KEPT_CHUNKS:
            out_size += 8 + size + (size & 1)
    orientation = _orientation(exif=exif, xmp=xmp) if has_vp8x else None
    if orientation:
        out_size += 8 + len(_minimal_exif(orientation))

    out.write(b"RIFF" + struct.pack("<I", out_size) + b"WEBP")
    for kind, _offset, size in _webp_chunks(source, end):
        if kind not in _WEBP_KEPT_CHUNKS:
            continue
        out.write(kind + struct.pack("<I", size))
        if kind == b"VP8X":
            (flags,) = source.read_exactly(1)
            flags &= ~(_WEBP_VP8X_EXIF_FLAG | _WEBP_VP8X_XMP_FLAG)
            if orientation:
                flags |= _WEBP_VP8X_EXIF_FLAG
            out.write(bytes((flags,)))
            source.copy(out, size - 1)
        else:
            source.copy(out, size)
        if size & 1:
            out.write(b"\x00")
    if orientation:  # the EXIF chunk goes after the image data
        exif_block = _minimal_exif(orientation)
        out.write(_WEBP_EXIF + struct.pack("<I", len(exif_block)) + exif_block)
    # Anything after the RIFF chunk is dropped.


def _webp_chunks(source: _Source, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (FourCC, payload offset, payload size) of each top-level chunk, seeking to each."""
    position = 12
    while position < end:
        if end - position < 8:
            raise _corrupt_image()
        source.fh.seek(position)
        kind, size = struct.unpack("<4sI", source.read_exactly(8))
        if position + 8 + size > end:
            raise _corrupt_image()
        yield kind, position + 8, size
        position += 8 + size + (size & 1)
