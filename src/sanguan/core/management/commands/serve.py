"""``sanguan serve``: the embedded web server (waitress, multi-threaded, static files by WhiteNoise).

Accepts ``--host``/``--port`` or a single ``HOST:PORT``. Production runs gunicorn instead."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Sanguan with the embedded WSGI server (waitress)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", help="HOST:PORT (alternative to --host/--port)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, **opts) -> None:
        from waitress import serve

        from sanguan.wsgi import application

        host, port = opts["host"], opts["port"]
        if opts["addrport"]:
            value = opts["addrport"]
            if ":" in value:
                host, _, raw_port = value.rpartition(":")
                host = host.strip("[]") or "127.0.0.1"
            else:
                raw_port = value
            try:
                port = int(raw_port)
            except ValueError:
                raise CommandError(f"not a port number: {raw_port!r}") from None
        self.stdout.write(f"Sanguan serving on http://{host}:{port}/ (Ctrl-C to stop)")
        self.stdout.flush()
        serve(application, host=host, port=port, threads=opts["threads"], ident="sanguan", _quiet=True)
