"""``sanguan demo``: migrate, seed an empty database, run the compliance rules, print one
demo login per role, then serve on 127.0.0.1:8000 (``--host``/``--port`` to change)."""

from __future__ import annotations

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from sanguan.demo.seeding import load_logins, seed_database
from sanguan.institutions.models import University

from .seed import print_logins

DEMO_SEED = 2019


class Command(BaseCommand):
    help = "Run the demonstration: migrate, seed (when empty), run the compliance rules, print logins, serve."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare and print the logins, do not serve")

    def handle(self, *args, **opts) -> None:
        self.stdout.write("Migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        if University.objects.exists():
            self.stdout.write("The database already holds data; not seeding again.")
            logins = load_logins()
        else:
            self.stdout.write(f"Seeding synthetic data (scale 1, seed {DEMO_SEED}) …")
            logins = seed_database(scale=1, seed=DEMO_SEED, log=lambda m: self.stdout.write(f"  {m}")).logins
        if "compliance" in get_commands():
            self.stdout.write("Running the compliance rules …")
            call_command("compliance", "run", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write("")
        if logins:
            print_logins(self.stdout, logins)
        else:
            self.stdout.write("No demo logins recorded in this data directory (it was not seeded by sanguan demo).")
        url = f"http://{opts['host']}:{opts['port']}/"
        self.stdout.write(f"\nOpen {url} (the public registry); log in at {url}accounts/login/")
        if opts["no_serve"]:
            return
        call_command("serve", host=opts["host"], port=opts["port"])
