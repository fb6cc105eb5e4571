"""Expected answers of every URL for every persona; the matrix test reads them.

Each app declares its URLs in ``tests/<app>/url_expectations.py`` with :func:`expect`. A URL
pattern without a declaration fails ``tests/test_url_matrix.py``, so no view goes untested.

Personas: ``anonymous``, ``alicia`` (member of A), ``bruno`` (member of B), ``fernanda``
(facilitator of A), ``rita`` (CPGAT reviewer), ``adan`` (INAI administrator). Objects in the
kwargs belong to state A unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "alicia", "bruno", "fernanda", "rita", "adan")

# Short-hands for a persona's expected status code.
OK, REDIRECT, NOT_FOUND, GONE, NOT_ALLOWED = 200, 302, 404, 410, 405


@dataclass
class Expectation:
    name: str
    statuses: dict[str, int]
    kwargs: Callable | None = None  # world -> URL kwargs
    method: str = "get"
    public: bool = False  # True: B may see A's object because it is public by design
    skip_reason: str = ""  # documented reason why GET is not meaningful (e.g. POST-only action)
    data: Callable | None = None  # world -> POST data, for method="post"
    extra: dict = field(default_factory=dict)


EXPECTATIONS: dict[str, Expectation] = {}


def expect(name: str, *, kwargs=None, method="get", public=False, data=None, **statuses) -> None:
    """Declare the status each persona gets from URL ``name`` (with ``kwargs(world)``)."""
    missing = set(ROLES) - set(statuses)
    unknown = set(statuses) - set(ROLES)
    if missing or unknown:
        raise ValueError(f"{name}: missing roles {sorted(missing)}, unknown {sorted(unknown)}")
    if name in EXPECTATIONS:
        raise ValueError(f"{name} declared twice")
    EXPECTATIONS[name] = Expectation(
        name=name, statuses=statuses, kwargs=kwargs, method=method, public=public, data=data
    )


def insiders_only(ok=OK):
    """A view of state A for its members, facilitator, reviewers and administrators."""
    return {
        "anonymous": REDIRECT,
        "alicia": ok,
        "bruno": NOT_FOUND,
        "fernanda": ok,
        "rita": ok,
        "adan": ok,
    }


def admins_only(ok=OK):
    return {
        "anonymous": REDIRECT,
        "alicia": NOT_FOUND,
        "bruno": NOT_FOUND,
        "fernanda": NOT_FOUND,
        "rita": NOT_FOUND,
        "adan": ok,
    }


def everyone(ok=OK):
    return dict.fromkeys(ROLES, ok)
