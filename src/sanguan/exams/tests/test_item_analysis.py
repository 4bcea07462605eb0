"""Item analysis on small matrices worked by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import json
import math

import pytest

from sanguan.exams.item_analysis import analyse, group_size

# Six candidates, three 0/1 items, in input order:
#
#        Q1 Q2 Q3 | total
#   c1    1  1  1 |  3
#   c2    1  1  0 |  2
#   c3    1  0  1 |  2
#   c4    0  1  0 |  1
#   c5    0  0  0 |  0
#   c6    1  0  0 |  1
BINARY = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 0, 0]]
IDS = ["Q1", "Q2", "Q3"]


def approx(v: float) -> object:
    return pytest.approx(v, rel=1e-12, abs=1e-12)


def test_facility_and_sd_are_mean_over_max_and_sample_sd():
    # given the binary sheet
    # when
    result = analyse(BINARY, [1, 1, 1], IDS)
    # then facility = p: 4/6, 3/6, 2/6; sample variance = n·p·q/(n-1):
    # Q1 6·(2/3)(1/3)/5 = 4/15, Q2 6·(1/4)/5 = 3/10, Q3 4/15
    assert result.items["Q1"].facility == approx(2 / 3)
    assert result.items["Q2"].facility == approx(1 / 2)
    assert result.items["Q3"].facility == approx(1 / 3)
    assert result.items["Q1"].sd == approx(math.sqrt(4 / 15))
    assert result.items["Q2"].sd == approx(math.sqrt(3 / 10))
    assert result.items["Q3"].sd == approx(math.sqrt(4 / 15))


def test_discrimination_index_is_100_times_correlation_with_rest_of_test():
    # given the binary sheet
    # when
    result = analyse(BINARY, [1, 1, 1], IDS)
    # then Q1: x = 1 1 1 0 0 1 (mean 2/3), rest = total - x = 2 1 1 1 0 0 (mean 5/6)
    #   Σdx·dr = (1/3)(7/6 + 1/6 + 1/6 - 5/6) + (-2/3)(1/6 - 5/6) = 4/18 + 8/18 = 2/3
    #   Σdx² = 4·(1/9) + 2·(4/9) = 4/3;  Σdr² = (49 + 1 + 1 + 1 + 25 + 25)/36 = 17/6
    #   r = (2/3) / √(4/3 · 17/6) = 2/√34
    # Q3: x = 1 0 1 0 0 0, rest = 2 2 1 1 0 1: the same sums by symmetry, r = 2/√34
    # Q2: x = 1 1 0 1 0 0, rest = 2 1 2 0 0 1, dx = ±1/2, dr = 1 0 1 -1 -1 0:
    #   Σdx·dr = 1/2 + 0 - 1/2 - 1/2 + 1/2 + 0 = 0
    assert result.items["Q1"].discrimination_index == approx(100 * 2 / math.sqrt(34))
    assert result.items["Q3"].discrimination_index == approx(100 * 2 / math.sqrt(34))
    assert result.items["Q2"].discrimination_index == approx(0.0)


def test_discriminative_efficiency_divides_by_covariance_of_sorted_columns():
    # given the binary sheet
    # when
    result = analyse(BINARY, [1, 1, 1], IDS)
    # then Q1: sorted x = 0 0 1 1 1 1, sorted rest = 0 0 1 1 1 2 (means 2/3, 5/6)
    #   Σ = 2·(-2/3)(-5/6) + (1/3)(1/6 + 1/6 + 1/6 + 7/6) = 20/18 + 10/18 = 5/3
    #   efficiency = 100 · (2/3) / (5/3) = 40 (the n-1 cancels)
    # Q3: sorted x = 0 0 0 0 1 1, sorted rest = 0 1 1 1 2 2 (means 1/3, 7/6)
    #   Σ = (-1/3)(-7/6 - 1/6 - 1/6 - 1/6) + 2·(2/3)(5/6) = 10/18 + 20/18 = 5/3 → 40
    # Q2: covariance 0 → 0
    assert result.items["Q1"].discriminative_efficiency == approx(40.0)
    assert result.items["Q3"].discriminative_efficiency == approx(40.0)
    assert result.items["Q2"].discriminative_efficiency == approx(0.0)


def test_d27_takes_round_027n_candidates_each_end_keeping_ties_in_input_order():
    # given the binary sheet: n = 6, g = round(1.62) = 2
    # when
    result = analyse(BINARY, [1, 1, 1], IDS)
    # then ranked by total, stable: c1(3) c2(2) c3(2) c4(1) c6(1) c5(0)
    #   top = c1, c2 (c2 before c3, tied at 2); bottom = c6, c5 (c6 after c4, tied at 1)
    #   Q1: top 1 1, bottom 1 0 → 1 - 1/2 = 1/2
    #   Q2: top 1 1, bottom 0 0 → 1
    #   Q3: top 1 0, bottom 0 0 → 1/2
    # (ties broken the other way would give Q1: top c1 c3 = 1, bottom c4 c5 = 0 → 1)
    assert [result.items[i].d27 for i in IDS] == [approx(0.5), approx(1.0), approx(0.5)]


def test_test_statistics_of_the_binary_sheet():
    # given the binary sheet: totals 3 2 2 1 0 1
    # when
    t = analyse(BINARY, [1, 1, 1], IDS).test
    # then mean 9/6 = 1.5; sorted 0 1 1 2 2 3 → median (1 + 2)/2 = 1.5
    #   deviations 1.5 .5 .5 -.5 -1.5 -.5: Σd² = 2·2.25 + 4·.25 = 5.5 → sample var 1.1
    #   Σd³ = 0 → skewness 0
    #   Σd⁴ = 2·5.0625 + 4·.0625 = 10.375; m2 = 5.5/6, m4 = 10.375/6, k2 = 1.1
    #   k4 = 36·(7·m4 - 15·m2²)/(5·4·3) = 36·(12.1041667 - 12.6041667)/60 = -0.3
    #   kurtosis = k4/k2² = -0.3/1.21 = -30/121
    #   item variances sum 4/15 + 3/10 + 4/15 = 5/6; α = 3/2·(1 - (5/6)/1.1) = 3/2·8/33 = 4/11
    #   kr20: Σpq = 2/9 + 1/4 + 2/9 = 25/36, population var 5.5/6 = 11/12 → 3/2·(1 - 25/33) = 4/11
    #   error ratio 100·√(7/11); standard error √(7/11)·√1.1 = √0.7
    assert t.n == 6
    assert t.mean == approx(1.5)
    assert t.median == approx(1.5)
    assert t.sd == approx(math.sqrt(1.1))
    assert t.skewness == approx(0.0)
    assert t.kurtosis == approx(-30 / 121)
    assert t.cronbach_alpha == approx(4 / 11)
    assert t.kr20 == approx(4 / 11)
    assert t.cic == approx(400 / 11)
    assert t.error_ratio == approx(100 * math.sqrt(7 / 11))
    assert t.standard_error == approx(math.sqrt(0.7))


def test_polytomous_items_are_divided_by_their_max_and_have_no_kr20():
    # given two items, max 2 and 4, half marks:
    #        P1  P2  | total
    #   a    2   3.5 | 5.5
    #   b    1   0   | 1
    #   c    0   4   | 4
    #   d    1.5 1   | 2.5
    scores = [[2, 3.5], [1, 0], [0, 4], [1.5, 1]]
    # when
    result = analyse(scores, [2, 4], ["P1", "P2"])
    # then facility P1 = (4.5/4)/2 = 0.5625, P2 = (8.5/4)/4 = 0.53125
    #   P1 deviations from 1.125: .875 -.125 -1.125 .375, Σ² = 2.1875 → sd √(2.1875/3), in marks
    #   g = round(1.08) = 1: top a (5.5), bottom b (1): P1 (2 - 1)/2 = 0.5, P2 (3.5 - 0)/4 = 0.875
    #   α = 2·(1 - (2.1875 + 11.1875)/11.25) = -0.3777…; kr20 None (not 0/1)
    assert result.items["P1"].facility == approx(0.5625)
    assert result.items["P2"].facility == approx(0.53125)
    assert result.items["P1"].sd == approx(math.sqrt(2.1875 / 3))
    assert result.items["P1"].d27 == approx(0.5)
    assert result.items["P2"].d27 == approx(0.875)
    assert result.test.cronbach_alpha == approx(2 * (1 - 13.375 / 11.25))
    assert result.test.kr20 is None


def test_constant_item_has_null_discrimination_not_nan():
    # given Q2 answered right by everyone (zero variance)
    scores = [[1, 1], [0, 1], [1, 1], [0, 1]]
    # when
    result = analyse(scores, [1, 1], ["Q1", "Q2"])
    # then Q2's correlation is undefined, and Q1's rest (= Q2) is constant too
    assert result.items["Q2"].sd == 0.0
    assert result.items["Q2"].discrimination_index is None
    assert result.items["Q2"].discriminative_efficiency is None
    assert result.items["Q1"].discrimination_index is None
    json.dumps(result.as_dict(), allow_nan=False)


def test_equal_totals_leave_alpha_skewness_and_kurtosis_null():
    # given every candidate scoring 1 of 2, on different items
    scores = [[1, 0], [0, 1], [1, 0], [0, 1]]
    # when
    result = analyse(scores, [1, 1], ["Q1", "Q2"])
    # then rest = 1 - x, so r = -1 and both columns are mirror images: efficiency
    #   cov = Σ(±1/2)(∓1/2) = -1, covmax over sorted columns = +1 → -100
    t = result.test
    assert (t.sd, t.median, t.mean) == (0.0, 1.0, 1.0)
    assert (t.skewness, t.kurtosis, t.cronbach_alpha, t.kr20, t.cic, t.error_ratio, t.standard_error) == (None,) * 7
    assert result.items["Q1"].discrimination_index == approx(-100.0)
    assert result.items["Q1"].discriminative_efficiency == approx(-100.0)
    json.dumps(result.as_dict(), allow_nan=False)


def test_single_item_has_no_alpha_and_no_discrimination():
    # given one item: the rest of the test is empty (all 0)
    # when
    result = analyse([[1], [0], [1]], [1], ["Q1"])
    # then
    assert result.items["Q1"].discrimination_index is None
    assert result.test.cronbach_alpha is None
    assert result.test.kr20 is None
    # n = 3: skewness defined (totals 1 0 1: k3 < 0), kurtosis needs n > 3
    assert result.test.skewness is not None and result.test.skewness < 0
    assert result.test.kurtosis is None


@pytest.mark.parametrize(
    ("n", "g"),
    [(2, 1), (5, 1), (6, 2), (50, 14), (120, 32), (150, 41), (200, 54), (250, 68), (350, 95), (10_000, 2700)],
)
def test_group_size_rounds_half_up(n, g):
    # given n candidates; 0.27·150 = 40.5 → 41 (Python's round would give 40)
    # when / then
    assert group_size(n) == g


def test_analyse_refuses_fewer_than_two_candidates():
    # given one candidate
    # when / then
    with pytest.raises(ValueError, match="at least 2 candidates"):
        analyse([[1, 0]], [1, 1], ["Q1", "Q2"])
