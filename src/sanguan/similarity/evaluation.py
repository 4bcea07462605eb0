"""PlagDet, precision, recall and granularity as defined by Potthast, Stein, Barrón-Cedeño
and Rosso (2010), "An Evaluation Framework for Plagiarism Detection", and as computed by
the PAN text-alignment evaluator.

A case or detection is a character range in a suspicious document and one in a source
document.  A detection *detects* a case when both ranges overlap the case's (same pair
of documents).  Recall is the mean over cases of the fraction of the case's characters
(suspicious and source sides counted together) covered by the detections that detect it;
precision is the same with the roles of cases and detections exchanged.  Granularity is
the mean number of detections per detected case; ``plagdet = F1 / log2(1 + granularity)``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    this_reference: str
    this_offset: int
    this_length: int
    source_reference: str
    source_offset: int
    source_length: int


def _overlaps(a: Span, b: Span) -> bool:
    return (
        a.this_reference == b.this_reference
        and a.source_reference == b.source_reference
        and b.this_offset + b.this_length > a.this_offset
        and b.this_offset < a.this_offset + a.this_length
        and b.source_offset + b.source_length > a.source_offset
        and b.source_offset < a.source_offset + a.source_length
    )


def _union(iv: Iterable[tuple[int, int]]) -> int:
    total, end = 0, None
    for lo, hi in sorted(iv):
        if hi <= lo:
            continue
        if end is None or lo >= end:
            total, end = total + hi - lo, hi
        elif hi > end:
            total, end = total + hi - end, hi
    return total


def _index(spans: Iterable[Span]) -> dict[tuple[str, str], list[Span]]:
    out: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for s in spans:
        out[(s.this_reference, s.source_reference)].append(s)
    return out


def _case_recall(case: Span, dets: list[Span]) -> float:
    t0, t1 = case.this_offset, case.this_offset + case.this_length
    s0, s1 = case.source_offset, case.source_offset + case.source_length
    hit = [d for d in dets if _overlaps(case, d)]
    got = _union((max(d.this_offset, t0), min(d.this_offset + d.this_length, t1)) for d in hit)
    got += _union((max(d.source_offset, s0), min(d.source_offset + d.source_length, s1)) for d in hit)
    return got / (case.this_length + case.source_length)


def macro_recall(cases: list[Span], detections: list[Span]) -> float:
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    idx = _index(detections)
    return sum(_case_recall(c, idx.get((c.this_reference, c.source_reference), [])) for c in cases) / len(cases)


def macro_precision(cases: list[Span], detections: list[Span]) -> float:
    return macro_recall(detections, cases)


def granularity(cases: list[Span], detections: list[Span]) -> float:
    if not detections:
        return 1.0
    idx = _index(detections)
    counts = [n for c in cases if (n := sum(1 for d in idx.get((c.this_reference, c.source_reference), [])
                                            if _overlaps(c, d)))]
    return sum(counts) / len(counts) if counts else 1.0


@dataclass(frozen=True)
class Scores:
    plagdet: float
    precision: float
    recall: float
    granularity: float
    cases: int
    detections: int

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def scores(cases: list[Span], detections: list[Span]) -> Scores:
    p = macro_precision(cases, detections)
    r = macro_recall(cases, detections)
    g = granularity(cases, detections)
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return Scores(f1 / math.log2(1 + g), p, r, g, len(cases), len(detections))


def read_pan_xml(path: str, *, feature: str | None = None) -> list[Span]:
    """Spans of a PAN text-alignment XML file (truth: name="plagiarism"; ours: "detected-plagiarism")."""
    root = ET.parse(path).getroot()  # noqa: S314 — local benchmark files
    ref = root.get("reference", "")
    out = []
    for f in root.iter("feature"):
        if "this_offset" not in f.attrib or (feature and f.get("name") != feature):
            continue
        out.append(Span(ref, int(f.get("this_offset")), int(f.get("this_length")), f.get("source_reference", ""),
                        int(f.get("source_offset", 0)), int(f.get("source_length", 0))))
    return out
