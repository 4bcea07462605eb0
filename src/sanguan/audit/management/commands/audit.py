"""``sanguan audit entries|sth|verify``: the operator's side of the audit log.

``entries --start A --end B`` prints the same JSON as ``/api/audit/entries`` (end inclusive,
no page limit); ``sth`` prints a freshly signed tree head; ``verify [--sth FILE]`` recomputes
the whole tree, names the first bad leaf and exits non-zero on any mismatch.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sanguan.audit import selectors
from sanguan.audit.errors import AuditError
from sanguan.audit.verification import verify_log


class Command(BaseCommand):
    help = "Read and verify the tamper-evident audit log."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        entries = sub.add_parser("entries", help="print leaves START..END (inclusive) as JSON")
        entries.add_argument("--start", type=int, required=True)
        entries.add_argument("--end", type=int, required=True)
        sub.add_parser("sth", help="print the current signed tree head as JSON")
        verify = sub.add_parser("verify", help="recompute every hash; check consistency with an earlier tree head")
        verify.add_argument("--sth", type=Path, metavar="FILE", help="a signed tree head saved earlier (JSON)")

    def handle(self, *args, **opts) -> None:
        getattr(self, "_" + opts["subcommand"])(opts)

    def _entries(self, opts) -> None:
        try:
            rows = selectors.iter_entries(start=opts["start"], end=opts["end"])
        except AuditError as exc:
            raise CommandError(exc.message) from None
        out = self.stdout
        out.write('{"entries": [', ending="")
        for n, (index, leaf) in enumerate(rows):
            item = json.dumps({"leaf_index": index, "leaf_input": selectors.b64(leaf)})
            out.write(("" if n == 0 else ", ") + item, ending="")
        out.write("]}")

    def _sth(self, opts) -> None:
        self.stdout.write(json.dumps(selectors.signed_tree_head()))

    def _verify(self, opts) -> None:
        sth = None
        if opts["sth"] is not None:
            try:
                sth = json.loads(opts["sth"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the tree head {opts['sth']}: {exc}") from None
            if not isinstance(sth, dict):
                raise CommandError(f"{opts['sth']} does not hold a JSON object")
        report = verify_log(sth=sth)
        if not report.ok:
            lines = []
            if report.first_bad_leaf is not None:
                lines.append(f"first bad leaf: {report.first_bad_leaf}")
            lines.extend(report.problems)
            raise CommandError("audit log verification FAILED\n" + "\n".join(lines))
        summary = f"audit log OK: {report.size} leaves, root {selectors.b64(report.root)}"
        if report.sth_checked:
            summary += f"; consistent with the signed tree head of size {report.sth_checked['tree_size']}"
        self.stdout.write(summary)
