"""Measure the portal's pages under gunicorn with production settings, against a trivial view.

Started by ``bench/run``; see ``bench/README.md``. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# Variables of the caller's shell that would change what is measured; the run sets its own.
CLEARED = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "EMAIL_URL", "DEBUG")
# Sent with every request, as the TLS-terminating proxy in front of gunicorn would: the
# production profile keeps SECURE_SSL_REDIRECT on and trusts this header.
PROXY_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Latency and SQL queries of the portal's pages under gunicorn, in production "
        "settings, each beside a trivial Django view served by the same process.",
    )
    parser.add_argument("--stls", type=int, default=30, metavar="N", help="STLs to create (30)")
    parser.add_argument(
        "--heavy",
        action="store_true",
        help="add one heavy STL (bench/heavy.py) and measure its pages",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="measure only the pages whose label contains TEXT (repeatable)",
    )
    parser.add_argument(
        "--no-pdf", action="store_true", help="skip the methodology PDF measurement"
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="TEXT",
        help="profile in process the pages whose label contains TEXT: their SQL and the "
        "functions where the time goes (repeatable)",
    )
    parser.add_argument(
        "--requests", type=int, default=200, metavar="R", help="measured requests per page (200)"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, metavar="W", help="warm-up requests per page (20)"
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="use SQLite in a temporary directory, not PostgreSQL"
    )
    parser.add_argument(
        "--postgres",
        default=f"postgresql://postgres@{HOST}:5432",
        metavar="URL",
        help="PostgreSQL server, without database name (%(default)s)",
    )
    parser.add_argument(
        "--database", default="pal_bench", help="database created afresh each run (pal_bench)"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the database in place at the end"
    )
    parser.add_argument(
        "--redis",
        nargs="?",
        const=f"redis://{HOST}:6379/15",
        default="",
        metavar="URL",
        help="use Redis as the cache (default: local memory; bare flag: %(const)s)",
    )
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (1)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds allowed for one request (10)"
    )
    args = parser.parse_args(argv)
    for name in ("stls", "requests", "workers", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup cannot be negative")
    if not args.database.isidentifier():
        parser.error("--database must be a plain identifier")
    return args


def log(message: str) -> None:
    print(f"== {message}", file=sys.stderr, flush=True)


# --- the environment of the run -------------------------------------------------------------------


def run_environment(args, tmp: Path) -> dict[str, str]:
    """Return the production profile's variables for this run (shared by both processes)."""
    if args.sqlite:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        database_url = f"{args.postgres.rstrip('/')}/{args.database}"
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": HOST,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
        # No worker in the bench: the fill's e-mail tasks run in-process, as the profile allows
        # only when asked explicitly.
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    if args.redis:
        # A cache only: with no broker the e-mail tasks of the fill still run eagerly.
        env["REDIS_URL"] = args.redis
        env["CELERY_BROKER_URL"] = ""
    return env


def _admin_connection(args):
    import psycopg

    return psycopg.connect(f"{args.postgres.rstrip('/')}/postgres", autocommit=True)


def database_recreate(args) -> None:
    from psycopg import sql

    with _admin_connection(args) as conn:
        name = sql.Identifier(args.database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def database_drop(args) -> None:
    from psycopg import sql

    with _admin_connection(args) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database))
        )


def django_close() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_start(args, port: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "pal_portal.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        # gthread keeps connections alive; the sync worker closes each one after its response.
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--keep-alive",
        "30",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
    ]
    with open(log_path, "wb") as log_file:
        return subprocess.Popen(
            command, cwd=BASE_DIR, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file
        )


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def gunicorn_wait(process: subprocess.Popen, port: int, path: str, seconds=60) -> None:
    """Wait until gunicorn serves ``path`` (the trivial view) with 200, or fail.

    Not /healthz: its answer depends on every probe an app registers, not on the server being up.
    """
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            last = f"gunicorn exited with {process.returncode}"
            break
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            conn.request("GET", path, headers=PROXY_HEADERS)
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                return
            last = f"{path} answered {response.status} {body[:300]!r}"
        except OSError as error:
            last = repr(error)
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become ready: {last}")


# --- measuring -----------------------------------------------------------------------------------


