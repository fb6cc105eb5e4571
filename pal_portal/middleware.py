"""Spanish unless the person chose otherwise."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
