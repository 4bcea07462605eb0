"""Classical item analysis of a candidates × items score matrix, defined as Moodle's quiz statistics.

Pure computation (numpy, no Django). The definitions follow Moodle's sources:

- ``question/classes/statistics/questions/calculator.php`` (``initial_question_walker``,
  ``secondary_question_walker``): per item, ``facility`` = mean mark ÷ max mark; ``sd`` the
  sample (n − 1) standard deviation of the marks, in marks; ``discrimination_index`` =
  100 · cov(item, rest) / √(var(item) · var(rest)), the rest being the total minus the item;
  ``discriminative_efficiency`` = 100 · cov(item, rest) / covmax, covmax being the covariance
  of the two columns each sorted ascending (the largest covariance any pairing of the same
  marks could reach). Moodle sets both to null when the denominator is zero; so does this
  module (exact zero: the column is constant), so no NaN ever leaves it.
- ``mod/quiz/report/statistics/classes/calculator.php`` (``calculate``): for the test, the
  median (mean of the two middle totals when n is even), the sample sd, ``skewness`` =
  k3 / k2^1.5 (n > 2) and ``kurtosis`` = k4 / k2² (excess kurtosis, n > 3) from the
  k-statistics k2 = n·m2/(n−1), k3 = n²·m3/((n−1)(n−2)),
  k4 = n²·((n+1)·m4 − 3(n−1)·m2²)/((n−1)(n−2)(n−3)), m_r the central moments over n; null
  when the totals are all equal (k2 = 0). ``cic`` = 100·k/(k−1)·(1 − Σ var(item) / k2),
  i.e. 100·Cronbach's α, ``error_ratio`` = 100·√(1 − α), ``standard_error`` =
  error_ratio · sd / 100.

Differences from Moodle, deliberate: α (and cic, error_ratio, standard_error) is reported
whenever it is defined (k ≥ 2 items, n ≥ 2, totals not all equal), where Moodle needs n > 2;
items have a single maximum each and no random-question variants.

Not in Moodle:

- ``kr20`` (Kuder–Richardson 20) only when every score is 0 or 1 and every max is 1, else
  None: k/(k−1)·(1 − Σ p·q / σ²), σ² the population (n) variance of the totals, so that it
  equals α for 0/1 items (α's ratio does not depend on the variance denominator as long as
  items and total use the same one).
- ``d27``: the facility of the top group minus that of the bottom group, each of
  ``group_size(n)`` candidates, ranked by total score descending with a stable sort (ties keep
  input order, so among equal totals the earlier rows enter the top group and the later rows
  the bottom group).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ItemStatistics:
    facility: float
    sd: float
    discrimination_index: float | None
    discriminative_efficiency: float | None
    d27: float


@dataclass(frozen=True, slots=True)
class TestStatistics:
    n: int
    mean: float
    median: float
    sd: float
    skewness: float | None
    kurtosis: float | None
    cronbach_alpha: float | None
    kr20: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    items: dict[str, ItemStatistics]
    test: TestStatistics

    def as_dict(self) -> dict[str, Any]:
        """The contract's JSON document: ``{"items": {id: {...}}, "test": {...}}``; None is null."""
        return {"items": {i: asdict(s) for i, s in self.items.items()}, "test": asdict(self.test)}


def group_size(n: int) -> int:
    """round(0.27 · n), rounding halves up, in exact integer arithmetic: (27n + 50) // 100.

    Half-up is the usual reading of "round" for Kelley's 27 % groups (and what a spreadsheet's
    ROUND does). It differs from Python's ``round(0.27 * n)`` (banker's rounding, to even)
    only when 0.27n ends in exactly .5 with an even integer part: n = 150, 350, 550, …
    (n ≡ 150 mod 200), where this gives 41, 95, 149, … and Python's round one fewer.
    """
    return (27 * n + 50) // 100


