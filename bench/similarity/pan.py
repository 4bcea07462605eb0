"""PAN 2013 text-alignment benchmark: PlagDet, precision, recall, granularity per sub-corpus.

The corpora are read from a local copy, never committed.  Get them with the search
tool's `fetch` of `ArijanaBrlek/PlagiarismDetection` and unpack:

    git --git-dir=/work/.mirror/ArijanaBrlek+PlagiarismDetection/repo/.git archive HEAD \
        data/train_corpus data/test_corpus | tar x -C /tmp/pan

    .venv/bin/python bench/similarity/pan.py /tmp/pan/data/train_corpus [--limit 200] [--set gap=5 ...]
    .venv/bin/python bench/similarity/pan.py /tmp/pan/data/test_corpus      # once, at the end

Tune on the training corpus only.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from multiprocessing import Pool

from sanguan.similarity.align import Params, align
from sanguan.similarity.evaluation import Span, read_pan_xml, scores

SUBS = ["01-no-plagiarism", "02-no-obfuscation", "03-random-obfuscation", "04-translation-obfuscation",
        "05-summary-obfuscation"]
_PARAMS = Params()
_ROOT = ""


def _read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _run(pair: tuple[str, str]) -> list[Span]:
    s, r = pair
    got = align(_read(os.path.join(_ROOT, "susp", s)), _read(os.path.join(_ROOT, "src", r)), _PARAMS)
    return [Span(s, p.this_start, p.this_end - p.this_start, r, p.source_start, p.source_end - p.source_start)
            for p in got]


def _init(root: str, params: Params) -> None:
    global _ROOT, _PARAMS
    _ROOT, _PARAMS = root, params


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=0, help="sample this many pairs per sub-corpus (seeded)")
    ap.add_argument("--subs", default=",".join(SUBS))
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override an align.Params field")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    fields = {f.name: f.type for f in dataclasses.fields(Params)}
    over = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        over[k] = {"float": float, "int": int, "bool": lambda x: x in ("1", "true", "True")}[fields[k]](v)
    params = dataclasses.replace(Params(), **over)
    rows, all_cases, all_dets = {}, [], []
    t0 = time.time()
    with Pool(a.jobs, initializer=_init, initargs=(a.corpus, params)) as pool:
        for sub in a.subs.split(","):
            d = os.path.join(a.corpus, sub)
            with open(os.path.join(d, "pairs")) as f:
                pairs = [tuple(line.split()) for line in f if line.strip()]
            if a.limit and len(pairs) > a.limit:
                pairs = random.Random(1).sample(pairs, a.limit)
            cases = []
            for s, r in pairs:
                x = os.path.join(d, f"{s[:-4]}-{r[:-4]}.xml")
                if os.path.exists(x):
                    cases += read_pan_xml(x, feature="plagiarism")
            dets = [sp for got in pool.map(_run, pairs, chunksize=8) for sp in got]
            sc = scores(cases, dets)
            rows[sub] = sc.as_dict() | {"pairs": len(pairs)}
            all_cases += cases
            all_dets += dets
            print(f"{sub:28s} {json.dumps(rows[sub])}", flush=True)
    rows["overall"] = scores(all_cases, all_dets).as_dict()
    print(f"{'overall':28s} {json.dumps(rows['overall'])}")
    print(f"params {json.dumps(dataclasses.asdict(params))}  ({time.time() - t0:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
