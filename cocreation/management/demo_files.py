"""Small real files for the demo: PDFs rendered by WeasyPrint and photos drawn by Pillow.

They go through the evidence vault like any upload (type sniffing, image metadata stripping,
SHA-256), so every demo download is a real document. The photos carry made-up camera and GPS
metadata on purpose: the vault strips it, as it does for every photo taken with a phone.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageDraw, ImageFont

STYLE = mark_safe(  # noqa: S308 - a constant stylesheet, no user input
    """
  @page { size: A4; margin: 20mm 18mm 22mm 18mm;
    @bottom-left { content: "Documento ficticio del demo del Portal PAL"; font-size: 7.5pt;
                   color: #666; }
    @bottom-right { content: "Página " counter(page) " de " counter(pages); font-size: 7.5pt;
                    color: #666; } }
  html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4;
         color: #111; }
  h1 { font-size: 15pt; margin: 0 0 1mm 0; }
  h2 { font-size: 11.5pt; margin: 6mm 0 2mm 0; border-bottom: 0.5pt solid #999; }
  .subtitle { font-size: 10.5pt; color: #333; margin: 0 0 5mm 0; }
  table { width: 100%; border-collapse: collapse; margin-top: 2mm; }
  th, td { border: 0.5pt solid #888; padding: 1.2mm 2mm; text-align: left;
           vertical-align: top; }
  th { background: #eee; }
  table.facts { width: auto; }
  table.facts th, table.facts td { border: none; background: none; padding: 0.5mm 4mm 0.5mm 0; }
  td.signature { font-family: "DejaVu Serif", serif; font-style: italic; color: #1a3a7a; }
  .signatures { margin-top: 10mm; }
  .signer { display: inline-block; width: 46%; margin: 0 3% 9mm 0; vertical-align: top; }
  .signer .mark { font-family: "DejaVu Serif", serif; font-style: italic; font-size: 13pt;
                  color: #1a3a7a; border-bottom: 0.6pt solid #333; padding-bottom: 1mm; }
  .signer .who { font-size: 8.5pt; margin-top: 1mm; }
"""
)


def pdf(*, name: str, title: str, subtitle: str, body: SafeString) -> ContentFile:
    """Return an A4 PDF named ``name`` with a title, a subtitle and the given HTML body."""
    html = format_html(
        '<!DOCTYPE html><html lang="es-MX"><head><meta charset="utf-8"><title>{}</title>'
        '<meta name="generator" content="Portal PAL (demo)"><style>{}</style></head>'
        '<body><h1>{}</h1><p class="subtitle">{}</p>{}</body></html>',
        title,
        STYLE,
        title,
        subtitle,
        body,
    )
    # Imported here so that loading the command does not pay for Pango.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Self-contained documents: no URL may be fetched.
    data = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    return ContentFile(data, name=name)


def section(heading: str, content: SafeString | str) -> SafeString:
    return format_html("<h2>{}</h2>{}", heading, content)


def text(value: str) -> SafeString:
    """Return plain text as paragraphs (escaped; blank lines separate paragraphs)."""
    return mark_safe(linebreaks(value, autoescape=True))  # noqa: S308 - escaped by linebreaks


def facts(rows: Sequence[tuple[str, str]]) -> SafeString:
    return format_html(
        '<table class="facts">{}</table>',
        format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, signed_column=None):
    """Return a table; the cells of ``signed_column`` look handwritten (a signature)."""
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "",
                    "<td{}>{}</td>",
                    (
                        (mark_safe(' class="signature"') if i == signed_column else "", cell)
                        for i, cell in enumerate(row)
                    ),
                ),
            )
            for row in rows
        ),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def signatures(signers: Sequence[tuple[str, str]]) -> SafeString:
    """Return signature blocks: the name as a handwritten mark over a line, then who signs."""
    return format_html(
        '<div class="signatures">{}</div>',
        format_html_join(
            "",
            '<div class="signer"><div class="mark">{}</div><div class="who">{}<br>{}</div></div>',
            ((name, name, role) for name, role in signers),
        ),
    )


def join(*parts: SafeString | str) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


# --- photos --------------------------------------------------------------------------------------

PHOTO_SIZE = (960, 640)
SKIN = ((141, 85, 36), (198, 134, 66), (224, 172, 105), (161, 102, 54), (120, 72, 40))
CLOTHES = ((178, 34, 52), (30, 92, 160), (46, 125, 50), (245, 190, 40), (90, 60, 140), (60, 60, 60))


def _font(size: int):
    """Return DejaVu Sans (installed for WeasyPrint; it has every Spanish letter)."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _exif(*, taken: dt.datetime, latitude: float, longitude: float) -> bytes:
    """Return the EXIF a phone would write: camera, time and GPS position (the vault drops it)."""
    exif = Image.Exif()
    exif[0x010F] = "Telefono de demostracion"  # Make
    exif[0x0110] = "PAL-Demo"  # Model
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTime

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        degrees, minutes = int(value), (abs(value) - int(value)) * 60
        return (float(degrees), float(int(minutes)), round((minutes - int(minutes)) * 60, 2))

    gps = exif.get_ifd(0x8825)
    gps[1] = "N" if latitude >= 0 else "S"
    gps[2] = dms(latitude)
    gps[3] = "E" if longitude >= 0 else "W"
    gps[4] = dms(longitude)
    return exif.tobytes()


def meeting_photo(
    *,
    name: str,
    banner: str,
    people: int,
    seed: int,
    taken: dt.datetime,
    latitude: float,
    longitude: float,
) -> ContentFile:
    """Return a JPEG of people around a meeting table under a banner, with phone metadata."""
    rng = random.Random(seed)  # noqa: S311 - the same picture on every run
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, (226, 218, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 0.62, width, height), fill=(150, 120, 90))  # floor
    draw.rectangle(
        (120, 40, width - 120, 130), fill=(255, 255, 255), outline=(120, 30, 60), width=4
    )
    font = _font(30)
    box = draw.textbbox((0, 0), banner, font=font)
    draw.text(((width - (box[2] - box[0])) / 2, 68), banner, fill=(120, 30, 60), font=font)
    table_top = height * 0.58
    seats = [120 + (width - 240) * (i + 0.5) / people for i in range(people)]
    for x in seats:  # people behind the table
        skin, clothes = rng.choice(SKIN), rng.choice(CLOTHES)
        y = table_top - rng.randint(95, 115)
        draw.rounded_rectangle((x - 34, y + 40, x + 34, table_top + 10), radius=18, fill=clothes)
        draw.ellipse((x - 24, y, x + 24, y + 50), fill=skin)
        draw.chord((x - 25, y - 2, x + 25, y + 30), 180, 360, fill=(40, 30, 25))  # hair
    draw.rectangle((60, table_top, width - 60, table_top + 60), fill=(110, 70, 40))
    for x in seats[:: max(1, people // 4)]:  # papers on the table
        draw.rectangle((x - 20, table_top + 12, x + 18, table_top + 40), fill=(250, 250, 245))
    output = io.BytesIO()
    image.save(
        output,
        "JPEG",
        quality=82,
        exif=_exif(taken=taken, latitude=latitude, longitude=longitude),
    )
    return ContentFile(output.getvalue(), name=name)


def video_call_capture(*, name: str, title: str, participants: Sequence[str]) -> ContentFile:
    """Return a PNG screen capture of an online meeting: one tile per participant."""
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, (32, 33, 36))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 48), fill=(60, 64, 67))
    draw.text((16, 12), title, fill=(232, 234, 237), font=_font(22))
    columns = 3
    rows = (len(participants) + columns - 1) // columns
    tile_w, tile_h = (width - 40) / columns, (height - 78) / max(rows, 1)
    for index, person in enumerate(participants):
        col, row = index % columns, index // columns
        x0, y0 = 10 + col * (tile_w + 10), 58 + row * (tile_h + 10)
        x1, y1 = x0 + tile_w - 10, y0 + tile_h - 10
        draw.rounded_rectangle((x0, y0, x1, y1), radius=10, fill=(60, 64, 67))
        initials = "".join(word[0] for word in person.split()[:2]).upper()
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 10
        draw.ellipse((cx - 38, cy - 38, cx + 38, cy + 38), fill=CLOTHES[index % len(CLOTHES)])
        box = draw.textbbox((0, 0), initials, font=_font(30))
        draw.text(
            (cx - (box[2] - box[0]) / 2, cy - 20), initials, fill=(255, 255, 255), font=_font(30)
        )
        draw.text((x0 + 10, y1 - 28), person, fill=(232, 234, 237), font=_font(16))
    output = io.BytesIO()
    image.save(output, "PNG")
    return ContentFile(output.getvalue(), name=name)