class KeepAliveClient:
    """GET over one persistent HTTP/1.1 connection, reopened only if the server closes it."""

    def __init__(self, port: int, timeout: float):
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.connections = 0

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            self.conn.connect()
            self.connections += 1
        return self.conn

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, int, float]:
        """Return status, body size and seconds from sending the request to the body's end."""
        for attempt in (1, 2):
            conn = self._connect()  # outside the timer: connecting is not the page's cost
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - start
            if response.will_close:
                self.close()
            return response.status, len(body), elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Target:
    """A page of the run with its resolved URL, the session to send and what was measured."""

    label: str
    path: str
    persona: str
    cookie: str
    download: bool = False
    note: str = ""
    queries: int = 0
    size: int = 0
    samples: list[float] | None = None

    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    def p95_ms(self) -> float:
        # Nearest-rank percentile: a latency that was actually observed.
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000


def session_cookies(data) -> dict[str, str]:
    """Log each persona in through Django's session machinery; return its session key."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for persona, user in data.personas.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookies[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


_CLIENTS: dict[str, object] = {}


def _in_process_get(path: str, cookie: str):
    """GET ``path`` in this process with the session ``cookie``; return the closed response.

    One test client per session: a new client builds a new handler, whose middleware start-up
    (WhiteNoise indexing the static files) would otherwise be counted in every request.
    """
    from django.conf import settings
    from django.test import Client

    client = _CLIENTS.get(cookie)
    if client is None:
        client = _CLIENTS[cookie] = Client(headers=PROXY_HEADERS)
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    response.close()
    return response


def _is_download(response) -> bool:
    return response.streaming or "attachment" in response.get("Content-Disposition", "")


def resolve_targets(data, cookies: dict[str, str], only: list[str]):
    """Find who each candidate page answers 200 to; return pages, downloads and the rest."""
    from bench.pages import Unmeasured, candidates, personas_to_try

    # The 404s of the personas tried first are expected: keep them out of the progress output.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    pages, unmeasured = candidates(data)
    if only:
        pages = [page for page in pages if any(text in page.name for text in only)]
        unmeasured = [item for item in unmeasured if any(text in item.name for text in only)]
    targets = []
    for page in pages:
        path = page.url()
        answers = []
        for persona in personas_to_try(page):
            response = _in_process_get(path, cookies[persona])
            answers.append(f"{persona} {response.status_code}")
            if response.status_code in (404, 302):
                continue
            break
        if response.status_code == 405:
            unmeasured.append(Unmeasured(page.name, "action: answers 405 to GET", expected=True))
            continue
        if response.status_code != 200:
            unmeasured.append(
                Unmeasured(
                    page.name,
                    f"no persona gets 200 from {path} ({', '.join(answers)}): give the fill "
                    "the objects this page needs (bench/data.py, bench/heavy.py)",
                    expected=False,
                )
            )
            continue
        note = f"{page.persona} gets {answers[0].split()[1]}" if persona != page.persona else ""
        targets.append(
            Target(
                label=page.name,
                path=path,
                persona=persona,
                cookie=cookies[persona],
                download=_is_download(response),
                note=note,
            )
        )
    return targets, unmeasured


def count_queries(targets: list[Target]) -> None:
    """Count each page's SQL queries in this process, on a second (warm) request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for target in targets:
        _in_process_get(target.path, target.cookie)
        with CaptureQueriesContext(connection) as captured:
            response = _in_process_get(target.path, target.cookie)
        if response.status_code != 200:
            raise RuntimeError(f"{target.path} answered {response.status_code} in process")
        target.queries = len(captured)


def measure_latency(targets: list[Target], port: int, *, warmup: int, requests: int, timeout):
    """Request every page in turn, W rounds to warm up and R measured; return connections used."""
    from django.conf import settings

    client = KeepAliveClient(port, timeout)
    headers = {
        target.label: {**PROXY_HEADERS, "Cookie": f"{settings.SESSION_COOKIE_NAME}={target.cookie}"}
        for target in targets
    }
    for target in targets:
        target.samples = []
    try:
        # Round-robin, so that a slow moment of the machine weighs on every page alike.
        for round_number in range(warmup + requests):
            for target in targets:
                status, size, elapsed = client.get(target.path, headers[target.label])
                if status != 200:
                    raise RuntimeError(f"{target.path} answered {status} from gunicorn")
                target.size = size
                if round_number >= warmup:
                    target.samples.append(elapsed)
            if round_number + 1 == warmup or (round_number + 1 - warmup) % 25 == 0:
                log(f"round {round_number + 1} of {warmup + requests}")
    finally:
        client.close()
    return client.connections


