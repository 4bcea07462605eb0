"""``sanguan teaching monitor [--university ID]``: refresh engagement, raise warnings and
recompute 刷课 evidence for every university with offerings (or one), printing JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from sanguan.teaching.models import Offering
from sanguan.teaching.tasks import monitor_university


class Command(BaseCommand):
    help = "Teaching monitoring: refresh engagement, raise early warnings, recompute 刷课 evidence."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        monitor = sub.add_parser("monitor", help="run the monitoring job now")
        monitor.add_argument("--university", type=int, help="only this university id")

    def handle(self, *args, **opts) -> None:
        ids = (
            [opts["university"]]
            if opts.get("university")
            else sorted(set(Offering.objects.values_list("university_id", flat=True)))
        )
        out = {str(pk): monitor_university(pk) for pk in ids}
        self.stdout.write(json.dumps(out, ensure_ascii=False, sort_keys=True))
