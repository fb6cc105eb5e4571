"""Load scenario: many people of the heavy STL at once, against gunicorn, with locust.

``bench/run load`` (or ``python -m bench.load``) fills a fresh PostgreSQL database with N light
STLs and the heavy one (``bench/data.py``, ``bench/heavy.py``), starts gunicorn on 127.0.0.1 with
the production settings, logs in once per role through the real login form, then runs locust
headless for a fixed time (``bench/locustfile.py``) and prints throughput, latency percentiles and
errors. Everything it starts is stopped at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench import runner
from bench.runner import BASE_DIR, HOST, PROXY_HEADERS, log

LOCUSTFILE = BASE_DIR / "bench" / "locustfile.py"
# Of every 20 simulated people: 15 members, 2 as the facilitator, 3 as the reviewer.
ROLE_CYCLE = ["member"] * 15 + ["facilitator"] * 2 + ["reviewer"] * 3
ROLE_CYCLE = [ROLE_CYCLE[(i * 7) % 20] for i in range(20)]  # interleaved, not in blocks


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run load",
        description="Many members, facilitators and reviewers of the heavy STL at once, with "
        "locust, against gunicorn in production settings on 127.0.0.1.",
    )
    parser.add_argument("--users", type=int, default=200, help="simulated people (200)")
    parser.add_argument(
        "--duration", type=int, default=180, metavar="S", help="seconds of load, ramp-up included"
    )
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=4.0,
        metavar="R",
        help="people starting (and logging in) per second (4)",
    )
    parser.add_argument(
        "--think", type=float, default=5.0, metavar="S", help="mean think time in seconds (5)"
    )
    parser.add_argument(
        "--upload-kb", type=int, default=100, metavar="KB", help="size of each uploaded PDF (100)"
    )
    parser.add_argument("--stls", type=int, default=2, metavar="N", help="light STLs besides (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument(
        "--postgres",
        default=f"postgresql://postgres@{HOST}:5432",
        metavar="URL",
        help="PostgreSQL server, without database name (%(default)s)",
    )
    parser.add_argument(
        "--database", default="pal_bench_load", help="database created afresh (pal_bench_load)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place")
    parser.add_argument(
        "--redis",
        nargs="?",
        const=f"redis://{HOST}:6379/15",
        default="",
        metavar="URL",
        help="use Redis as the cache (default: local memory)",
    )
    args = parser.parse_args(argv)
    for name in ("users", "duration", "workers", "threads", "stls"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.spawn_rate <= 0 or args.think < 0 or args.upload_kb < 0:
        parser.error("--spawn-rate must be positive; --think and --upload-kb not negative")
    if not args.database.isidentifier():
        parser.error("--database must be a plain identifier")
    args.sqlite = False
    return args


# --- what the simulated people open ---------------------------------------------------------------


def plan(data, args, port: int) -> dict:
    """Return the URLs, accounts and settings the locustfile reads."""
    from django.urls import reverse

    from cocreation.models import Decision, DialogueTable, Prioritization, PublicConsultation
    from evidence.subjects import subject_key

    pk = data.measured_pk

    def url(name, **kwargs):
        return [name, reverse(name, kwargs=kwargs)]

    lists = [
        url("stl:list"),
        *(
            url(f"cocreation:{name}", pk=pk)
            for name in (
                "table_list",
                "consultation_list",
                "problem_list",
                "prioritization_list",
                "decision_list",
                "timeline",
            )
        ),
        url("evidence:secretariat_list", pk=pk),
        url("stl:history", pk=pk),
    ]
    details = []
    for model, name, kwarg in (
        (DialogueTable, "cocreation:table_detail", "table_pk"),
        (PublicConsultation, "cocreation:consultation_detail", "consultation_pk"),
        (Prioritization, "cocreation:prioritization_detail", "prioritization_pk"),
        (Decision, "cocreation:decision_detail", "decision_pk"),
    ):
        for object_pk in model.objects.filter(secretariat_id=pk).values_list("pk", flat=True):
            details.append(url(name, pk=pk, **{kwarg: object_pk}))
    uploads = []
    for model in (DialogueTable, Decision, PublicConsultation):
        for object_pk in model.objects.filter(secretariat_id=pk).values_list("pk", flat=True):
            uploads.append(
                [
                    "evidence:subject",
                    reverse(
                        "evidence:subject",
                        kwargs={
                            "pk": pk,
                            "subject_type": subject_key(model),
                            "subject_id": object_pk,
                        },
                    ),
                ]
            )
    # Half of the detail views are the evidence pages of those objects.
    details += uploads
    return {
        "origin": f"https://{HOST}",
        "host_header": HOST,
        "login_path": reverse("login"),
        "password": _password(),
        "accounts": data.accounts,
        "role_cycle": ROLE_CYCLE,
        "think_seconds": args.think,
        "upload_bytes": args.upload_kb * 1024,
        "urls": {
            "dashboard": [url("stl:dashboard", pk=pk)],
            "list": lists,
            "detail": details,
            "upload": uploads,
        },
        "port": port,
    }


def _password() -> str:
    from bench.data import BENCH_PASSWORD

    return BENCH_PASSWORD


# --- logging in once per role before the load -----------------------------------------------------


def preflight_login(port: int, email: str, password: str, login_path: str) -> None:
    """Log in once through the real form; raise (before any load) if it does not succeed."""
    cookies: dict[str, str] = {}

    def request(method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            all_headers = {**PROXY_HEADERS, **(headers or {})}
            if cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
            return response, content
        finally:
            conn.close()

    response, content = request("GET", login_path)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if response.status != 200 or match is None:
        raise RuntimeError(f"the login page answered {response.status} without a CSRF token")
    body = urllib.parse.urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
    )
    response, _content = request(
        "POST",
        login_path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}{login_path}",
        },
    )
    location = response.getheader("Location", "")
    if response.status != 302 or location.startswith(login_path):
        raise RuntimeError(
            f"logging in as {email} answered {response.status} (Location {location!r}); "
            "the load was not started, so no account can be locked"
        )


def failed_logins() -> int:
    """Return the failed logins django-axes recorded (it must stay 0)."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    return AccessAttempt.objects.aggregate(total=Sum("failures_since_start"))["total"] or 0


