"""``sanguan compliance run [--rule CODE ...] [--json]`` and ``sanguan compliance rules``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanguan.compliance import selectors, services
from sanguan.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Run the compliance rules, or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="run the rules and reconcile their findings")
        run.add_argument(
            "--rule", action="append", dest="rules", metavar="CODE", help="run only this rule (repeatable)"
        )
        run.add_argument("--json", action="store_true", help="print the run summary as JSON")
        rules = sub.add_parser("rules", help="list the registered rules")
        rules.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "rules":
            self._rules(as_json=options["json"])
            return
        try:
            summary = services.compliance_run(actor=None, rule_codes=options["rules"])
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                f"rules run: {len(summary.rules)}  detected: {summary.detected}  new findings: {summary.opened}  "
                f"seen again: {summary.redetected}  no longer detected: {summary.no_longer_detected}"
            )
            for code, error in summary.errors.items():
                self.stderr.write(f"rule {code} failed: {error}")
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} rule(s) failed: {', '.join(sorted(summary.errors))}")

    def _rules(self, *, as_json: bool) -> None:
        rows = [
            {
                "code": r.code,
                "article": r.article,
                "severity": r.severity,
                "scope": r.scope,
                "title": str(r.title),
                "description": str(r.description),
            }
            for r in selectors.rules_list()
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['code']:<12} art. {row['article']:<3} {row['severity']:<9} {row['title']}")