def analyse(scores: npt.ArrayLike, maxes: npt.ArrayLike, item_ids: Sequence[str]) -> ItemAnalysis:
    """Item and test statistics of ``scores`` (n candidates × k items, in input order).

    ``maxes`` holds each item's maximum mark (> 0). Needs n ≥ 2 (the sds are sample sds)
    and k ≥ 1; statistics that are undefined for the data (a constant column, equal totals,
    a single item for α) are None, never NaN.
    """
    x: FloatMatrix = np.asarray(scores, dtype=np.float64)
    w: npt.NDArray[np.float64] = np.asarray(maxes, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("scores must be a 2-D matrix (candidates × items)")
    n, k = x.shape
    if n < 2 or k < 1:
        raise ValueError(f"need at least 2 candidates and 1 item, got {n} × {k}")
    if w.shape != (k,) or len(item_ids) != k or len(set(item_ids)) != k:
        raise ValueError("maxes and item_ids must have one entry per item, the ids distinct")
    if not np.all(np.isfinite(x)) or not np.all(w > 0):
        raise ValueError("scores must be finite and maxes positive")

    totals = x.sum(axis=1)
    rest = totals[:, None] - x

    item_mean = x.mean(axis=0)
    dx = x - item_mean
    dr = rest - rest.mean(axis=0)
    item_ss = np.einsum("ij,ij->j", dx, dx)
    rest_ss = np.einsum("ij,ij->j", dr, dr)
    cross = np.einsum("ij,ij->j", dx, dr)
    # Pairing both columns in ascending order gives the largest possible covariance
    # (rearrangement inequality): Moodle's covariancemax.
    sorted_dx = np.sort(x, axis=0) - item_mean
    sorted_dr = np.sort(rest, axis=0) - rest.mean(axis=0)
    cross_max = np.einsum("ij,ij->j", sorted_dx, sorted_dr)
    # Exact constancy, not a variance threshold: floating sums of a constant column can leave
    # a tiny non-zero variance that would turn into a meaningless correlation.
    item_constant = np.ptp(x, axis=0) == 0
    rest_constant = np.ptp(rest, axis=0) == 0

    g = group_size(n)
    order = np.argsort(-totals, kind="stable")
    top, bottom = order[:g], order[n - g :]
    d27 = (x[top].mean(axis=0) - x[bottom].mean(axis=0)) / w

    items: dict[str, ItemStatistics] = {}
    for j, item_id in enumerate(item_ids):
        undefined = bool(item_constant[j] or rest_constant[j])
        di = None if undefined else _clip100(100.0 * cross[j] / math.sqrt(item_ss[j] * rest_ss[j]))
        de = None if undefined else _clip100(100.0 * cross[j] / cross_max[j])
        items[str(item_id)] = ItemStatistics(
            facility=float(item_mean[j] / w[j]),
            sd=math.sqrt(item_ss[j] / (n - 1)),
            discrimination_index=di,
            discriminative_efficiency=de,
            d27=float(d27[j]),
        )
    return ItemAnalysis(items=items, test=_test_statistics(x, w, totals, item_ss))


def _test_statistics(
    x: FloatMatrix, w: npt.NDArray[np.float64], totals: npt.NDArray[np.float64], item_ss: npt.NDArray[np.float64]
) -> TestStatistics:
    n, k = x.shape
    mean = float(totals.mean())
    d = totals - mean
    s2, s3, s4 = float(d @ d), float((d**2) @ d), float((d**2) @ (d**2))
    sd = math.sqrt(s2 / (n - 1))
    constant = bool(np.ptp(totals) == 0)

    skewness = kurtosis = None
    if not constant:
        m2, m3, m4 = s2 / n, s3 / n, s4 / n
        k2 = n * m2 / (n - 1)
        if n > 2:
            skewness = n * n * m3 / ((n - 1) * (n - 2)) / k2**1.5
        if n > 3:
            k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
            kurtosis = k4 / (k2 * k2)

    alpha = kr20 = cic = error_ratio = standard_error = None
    if k >= 2 and not constant:
        # Both variances over n - 1; the ratio is the same over n.
        alpha = min(1.0, k / (k - 1) * (1.0 - float(item_ss.sum()) / s2))
        cic = 100.0 * alpha
        error_ratio = 100.0 * math.sqrt(1.0 - alpha)
        standard_error = error_ratio * sd / 100.0
        if np.all(w == 1) and np.all((x == 0) | (x == 1)):
            p = x.mean(axis=0)
            kr20 = min(1.0, k / (k - 1) * (1.0 - float((p * (1 - p)).sum()) / (s2 / n)))

    return TestStatistics(
        n=n,
        mean=mean,
        median=float(np.median(totals)),
        sd=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        cronbach_alpha=alpha,
        kr20=kr20,
        cic=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


def _clip100(v: float) -> float:
    # |r| ≤ 1 and cov ≤ covmax hold exactly; rounding may overshoot by an ulp.
    return max(-100.0, min(100.0, float(v)))
