"""Every URL pattern × every persona, against the declared expectation (see tests/url_matrix.py)."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.url_matrix import EXPECTATIONS, NOT_FOUND, ROLES

# Django's own admin is for INAI staff; it is covered by tests/pal_portal/test_admin.py.
EXCLUDED_NAMESPACES = {"admin"}


def _load_expectations():
    for module in pkgutil.walk_packages([str(Path(tests.__file__).parent)], prefix="tests."):
        if module.name.endswith(".url_expectations"):
            importlib.import_module(module.name)


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _named_patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


_load_expectations()
URL_NAMES = sorted(set(_named_patterns()))


def test_every_url_declares_its_expected_answers():
    undeclared = [name for name in URL_NAMES if name not in EXPECTATIONS]
    assert not undeclared, (
        "These URLs have no expectation in tests/<app>/url_expectations.py: "
        + ", ".join(undeclared)
    )
    stale = sorted(set(EXPECTATIONS) - set(URL_NAMES))
    assert not stale, "Expectations for URLs that no longer exist: " + ", ".join(stale)


def test_member_of_another_state_gets_404_on_every_object_of_state_a():
    leaking = [
        name
        for name, expectation in EXPECTATIONS.items()
        if expectation.kwargs is not None
        and not expectation.public
        and expectation.statuses["bruno"] != NOT_FOUND
        and expectation.statuses["alicia"] != NOT_FOUND
    ]
    assert not leaking, "Bruno (state B) must get 404 on state A's objects: " + ", ".join(leaking)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", URL_NAMES)
def test_url_answers_each_role_as_declared(world, name, role):
    expectation = EXPECTATIONS[name]
    kwargs = expectation.kwargs(world) if expectation.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    client = world.client(role)
    if expectation.method == "post":
        data = expectation.data(world) if expectation.data else {}
        response = client.post(url, data)
    else:
        response = client.get(url)
    expected = expectation.statuses[role]
    assert response.status_code == expected, (
        f"{role} {expectation.method.upper()} {url} answered {response.status_code}, "
        f"expected {expected}"
    )
    if response.get("Content-Type", "").startswith("text/html"):
        _assert_safe_html(url, response)


def _assert_safe_html(url, response):
    """Every HTML page: strict CSP, nothing inline, nothing from another host."""
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), f"inline script on {url}"
    assert " style=" not in body and "<style" not in body, f"inline style on {url}"
    assert not re.search(r"""(src|href)=["']https?://""", body), f"another host on {url}"
