"""Reading a score sheet for item analysis (DESIGN.md, "Contracts", ``sanguan exams item-analysis``).

The layout: row 1 is the header, a candidate id column then one column per item id; an
optional row 2 whose first cell is ``max`` gives each item's maximum mark (default 1); then
one row per candidate, the candidate id first. An empty score cell scores 0. Completely blank
lines are skipped. Item ids may be numbers (question numbers are common), so a missing header
is recognised only when row 1 is a ``max`` row or has no item column.

Every refusal is a :class:`ScoresFileError` naming the file and, where there is one, the
1-based row (the header is row 1; CSV records, so a quoted line break does not count) and
column (the candidate id is column 1).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from sanguan.exams.errors import ExamsErrorCode, ScoresFileError

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class ScoreSheet:
    item_ids: list[str]
    maxes: npt.NDArray[np.float64]
    candidate_ids: list[str]
    scores: npt.NDArray[np.float64]  # candidates × items, in file order


def load_scores(path: str | Path) -> ScoreSheet:
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            records = [(i, r) for i, r in enumerate(csv.reader(f, strict=True), start=1) if r]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ScoresFileError(
            ExamsErrorCode.SCORES_UNREADABLE,
            _("{path}: cannot read the file ({reason}).").format(path=name, reason=e),
            {"path": name},
        ) from None
    if not records:
        raise ScoresFileError(
            ExamsErrorCode.SCORES_EMPTY,
            _("{path}: the file is empty; want a header row of item ids.").format(path=name),
            {"path": name},
        )
    item_ids = _header(name, records[0][1])
    width = len(item_ids) + 1
    for row, cells in records[1:]:
        if len(cells) != width:
            raise ScoresFileError(
                ExamsErrorCode.SCORES_RAGGED_ROW,
                _("{path}, row {row}: {found} cells, want {expected} like the header.").format(
                    path=name, row=row, found=len(cells), expected=width
                ),
                {"path": name, "row": row},
            )

    body = records[1:]
    maxes = np.ones(len(item_ids))
    if body and _is_max_row(body[0][1]):
        maxes = _max_row(name, item_ids, *body[0])
        body = body[1:]

    candidate_ids: list[str] = []
    first_row: dict[str, int] = {}
    scores = np.empty((len(body), len(item_ids)))
    parsed: dict[str, float] = {"": 0.0}
    for r, (row, cells) in enumerate(body):
        candidate = cells[0].strip()
        if _is_max_row(cells):
            raise ScoresFileError(
                ExamsErrorCode.SCORES_MISPLACED_MAX_ROW,
                _("{path}, row {row}: a max row must come right after the header.").format(path=name, row=row),
                {"path": name, "row": row, "column": 1},
            )
        if not candidate:
            raise ScoresFileError(
                ExamsErrorCode.SCORES_BLANK_CANDIDATE,
                _("{path}, row {row}, column 1: blank candidate id.").format(path=name, row=row),
                {"path": name, "row": row, "column": 1},
            )
        if candidate in first_row:
            raise ScoresFileError(
                ExamsErrorCode.SCORES_DUPLICATE_CANDIDATE,
                _("{path}, row {row}, column 1: candidate “{candidate}” repeats row {first}.").format(
                    path=name, row=row, candidate=candidate, first=first_row[candidate]
                ),
                {"path": name, "row": row, "column": 1},
            )
        first_row[candidate] = row
        candidate_ids.append(candidate)
        for j, raw in enumerate(cells[1:]):
            value = parsed.get(raw)
            if value is None:
                value = parsed[raw] = _number(name, raw, row, j, item_ids)
            scores[r, j] = value

    if len(candidate_ids) < 2:
        raise ScoresFileError(
            ExamsErrorCode.SCORES_TOO_FEW_CANDIDATES,
            _("{path}: {count} candidate rows; at least 2 are needed for sample standard deviations.").format(
                path=name, count=len(candidate_ids)
            ),
            {"path": name},
        )
    _check_range(name, scores, maxes, [row for row, _cells in body], item_ids)
    return ScoreSheet(item_ids=item_ids, maxes=maxes, candidate_ids=candidate_ids, scores=scores)


def _header(name: str, cells: list[str]) -> list[str]:
    if len(cells) < 2 or _is_max_row(cells):
        raise ScoresFileError(
            ExamsErrorCode.SCORES_NO_HEADER,
            _("{path}, row 1: no header; want a candidate id column, then one column per item id.").format(path=name),
            {"path": name, "row": 1},
        )
    item_ids = [c.strip() for c in cells[1:]]
    first_column: dict[str, int] = {}
    for column, item in enumerate(item_ids, start=2):
        if not item:
            raise ScoresFileError(
                ExamsErrorCode.SCORES_BLANK_ITEM_ID,
                _("{path}, row 1, column {column}: blank item id.").format(path=name, column=column),
                {"path": name, "row": 1, "column": column},
            )
        if item in first_column:
            raise ScoresFileError(
                ExamsErrorCode.SCORES_DUPLICATE_ITEM,
                _("{path}, row 1, column {column}: item id “{item}” repeats column {first}.").format(
                    path=name, column=column, item=item, first=first_column[item]
                ),
                {"path": name, "row": 1, "column": column},
            )
        first_column[item] = column
    return item_ids


def _is_max_row(cells: list[str]) -> bool:
    return cells[0].strip().lower() == "max"


def _max_row(name: str, item_ids: list[str], row: int, cells: list[str]) -> npt.NDArray[np.float64]:
    maxes = np.empty(len(item_ids))
    for j, raw in enumerate(cells[1:]):
        value = _number(name, raw, row, j, item_ids) if raw.strip() else 0.0
        if value <= 0:
            raise ScoresFileError(
                ExamsErrorCode.SCORES_BAD_MAX,
                _("{path}, row {row}, column {column} ({item}): the max must be above 0, got “{value}”.").format(
                    path=name, row=row, column=j + 2, item=item_ids[j], value=raw.strip()
                ),
                {"path": name, "row": row, "column": j + 2},
            )
        maxes[j] = value
    return maxes


def _number(name: str, raw: str, row: int, j: int, item_ids: list[str]) -> float:
    text = raw.strip()
    if not text:
        return 0.0
    if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise ScoresFileError(
            ExamsErrorCode.SCORES_NOT_A_NUMBER,
            _("{path}, row {row}, column {column} ({item}): “{value}” is not a number.").format(
                path=name, row=row, column=j + 2, item=item_ids[j], value=text
            ),
            {"path": name, "row": row, "column": j + 2},
        )
    return float(text)


def _check_range(
    name: str, scores: npt.NDArray[np.float64], maxes: npt.NDArray[np.float64], rows: list[int], item_ids: list[str]
) -> None:
    """Refuse the first negative or above-max score in reading order (row by row)."""
    bad = np.argwhere((scores < 0) | (scores > maxes))
    if not len(bad):
        return
    r, j = (int(v) for v in bad[0])
    value, top = scores[r, j], maxes[j]
    where = {"path": name, "row": rows[r], "column": j + 2}
    if value < 0:
        raise ScoresFileError(
            ExamsErrorCode.SCORES_NEGATIVE,
            _("{path}, row {row}, column {column} ({item}): negative score {value:g}.").format(
                item=item_ids[j], value=value, **where
            ),
            where,
        )
    raise ScoresFileError(
        ExamsErrorCode.SCORES_ABOVE_MAX,
        _("{path}, row {row}, column {column} ({item}): score {value:g} is above the item's max {max:g}.").format(
            item=item_ids[j], value=value, max=top, **where
        ),
        where,
    )
