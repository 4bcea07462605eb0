"""URL wiring only. Each app with a ``urls.py`` is included at its own prefix."""

import importlib

from django.apps import apps
from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (language switch uses set_language)
from django.contrib import admin
from django.urls import include, path

from sanguan.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

# App prefixes; "portal" and "accounts" own the site root and /accounts/.
PREFIXES = {"portal": "", "core": "", "records": "xapi/"}

for config in apps.get_app_configs():
    if not config.name.startswith("sanguan."):
        continue
    try:
        importlib.import_module(f"{config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.urls":
            raise
        continue
    prefix = PREFIXES.get(config.label, f"{config.label}/")
    urlpatterns.append(path(prefix, include(f"{config.name}.urls")))
