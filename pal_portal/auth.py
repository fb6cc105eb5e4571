"""Sign-in throttling: one counter per account, however its address is typed."""

import unicodedata

from django.conf import settings

from pal_portal.text import strip_bidi_controls


def login_key(username: str | None) -> str:
    """Return the address as sign-in matches it: NFKC, no bidi controls or spaces, any case.

    The login form drops bidi controls, strips and NFKC-normalises the address, and the user
    lookup ignores case, so "Ana@X.mx " and "ana@x.mx" reach the same account; they must share
    one failure counter.
    """
    if not username:
        return ""
    return unicodedata.normalize("NFKC", strip_bidi_controls(username)).strip().casefold()


def axes_username(request, credentials=None) -> str:
    """Give django-axes the normalised address of a sign-in attempt (AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return login_key(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return login_key(data.get(field))
