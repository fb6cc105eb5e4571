"""The address that absolute links in e-mails start with."""

from django.conf import settings


def site_url(request=None) -> str:
    """Return the scheme and host of absolute links: SITE_URL when set, else the request's own.

    Without SITE_URL, a link made while answering a request follows the address that request was
    served on (``make run PORT=8080``, a LAN address, a proxy's host); a link made without one (a
    Celery worker) falls back to SITE_URL's development default.
    """
    if settings.SITE_URL_IS_SET or request is None:
        return settings.SITE_URL.rstrip("/")
    return f"{request.scheme}://{request.get_host()}"
