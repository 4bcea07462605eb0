"""Language selection: Simplified Chinese unless the user chose otherwise.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language header, so a campus
machine with an English browser would greet a registrar in English. Here only an explicit
choice (the language cookie set by the switcher, ``/i18n/setlang/``) changes the language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
