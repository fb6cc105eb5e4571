"""The load scenario's people: members, the facilitator and a reviewer of the heavy STL.

Run by ``bench/run load`` (``bench/load.py``), which fills the database, starts gunicorn and
writes the plan this file reads (``BENCH_LOAD_PLAN``: accounts, password, URLs). Each simulated
person logs in once through the real login form (CSRF token from the page), then, with a think
time of ``think`` seconds on average (exponential, as independent people arrive), opens
dashboards, lists and detail pages, and, if a member or the facilitator, now and then uploads a
small PDF through the real evidence form. Every request is recorded and written to
``BENCH_LOAD_SAMPLES`` when the run ends; ``bench/load.py`` computes the figures from them.

django-axes locks an account after repeated failed logins. The password is right (the driver
has logged in once per role before starting), and the first failed login, if any, stops the
whole run at once, so no account can accumulate failures.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from http.cookiejar import DefaultCookiePolicy

from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser

from bench.files import tiny_pdf

with open(os.environ["BENCH_LOAD_PLAN"]) as plan_file:
    PLAN = json.load(plan_file)

ORIGIN = PLAN["origin"]  # https://127.0.0.1: what the browser would send behind the TLS proxy
HEADERS = {"Host": PLAN["host_header"], "X-Forwarded-Proto": "https"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROLES = itertools.cycle(PLAN["role_cycle"])
ACCOUNTS = {role: itertools.cycle(emails) for role, emails in PLAN["accounts"].items()}
UPLOADS = itertools.count(1)
STATE = {"login_failed": False, "spawned_at": None, "started_at": time.time()}
SAMPLES: list[list] = []
# The first login opens the gate; nobody else posts the login form before it succeeded.
FIRST_LOGIN = Event()
FIRST_LOGIN_TAKEN = []


class SecureCookiesOverPlainHttp(DefaultCookiePolicy):
    """Send ``Secure`` cookies over the plain HTTP between the (absent) TLS proxy and gunicorn."""

    def return_ok_secure(self, cookie, request):
        return True


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    """Return the body and content type of a multipart/form-data request, as a browser sends it."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **kw):
    SAMPLES.append(
        [
            start_time or time.time(),
            name,
            response_time,
            response_length,
            exception is None,
            "" if exception is None else str(exception)[:300],
        ]
    )


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    STATE["spawned_at"] = time.time()


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    with open(os.environ["BENCH_LOAD_SAMPLES"], "w") as out:
        json.dump({**STATE, "ended_at": time.time(), "samples": SAMPLES}, out)


class PortalUser(FastHttpUser):
    """One person of the heavy STL, in the role the plan's cycle gives them.

    FastHttpUser (geventhttpclient): a fraction of the CPU of the requests-based client, which
    matters when the load generator shares the server's two CPUs. Its cookie jar sends the
    ``Secure`` session and CSRF cookies back over plain HTTP, as a browser would over the TLS
    that the proxy in front of gunicorn ends.
    """

    default_headers = HEADERS
    network_timeout = 30.0
    connection_timeout = 30.0

    def wait_time(self):
        think = PLAN["think_seconds"]
        return min(random.expovariate(1 / think), 6 * think) if think > 0 else 0

    def on_start(self):
        self.client.cookiejar.set_policy(SecureCookiesOverPlainHttp())
        self.role = next(ROLES)
        self.email = next(ACCOUNTS[self.role])
        self.urls = PLAN["urls"]
        self._log_in()

    def _log_in(self):
        if STATE["login_failed"]:
            raise StopUser()
        login = PLAN["login_path"]
        page = self.client.get(login, name="login (form)")
        match = TOKEN.search(page.text or "")
        if FIRST_LOGIN_TAKEN:
            FIRST_LOGIN.wait()
            if STATE["login_failed"]:
                raise StopUser()
        else:
            FIRST_LOGIN_TAKEN.append(self.email)
        body, _type = multipart(
            {
                "username": self.email,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            {},
        )
        with self.client.post(
            login,
            data=body,
            headers={"Origin": ORIGIN, "Referer": ORIGIN + login, "Content-Type": _type},
            allow_redirects=False,
            name="login (post)",
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            failed = response.status_code != 302 or location.startswith(login)
            if failed:
                # Stop everyone before anyone else tries: axes must never see a second failure.
                STATE["login_failed"] = True
                response.failure(f"login of {self.email} failed: {response.status_code}")
        FIRST_LOGIN.set()
        if failed:
            self.environment.runner.quit()
            raise StopUser()

    def _get(self, pair):
        name, path = pair
        self.client.get(path, name=name)

    @task(3)
    def dashboard(self):
        self._get(random.choice(self.urls["dashboard"]))

    @task(5)
    def list_page(self):
        self._get(random.choice(self.urls["list"]))

    @task(6)
    def detail_page(self):
        self._get(random.choice(self.urls["detail"]))

    @task(1)
    def upload(self):
        if self.role == "reviewer":  # reviewers read; they attach nothing
            self._get(random.choice(self.urls["detail"]))
            return
        name, path = random.choice(self.urls["upload"])
        page = self.client.get(path, name=name)
        match = TOKEN.search(page.text or "")
        number = next(UPLOADS)
        content = tiny_pdf(number, padding=os.urandom(PLAN["upload_bytes"]))
        body, content_type = multipart(
            {
                "kind": "otro",
                "description": f"Documento de la prueba de carga {number}",
                "csrfmiddlewaretoken": match.group(1) if match else "",
            },
            {"files": (f"documento-{number}.pdf", content, "application/pdf")},
        )
        with self.client.post(
            path,
            data=body,
            headers={"Origin": ORIGIN, "Referer": ORIGIN + path, "Content-Type": content_type},
            allow_redirects=False,
            name="evidence:subject (upload)",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"upload answered {response.status_code}")
