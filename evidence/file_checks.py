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

# Lower-case byte markers of HTML, script or server code. ASCII, so they match in UTF-8,
# Latin-1 and Windows-1252 alike.
_MARKUP_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
    b"<?php",
)
_MARKER_OVERLAP = max(len(marker) for marker in _MARKUP_MARKERS) - 1

# Bidirectional controls let "acta‮fdp.exe" display as "actaexe.pdf".
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

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

    @property
    def is_image(self) -> bool:
        """Return whether the file is an image whose metadata must be stripped."""
        return self.mime_type in IMAGE_TYPES


def clean_filename(name: str) -> str:
    """Return the display name of an upload, or raise ValidationError if it is unsafe."""
    if any(unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS for char in name):
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
    if mime_type in IMAGE_TYPES:
        _check_image(path=path, mime_type=mime_type)
    elif mime_type in TEXT_TYPES:
        text_encoding = _check_text(path=path, allow_legacy_encoding=mime_type == CSV)
    return SniffResult(
        name=display_name,
        extension=extension,
        mime_type=mime_type,
        size=size,
        text_encoding=text_encoding,
    )


def strip_image_metadata(*, path: StrPath, output: StrPath | BinaryIO) -> None:
    """Copy the JPEG, PNG or WebP at ``path`` into ``output`` without its metadata.

    The file is rewritten at the level of its structure (JPEG segments, PNG chunks, RIFF chunks):
    pixels are never decoded or re-encoded, so the picture keeps its exact quality, and the file
    is read and written in pieces of at most ``CHUNK_BYTES``, so memory stays flat whatever its
    size (the vault's requirement, issue 3).

    Dropped: EXIF (with GPS), XMP, Photoshop/IPTC, comments, PNG text and time chunks, every
    other JPEG APPn segment, and anything after the end of the image (MPO secondary pictures,
    "motion photo" videos, vendor trailers), which can carry metadata of its own. Kept: the
    image data verbatim, the ICC colour profile, JFIF and Adobe (colour transform) segments, PNG
    transparency, gamma, chromaticity and density chunks, WebP animation and alpha.

    Orientation: the pixels cannot be rotated without decoding them, and phones store most
    photos sideways with an EXIF Orientation tag. So when the original EXIF has an Orientation
    other than 1, a minimal EXIF holding that single tag takes its place: the picture still
    shows the right way up and nothing else of the EXIF survives.

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
            _("El documento contiene macros y no se acepta. Guárdelo sin macros."),
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
    if _contains_markup(path=path):
        raise ValidationError(
            _("La imagen contiene código HTML o de script oculto y no se acepta."),
            code="embedded_markup",
        )


def _image_too_large() -> ValidationError:
    return ValidationError(
        _("La imagen tiene demasiados píxeles para procesarla de forma segura."),
        code="image_too_large",
    )


def _contains_markup(*, path: StrPath) -> bool:
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            window = (tail + chunk).lower()
            if any(marker in window for marker in _MARKUP_MARKERS):
                return True
            tail = window[-_MARKER_OVERLAP:]
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
                        "UTF-16. Guárdelo como UTF-8."
                    ),
                    code="text_binary",
                )
            window = (tail + chunk).lower()
            if any(marker in window for marker in _MARKUP_MARKERS):
                raise ValidationError(
                    _("El archivo de texto contiene código HTML o de script y no se acepta."),
                    code="embedded_markup",
                )
            tail = window[-_MARKER_OVERLAP:]
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
            _("El archivo de texto no está codificado en UTF-8. Guárdelo como UTF-8."),
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
# Bytes of a PNG eXIf or WebP EXIF chunk searched for the orientation (IFD0 comes first).
_EXIF_SEARCH_BYTES = 64 * 1024

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = 0xD9
_JPEG_SOS = 0xDA
_JPEG_APP1 = 0xE1
_JPEG_COM = 0xFE
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and RST0-7: no length
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOFn, not DHT/JPG/DAC
# APPn segments kept, by the identifier their payload starts with.
_JPEG_KEPT_APPS = MappingProxyType({0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"})
# In entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else
# (fill bytes aside) starts the next marker.
_JPEG_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_JPEG_MAX_FILL_BYTES = 64

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"})
_PNG_MAX_CHUNK_BYTES = 0x7FFFFFFF

_WEBP_FIRST_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X"})
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

    def copy(self, out: BinaryIO, size: int, crc: int | None = None) -> int | None:
        """Copy ``size`` bytes to ``out`` in pieces; with ``crc``, return their CRC-32 after it."""
        while size > 0:
            piece = self.read_exactly(min(CHUNK_BYTES, size))
            out.write(piece)
            if crc is not None:
                crc = zlib.crc32(piece, crc)
            size -= len(piece)
        return crc


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
    """Return the Orientation (2-8) in IFD0 of an EXIF block, or None if absent or unusable."""
    if exif.startswith(_EXIF_HEADER):
        exif = exif[len(_EXIF_HEADER) :]
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(exif[:4])
    if order is None:
        return None
    try:
        (ifd,) = struct.unpack_from(order + "I", exif, 4)
        (count,) = struct.unpack_from(order + "H", exif, ifd)
        for index in range(count):
            tag, kind, number, value = struct.unpack_from(
                order + "HHIH", exif, ifd + 2 + 12 * index
            )
            if tag == _EXIF_ORIENTATION_TAG:
                usable = kind == _EXIF_SHORT and number == 1 and 2 <= value <= 8
                return value if usable else None
    except struct.error:
        return None
    return None


def _minimal_exif(orientation: int) -> bytes:
    """Return a TIFF-structured EXIF block whose only tag is ``orientation``."""
    entry = struct.pack(">HHIHH", _EXIF_ORIENTATION_TAG, _EXIF_SHORT, 1, orientation, 0)
    return b"MM\x00*" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)


def _strip_jpeg(source: _Source, out: BinaryIO) -> None:
    out.write(source.read_exactly(len(_JPEG_SOI)))
    seen_frame = seen_scan = seen_exif = False
    while True:
        marker = _next_jpeg_marker(source)
        if marker == _JPEG_EOI:
            if not seen_scan:
                raise _corrupt_image()
            out.write(b"\xff\xd9")
            return  # anything after EOI is dropped
        if marker in _JPEG_STANDALONE:
            out.write(bytes((0xFF, marker)))
            continue
        length_bytes = source.read_exactly(2)
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            raise _corrupt_image()
        payload = source.read_exactly(length - 2)  # at most 64 KiB
        if 0xE0 <= marker <= 0xEF or marker == _JPEG_COM:
            if marker == _JPEG_APP1 and not seen_exif and payload.startswith(_EXIF_HEADER):
                seen_exif = True
                orientation = _exif_orientation(payload)
                if orientation:
                    exif = _EXIF_HEADER + _minimal_exif(orientation)
                    out.write(struct.pack(">BBH", 0xFF, _JPEG_APP1, len(exif) + 2) + exif)
            elif _kept_jpeg_app(marker=marker, payload=payload):
                out.write(bytes((0xFF, marker)) + length_bytes + payload)
            continue
        if marker in _JPEG_FRAMES:
            seen_frame = True
        elif marker == _JPEG_SOS and not seen_frame:
            raise _corrupt_image()
        out.write(bytes((0xFF, marker)) + length_bytes + payload)
        if marker == _JPEG_SOS:
            seen_scan = True
            _copy_jpeg_scan(source, out)


def _kept_jpeg_app(*, marker: int, payload: bytes) -> bool:
    identifier = _JPEG_KEPT_APPS.get(marker)
    return identifier is not None and payload.startswith(identifier)


def _next_jpeg_marker(source: _Source) -> int:
    prefix, marker = source.read_exactly(2)
    if prefix != 0xFF:
        raise _corrupt_image()
    for _fill in range(_JPEG_MAX_FILL_BYTES):
        if marker != 0xFF:
            break
        (marker,) = source.read_exactly(1)
    if marker in (0x00, 0xFF, 0xD8):  # not a marker, endless fill, or a second SOI
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


def _strip_png(source: _Source, out: BinaryIO) -> None:
    out.write(source.read_exactly(len(_PNG_SIGNATURE)))
    first = True
    seen_exif = False
    while True:
        header = source.read_exactly(8)
        length, kind = struct.unpack(">I4s", header)
        if length > _PNG_MAX_CHUNK_BYTES or not kind.isalpha() or first != (kind == b"IHDR"):
            raise _corrupt_image()
        first = False
        if kind in _PNG_DROPPED_CHUNKS:
            orientation = None
            if kind == b"eXIf" and not seen_exif:
                seen_exif = True
                exif = source.read_exactly(min(length, _EXIF_SEARCH_BYTES))
                orientation = _exif_orientation(exif)
                source.skip(length - len(exif))
            else:
                source.skip(length)
            source.skip(4)  # CRC
            if orientation:
                exif = _minimal_exif(orientation)
                chunk = struct.pack(">I", len(exif)) + kind + exif
                out.write(chunk + struct.pack(">I", zlib.crc32(chunk[4:])))
            continue
        out.write(header)
        crc = source.copy(out, length, zlib.crc32(kind))
        stored_crc = source.read_exactly(4)
        if struct.unpack(">I", stored_crc)[0] != crc:
            raise _corrupt_image()
        out.write(stored_crc)
        if kind == b"IEND":
            return  # anything after IEND is dropped


def _strip_webp(source: _Source, out: BinaryIO) -> None:
    (riff_size,) = struct.unpack("<I", source.read_exactly(12)[4:8])
    end = 8 + riff_size
    if riff_size < 4 or end > source.size:
        raise _corrupt_image()

    # First pass, reading chunk headers only: the RIFF size and the VP8X flags come first.
    has_vp8x = False
    orientation = None
    seen_exif = False
    out_size = 4  # "WEBP"
    for kind, offset, size in _webp_chunks(source, end):
        if offset == 20:
            if kind not in _WEBP_FIRST_CHUNKS:
                raise _corrupt_image()
            has_vp8x = kind == b"VP8X"
            if has_vp8x and size < _WEBP_VP8X_BYTES:
                raise _corrupt_image()
        if kind == _WEBP_EXIF:
            if not seen_exif and has_vp8x:
                orientation = _exif_orientation(source.read_exactly(min(size, _EXIF_SEARCH_BYTES)))
                if orientation:
                    out_size += 8 + len(_minimal_exif(orientation))
            seen_exif = True
        elif kind != _WEBP_XMP:
            out_size += 8 + size + (size & 1)

    out.write(b"RIFF" + struct.pack("<I", out_size) + b"WEBP")
    seen_exif = False
    for kind, _offset, size in _webp_chunks(source, end):
        if kind == _WEBP_EXIF:
            if orientation and not seen_exif:
                exif = _minimal_exif(orientation)
                out.write(kind + struct.pack("<I", len(exif)) + exif)
            seen_exif = True
            continue
        if kind == _WEBP_XMP:
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
