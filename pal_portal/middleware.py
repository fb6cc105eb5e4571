"""The portal's middleware: Spanish unless chosen otherwise; private answers to signed-in people;
a Spanish 503 when the database is out."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control

from pal_portal.outage import is_database_outage
from pal_portal.views import database_unavailable


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Serve Spanish (es-MX) by default and English only when chosen with the language selector.

    Django's LocaleMiddleware would follow the browser's Accept-Language; many people in the
    states use browsers set to English without wanting the portal in English, so only the
    language cookie (set by the selector) counts.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateResponsesMiddleware:
    """Keep every answer to a signed-in person out of caches: ``Cache-Control: private, no-store``.

    Pages behind login and downloads carry personal data (attendance registers, names, e-mail
    addresses); neither a shared proxy nor the browser's disk may keep them after the person signs
    out. Answers to anonymous visitors, and static files (served before this runs), are untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        directives = {
            part.split("=")[0].strip() for part in response.get("Cache-Control", "").split(",")
        }
        if {"private", "no-store"} <= directives:
            # Already so (never_cache): no need to ask who is signed in, which would wait for the
            # database once more when it is out (/healthz, the 503 page).
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class DatabaseUnavailableMiddleware:
    """Answer a database outage met by a view with the Spanish 503 page and ``Retry-After``.

    An outage met outside the view (loading the session or the signed-in user in another
    middleware) reaches ``handler500``, which answers the same page (pal_portal.views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        return None
