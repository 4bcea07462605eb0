"""Index build and check speed on synthetic corpora of ~10,000-character documents.

    .venv/bin/python bench/similarity/speed.py [--sizes 1000,10000,100000] [--dir /tmp/sgspeed]

For each size: documents (70 % Chinese, 30 % English; words drawn a third from 300 common
ones, the rest from a vocabulary of the Faker word lists, the corpus.py banks and 60,000
synthetic words) are generated and streamed into a fresh file index in batches; then a
30,000-character "thesis" holding ten 1,000-character passages copied from corpus documents
(half of them lightly disguised) is checked six times in one process that keeps the index
open, as a worker would, and once cold through `sanguan similarity check`.  Prints build
throughput (MB of UTF-8 text per second, generation time excluded), index size on disk,
the first and the median of the next five check times, the cold CLI time, recall of the
ten passages, and peak resident memory (`--reuse` checks against indexes built earlier).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import EN_ADJS, EN_NOUNS, EN_VERBS, ZH_ADJS, ZH_NOUNS, ZH_VERBS, _general

from sanguan.similarity.check import find_matches, report
from sanguan.similarity.extract import Document, cited_spans, structure
from sanguan.similarity.index import Index, NewDocument


def _vocab(seed: int, real: list[str], n: int, zh: bool) -> np.ndarray:
    """Real words first (the most frequent ranks), then `n` synthetic ones: Chinese words of
    one to four characters from the 3,000 first CJK code points of the common block, English
    pseudo-words of two to four syllables."""
    rng = np.random.default_rng(seed)
    if zh:
        chars = [chr(0x4E00 + i) for i in rng.choice(8000, 3000, replace=False)]
        syn = ["".join(rng.choice(chars, int(k))) for k in rng.choice([1, 2, 2, 2, 3, 4], n)]
    else:
        syl = ["ka", "lo", "mi", "ter", "san", "vel", "dor", "pri", "qua", "len", "bis", "tor", "gra", "fen", "mul",
               "sta", "ne", "ro", "ti", "as", "con", "ex", "pre", "ment", "al", "ic", "ous", "ive", "ure", "ist"]
        syn = ["".join(rng.choice(syl, int(k))) for k in rng.choice([2, 3, 3, 4], n)]
    words = list(dict.fromkeys(real + syn))
    rng.shuffle(words)
    return np.array(words)


ZH_WORDS = _vocab(1, list(_general("zh")) + [w for b in (ZH_NOUNS, ZH_VERBS, ZH_ADJS) for p in b for w in p],
                  60_000, True)
EN_WORDS = _vocab(2, list(_general("en")) + [w for b in (EN_NOUNS, EN_VERBS, EN_ADJS) for p in b for w in p],
                  60_000, False)


class Gen:
    def __init__(self, seed: int, chars: int):
        self.seed, self.chars, self.secs = seed, chars, 0.0

    def doc(self, i: int) -> str:
        rng = np.random.default_rng([self.seed, i])
        zh = i % 10 < 7
        words = ZH_WORDS if zh else EN_WORDS
        n = self.chars // (2 if zh else 6)
        # a third of the words from the 300 most common, the rest from the whole vocabulary:
        # common words recur in every document, most content words are rare, as in real text
        ranks = np.where(rng.random(n) < 0.35, rng.integers(0, 300, n), rng.integers(0, len(words), n))
        w = words[ranks].tolist()
        ends = rng.integers(8, 20, n // 8)
        out, k = [], 0
        for e in ends:
            if k >= n:
                break
            seg = w[k : k + int(e)]
            k += int(e)
            out.append(("".join(seg) + "。") if zh else (" ".join(seg).capitalize() + ". "))
        return "".join(out)[: self.chars]

    def stream(self, n: int):
        for i in range(n):
            t0 = time.perf_counter()
            d = NewDocument(f"doc{i:06d}.txt", self.doc(i))
            self.secs += time.perf_counter() - t0
            yield d


def thesis(gen: Gen, n_docs: int, seed: int) -> tuple[str, list[tuple[int, int, int]]]:
    rng = np.random.default_rng(seed)
    filler = Gen(seed + 999, 2000)
    parts, planted, pos = [], [], 0
    for j in range(10):
        f = filler.doc(10_000_000 + j)
        parts.append(f)
        pos += len(f)
        src = int(rng.integers(0, n_docs))
        text = gen.doc(src)
        at = int(rng.integers(0, len(text) - 1000))
        p = text[at : at + 1000]
        if j % 2:
            # light disguise: drop every 15th character of Chinese, every 8th word of English
            p = ("".join(c for k, c in enumerate(p) if k % 15 != 7) if src % 10 < 7
                 else " ".join(w for k, w in enumerate(p.split(" ")) if k % 8 != 5))
        parts.append(p)
        planted.append((pos, pos + len(p), src))
        pos += len(p)
    return "".join(parts), planted


def du(path: str) -> int:
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def run(size: int, base: str, chars: int, reuse: bool = False) -> dict:
    path = os.path.join(base, f"index-{size}")
    gen = Gen(1, chars)
    nbytes = 0
    if reuse and os.path.exists(os.path.join(path, "manifest.json")) and len(Index.open(path)) == size:
        return _check(size, path, gen, None, None)
    shutil.rmtree(path, ignore_errors=True)
    index = Index.open(path, create=True)
    t0 = time.perf_counter()

    def counted():
        nonlocal nbytes
        for d in gen.stream(size):
            nbytes += len(d.text.encode("utf-8"))
            yield d

    index.add(counted(), batch=5000, jobs=2)
    build = time.perf_counter() - t0 - gen.secs
    return _check(size, path, gen, build, nbytes)


def _check(size: int, path: str, gen: Gen, build: float | None, nbytes: int | None) -> dict:
    base = os.path.dirname(path)
    text, planted = thesis(gen, size, 7)
    doc = Document("thesis.txt", text, structure(text), cited_spans(text))
    times = []
    index = Index.open(path)  # kept open, as a worker process would: its memory maps stay warm
    for _ in range(6):
        t1 = time.perf_counter()
        ms = find_matches(index, doc)
        rep = report(doc, ms)
        times.append(time.perf_counter() - t1)
    first, times = times[0], times[1:]
    found = 0
    for a, b, src in planted:
        cov = sum(max(0, min(b, m.passage.this_end) - max(a, m.passage.this_start)) for m in ms
                  if m.source.name == f"doc{src:06d}.txt")
        found += cov >= 0.8 * (b - a)
    tpath = os.path.join(base, "thesis.txt")
    with open(tpath, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    exe = os.path.join(os.path.dirname(sys.executable), "sanguan")
    t2 = time.perf_counter()
    subprocess.run([exe, "similarity", "check", "--index", path, tpath, "--json"], check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)
    cold = time.perf_counter() - t2
    return {
        "documents": size,
        "text_mb": round(nbytes / 1e6, 1) if nbytes else None,
        "build_s": round(build, 1) if build else None,
        "build_mb_per_s": round(nbytes / 1e6 / build, 2) if build and nbytes else None,
        "index_mb": round(du(path) / 1e6, 1),
        "check_first_s": round(first, 3),
        "check_s_median": round(statistics.median(times), 3),
        "check_cold_cli_s": round(cold, 2),
        "passages_found": f"{found}/10",
        "copy_ratio": rep["copy_ratio"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--chars", type=int, default=10_000)
    ap.add_argument("--reuse", action="store_true", help="check against an index built by an earlier run")
    ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "sgspeed"))
    a = ap.parse_args(argv)
    os.makedirs(a.dir, exist_ok=True)
    for n in (int(x) for x in a.sizes.split(",")):
        print(json.dumps(run(n, a.dir, a.chars, a.reuse)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