# --- gunicorn's CPU time --------------------------------------------------------------------------


def cpu_seconds(master_pid: int) -> float:
    """Return the CPU time (user + system) of gunicorn's master and workers so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master_pid]
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        pids += [int(pid) for pid in children]
    except OSError:
        pass
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def postgres_cpu(database: str) -> dict[int, float]:
    """Return the CPU seconds so far of each PostgreSQL backend serving ``database``."""
    ticks = os.sysconf("SC_CLK_TCK")
    backends = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not command.startswith("postgres:") or f" {database} " not in f"{command} ":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        backends[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return backends


def machine_cpu() -> tuple[float, float]:
    """Return the machine's busy and total CPU seconds so far, all CPUs summed (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


# --- the figures ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a latency that was actually observed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary_rows(samples: list[list], seconds: float) -> list[list[str]]:
    groups: dict[str, list[list]] = {}
    for sample in samples:
        groups.setdefault(sample[1], []).append(sample)
    rows = []
    for name in sorted(groups, key=lambda n: (-len(groups[n]), n)):
        rows.append(_row(name, groups[name], seconds))
    return rows


def _row(name: str, samples: list[list], seconds: float) -> list[str]:
    times = [sample[2] for sample in samples]
    errors = sum(1 for sample in samples if not sample[4])
    return [
        name,
        str(len(samples)),
        f"{len(samples) / seconds:.1f}" if seconds > 0 else "-",
        str(errors),
        f"{percentile(times, 0.50):.0f}",
        f"{percentile(times, 0.95):.0f}",
        f"{percentile(times, 0.99):.0f}",
        f"{max(times):.0f}",
    ]


