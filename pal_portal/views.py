import math
import sys

from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from pal_portal.auth import login_key
from pal_portal.forms import PasswordResetForm, SetPasswordForm
from pal_portal.health import run_checks
from pal_portal.outage import is_database_outage, report_database_outage
from pal_portal.site import site_url


@never_cache
@require_GET
def healthz(request):
    checks, status = run_checks()
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "error" else 200
    )


def locked_out(request, original_response=None, credentials=None):
    """Say how long a sign-in lock lasts, from the cool-off setting (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """E-mail a reset link that starts with SITE_URL when set, else with the address served."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        self.extra_email_context = {
            "site_url": site_url(self.request),
            "site_name": _("Portal PAL"),
        }
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link; proving the mailbox also lifts a sign-in lock."""

    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=login_key(form.user.get_username()))
        return response


# --- error pages (handler400/403/404/500 in pal_portal/urls.py, CSRF_FAILURE_VIEW) ----------------


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """Answer an unexpected error without the request, the user or the database: any may be why."""
    # Middleware outside the view (the session, the signed-in user) may meet the outage too.
    exception = sys.exc_info()[1]
    if is_database_outage(exception):
        return database_unavailable(request, exception)
    return HttpResponseServerError(
        _render_bare("500.html", _("Error del portal"), _("Algo falló de nuestro lado"))
    )


def database_unavailable(request, exception):
    """Answer 503 with Retry-After when the database is down or does not answer in time.

    Like the 500 page, rendered without the request: the session, the user and the messages all
    live in the database. Logged here at most once a minute, not by Django once per request.
    """
    report_database_outage(exception, request.path if request is not None else "")
    response = HttpResponse(
        _render_bare(
            "503.html", _("Portal no disponible"), _("El portal no está disponible por ahora")
        ),
        status=503,
    )
    response["Retry-After"] = str(settings.PAL_RETRY_AFTER)
    add_never_cache_headers(response)
    response._has_been_logged = True  # read by django.utils.log.log_response
    return response


def _render_bare(template_name: str, title: str, heading: str) -> str:
    """Render an error page with no context at all, or a plain page if even that fails."""
    try:
        return loader.get_template(template_name).render()
    except Exception:  # the page must answer even when templates or static files are the failure
        return (
            f'<!DOCTYPE html><html lang="{get_language() or settings.LANGUAGE_CODE}"><head>'
            f'<meta charset="utf-8">'
            f"<title>{title}</title></head><body><main>"
            f"<h1>{heading}</h1>"
            f'<p><a href="/">{_("Volver al inicio")}</a></p></main></body></html>'
        )
