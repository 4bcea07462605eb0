"""``sanguan teaching monitor [--university ID] [--incremental]``: refresh engagement, raise
warnings and recompute 刷课 evidence for every university with offerings (or one), printing
JSON. In full by default; ``--incremental`` does what the scheduled job does (only what
arrived since the last run)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from sanguan.teaching.tasks import monitor_university, universities_to_monitor


class Command(BaseCommand):
    help = "Teaching monitoring: refresh engagement, raise early warnings, recompute 刷课 evidence."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        monitor = sub.add_parser("monitor", help="run the monitoring job now")
        monitor.add_argument("--university", type=int, help="only this university id")
        monitor.add_argument(
            "--incremental", action="store_true", help="only what arrived since the last run (as the schedule does)"
        )

    def handle(self, *args, **opts) -> None:
        ids = [opts["university"]] if opts.get("university") else universities_to_monitor()
        out = {str(pk): monitor_university(pk, full=not opts["incremental"]) for pk in ids}
        self.stdout.write(json.dumps(out, ensure_ascii=False, sort_keys=True))
