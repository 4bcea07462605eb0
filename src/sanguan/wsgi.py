"""The WSGI application: the site, and the learning record store on a lean handler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
site = get_wsgi_application()

from sanguan.core.handlers import MachineWSGIHandler, dispatch  # noqa: E402  (needs django.setup())

application = dispatch(site, MachineWSGIHandler(), ("/xapi/",))
