"""``sanguan exams item-analysis SCORES.csv [--json]``: classical item analysis of a score sheet.

With ``--json`` prints the contract's document (DESIGN.md, "Contracts"); without, a table.
A sheet that cannot be analysed exits 1 with a message naming the file, row and column.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanguan.exams.csvio import load_scores
from sanguan.exams.errors import ScoresFileError
from sanguan.exams.item_analysis import ItemAnalysis, analyse


class Command(BaseCommand):
    help = "Exam tools: item-analysis SCORES.csv [--json]."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        ia = sub.add_parser("item-analysis", help="Item and test statistics of a score sheet (CSV).")
        ia.add_argument("path", metavar="SCORES.csv")
        ia.add_argument("--json", action="store_true", help="print the JSON document instead of a table")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            sheet = load_scores(opts["path"])
        except ScoresFileError as e:
            raise CommandError(e.message) from None
        result = analyse(sheet.scores, sheet.maxes, sheet.item_ids)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, allow_nan=False, indent=2))
        else:
            self.stdout.write(_table(result))


def _table(result: ItemAnalysis) -> str:
    def f(v: float | int | None, digits: int) -> str:
        return "-" if v is None else f"{v:.{digits}f}"

    width = max(4, *(len(i) for i in result.items))
    lines = [f"{'item':<{width}}  facility      sd  discrimination  efficiency     d27"]
    for item, s in result.items.items():
        lines.append(
            f"{item:<{width}}  {f(s.facility, 3):>8}  {f(s.sd, 3):>6}  {f(s.discrimination_index, 1):>14}"
            f"  {f(s.discriminative_efficiency, 1):>10}  {f(s.d27, 3):>6}"
        )
    t = result.test
    lines.append("")
    rows: list[tuple[str, str]] = [
        ("candidates (n)", str(t.n)),
        ("mean", f(t.mean, 3)),
        ("median", f(t.median, 3)),
        ("sd", f(t.sd, 3)),
        ("skewness", f(t.skewness, 4)),
        ("kurtosis", f(t.kurtosis, 4)),
        ("cronbach alpha", f(t.cronbach_alpha, 4)),
        ("kr20", f(t.kr20, 4)),
        ("cic %", f(t.cic, 2)),
        ("error ratio %", f(t.error_ratio, 2)),
        ("standard error", f(t.standard_error, 3)),
    ]
    lines += [f"{label:<16}{value:>10}" for label, value in rows]
    return "\n".join(lines)
