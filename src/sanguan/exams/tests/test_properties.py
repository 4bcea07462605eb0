"""Hypothesis properties of item analysis and of the score-sheet reader."""

from __future__ import annotations

import csv
import json
import math
import statistics
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sanguan.exams.csvio import load_scores
from sanguan.exams.item_analysis import ItemAnalysis, analyse

TOL = 1e-9


@st.composite
def sheets(draw: st.DrawFn, binary: bool = False) -> tuple[list[list[float]], list[float]]:
    """n candidates × k items; maxes 1, 2 or 5; scores on a half-mark grid within [0, max]."""
    n = draw(st.integers(2, 25))
    k = draw(st.integers(1, 6))
    maxes = [1.0] * k if binary else [float(draw(st.sampled_from([1, 2, 5]))) for _ in range(k)]
    steps = [[0.0, 1.0] if binary else [v / 2 for v in range(int(2 * w) + 1)] for w in maxes]
    rows = [[draw(st.sampled_from(steps[j])) for j in range(k)] for _ in range(n)]
    return rows, maxes


def ids(k: int) -> list[str]:
    return [f"Q{j + 1}" for j in range(k)]


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def same(a: ItemAnalysis, b: ItemAnalysis, *, with_d27: bool) -> bool:
    da, db = a.as_dict(), b.as_dict()
    fields = [(i, f) for i in da["items"] for f in da["items"][i] if with_d27 or f != "d27"]
    return all(close(da["items"][i][f], db["items"][i][f]) for i, f in fields) and all(
        close(da["test"][f], db["test"][f]) for f in da["test"]
    )


@given(sheets())
def test_statistics_stay_in_their_ranges_and_the_json_is_valid(sheet):
    # given any sheet
    rows, maxes = sheet
    # when
    result = analyse(rows, maxes, ids(len(maxes)))
    # then
    for s in result.items.values():
        assert 0 <= s.facility <= 1
        assert s.sd >= 0
        assert -1 - TOL <= s.d27 <= 1 + TOL
        for v in (s.discrimination_index, s.discriminative_efficiency):
            assert v is None or -100 <= v <= 100
    t = result.test
    assert t.cronbach_alpha is None or t.cronbach_alpha <= 1
    assert t.error_ratio is None or t.error_ratio >= 0
    assert min(map(sum, rows)) <= t.median <= max(map(sum, rows))
    json.dumps(result.as_dict(), allow_nan=False)


@given(sheets())
def test_discrimination_index_is_100_times_pearson_r_with_rest_or_null_when_a_column_is_constant(sheet):
    # given any sheet
    rows, maxes = sheet
    # when
    result = analyse(rows, maxes, ids(len(maxes)))
    # then (statistics.correlation refuses a constant input: that is exactly the null case)
    for j, item in enumerate(ids(len(maxes))):
        x = [r[j] for r in rows]
        rest = [sum(r) - r[j] for r in rows]
        di = result.items[item].discrimination_index
        if len(set(x)) == 1 or len(set(rest)) == 1:
            assert di is None and result.items[item].discriminative_efficiency is None
        else:
            assert close(di, 100 * statistics.correlation(x, rest))


@given(sheets())
def test_skewness_and_kurtosis_are_the_bias_corrected_sample_statistics(sheet):
    # given any sheet with unequal totals
    rows, maxes = sheet
    totals = np.array([sum(r) for r in rows])
    # when
    t = analyse(rows, maxes, ids(len(maxes))).test
    # then Moodle's k3/k2^1.5 (n > 2) and k4/k2² (n > 3) are scipy's G1 and G2
    if np.ptp(totals) == 0 or len(rows) < 3:
        assert t.skewness is None and t.kurtosis is None
        return
    assert math.isclose(t.skewness, sps.skew(totals, bias=False), rel_tol=1e-7, abs_tol=1e-7)
    if len(rows) > 3:
        assert math.isclose(t.kurtosis, sps.kurtosis(totals, fisher=True, bias=False), rel_tol=1e-7, abs_tol=1e-7)
    else:
        assert t.kurtosis is None


@given(sheets(binary=True))
def test_kr20_equals_alpha_on_0_1_items(sheet):
    # given a 0/1 sheet
    rows, maxes = sheet
    # when
    t = analyse(rows, maxes, ids(len(maxes))).test
    # then
    assert close(t.kr20, t.cronbach_alpha)


@given(sheets())
def test_kr20_is_null_unless_every_score_is_0_or_1(sheet):
    # given any sheet
    rows, maxes = sheet
    binary = all(w == 1 for w in maxes) and all(v in (0, 1) for r in rows for v in r)
    # when
    t = analyse(rows, maxes, ids(len(maxes))).test
    # then
    assert binary or t.kr20 is None


@given(sheets(), st.randoms(use_true_random=False))
def test_reordering_candidates_changes_nothing_but_d27_among_ties(sheet, rnd):
    # given any sheet and a reordering of its rows
    rows, maxes = sheet
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    distinct_totals = len({sum(r) for r in rows}) == len(rows)
    # when
    a = analyse(rows, maxes, ids(len(maxes)))
    b = analyse(shuffled, maxes, ids(len(maxes)))
    # then
    assert same(a, b, with_d27=distinct_totals)


@settings(max_examples=50)
@given(sheets(), st.booleans())
def test_reader_returns_the_matrix_it_was_given(sheet, zero_as_empty):
    # given the sheet written as CSV, with a max row and (perhaps) zeros as empty cells
    rows, maxes = sheet
    k = len(maxes)
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["candidate", *ids(k)])
            w.writerow(["max", *(f"{m:g}" for m in maxes)])
            for i, r in enumerate(rows):
                w.writerow([f"C{i}", *("" if zero_as_empty and v == 0 else f"{v:g}" for v in r)])
        # when
        s = load_scores(path)
    # then
    assert s.item_ids == ids(k)
    assert s.maxes.tolist() == maxes
    assert s.candidate_ids == [f"C{i}" for i in range(len(rows))]
    assert s.scores.tolist() == rows
