"""``sanguan seed --scale N --seed S``: fill an empty database with the synthetic demo world."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from sanguan.demo.seeding import SeedRefused, seed_database


class Command(BaseCommand):
    help = "Generate deterministic synthetic data (universities, centres, filings, users, planted violations)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="size multiplier: 4 × SCALE universities")
        parser.add_argument("--seed", type=int, default=2019, help="random seed; the same seed gives the same data")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="the day the data is made for (YYYY-MM-DD; default: today)")

    def handle(self, *args, **opts) -> None:
        if opts["scale"] < 1:
            raise CommandError("--scale must be at least 1")
        log = (lambda m: self.stdout.write(m)) if opts["verbosity"] >= 1 else (lambda _m: None)
        try:
            result = seed_database(scale=opts["scale"], seed=opts["seed"], today=opts["today"], log=log)
        except SeedRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Seeded {len(result.universities)} universities, {len(result.centres)} centres, "
            f"{len(result.majors)} majors; planted violations: "
            + ", ".join(f"{k} {len(v)}" for k, v in result.planted.items())
        )
        print_logins(self.stdout, result.logins)


def print_logins(out, logins) -> None:
    if not logins:
        return
    out.write("Demo logins (username, password, role: what they see):")
    width = max(len(login.username) for login in logins)
    pw_width = max(len(login.password) for login in logins)
    for login in logins:
        out.write(f"  {login.username.ljust(width)}  {login.password.ljust(pw_width)}  {login.role}: {login.sees}")