def markdown(rows: list[list[str]]) -> list[str]:
    header = ["requests", "count", "req/s", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"]
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if number == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def report(result: dict, context: list[str]) -> tuple[str, bool]:
    samples = result["samples"]
    start, end = result["started_at"], result["ended_at"]
    logins = [s for s in samples if s[1].startswith("login")]
    pages = [s for s in samples if not s[1].startswith("login")]
    # Everyone has logged in once the last login's answer arrived: the load is steady after it.
    logged_in = max((s[0] + s[2] / 1000 for s in logins), default=start)
    steady = [s for s in pages if s[0] >= logged_in]
    lines = [*context, ""]
    totals = []
    if pages:
        totals.append(_row("all pages and uploads, whole run", pages, end - start))
    if steady:
        totals.append(
            _row(
                f"all pages and uploads, once all were logged in (last {end - logged_in:.0f} s)",
                steady,
                max(end - logged_in, 1e-9),
            )
        )
    if logins:
        totals.append(
            _row(
                f"logins (form + post), in the first {logged_in - start:.0f} s",
                logins,
                max(logged_in - start, 1e-9),
            )
        )
    lines += markdown(totals)
    lines += ["", "Per request (whole run):", ""]
    lines += markdown(summary_rows(samples, end - start))
    errors = [s for s in samples if not s[4]]
    if errors:
        lines += ["", f"{len(errors)} error(s); the first ones:"]
        seen = set()
        for sample in errors:
            key = (sample[1], sample[5])
            if key not in seen:
                seen.add(key)
                lines.append(f"- {sample[1]}: {sample[5]}")
            if len(seen) >= 10:
                break
    p95 = percentile([s[2] for s in pages], 0.95) if pages else float("inf")
    ok = not errors and p95 < 500
    lines += [
        "",
        f"Targets: 0 errors — {'met' if not errors else 'NOT met'} ({len(errors)}); "
        f"p95 < 500 ms over all pages and uploads of the whole run — "
        f"{'met' if p95 < 500 else 'NOT met'} ({p95:.0f} ms)",
    ]
    return "\n".join(lines), ok


# --- the run --------------------------------------------------------------------------------------


def run(args) -> int:
    signal.signal(signal.SIGTERM, runner._sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="pal-load-"))
    gunicorn_log = tmp / "gunicorn.log"
    server = None
    locust = None
    started = time.monotonic()
    try:
        runner.setup_django(args, tmp)
        from bench import data as bench_data

        log(f"fill: {args.stls} STLs + the heavy STL")
        data = bench_data.fill(stls=args.stls, heavy=True, log=log)
        port = runner.free_port()
        load_plan = plan(data, args, port)
        plan_path, samples_path = tmp / "plan.json", tmp / "samples.json"
        plan_path.write_text(json.dumps(load_plan))
        runner.django_close()

        log(f"gunicorn on {HOST}:{port}: {args.workers} worker(s) × {args.threads} threads")
        server = runner.gunicorn_start(args, port, gunicorn_log)
        runner.gunicorn_wait(server, port, "/__bench__/trivial")
        for role, emails in data.accounts.items():
            log(f"log in once as {role} through the form ({emails[0]})")
            preflight_login(port, emails[0], load_plan["password"], load_plan["login_path"])

        load_before = " / ".join(f"{value:.2f}" for value in os.getloadavg())
        cpu_before = cpu_seconds(server.pid)
        machine_before = machine_cpu()
        postgres_before = postgres_cpu(args.database)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        log(
            f"locust: {args.users} users, {args.spawn_rate:g}/s, think {args.think:g} s, "
            f"{args.duration} s"
        )
        env = {
            **os.environ,
            "BENCH_LOAD_PLAN": str(plan_path),
            "BENCH_LOAD_SAMPLES": str(samples_path),
            "PYTHONPATH": str(BASE_DIR),
        }
        locust = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "10",
                "--host",
                f"http://{HOST}:{port}",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=open(tmp / "locust.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        try:
            locust.wait(timeout=args.duration + 120)
        except subprocess.TimeoutExpired:
            log("locust did not stop in time; stopping it")
            locust.terminate()
            locust.wait(timeout=20)
        cpu = cpu_seconds(server.pid) - cpu_before
        machine_after = machine_cpu()
        postgres_after = postgres_cpu(args.database)
        database_cpu = sum(
            seconds - postgres_before.get(pid, 0.0) for pid, seconds in postgres_after.items()
        )
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # Only locust has ended and been waited for since: the children's delta is its CPU.
        locust_cpu = (children_after.ru_utime - children_before.ru_utime) + (
            children_after.ru_stime - children_before.ru_stime
        )
        busy = machine_after[0] - machine_before[0]
        capacity = machine_after[1] - machine_before[1]
        load_after = " / ".join(f"{value:.2f}" for value in os.getloadavg())
        if not samples_path.exists():
            log("locust wrote no samples; the end of its log:")
            print((tmp / "locust.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            return 1
        result = json.loads(samples_path.read_text())
        elapsed = result["ended_at"] - result["started_at"]
        spawned = result["spawned_at"]
        ramp = f"{spawned - result['started_at']:.0f} s" if spawned else "not completed"
        context = [
            f"PAL Portal load — {args.users} users ({', '.join(_role_mix(args.users))}) of the "
            f"heavy STL, think time {args.think:g} s (exponential mean), "
            f"spawn {args.spawn_rate:g}/s (all started after {ramp}), {args.duration} s of "
            f"load, uploads of {args.upload_kb} KB",
            *(f"data: {line}" for line in data.summary),
            runner.describe_server(args),
            f"CPU during the load ({elapsed:.0f} s, {os.cpu_count()} CPUs): the machine was busy "
            f"{busy / capacity:.0%} of the time ({busy / elapsed:.2f} CPUs): gunicorn "
            f"{cpu / elapsed:.2f} CPUs ({cpu:.0f} s), PostgreSQL (this database's backends) "
            f"{database_cpu / elapsed:.2f} CPUs, locust {locust_cpu / elapsed:.2f} CPUs, "
            f"everything else (other people's work on the machine) "
            f"{(busy - cpu - database_cpu - locust_cpu) / elapsed:.2f} CPUs",
            f"load average (1/5/15 min) before {load_before}, after {load_after}",
            runner.describe_machine(started),
            f"failed logins recorded by django-axes: {failed_logins()}",
        ]
        text, _ok = report(result, context)
        print(text, flush=True)
        errors = (tmp / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in errors or " ERROR " in errors:
            print("\ngunicorn logged errors; the end of its log:\n" + errors[-3000:])
        return 0
    finally:
        if locust is not None and locust.poll() is None:
            locust.kill()
            locust.wait(timeout=10)
        if server is not None:
            runner.gunicorn_stop(server)
        from django.apps import apps

        if apps.ready:
            runner.django_close()
        if getattr(args, "database_made", False) and not args.keep_db:
            runner.database_drop(args)
        shutil.rmtree(tmp, ignore_errors=True)


def _role_mix(users: int) -> list[str]:
    counts: dict[str, int] = {}
    for number in range(users):
        role = ROLE_CYCLE[number % len(ROLE_CYCLE)]
        counts[role] = counts.get(role, 0) + 1
    return [f"{count} {role}s" for role, count in counts.items()]


def main(argv=None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
