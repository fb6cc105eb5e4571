"""Real photos and images from public test corpora: accepted, metadata gone, orientation and
pixels kept. The files and where they come from: tests/evidence/corpus/README.md."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image, ImageSequence

from evidence.file_checks import ACCEPTED_TYPES, sniff_and_check, strip_image_metadata

CORPUS = Path(__file__).parent / "corpus"
IMAGES = CORPUS / "images"
HOSTILE = CORPUS / "hostile"
ORIENTATION = ExifTags.Base.Orientation
# Metadata Pillow exposes in ``info`` that must not survive (EXIF is checked tag by tag).
METADATA_KEYS = {"xmp", "XML:com.adobe.xmp", "photoshop", "comment", "Comment", "iptc"}
# Bytes that only metadata carries: XMP and IPTC/Photoshop headers, EXIF's GPS and maker IFDs.
METADATA_BYTES = (b"http://ns.adobe.com/xap/1.0/", b"<x:xmpmeta", b"Photoshop 3.0", b"8BIM")

# name -> (what makes it a hard case, checked on the original; the orientation to keep)
SAMPLES = {
    "progressive-nikon-d300.jpg": ("progressive", 1),
    "cmyk.jpg": ("cmyk", 1),
    "trailer-photomechanic.jpg": ("trailer", 1),
    "trailer-olympus-d320l.jpg": ("trailer", 1),
    "stray-bytes-photoshop.jpg": ("stray_bytes", 1),
    "stray-byte-short-app14.jpg": ("stray_bytes", 1),
    "phone-iphone7-gps.jpg": ("gps", 1),
    "phone-pixel8pro-gps.jpg": ("gps", 1),
    "phone-xiaomi-orientation-6.jpg": ("exif_orientation", 6),
    "orientation-6.jpg": ("exif_orientation", 6),
    "orientation-6.webp": ("exif_orientation", 6),
    "animated.webp": ("animated", 1),
    "animated.png": ("animated", 1),
    "text-chunks-exiftool.png": ("text", 1),
    "text-chunks-itxt.png": ("text", 1),
    "xmp-orientation-3.png": ("xmp_orientation", 3),
    "imagemagick-orientation-3.png": ("imagemagick_orientation", 3),
}


def _jpeg_end(data: bytes) -> int:
    """Return where the last scan's EOI ends (a simplified walk, enough for these samples)."""
    return data.index(b"\xff\xd9", data.index(b"\xff\xda")) + 2


def _stray_bytes_between_segments(data: bytes) -> bool:
    position = 2
    while data[position] == 0xFF and data[position + 1] != 0xDA:
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return data[position] != 0xFF


HARD_CASES = {
    "progressive": lambda image, data: image.info.get("progressive") == 1,
    "cmyk": lambda image, data: image.mode == "CMYK",
    "trailer": lambda image, data: _jpeg_end(data) < len(data),
    "stray_bytes": lambda image, data: _stray_bytes_between_segments(data),
    "gps": lambda image, data: bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)),
    "exif_orientation": lambda image, data: ORIENTATION in dict(image.getexif()),
    "animated": lambda image, data: image.n_frames > 1,
    "text": lambda image, data: bool(image.text),
    "xmp_orientation": lambda image, data: (
        b"tiff:Orientation" in data and b"eXIf" not in data and b"Raw profile" not in data
    ),
    "imagemagick_orientation": lambda image, data: (
        "Raw profile type exif" in image.info and b"eXIf" not in data
    ),
}


def frames(data: bytes) -> list[tuple[str, tuple[int, int], bytes]]:
    with Image.open(io.BytesIO(data)) as image:
        return [
            (frame.mode, frame.size, frame.tobytes()) for frame in ImageSequence.Iterator(image)
        ]


def clean_copy(path: Path) -> bytes:
    output = io.BytesIO()
    strip_image_metadata(path=path, output=output)
    return output.getvalue()


@pytest.mark.parametrize("name", list(SAMPLES))
def test_real_image_is_accepted_cleaned_and_looks_the_same(tmp_path, name):
    path = IMAGES / name
    original = path.read_bytes()
    hard_case, orientation = SAMPLES[name]
    with Image.open(path) as image:
        image.load()
        assert HARD_CASES[hard_case](image, original), f"{name} is not a {hard_case} sample"
        assert image.getexif().get(ORIENTATION, 1) == orientation

    result = sniff_and_check(name=name, path=path)
    clean = clean_copy(path)

    assert frames(clean) == frames(original)  # every frame, pixel for pixel
    with Image.open(io.BytesIO(clean)) as copy:
        copy.load()
        exif = copy.getexif()
        assert exif.get(ORIENTATION, 1) == orientation
        assert set(exif) <= {ORIENTATION}
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert not METADATA_KEYS & set(copy.info)
        assert not getattr(copy, "text", {})
        assert not any(str(key).startswith("Raw profile") for key in copy.info)
    for marker in METADATA_BYTES:
        assert marker not in clean
    if hard_case == "trailer":
        assert len(clean) == _jpeg_end(clean)
    # The clean copy is still what its name says.
    (tmp_path / name).write_bytes(clean)
    assert sniff_and_check(name=name, path=tmp_path / name).mime_type == result.mime_type
    assert result.mime_type == ACCEPTED_TYPES[name.rpartition(".")[2]][0]


