"""Upload a 50 MB evidence file to the portal under gunicorn; print memory and throughput.

    python bench/upload.py [--size-mb 50] [--rounds 5]      (or: python -m bench.upload)

The portal runs with the production profile (``DJANGO_ENV=production``) under gunicorn (one
``sync`` worker, as in docker-compose.yml) on SQLite and a media folder in a temporary directory.
An STL member uploads a PDF of ``--size-mb`` MiB through the real upload page (multipart POST
with CSRF token and session cookie, streamed from disk in 1 MiB pieces). The script prints:

- the peak RSS growth of the gunicorn worker during the upload: ``VmHWM`` after the upload
  minus ``VmRSS`` before it, read from ``/proc/<pid>/status`` (the peak is reset first through
  ``/proc/<pid>/clear_refs`` when the kernel allows it);
- the upload's throughput (file bytes / time from the first byte sent to the response), beside
  the throughput of copying the same file on the same disk with ``shutil.copyfile``, twice:
  followed by ``fsync`` as the vault does for every stored file (the like-for-like baseline),
  and without, when the copy only reaches the page cache.

Then the same number of rounds upload a JPEG photo of the same size (a real header with EXIF GPS,
then synthetic scan data), which the vault strips of its metadata while streaming it, and print
the worker's peak RSS growth for it too.

Targets (issue 3): memory growth under 20 MB; upload throughput within a factor of 2 of the copy.
See bench/README.md, section "Evidence upload".
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MiB = 1024 * 1024
CHUNK = MiB
CLEARED = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "EMAIL_URL", "DEBUG")
PROXY_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}
MEMORY_TARGET_MB = 20
THROUGHPUT_FACTOR_TARGET = 2.0
PDF_OBJECTS = (
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n",
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n",
)


def log(message: str) -> None:
    print(f"== {message}", file=sys.stderr, flush=True)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/upload.py",
        description="Peak memory growth and throughput of a large evidence upload under gunicorn.",
    )
    parser.add_argument("--size-mb", type=int, default=50, help="file size in MiB (50)")
    parser.add_argument("--rounds", type=int, default=5, help="measured uploads and copies (5)")
    args = parser.parse_args(argv)
    if args.size_mb < 1 or args.rounds < 1:
        parser.error("--size-mb and --rounds must be at least 1")
    return args


# --- environment, data, gunicorn ------------------------------------------------------------------


def run_environment(tmp: Path, size_mb: int) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "ALLOWED_HOSTS": HOST,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "EVIDENCE_MAX_UPLOAD_BYTES": str(max(size_mb, 50) * MiB),
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def manage(*arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments, "--verbosity", "0"],
        cwd=BASE_DIR,
        check=True,
        stdin=subprocess.DEVNULL,
    )


def create_member() -> tuple[int, str]:
    """Create an STL and one member; return the STL id and the member's session key."""
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from stl import policy as access
    from stl.models import Member, Nucleus, Secretariat

    secretariat = Secretariat.objects.create(
        state="OAX", exercise="2016–2018", installation_date=dt.date(2016, 10, 14)
    )
    nucleus = Nucleus.objects.create(secretariat=secretariat, kind=Nucleus.Kind.CIVIL_SOCIETY)
    user = get_user_model().objects.create_user(
        email="alicia@example.mx", full_name="Alicia Morales"
    )
    Member.objects.create(secretariat=secretariat, nucleus=nucleus, user=user, organisation="OSC")
    access.grant_member_access(user=user, secretariat=secretariat)
    client = Client()
    client.force_login(user)
    return secretariat.pk, client.cookies["sessionid"].value


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_start(port: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "pal_portal.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    with open(log_path, "wb") as log_file:
        return subprocess.Popen(
            command, cwd=BASE_DIR, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file
        )


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def worker_pid(master: int) -> int:
    """Return the pid of gunicorn's single worker (the process that parses the upload)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker within 30 s")


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+); return whether it worked."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return status_kib(pid, "VmHWM") <= status_kib(pid, "VmRSS") + 64


# --- HTTP ----------------------------------------------------------------------------------------


class Portal:
    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookies = {"sessionid": session_key}

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _remember(self, response) -> None:
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        connection.request("GET", path, headers={**PROXY_HEADERS, "Cookie": self._cookie_header()})
        response = connection.getresponse()
        body = response.read()
        self._remember(response)
        connection.close()
        return response.status, body

    def wait_ready(self, path: str, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited early")
            try:
                if self.get(path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{path} did not answer 200 within 60 s")

    def upload(self, path: str, file_path: Path, name: str) -> tuple[int, float]:
        """POST ``file_path`` as evidence through the upload form; return status and seconds."""
        status, page = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        boundary = "limite-" + secrets.token_hex(8)
        fields = {
            "csrfmiddlewaretoken": token,
            "kind": "acta",
            "description": "Acta de instalación escaneada",
        }
        head = b"".join(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            ).encode()
            for key, value in fields.items()
        )
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + file_path.stat().st_size + len(tail)

        def body():
            yield head
            with open(file_path, "rb") as source:
                while chunk := source.read(CHUNK):
                    yield chunk
            yield tail

        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {
            **PROXY_HEADERS,
            "Cookie": self._cookie_header(),
            "Origin": f"https://{HOST}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        }
        started = time.perf_counter()
        connection.request("POST", path, body=body(), headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        self._remember(response)
        connection.close()
        return response.status, elapsed


# --- the measurements ---------------------------------------------------------------------------


def make_file(path: Path, size: int) -> str:
    """Write a valid PDF of ``size`` bytes (one stream of random bytes); return its SHA-256.

    The vault opens every PDF to look for active content, so the file must be a real PDF: its
    bulk is an unreferenced stream, with a cross-reference table and trailer after it.
    """
    header = b"%PDF-1.4\n"
    offsets, position = [], len(header)
    for obj in PDF_OBJECTS:
        offsets.append(position)
        position += len(obj)
    offsets.append(position)

    def tail_for(body: int) -> tuple[bytes, bytes]:
        stream_head = f"4 0 obj << /Length {body} >> stream\n".encode()
        xref_at = position + len(stream_head) + body + len(b"\nendstream endobj\n")
        entries = "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
        trailer = (
            f"xref\n0 5\n0000000000 65535 f \n{entries}"
            f"trailer << /Root 1 0 R /Size 5 >>\nstartxref\n{xref_at}\n%%EOF\n"
        ).encode()
        return stream_head, b"\nendstream endobj\n" + trailer

    stream_head, end = tail_for(0)
    body = size - position - len(stream_head) - len(end)
    stream_head, end = tail_for(body)
    body = size - position - len(stream_head) - len(end)  # the digits of /Length may grow
    stream_head, end = tail_for(body)
    digest = hashlib.sha256()
    with open(path, "wb") as target:
        for piece in (header, *PDF_OBJECTS, stream_head):
            target.write(piece)
            digest.update(piece)
        remaining = body
        while remaining > 0:
            chunk = os.urandom(min(CHUNK, remaining))
            target.write(chunk)
            digest.update(chunk)
            remaining -= len(chunk)
        target.write(end)
        digest.update(end)
    return digest.hexdigest()


def copy_file(source: Path, target: Path, *, durable: bool) -> float:
    """Copy with ``shutil.copyfile`` (in the kernel); with ``durable``, fsync it as uploads are."""
    started = time.perf_counter()
    shutil.copyfile(source, target)
    if durable:
        for path in (target, target.parent):
            descriptor = os.open(path, os.O_RDONLY)
            os.fsync(descriptor)
            os.close(descriptor)
    return time.perf_counter() - started


def stored_hashes() -> list[tuple[str, int]]:
    from evidence.models import Evidence

    return list(Evidence.objects.order_by("pk").values_list("sha256", "size"))


JPEG_SCAN_FILLER = bytes(range(0xFF)) + b"\xff\x00"  # every 0xFF stuffed, as in real scans


def make_jpeg(path: Path, size: int) -> None:
    """Write a JPEG photo of ``size`` bytes: a real header with EXIF GPS, then synthetic scan.

    The header declares the 6000x4000 pixels of a phone photo of that size. The vault never
    decodes the pixels (the metadata stripper copies the scan verbatim), so the scan only has to
    look like entropy-coded data; libmagic and Pillow read the header alone.
    """
    import io

    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Cámara del facilitador"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (19.0, 25.0, 57.0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", exif=exif)
    small = buffer.getvalue()
    header = bytearray()
    position = 2
    while True:  # walk the segments up to the start of scan
        marker = small[position + 1]
        end = position + 2 + int.from_bytes(small[position + 2 : position + 4], "big")
        segment = bytearray(small[position:end])
        if marker == 0xC0:
            segment[5:9] = (4000).to_bytes(2, "big") + (6000).to_bytes(2, "big")
        header += segment
        position = end
        if marker == 0xDA:
            break
    with open(path, "wb") as target:
        target.write(small[:2] + header)
        remaining = size - 2 - len(header) - 2
        block = JPEG_SCAN_FILLER * (CHUNK // len(JPEG_SCAN_FILLER))
        while remaining > 0:
            piece = block[:remaining]
            if piece.endswith(b"\xff"):  # never split a stuffed pair
                piece = piece[:-1] + b"\x00"
            target.write(piece)
            remaining -= len(piece)
        target.write(b"\xff\xd9")


def stripped_hash(path: Path) -> tuple[str, int]:
    """Return the SHA-256 and size the vault should store for the image at ``path``."""
    from evidence.file_checks import strip_image_metadata

    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as clean:
        strip_image_metadata(path=path, output=clean)
        clean.seek(0)
        while chunk := clean.read(CHUNK):
            digest.update(chunk)
        return digest.hexdigest(), clean.tell()


def jpeg_case(portal: Portal, path: str, pid: int, tmp: Path, args) -> None:
    """Upload a JPEG photo of ``--size-mb`` MiB ``--rounds`` times; print the memory growth."""
    size = args.size_mb * MiB
    source = tmp / "foto-grande.jpg"
    make_jpeg(source, size)
    expected = stripped_hash(source)
    before = len(stored_hashes())
    growths, upload_seconds = [], []
    peak_reset = True
    for round_number in range(1, args.rounds + 1):
        rss_before = status_kib(pid, "VmRSS")
        peak_reset = reset_peak(pid) and peak_reset
        hwm_before = status_kib(pid, "VmHWM")
        status, seconds = portal.upload(path, source, "foto-grande.jpg")
        if status != 302:
            raise RuntimeError(f"JPEG upload answered {status}; see {tmp / 'gunicorn.log'}")
        hwm_after = status_kib(pid, "VmHWM")
        growths.append(hwm_after - (rss_before if peak_reset else hwm_before))
        upload_seconds.append(seconds)
        log(
            f"JPEG round {round_number}: upload {seconds:.3f} s (RSS before "
            f"{rss_before / 1024:.1f} MiB, peak after {hwm_after / 1024:.1f} MiB)"
        )
    stored = stored_hashes()[before:]
    if len(stored) != args.rounds or any(row != expected for row in stored):
        raise RuntimeError("the stored photos are not the original stripped of its metadata")

    upload = statistics.median(upload_seconds)
    growth_mb = max(growths) / 1024
    print(
        f"JPEG photo of {args.size_mb} MiB (EXIF stripped, {size - expected[1]} bytes less; "
        f"scan copied verbatim), {args.rounds} rounds (medians)"
    )
    print(
        f"  peak RSS growth of the gunicorn worker: {growth_mb:.1f} MiB "
        f"(rounds: {', '.join(f'{g / 1024:.1f}' for g in growths)})"
        f"{'' if peak_reset else ' [VmHWM could not be reset: delta of peaks]'}"
        f" -> {'OK' if growth_mb < MEMORY_TARGET_MB else 'OVER'} (target < "
        f"{MEMORY_TARGET_MB} MB)"
    )
    print(f"  upload:                  {upload:.3f} s  {size / MiB / upload:8.1f} MiB/s")


def run(args) -> int:
    size = args.size_mb * MiB
    tmp = Path(tempfile.mkdtemp(prefix="pal-bench-upload-"))
    process = None
    try:
        for name in CLEARED:
            os.environ.pop(name, None)
        os.environ.update(run_environment(tmp, args.size_mb))
        sys.path.insert(0, str(BASE_DIR))
        log(f"temporary directory {tmp}")
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput")
        secretariat_id, session_key = create_member()
        source = tmp / "acta-grande.pdf"
        sha256 = make_file(source, size)
        small = tmp / "acta-chica.pdf"
        make_file(small, MiB)

        port = free_port()
        process = gunicorn_start(port, tmp / "gunicorn.log")
        pid = worker_pid(process.pid)
        portal = Portal(port, session_key)
        path = f"/stl/{secretariat_id}/evidencia/registro/stl.secretariat/{secretariat_id}/"
        portal.wait_ready(path, process)
        log(f"gunicorn master {process.pid}, worker {pid}, port {port}")

        # Warm-up: every module of the upload path imported, every cache filled.
        for _ in range(2):
            status, _seconds = portal.upload(path, small, "acta-chica.pdf")
            if status != 302:
                raise RuntimeError(f"warm-up upload answered {status}")

        # Each round uploads, then copies twice: a busy moment of the machine weighs on all three.
        growths, upload_seconds, cached_seconds, durable_seconds = [], [], [], []
        peak_reset = True
        for round_number in range(1, args.rounds + 1):
            rss_before = status_kib(pid, "VmRSS")
            peak_reset = reset_peak(pid) and peak_reset
            hwm_before = status_kib(pid, "VmHWM")
            status, seconds = portal.upload(path, source, "acta-grande.pdf")
            if status != 302:
                raise RuntimeError(f"upload answered {status}; see {tmp / 'gunicorn.log'}")
            hwm_after = status_kib(pid, "VmHWM")
            growths.append(hwm_after - (rss_before if peak_reset else hwm_before))
            upload_seconds.append(seconds)
            copy = tmp / "copia.pdf"
            cached_seconds.append(copy_file(source, copy, durable=False))
            copy.unlink()
            durable_seconds.append(copy_file(source, copy, durable=True))
            copy.unlink()
            log(
                f"round {round_number}: upload {seconds:.3f} s (RSS before "
                f"{rss_before / 1024:.1f} MiB, peak after {hwm_after / 1024:.1f} MiB), "
                f"copy {cached_seconds[-1]:.3f} s, copy+fsync {durable_seconds[-1]:.3f} s"
            )
        stored = stored_hashes()
        big = [row for row in stored if row[1] == size]
        if len(big) != args.rounds or any(row[0] != sha256 for row in big):
            raise RuntimeError("the stored evidence does not match the uploaded file")

        upload = statistics.median(upload_seconds)
        cached = statistics.median(cached_seconds)
        durable = statistics.median(durable_seconds)
        rate = size / MiB / upload
        growth_mb = max(growths) / 1024
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            f"Evidence upload of {args.size_mb} MiB, {args.rounds} rounds (medians); "
            f"load average {' '.join(load)} on {os.cpu_count()} CPUs"
        )
        print(
            f"  peak RSS growth of the gunicorn worker: {growth_mb:.1f} MiB "
            f"(rounds: {', '.join(f'{g / 1024:.1f}' for g in growths)})"
            f"{'' if peak_reset else ' [VmHWM could not be reset: delta of peaks]'}"
            f" -> {'OK' if growth_mb < MEMORY_TARGET_MB else 'OVER'} (target < "
            f"{MEMORY_TARGET_MB} MB)"
        )
        print(f"  upload:                  {upload:.3f} s  {rate:8.1f} MiB/s")
        for label, seconds in (("copy + fsync", durable), ("copy, page cache only", cached)):
            factor = upload / seconds
            print(
                f"  {label + ':':<24} {seconds:.3f} s  {size / MiB / seconds:8.1f} MiB/s"
                f"  -> upload takes {factor:.2f}x as long "
                f"({'OK' if factor <= THROUGHPUT_FACTOR_TARGET else 'OVER'}, target <= "
                f"{THROUGHPUT_FACTOR_TARGET:g}x)"
            )
        jpeg_case(portal, path, pid, tmp, args)
        return 0
    finally:
        if process is not None:
            gunicorn_stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
