"""Tiny but real evidence files for the benchmark: PDFs and PNGs that differ from one another.

Each file is a few hundred bytes, valid for the vault's type checks (a PDF that a reader opens, a
PNG that Pillow verifies), and unique, so every evidence row has its own SHA-256.
"""

from __future__ import annotations

import struct
import zlib


def tiny_pdf(number: int, *, padding: bytes = b"") -> bytes:
    """Return a one-page PDF reading "Evidencia <number>", with a correct cross-reference table.

    ``padding`` goes into an unreferenced stream object: a valid PDF of any size.
    """
    text = f"Evidencia de prueba {number}".encode("ascii")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    if padding:
        objects.append(
            b"<< /Length "
            + str(len(padding)).encode()
            + b" >>\nstream\n"
            + padding
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{index} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def tiny_png(number: int, *, side: int = 8) -> bytes:
    """Return a ``side`` × ``side`` RGB PNG of one colour derived from ``number``, no metadata."""
    colour = bytes(((number * 37) % 256, (number * 101) % 256, (number // 256 * 53 + 11) % 256))
    row = b"\x00" + colour * side  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * side))
        + _png_chunk(b"IEND", b"")
    )