# --- hostile images ------------------------------------------------------------------------

IMAGE_MARKUP_MESSAGE = (
    "La imagen contiene código HTML, de script o de servidor (PHP, ASP, SSI) oculto y no se acepta."
)
# PayloadsAllTheThings' IDAT payload: a web shell that survives PNG compression.
IDAT_SHELL = b"<?=$_GET[0]($_POST[1]);?>"


def refusal(name: str, path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as exc_info:
        sniff_and_check(name=name, path=path)
    return exc_info.value


@pytest.mark.parametrize(
    "name",
    [
        "php-in-idat.png",  # the shell inside the compressed pixels (IDAT)
        "php-in-jpeg-scan.jpg",  # "<?php system(...)" surviving JPEG compression
        "php-in-jpeg-metadata.jpg",  # "<?php phpinfo()" in the metadata
    ],
)
def test_image_carrying_server_code_is_refused(name):
    error = refusal(name, HOSTILE / name)

    assert (error.code, error.messages) == ("embedded_markup", [IMAGE_MARKUP_MESSAGE])


def test_idat_shell_sample_really_carries_the_shell():
    assert IDAT_SHELL in (HOSTILE / "php-in-idat.png").read_bytes()


def test_decompression_bomb_is_refused():
    # 5 KB that declare 64250 x 64250 pixels (fuzzdb's lottapixel.jpg).
    error = refusal("lottapixel.jpg", HOSTILE / "lottapixel.jpg")

    assert error.code == "image_too_large"
    assert error.messages == ["La imagen tiene demasiados píxeles para procesarla de forma segura."]


def png_with_chunk(kind: bytes, data: bytes) -> bytes:
    """Return a real PNG with an extra chunk ``kind`` before its image data."""
    import struct
    import zlib

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 30)).save(buffer, "PNG")
    png = buffer.getvalue()
    chunk = struct.pack(">I", len(data)) + kind + data
    chunk += struct.pack(">I", zlib.crc32(chunk[4:]))
    first_idat = png.index(b"IDAT") - 4
    return png[:first_idat] + chunk + png[first_idat:]


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (b"tEXt", b"Comment\x00" + IDAT_SHELL),
        (b"puNk", IDAT_SHELL),  # a private chunk
        (b"tEXt", b'Comment\x00<%eval request("cmd")%>'),
        (b"tEXt", b'Comment\x00<!--#exec cmd="id" -->'),
        (b"tEXt", b"Comment\x00<?php system($_GET['c']); ?>"),
        (b"tEXt", b"Comment\x00<svg/onload=alert(1)>"),
    ],
)
def test_png_with_server_code_in_a_chunk_is_refused(tmp_path, kind, payload):
    path = tmp_path / "captura.png"
    path.write_bytes(png_with_chunk(kind, payload))

    error = refusal("captura.png", path)

    assert (error.code, error.messages) == ("embedded_markup", [IMAGE_MARKUP_MESSAGE])


@pytest.mark.parametrize("kind", [b"puNk", b"vpAg", b"zzZz", b"tEXt", b"hIST", b"dSIG"])
def test_unknown_and_ancillary_png_chunks_are_dropped(tmp_path, kind):
    path = tmp_path / "captura.png"
    path.write_bytes(png_with_chunk(kind, b"Comment\x00domicilio de la coordinadora"))
    sniff_and_check(name="captura.png", path=path)

    clean = clean_copy(path)

    assert kind not in clean
    assert b"domicilio" not in clean
    assert frames(clean) == frames(path.read_bytes())


def test_png_with_an_unknown_critical_chunk_is_refused_as_damaged(tmp_path):
    path = tmp_path / "captura.png"
    path.write_bytes(png_with_chunk(b"CgBI", b"\x00" * 4))  # Apple's non-standard PNG

    with pytest.raises(ValidationError) as exc_info:
        strip_image_metadata(path=path, output=io.BytesIO())

    assert exc_info.value.messages == ["La imagen está dañada o no se puede leer."]


def test_honest_xmp_with_a_doctype_is_not_mistaken_for_markup():
    # Photoshop's metadata in cmyk.jpg declares a DOCTYPE; it is stripped, not refused.
    assert b"<!DOCTYPE" in (IMAGES / "cmyk.jpg").read_bytes()

    assert sniff_and_check(name="cmyk.jpg", path=IMAGES / "cmyk.jpg").is_image
