"""The portal's URLs plus views that fail on purpose, for tests/pal_portal/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from pal_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from pal_portal.urls import urlpatterns as portal_urlpatterns


def fails(request):
    raise RuntimeError("a bug, on purpose")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a malformed request, on purpose")


def database_out(request):
    raise OperationalError("connection timeout expired")


urlpatterns = [
    path("_pruebas/falla/", fails),
    path("_pruebas/prohibido/", forbidden),
    path("_pruebas/sospechosa/", suspicious),
    path("_pruebas/sin-base/", database_out),
    *portal_urlpatterns,
]
