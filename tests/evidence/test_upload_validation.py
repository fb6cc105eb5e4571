"""Upload validation against a corpus of honest and hostile files built in tmp_path."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image, PngImagePlugin

from evidence.validation import (
    ACCEPTED_TYPES,
    CSV,
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    PPTX,
    TEXT,
    WEBP,
    XLSX,
    SniffResult,
    clean_filename,
    sniff_and_check,
    strip_image_metadata,
)

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
SCRIPT_TAG = b"<SCRIPT src=//x.mx/a.js></SCRIPT>"
GPS_LATITUDE = (19.0, 25.0, 57.0)  # Zócalo, Ciudad de México


def image_bytes(
    fmt: str, *, size: tuple[int, int] = (4, 2), orientation: int | None = None
) -> bytes:
    """Return a small image carrying EXIF GPS coordinates (and a PNG text chunk)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Cámara del facilitador"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (99.0, 8.0, 0.0)
    options: dict[str, object] = {"exif": exif}
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", "María Pérez, domicilio particular")
        options["pnginfo"] = text
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt, **options)
    return buffer.getvalue()


def zip_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml_bytes(part: str, *extra: tuple[str, bytes]) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
            ("_rels/.rels", b'<?xml version="1.0"?><Relationships/>'),
            (part, b'<?xml version="1.0"?><root/>'),
            *extra,
        ]
    )


def odf_bytes(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b'<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest/>')
    return buffer.getvalue()


def zip_bomb_bytes() -> bytes:
    """Return a DOCX-shaped ZIP whose document inflates from ~50 KB to 50 MB of zeros."""
    buffer = io.BytesIO()
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as member:
            for _ in range(50):
                member.write(zeros)
    return buffer.getvalue()


def crowded_docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for number in range(2000):
            archive.writestr(f"word/media/image{number}.png", b"")
    return buffer.getvalue()


