"""Headless Debian Chromium driven by Playwright against the live test server.

Playwright cannot download its own browsers here; it drives /usr/bin/chromium. Without Chromium
the browser tests skip locally and fail in CI (PAL_REQUIRE_BROWSER=1).
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("PAL_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        if os.environ.get("PAL_REQUIRE_BROWSER"):
            pytest.fail(f"PAL_REQUIRE_BROWSER is set but {CHROMIUM} is missing.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "es-MX", "timezone_id": "America/Mexico_City"}


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    return page


def login(page, live_server, user, password):
    """Sign in through the real login form."""
    page.goto(f"{live_server.url}/cuentas/entrar/")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Entrar").click()


def assert_accessible(page):
    """Fail on any serious or critical axe-core violation of the current page."""
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]
    assert not serious, results.generate_report()
