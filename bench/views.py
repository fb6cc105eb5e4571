"""The baseline pages: what Django, its middleware and gunicorn cost before any view does work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render


def trivial(request):
    """Return a constant response."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def base_page(request):
    """Render the portal's base template, empty, for the logged-in person.

    What every portal page pays before its own work: the session and the user read from the
    database, the CSRF token, the messages, the header with the person's name.
    """
    return render(request, "base.html")
