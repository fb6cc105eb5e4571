"""The baseline page: what Django, its middleware and gunicorn cost before any view does work."""

from django.http import HttpResponse


def trivial(request):
    """Return a constant response."""
    return HttpResponse("ok", content_type="text/plain")
