"""Upload validation against a corpus of honest and hostile files built in tmp_path."""

import io
import random
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image, ImageCms, ImageOps, PngImagePlugin

from evidence.file_checks import (
    ACCEPTED_FORMATS,
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
    accepted_extension,
    accepted_formats_text,
    clean_filename,
    max_upload_bytes,
    sniff_and_check,
    strip_image_metadata,
)
from evidence.forms import ACCEPT_ATTRIBUTE, formats_help

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


def image_exif(*, orientation: int | None = None) -> Image.Exif:
    """Return EXIF with the camera maker, GPS coordinates and, if given, an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Cámara del facilitador"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (99.0, 8.0, 0.0)
    return exif


def image_bytes(
    fmt: str, *, size: tuple[int, int] = (4, 2), orientation: int | None = None
) -> bytes:
    """Return a small image carrying EXIF GPS coordinates (and a PNG text chunk)."""
    options: dict[str, object] = {"exif": image_exif(orientation=orientation)}
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

IMAGE_FORMATS = ["JPEG", "PNG", "WEBP"]
MiB = 1024 * 1024
# A real sRGB profile, padded past 64 KiB so that a JPEG splits it over two APP2 segments.
ICC_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + bytes(70_000)
# Looks like entropy-coded JPEG data: every byte value, each 0xFF stuffed with 0x00.
SCAN_FILLER = bytes(range(0xFF)) + b"\xff\x00"
XMP_PACKET = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPS 19.43 -99.13</x:xmpmeta>'
CORRUPT_IMAGE_MESSAGE = "La imagen está dañada o no se puede leer."


def noisy_image(fmt: str, *, mode: str = "RGB", **options) -> bytes:
    """Return a 48x32 picture of random pixels (a JPEG scan full of stuffed 0xFF bytes)."""
    size = (48, 32)
    pixels = random.Random(3).randbytes(size[0] * size[1] * len(mode))
    buffer = io.BytesIO()
    Image.frombytes(mode, size, pixels).save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """Return the (marker, payload) segments of a JPEG up to its first SOS, and where it ends."""
    segments, position = [], 2
    while True:
        marker = data[position + 1]
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        segments.append((marker, data[position + 4 : end]))
        if marker == 0xDA:
            return segments, end
        position = end


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def png_chunk_types(data: bytes) -> list[bytes]:
    types, position = [], 8
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        types.append(data[position + 4 : position + 8])
        position += 12 + length
    return types


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, position = [], 12
    while position < len(data):
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        chunks.append((data[position : position + 4], data[position + 8 : position + 8 + size]))
        position += 8 + size + (size & 1)
    return chunks


def stripped(tmp_path: Path, content: bytes) -> bytes:
    source = tmp_path / "original"
    source.write_bytes(content)
    output = io.BytesIO()
    strip_image_metadata(path=source, output=output)
    return output.getvalue()


def write_large_jpeg(path: Path, size: int, *, in_segments: bool) -> None:
    """Write a JPEG of ``size`` bytes or more without building it in memory.

    The bulk is either scan data after a real header (a big photo, as the stripper never decodes
    it) or XMP APP1 segments of 64 KiB before the real image (metadata to drop).
    """
    small = image_bytes("JPEG")
    segments, scan_start = jpeg_segments(small)
    # Declare the 6000x4000 pixels of a phone photo: decoding them would take 72 MB.
    sof = small.index(jpeg_segment(0xC0, dict(segments)[0xC0]))
    small = small[: sof + 5] + struct.pack(">HH", 4000, 6000) + small[sof + 9 :]
    with open(path, "wb") as fh:
        if in_segments:
            fh.write(small[:2])
            xmp = b"http://ns.adobe.com/xap/1.0/\x00" + XMP_PACKET
            segment = jpeg_segment(0xE1, xmp + b" " * (0xFFFF - 2 - len(xmp)))
            for _ in range(size // len(segment) + 1):
                fh.write(segment)
            fh.write(small[2:])
        else:
            fh.write(small[:scan_start])
            filler = SCAN_FILLER * (MiB // len(SCAN_FILLER))
            for _ in range(size // len(filler) + 1):
                fh.write(filler)
            fh.write(b"\xff\xd9")


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_stripping_removes_gps_and_every_other_exif_tag(tmp_path, fmt):
    source = tmp_path / "foto"
    source.write_bytes(image_bytes(fmt))
    with Image.open(source) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    output = io.BytesIO()
    strip_image_metadata(path=source, output=output)

    with Image.open(io.BytesIO(output.getvalue())) as stripped_image:
        assert stripped_image.format == fmt
        assert not stripped_image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert not stripped_image.getexif()
        assert "xmp" not in stripped_image.info
        assert not getattr(stripped_image, "text", {})
    assert b"Exif" not in output.getvalue()
    assert "Cámara".encode() not in output.getvalue()


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("JPEG", {"restart_marker_blocks": 1}),
        ("JPEG", {"quality": 95, "subsampling": 0}),
        ("PNG", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
    ],
)
def test_stripping_keeps_the_pixels_and_the_colour_profile(tmp_path, fmt, options):
    content = noisy_image(fmt, exif=image_exif(), icc_profile=ICC_PROFILE, **options)

    clean = stripped(tmp_path, content)

    with Image.open(io.BytesIO(content)) as original, Image.open(io.BytesIO(clean)) as copy:
        assert (copy.format, copy.size, copy.mode) == (original.format, original.size, "RGB")
        assert copy.tobytes() == original.tobytes()
        assert copy.info["icc_profile"] == ICC_PROFILE
        assert not copy.getexif()


def test_jpeg_scan_data_is_copied_verbatim(tmp_path):
    content = noisy_image("JPEG", exif=image_exif(), progressive=True)
    _segments, scan_start = jpeg_segments(content)

    clean = stripped(tmp_path, content)

    assert clean.endswith(content[scan_start:])
    assert len(clean) < len(content)


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 7])
def test_jpeg_markers_split_across_read_chunks_are_found(tmp_path, monkeypatch, chunk_bytes):
    content = noisy_image("JPEG", exif=image_exif(), progressive=True, restart_marker_blocks=2)
    expected = stripped(tmp_path, content)
    monkeypatch.setattr("evidence.file_checks.CHUNK_BYTES", chunk_bytes)

    assert stripped(tmp_path, content) == expected


def test_jpeg_keeps_only_jfif_icc_and_adobe_segments(tmp_path):
    # CMYK, so that libjpeg writes the Adobe APP14 segment its colour transform depends on.
    content = noisy_image(
        "JPEG", mode="CMYK", exif=image_exif(), icc_profile=ICC_PROFILE, comment=b"Oficina 3"
    )
    extra = (
        jpeg_segment(0xE0, b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"),
        jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP_PACKET),
        jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04 IPTC: Maria Perez"),
        jpeg_segment(0xE2, b"MPF\x00II*\x00"),
        jpeg_segment(0xE0, b"JFXX\x00\x10"),
        jpeg_segment(0xEF, b"\xff\xff vendor data"),
        jpeg_segment(0xFE, b"Tomada en el domicilio de la coordinadora"),
    )
    content = content[:2] + b"".join(extra) + content[2:]

    clean = stripped(tmp_path, content)

    kept = [
        (marker, payload[:5])
        for marker, payload in jpeg_segments(clean)[0]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE
    ]
    assert kept == [(0xE0, b"JFIF\x00"), (0xEE, b"Adobe")] + [(0xE2, b"ICC_P")] * 2
    for secret in (b"GPS", b"IPTC", b"MPF", b"domicilio", b"Oficina", b"vendor", b"Exif"):
        assert secret not in clean
    with Image.open(io.BytesIO(content)) as original, Image.open(io.BytesIO(clean)) as copy:
        assert copy.mode == "CMYK"
        assert copy.tobytes() == original.tobytes()
        assert copy.info["icc_profile"] == ICC_PROFILE


def test_png_text_time_and_exif_chunks_are_dropped_and_the_rest_kept(tmp_path):
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "María Pérez")
    text.add_text("Comment", "Tomada en su domicilio particular", zip=True)
    text.add_itxt("Description", "Coordenadas 19.43, -99.13", lang="es")
    text.add(b"tIME", struct.pack(">HBBBBB", 2025, 3, 14, 9, 30, 0))
    text.add(b"gAMA", struct.pack(">I", 45455))
    content = noisy_image(
        "PNG", exif=image_exif(), pnginfo=text, icc_profile=ICC_PROFILE, dpi=(300, 300),
        transparency=(0, 0, 0),
    )  # fmt: skip
    dropped = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
    before = png_chunk_types(content)
    assert dropped <= set(before)

    clean = stripped(tmp_path, content)

    assert png_chunk_types(clean) == [kind for kind in before if kind not in dropped]
    assert {b"iCCP", b"gAMA", b"pHYs", b"tRNS"} <= set(png_chunk_types(clean))
    with Image.open(io.BytesIO(clean)) as copy:
        copy.load()
        assert copy.text == {}
        assert copy.info["transparency"] == (0, 0, 0)
        assert copy.info["dpi"] == pytest.approx((300, 300), rel=1e-4)


def test_webp_exif_and_xmp_chunks_are_dropped_and_the_header_fixed(tmp_path):
    content = noisy_image("WEBP", exif=image_exif(), xmp=XMP_PACKET, icc_profile=ICC_PROFILE)
    chunks = dict(riff_chunks(content))
    assert {b"EXIF", b"XMP "} <= set(chunks)
    assert chunks[b"VP8X"][0] & 0x0C == 0x0C

    clean = stripped(tmp_path, content)

    kinds = [kind for kind, _payload in riff_chunks(clean)]
    assert kinds == [b"VP8X", b"ICCP", b"VP8 "]
    flags = riff_chunks(clean)[0][1][0]
    assert flags & 0x0C == 0  # EXIF and XMP flags cleared
    assert flags & 0x20  # ICC flag kept
    assert int.from_bytes(clean[4:8], "little") == len(clean) - 8
    assert b"GPS" not in clean


def test_animated_webp_keeps_its_frames(tmp_path):
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:], exif=image_exif())

    clean = stripped(tmp_path, buffer.getvalue())

    with Image.open(io.BytesIO(clean)) as copy:
        assert copy.n_frames == 3
        assert not copy.getexif()


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_stripping_keeps_the_orientation_as_the_only_exif_tag(tmp_path, fmt):
    # The pixels are not rotated (that would mean decoding them): a minimal EXIF with the
    # Orientation alone keeps a phone's portrait photo the right way up.
    source = tmp_path / "foto"
    source.write_bytes(image_bytes(fmt, size=(4, 2), orientation=6))

    strip_image_metadata(path=source, output=tmp_path / "limpia")

    with Image.open(tmp_path / "limpia") as copy:
        assert copy.size == (4, 2)
        assert dict(copy.getexif()) == {ExifTags.Base.Orientation: 6}
        assert ImageOps.exif_transpose(copy).size == (2, 4)
    assert "Cámara".encode() not in (tmp_path / "limpia").read_bytes()


def test_orientation_kept_only_in_xmp_becomes_an_exif_orientation(tmp_path):
    # Some editors write the orientation to XMP alone; Pillow and ExifTool honour it.
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><tiff:Orientation>6</tiff:Orientation></x:xmpmeta>'
    plain = noisy_image("JPEG")
    content = plain[:2] + jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp) + plain[2:]
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif()[ExifTags.Base.Orientation] == 6

    clean = stripped(tmp_path, content)

    assert b"xmpmeta" not in clean
    with Image.open(io.BytesIO(clean)) as copy:
        assert dict(copy.getexif()) == {ExifTags.Base.Orientation: 6}
        assert copy.tobytes() == Image.open(io.BytesIO(content)).tobytes()


def test_exif_orientation_wins_over_xmp(tmp_path):
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/" tiff:Orientation="8"/>'
    content = image_bytes("JPEG", orientation=3)
    content = (
        content[:2] + jpeg_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp) + (content[2:])
    )

    with Image.open(io.BytesIO(stripped(tmp_path, content))) as copy:
        assert dict(copy.getexif()) == {ExifTags.Base.Orientation: 3}


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_upright_orientation_leaves_no_exif_at_all(tmp_path, fmt):
    clean = stripped(tmp_path, image_bytes(fmt, orientation=1))

    assert b"Exif" not in clean
    with Image.open(io.BytesIO(clean)) as copy:
        assert not copy.getexif()


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_whatever_follows_the_image_is_dropped(tmp_path, fmt):
    # E.g. the second picture of an MPO, with EXIF and GPS of its own, or a motion-photo video.
    content = image_bytes(fmt, orientation=3)
    trailer = image_bytes("JPEG")

    assert stripped(tmp_path, content + trailer) == stripped(tmp_path, content)


@pytest.mark.parametrize("fmt", IMAGE_FORMATS)
def test_stripped_image_still_passes_the_checks(tmp_path, upload, fmt):
    clean = stripped(tmp_path, image_bytes(fmt))

    assert upload(f"foto.{fmt.lower()}", clean).mime_type == ACCEPTED_TYPES[fmt.lower()][0]


def _flip_byte(content: bytes, position: int) -> bytes:
    return content[:position] + bytes((content[position] ^ 0x55,)) + content[position + 1 :]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: noisy_image("JPEG")[:-2], id="jpeg-without-eoi"),
        pytest.param(lambda: noisy_image("JPEG")[:1500], id="jpeg-cut-in-scan"),
        pytest.param(lambda: image_bytes("JPEG")[:40], id="jpeg-cut-in-segment"),
        pytest.param(lambda: b"\xff\xd8\xff\xd9", id="jpeg-without-scan"),
        pytest.param(
            lambda: b"\xff\xd8\xff\x9f\x00\x04ab" + image_bytes("JPEG")[2:],
            id="jpeg-unknown-marker",
        ),
        pytest.param(lambda: b"\xff\xd8" + b"\x00" * 64, id="jpeg-only-junk"),
        pytest.param(lambda: b"\xff\xd8\xff\xe0\x00\x01", id="jpeg-bad-length"),
        pytest.param(lambda: noisy_image("PNG")[:-6], id="png-truncated"),
        pytest.param(lambda: _flip_byte(noisy_image("PNG"), 100), id="png-bad-crc"),
        pytest.param(lambda: noisy_image("PNG")[:8] + b"\x00" * 12, id="png-no-ihdr"),
        pytest.param(lambda: noisy_image("WEBP")[:-10], id="webp-truncated"),
        pytest.param(lambda: noisy_image("WEBP")[:12] + b"ABCD", id="webp-bad-chunk"),
        pytest.param(lambda: b"GIF89a" + b"\x00" * 20, id="not-an-image"),
    ],
)
def test_malformed_image_is_refused_when_stripping(tmp_path, build):
    source = tmp_path / "foto"
    source.write_bytes(build())
    output = tmp_path / "limpia"

    with pytest.raises(ValidationError) as exc_info:
        strip_image_metadata(path=source, output=output)

    assert exc_info.value.code == "corrupt_file"
    assert exc_info.value.messages == [CORRUPT_IMAGE_MESSAGE]
    assert not output.exists()


@pytest.mark.parametrize("in_segments", [False, True], ids=["big-scan", "many-app-segments"])
def test_stripping_memory_stays_flat_whatever_the_size(tmp_path, in_segments):
    peaks, sizes = {}, {}
    for megabytes in (1, 20):
        source = tmp_path / f"foto-{megabytes}.jpg"
        write_large_jpeg(source, megabytes * MiB, in_segments=in_segments)
        output = tmp_path / f"limpia-{megabytes}.jpg"
        tracemalloc.start()
        try:
            strip_image_metadata(path=source, output=output)
            peaks[megabytes] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        sizes[megabytes] = (source.stat().st_size, output.stat().st_size)
        with Image.open(output) as copy:
            assert copy.size == (6000, 4000)
            assert not copy.getexif()

    assert peaks[20] < 2 * MiB  # one read of CHUNK_BYTES (1 MiB) and small change
    assert peaks[20] - peaks[1] < 256 * 1024
    source_size, output_size = sizes[20]
    if in_segments:
        assert output_size < 4096
    else:
        assert source_size - 1024 < output_size < source_size  # only the EXIF went


def test_large_jpeg_with_a_synthetic_scan_is_sniffed_as_jpeg(tmp_path):
    source = tmp_path / "foto.jpg"
    write_large_jpeg(source, 2 * MiB, in_segments=False)

    assert sniff_and_check(name="foto.jpg", path=source).mime_type == JPEG


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


TEXT_MARKUP_MESSAGE = (
    "El archivo de texto contiene código HTML, de script o de servidor (PHP, ASP, SSI) o "
    "declaraciones XML y no se acepta."
)


@pytest.mark.parametrize(
    "payload",
    [
        # Payload strings of PayloadsAllTheThings ("Upload Insecure Files") and fuzzdb
        # (attack/file-upload), built here rather than committed.
        pytest.param(b"<?=`$_GET[0]`?>", id="php-short-echo-tag"),
        pytest.param(b"<?php echo 'Shell';system($_GET['cmd']); ?>", id="php"),
        pytest.param(b'<script language="php">system("id");</script>', id="php-script-tag"),
        pytest.param(b'<% eval request("cmd") %>', id="asp"),
        pytest.param(b'<%@ page import="java.io.*" %>', id="jsp"),
        pytest.param(b'<!--#exec cmd="ls" -->', id="ssi-exec"),
        pytest.param(b'<!--#include virtual="/etc/passwd" -->', id="ssi-include"),
        pytest.param(
            b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
            id="xml-doctype-entity",
        ),
        pytest.param(b'<!ENTITY % x SYSTEM "http://x.mx/e.dtd">', id="xml-parameter-entity"),
    ],
)
@pytest.mark.parametrize("name", ["datos.csv", "notas.txt"])
def test_server_code_and_xml_declarations_in_text_are_refused(upload, name, payload):
    content = "nombre,municipio\nJosé,Oaxaca\n".encode() * 400 + payload + b"\n"

    with pytest.raises(ValidationError) as exc_info:
        upload(name, content)

    assert exc_info.value.code == "embedded_markup"
    assert exc_info.value.messages == [TEXT_MARKUP_MESSAGE]


def test_honest_text_with_angle_brackets_is_accepted(upload):
    content = b"indicador,meta\navance,<50% en 2025\nrespuesta,a < b y c > d\n"

    assert upload("datos.csv", content).mime_type == CSV


def test_markup_split_across_read_chunks_is_found(upload, monkeypatch):
    monkeypatch.setattr("evidence.file_checks.CHUNK_BYTES", 16)
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
    settings.EVIDENCE_MAX_UPLOAD_BYTES = len(MINIMAL_PDF)

    assert rejection_code(upload, "acta.pdf", MINIMAL_PDF + b"%") == "file_too_large"
    assert upload("acta.pdf", MINIMAL_PDF).mime_type == PDF


def test_shipped_limit_is_50_mib(upload, tmp_path):
    # Reads the setting as shipped: no override here.
    limit = 50 * 1024 * 1024
    assert max_upload_bytes() == limit
    path = tmp_path / "acta.pdf"
    path.write_bytes(MINIMAL_PDF)

    assert sniff_and_check(name="acta.pdf", path=path, size=limit).size == limit
    with pytest.raises(ValidationError) as exc_info:
        sniff_and_check(name="acta.pdf", path=path, size=limit + 1)

    assert exc_info.value.code == "file_too_large"
    assert exc_info.value.messages == ["El archivo pesa más de 50 MB, el máximo permitido."]


def test_users_read_the_formats_from_the_one_list():
    labels = [accepted.label for accepted in ACCEPTED_FORMATS]
    extensions = [ext for accepted in ACCEPTED_FORMATS for ext in accepted.extensions]

    assert list(ACCEPTED_TYPES) == extensions
    assert accepted_formats_text() == ", ".join(labels[:-1]) + " o " + labels[-1]
    assert formats_help() == (
        "PDF, JPG, PNG, WebP, DOCX, XLSX, PPTX, ODT, ODS, CSV o TXT; hasta 50 MB por envío."
    )
    assert ",".join(f".{ext}" for ext in extensions) == ACCEPT_ATTRIBUTE
    with pytest.raises(ValidationError) as exc_info:
        accepted_extension(name="programa.exe")
    assert exc_info.value.messages == [
        f"La extensión .exe no está permitida. Formatos aceptados: {accepted_formats_text()}."
    ]


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
