"""The WSGI application: the site, and the learning record store on a lean handler."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
site = get_wsgi_application()

from sanguan.core.handlers import MachineWSGIHandler, dispatch  # noqa: E402  (needs django.setup())

application = dispatch(site, MachineWSGIHandler(), ("/xapi/",))

# Import every view now, not during the first request each server process answers (with
# gunicorn --preload, once, before the workers fork).
get_resolver().url_patterns  # noqa: B018