def profile(targets: list[Target], texts: list[str], *, rounds: int = 20) -> list[str]:
    """Return, for each page matching ``texts``, its SQL and where its time goes (cProfile)."""
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines = []
    for target in targets:
        if not any(text in target.label for text in texts):
            continue
        with CaptureQueriesContext(connection) as captured:
            _in_process_get(target.path, target.cookie)
        sql_seconds = sum(float(query["time"]) for query in captured)
        lines += ["", f"### {target.label} — {target.path} as {target.persona}", ""]
        lines.append(f"{len(captured)} queries, {sql_seconds * 1000:.0f} ms in the database:")
        for query in sorted(captured, key=lambda q: -float(q["time"]))[:8]:
            lines.append(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")
        started = time.perf_counter()
        for _ in range(rounds):
            _in_process_get(target.path, target.cookie)
        plain = (time.perf_counter() - started) / rounds
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            _in_process_get(target.path, target.cookie)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO())
        total = stats.total_tt
        rendering = sum(
            entry[3]
            for (filename, _line, name), entry in stats.stats.items()
            if name == "render_to_string" and filename.endswith("loader.py")
        )
        lines.append(
            f"{plain * 1000:.1f} ms per request in process without the profiler; under cProfile, "
            f"template rendering takes {rendering / total:.0%} of the time"
        )
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("tottime").print_stats(12)
        lines.append("functions with the most own time (cProfile, tottime):")
        lines += [
            "  " + line
            for line in out.getvalue().splitlines()
            if line.strip() and ("(" in line or "ncalls" in line)
        ]
    return lines


# --- the methodology PDF -------------------------------------------------------------------------


