"""Figures per disguise type on the generated corpus (see corpus.py).

    .venv/bin/python bench/similarity/corpus.py /tmp/sgcorpus
    .venv/bin/python bench/similarity/evaluate.py /tmp/sgcorpus

Prints PlagDet, precision, recall and granularity per type and overall (Potthast et al.
2010, `sanguan.similarity.evaluation`), and for the negatives the detections longer than
50 characters.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from multiprocessing import Pool

from sanguan.similarity.align import align
from sanguan.similarity.evaluation import Span, read_pan_xml, scores

_ROOT = ""


def _read(p: str) -> str:
    with open(p, encoding="utf-8", newline="") as f:
        return f.read()


def _run(pair: tuple[str, str]) -> list[Span]:
    s, r = pair
    got = align(_read(os.path.join(_ROOT, "susp", s)), _read(os.path.join(_ROOT, "src", r)))
    return [Span(s, p.this_start, p.this_end - p.this_start, r, p.source_start, p.source_end - p.source_start)
            for p in got]


def _init(root: str) -> None:
    global _ROOT
    _ROOT = root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    a = ap.parse_args(argv)
    with open(os.path.join(a.corpus, "types.json")) as f:
        types = json.load(f)
    pairs = [tuple(k.split()) for k in types]
    with Pool(2, initializer=_init, initargs=(a.corpus,)) as pool:
        dets = dict(zip(pairs, pool.map(_run, pairs, chunksize=4), strict=True))
    rows = {}
    all_c, all_d = [], []
    for kind in ("verbatim", "light", "heavy", "reorder", "multi", "negative"):
        ps = [p for p in pairs if types[" ".join(p)] == kind]
        cases = [c for s, r in ps for c in read_pan_xml(os.path.join(a.corpus, f"{s[:-4]}-{r[:-4]}.xml"),
                                                      feature="plagiarism")]
        d = [x for p in ps for x in dets[p]]
        all_c += cases
        all_d += d
        if kind == "negative":
            long_ = [x for x in d if x.this_length > 50]
            rows[kind] = {"pairs": len(ps), "detections": len(d), "over_50_chars": len(long_),
                          "longest": max((x.this_length for x in d), default=0)}
        else:
            rows[kind] = scores(cases, d).as_dict() | {"pairs": len(ps)}
        print(f"{kind:10s} {json.dumps(rows[kind])}")
    rows["overall"] = scores(all_c, all_d).as_dict()
    print(f"{'overall':10s} {json.dumps(rows['overall'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
