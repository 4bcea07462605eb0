from __future__ import annotations

import math

import pytest

from sanguan.similarity.evaluation import Span, granularity, macro_precision, macro_recall, read_pan_xml, scores


def sp(t0, tl, s0, sl, s="s.txt", r="r.txt"):
    return Span(s, t0, tl, r, s0, sl)


def test_perfect_detection_scores_one():
    c = [sp(100, 50, 10, 50)]
    sc = scores(c, c)
    assert (sc.plagdet, sc.precision, sc.recall, sc.granularity) == (1.0, 1.0, 1.0, 1.0)


def test_recall_counts_both_sides_and_precision_is_recall_with_roles_swapped():
    # given a case of 100 + 100 characters and a detection covering half of each side plus 50 more
    case = [sp(0, 100, 0, 100)]
    det = [sp(50, 100, 50, 100)]
    # then recall is (50 + 50) / 200 and precision (50 + 50) / 200
    assert macro_recall(case, det) == pytest.approx(0.5)
    assert macro_precision(case, det) == pytest.approx(0.5)


def test_a_detection_must_overlap_both_sides_to_count():
    case = [sp(0, 100, 0, 100)]
    det = [sp(0, 100, 500, 100)]  # right place in the suspicious text, wrong place in the source
    assert macro_recall(case, det) == 0.0


def test_granularity_counts_detections_per_detected_case_and_divides_plagdet():
    # given one case found in two halves, and one case missed
    cases = [sp(0, 100, 0, 100), sp(1000, 100, 1000, 100)]
    dets = [sp(0, 50, 0, 50), sp(50, 50, 50, 50)]
    # then granularity is 2, recall 1/2, precision 1
    assert granularity(cases, dets) == 2.0
    sc = scores(cases, dets)
    assert sc.recall == pytest.approx(0.5) and sc.precision == 1.0
    assert sc.plagdet == pytest.approx((2 * 0.5 / 1.5) / math.log2(3))


def test_other_document_pairs_do_not_mix():
    assert macro_recall([sp(0, 100, 0, 100)], [sp(0, 100, 0, 100, r="other.txt")]) == 0.0


def test_empty_sets():
    assert scores([], []).plagdet == pytest.approx(1.0)
    assert scores([sp(0, 1, 0, 1)], []).plagdet == 0.0


def test_pan_xml_is_read(tmp_path):
    p = tmp_path / "x.xml"
    p.write_text('<document reference="s.txt"><feature name="plagiarism" this_offset="5" this_length="10" '
                 'source_reference="r.txt" source_offset="7" source_length="12"/>'
                 '<feature name="about" authors="x"/></document>')
    assert read_pan_xml(str(p)) == [Span("s.txt", 5, 10, "r.txt", 7, 12)]