def methodology_pdf_figures(timeout: float = 600) -> list[str]:
    """Render the methodology PDF in a fresh process (``bench/pdf.py``); return the report line."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.pdf"],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        return [f"methodology PDF: failed ({completed.stderr.strip()[-500:]})"]
    return [completed.stdout.strip()]


# --- the report ----------------------------------------------------------------------------------

TARGET_RATIO = 4.0


def table(targets: list[Target], trivial: Target, base: Target | None) -> list[str]:
    header = [
        "page",
        "path",
        "as",
        "queries",
        "median ms",
        "p95 ms",
        "median ratio vs trivial",
        "p95 ratio vs trivial",
        f"≤ {TARGET_RATIO:g}×",
        "median ratio vs base page",
        "bytes",
    ]
    rows = [header, ["---"] * len(header)]
    for target in targets:
        ratio = target.median_ms() / trivial.median_ms()
        rows.append(
            [
                target.label,
                target.path,
                target.persona,
                str(target.queries),
                f"{target.median_ms():.2f}",
                f"{target.p95_ms():.2f}",
                f"{ratio:.1f}×",
                f"{target.p95_ms() / trivial.p95_ms():.1f}×",
                "" if target is trivial else ("yes" if ratio <= TARGET_RATIO else "NO"),
                f"{target.median_ms() / base.median_ms():.1f}×" if base else "",
                str(target.size),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        if row[0] == "---":
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
        else:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def report(targets: list[Target], context: list[str], unmeasured=(), extra=()) -> str:
    trivial = targets[0]
    base = next((target for target in targets if target.label == "bench_base"), None)
    pages = [target for target in targets if not target.download]
    downloads = [target for target in targets if target.download]
    lines = [*context, "", *table(pages, trivial, base)]
    if downloads:
        lines += ["", "Downloads (the file is hashed and copied before it is sent):", ""]
        lines += table([trivial, *downloads], trivial, base)
    over = [
        target.label
        for target in pages
        if target is not trivial and target is not base
        if target.median_ms() / trivial.median_ms() > TARGET_RATIO
    ]
    lines += [
        "",
        f"Pages over {TARGET_RATIO:g}× the trivial view's median: "
        + (", ".join(over) if over else "none"),
    ]
    notes = [f"{target.label}: {target.note}" for target in targets if target.note]
    if notes:
        lines += ["Measured as another persona than the first choice: " + "; ".join(notes)]
    for item in unmeasured:
        marker = "not measured" if item.expected else "NOT MEASURED (fix the bench)"
        lines.append(f"{marker}: {item.name} — {item.reason}")
    lines += list(extra)
    return "\n".join(lines)


# --- the run -------------------------------------------------------------------------------------


def _sigterm(signum, frame):
    raise SystemExit(128 + signum)


def setup_django(args, tmp: Path):
    """Set the production environment, recreate the database, migrate and collect static files."""
    for name in CLEARED:
        os.environ.pop(name, None)
    os.environ.update(run_environment(args, tmp))
    sys.path.insert(0, str(BASE_DIR))
    if not args.sqlite:
        log(f"database {args.database} (PostgreSQL, created afresh)")
        database_recreate(args)
        args.database_made = True

    import django
    from django.core.management import call_command

    django.setup()
    log("migrate")
    call_command("migrate", interactive=False, verbosity=0)
    log("collectstatic into the run's temporary directory")
    call_command("collectstatic", interactive=False, verbosity=0)


def describe_server(args, connections: int | None = None) -> str:
    from django.conf import settings
    from django.db import connection

    vendor = connection.vendor
    if vendor == "postgresql":
        version = connection.pg_version
        vendor = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        vendor = f"SQLite {connection.Database.sqlite_version}"
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    kept = f", keep-alive ({connections} connection(s) used)" if connections is not None else ""
    return (
        f"server: gunicorn gthread, {args.workers} worker(s) × {args.threads} threads{kept}; "
        f"settings: DJANGO_ENV=production (bench.settings), {vendor}, cache {cache}"
    )


def describe_machine(started: float) -> str:
    import django

    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"machine: {platform.node()} · {os.cpu_count()} CPUs · load average (1/5/15 min) {load} · "
        f"Python {platform.python_version()} · Django {django.get_version()} · "
        f"{time.monotonic() - started:.0f} s"
    )


def run(args) -> int:
    signal.signal(signal.SIGTERM, _sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="pal-bench-"))
    gunicorn_log = tmp / "gunicorn.log"
    server = None
    failed = True
    started = time.monotonic()
    try:
        setup_django(args, tmp)

        from django.urls import reverse

        from bench import data as bench_data
        from bench.pages import TRIVIAL

        log(f"fill: {args.stls} STLs{' + the heavy STL' if args.heavy else ''}")
        data = bench_data.fill(stls=args.stls, heavy=args.heavy, log=log)
        cookies = session_cookies(data)
        log("find the pages and who gets 200 from each, in process")
        found, unmeasured = resolve_targets(data, cookies, args.only)
        trivial = Target(
            label=TRIVIAL.name, path=TRIVIAL.url(), persona="reviewer", cookie=cookies["reviewer"]
        )
        base = Target(
            label="bench_base",
            path=reverse("bench_base"),
            persona="reviewer",
            cookie=cookies["reviewer"],
        )
        targets = [trivial, base, *found]
        log(f"count queries in process ({len(targets)} URLs)")
        count_queries(targets)
        extra = profile(targets, args.profile) if args.profile else []
        if not args.no_pdf:
            log("methodology PDF, in a fresh process")
            extra = [*methodology_pdf_figures(), *extra]
        django_close()

        port = free_port()
        log(f"gunicorn on {HOST}:{port}")
        server = gunicorn_start(args, port, gunicorn_log)
        gunicorn_wait(server, port, targets[0].path)
        log(f"{args.warmup} warm-up + {args.requests} measured requests per page, round-robin")
        load_before = " / ".join(f"{value:.1f}" for value in os.getloadavg())
        connections = measure_latency(
            targets, port, warmup=args.warmup, requests=args.requests, timeout=args.timeout
        )
        context = [
            f"PAL Portal bench — {args.stls} STL(s){' + 1 heavy STL' if args.heavy else ''}, "
            f"{args.warmup} warm-up + {args.requests} measured requests per page (round-robin), "
            f"{len(targets)} URLs",
            *(f"data: {line}" for line in data.summary),
            describe_server(args, connections),
            describe_machine(started) + f" (load average before measuring: {load_before})",
        ]
        print(report(targets, context, unmeasured, extra), flush=True)
        failed = False
        return 0 if all(item.expected for item in unmeasured) else 2
    finally:
        if server is not None:
            gunicorn_stop(server)
            if failed or server.returncode not in (0, -signal.SIGTERM):
                log(f"gunicorn exited with {server.returncode}; the end of its log:")
                print(gunicorn_log.read_text(errors="replace")[-3000:], file=sys.stderr)
        from django.apps import apps

        if apps.ready:
            django_close()
        if getattr(args, "database_made", False) and not args.keep_db:
            database_drop(args)
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