def macro_docx_bytes() -> bytes:
    return ooxml_bytes("word/document.xml", ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"))


def png_html_polyglot() -> bytes:
    return image_bytes("PNG") + b"<html><script>fetch('/admin/')</script></html>"


@pytest.fixture
def upload(tmp_path: Path):
    """Write content to a temporary file and run the checks on it, as the upload view will."""

    def check(name: str, content: bytes) -> SniffResult:
        path = tmp_path / "upload.tmp"
        path.write_bytes(content)
        return sniff_and_check(name=name, path=path, size=len(content))

    return check


def rejection_code(check, name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as exc_info:
        check(name, content)
    return exc_info.value.code


# --- Accepted files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "mime_type"),
    [
        ("Acta de instalación.pdf", lambda: MINIMAL_PDF, PDF),
        ("foto.JPG", lambda: image_bytes("JPEG"), JPEG),
        ("foto.jpeg", lambda: image_bytes("JPEG"), JPEG),
        ("captura.png", lambda: image_bytes("PNG"), PNG),
        ("captura.webp", lambda: image_bytes("WEBP"), WEBP),
        ("minuta.docx", lambda: ooxml_bytes("word/document.xml"), DOCX),
        ("avance.xlsx", lambda: ooxml_bytes("xl/workbook.xml"), XLSX),
        ("presentación.pptx", lambda: ooxml_bytes("ppt/presentation.xml"), PPTX),
        ("minuta.odt", lambda: odf_bytes(ODT), ODT),
        ("avance.ods", lambda: odf_bytes(ODS), ODS),
        ("asistentes.csv", lambda: "nombre,municipio\nJosé,Oaxaca\n".encode(), CSV),
        ("notas.txt", lambda: "Acuerdos de la mesa de diálogo.\n".encode(), TEXT),
    ],
)
def test_honest_file_is_accepted(upload, name, build, mime_type):
    content = build()

    result = upload(name, content)

    assert result.mime_type == mime_type
    assert result.size == len(content)
    assert result.name == name


def test_every_accepted_extension_is_covered():
    assert set(ACCEPTED_TYPES) == {
        "pdf", "jpg", "jpeg", "png", "webp", "docx", "xlsx", "pptx", "odt", "ods", "csv", "txt",
    }  # fmt: skip


def test_excel_csv_in_windows_1252_is_accepted_with_its_encoding(upload):
    result = upload("asistentes.csv", "nombre,año\nNuñez,“2024”\n".encode("cp1252"))

    assert result.text_encoding == "cp1252"


def test_utf8_text_reports_its_encoding(upload):
    assert upload("notas.txt", b"\xef\xbb\xbfhola\n").text_encoding == "utf-8-sig"
    assert upload("notas.txt", "año".encode()).text_encoding == "utf-8"


def test_images_report_that_they_need_stripping(upload):
    assert upload("foto.jpg", image_bytes("JPEG")).is_image
    assert not upload("acta.pdf", MINIMAL_PDF).is_image


# --- Metadata stripping --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_stripping_removes_gps_and_every_other_exif_tag(tmp_path, fmt):
    source = tmp_path / "foto"
    source.write_bytes(image_bytes(fmt))
    with Image.open(source) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    output = io.BytesIO()
    strip_image_metadata(path=source, output=output)

    with Image.open(io.BytesIO(output.getvalue())) as stripped:
        assert stripped.format == fmt
        assert not stripped.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not stripped.getexif()
        assert "xmp" not in stripped.info
        assert not getattr(stripped, "text", {})
    assert b"Mar\xc3\xada" not in output.getvalue()


def test_stripping_applies_the_exif_orientation_to_the_pixels(tmp_path):
    source = tmp_path / "foto.jpg"
    source.write_bytes(image_bytes("JPEG", size=(4, 2), orientation=6))

    strip_image_metadata(path=source, output=tmp_path / "limpia.jpg")

    with Image.open(tmp_path / "limpia.jpg") as stripped:
        assert stripped.size == (2, 4)
        assert ExifTags.Base.Orientation not in stripped.getexif()


def test_stripped_image_still_passes_the_checks(tmp_path, upload):
    source = tmp_path / "foto.png"
    source.write_bytes(image_bytes("PNG"))
    output = io.BytesIO()
    strip_image_metadata(path=source, output=output)

    assert upload("foto.png", output.getvalue()).mime_type == PNG


# --- Rejected files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "code"),
    [
        ("logo.svg", lambda: SVG, "svg_not_allowed"),
        ("logo.png", lambda: SVG, "svg_not_allowed"),
        ("pagina.html", lambda: HTML, "html_not_allowed"),
        ("informe.pdf", lambda: HTML, "html_not_allowed"),
        ("notas.txt", lambda: b"<script>alert(1)</script>", "html_not_allowed"),
        ("instalador.exe", lambda: WINDOWS_EXE, "extension_not_allowed"),
        ("acta.pdf.exe", lambda: MINIMAL_PDF, "extension_not_allowed"),
        ("acta", lambda: MINIMAL_PDF, "extension_missing"),
        ("informe.pdf", lambda: WINDOWS_EXE, "executable_not_allowed"),
        ("notas.txt", lambda: LINUX_ELF, "executable_not_allowed"),
        ("acta.pdf", lambda: image_bytes("PNG"), "type_mismatch"),
        ("foto.png", lambda: image_bytes("JPEG"), "type_mismatch"),
        ("minuta.docx", lambda: zip_bytes([("a.txt", b"hola")]), "type_mismatch"),
        ("avance.xlsx", lambda: ooxml_bytes("word/document.xml"), "type_mismatch"),
        ("avance.ods", lambda: odf_bytes(ODT), "type_mismatch"),
        ("minuta.odt", lambda: zip_bytes([("content.xml", b"<x/>")]), "type_mismatch"),
        ("acta.pdf", lambda: ooxml_bytes("word/document.xml"), "type_mismatch"),
        ("captura.png", png_html_polyglot, "embedded_markup"),
        ("minuta.docx", zip_bomb_bytes, "zip_bomb"),
        ("minuta.docx", crowded_docx_bytes, "zip_too_many_entries"),
        ("minuta.docx", lambda: b"PK\x03\x04 not really a zip", "corrupt_file"),
        ("macro.docx", macro_docx_bytes, "office_macros"),
        ("foto.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 64, "corrupt_file"),
        ("vacío.pdf", lambda: b"", "empty_file"),
        ("notas.txt", lambda: b"Acuerdos\n" * 20 + SCRIPT_TAG, "html_not_allowed"),
        ("notas.txt", lambda: b"Acuerdos\n" * 2000 + SCRIPT_TAG, "embedded_markup"),
        ("datos.csv", lambda: b"a,b\n1,<iframe src=x>\n", "embedded_markup"),
        ("notas.txt", lambda: "acuerdos".encode("utf-16"), "text_binary"),
        ("notas.txt", lambda: "año".encode("latin-1"), "text_encoding"),
    ],
)
def test_hostile_file_is_rejected(upload, name, build, code):
    assert rejection_code(upload, name, build()) == code


def test_markup_split_across_read_chunks_is_found(upload, monkeypatch):
    monkeypatch.setattr("evidence.validation.CHUNK_BYTES", 16)
    # Past the bytes libmagic sniffs, so only the chunked body scan can see it.
    content = "Acuerdos de la sesión.\n".encode() * 500 + b"<scr" + b"ipt>alert(1)</script>"

    assert rejection_code(upload, "notas.txt", content) == "embedded_markup"


def test_type_mismatch_names_the_real_type(upload):
    with pytest.raises(ValidationError) as exc_info:
        upload("acta.pdf", image_bytes("PNG"))

    assert exc_info.value.messages == [
        "La extensión .pdf no coincide con el contenido real del archivo (PNG)."
    ]


def test_empty_file_message(upload):
    with pytest.raises(ValidationError) as exc_info:
        upload("acta.pdf", b"")

    assert exc_info.value.messages == ["El archivo está vacío."]


def test_file_over_the_configured_limit_is_rejected(upload, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100

    assert rejection_code(upload, "acta.pdf", MINIMAL_PDF + b"%" * 100) == "file_too_large"
    assert upload("acta.pdf", MINIMAL_PDF[:100]).mime_type == PDF


def test_zip_limits_come_from_settings(upload, settings):
    settings.EVIDENCE_ZIP_MAX_ENTRIES = 2

    assert rejection_code(upload, "minuta.docx", ooxml_bytes("word/document.xml")) == (
        "zip_too_many_entries"
    )


def test_size_is_read_from_disk_when_not_given(tmp_path):
    path = tmp_path / "upload.tmp"
    path.write_bytes(MINIMAL_PDF)

    assert sniff_and_check(name="acta.pdf", path=path).size == len(MINIMAL_PDF)


# --- File names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("acta\x00.pdf", "filename_control_chars"),
        ("acta\n.pdf", "filename_control_chars"),
        ("acta.pdf\t", "filename_control_chars"),
        ("acta\u202efdp.exe", "filename_control_chars"),
        ("../../etc/passwd.pdf", "filename_path"),
        ("carpeta\\acta.pdf", "filename_path"),
        ("", "filename_empty"),
        ("   ", "filename_empty"),
        ("..", "filename_dots"),
        ("...", "filename_dots"),
        ("a" * 197 + ".pdf", "filename_too_long"),
    ],
)
def test_unsafe_filename_is_rejected(name, code):
    with pytest.raises(ValidationError) as exc_info:
        clean_filename(name)

    assert exc_info.value.code == code


def test_unsafe_filename_is_rejected_before_reading_the_file(upload):
    assert rejection_code(upload, "acta\x00.pdf", MINIMAL_PDF) == "filename_control_chars"
    assert rejection_code(upload, "a/acta.pdf", MINIMAL_PDF) == "filename_path"


def test_filename_is_nfc_normalised_and_trimmed():
    decomposed = "  Presentacio\u0301n.pdf  "

    assert clean_filename(decomposed) == "Presentaci\u00f3n.pdf"


def test_filename_of_exactly_200_characters_is_kept():
    name = "a" * 196 + ".pdf"

    assert clean_filename(name) == name
