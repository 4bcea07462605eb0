"""Passage alignment between a suspicious and a source text.

After Sanchez-Perez, Sidorov and Gelbukh (PAN 2014), with character-exact edges:

1. **Units.** Both texts are cut into sentences (`segment`); each sentence is a bag of
   features — stemmed non-stop Latin words and CJK character bigrams — weighted by tf-idf,
   the idf taken over the sentences of both texts.
2. **Seeding.** A sentence pair is a seed when both its cosine and its Dice coefficient
   pass a threshold: near-copies, synonym substitution and word shuffling keep many
   features; merged or split sentences keep enough for one of the parts.
3. **Extension.** Seeds are clustered alternately by their position in the suspicious
   and in the source text, cutting where the gap exceeds ``gap`` sentences, until stable:
   reordered sentences and clauses within a passage stay in one cluster.  A cluster whose
   two fragments are not similar enough as wholes is re-clustered with a smaller gap.
4. **Filtering.** Overlaps on the suspicious side are resolved in favour of the more
   similar case; cases shorter than ``min_chars`` are dropped (a CJK
   character weighing 2.5: Chinese packs more into a character).
5. **Summary mode.** Summaries compress a long source passage into a few sentences; the
   extension is re-run with a much larger gap on the source side, and its cases are kept
   when their source side is several times longer than their suspicious side.
6. **Edges.** Each case is trimmed on both sides to the first and last token n-gram that
   the two fragments share, so a copied passage that starts or ends mid-sentence is
   reported on its exact characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .normalize import CJK, Tokens, tokenize
from .segment import sentences


@dataclass(frozen=True)
class Params:
    th_cos: float = 0.33
    th_dice: float = 0.33
    th_valid: float = 0.34
    gap: int = 5
    min_gap: int = 1
    min_chars: int = 150
    min_tokens: int = 3
    summary_gap: int = 24
    summary_ratio: float = 3.0
    summary_th: float = 0.2
    summary_min_chars: int = 150
    summary_th_cos: float = 0.33
    summary_th_dice: float = 0.33
    summary_doc_share: float = 0.25
    summary_join: int = 300
    trim_n: int = 3
    trim_density: float = 0.5
    summary: bool = True
    weak_ratio: float = 0.6
    ngram_seeds: int = 0
    weak_max: float = 0.5


@dataclass(frozen=True, order=True)
class Passage:
    """A detected case; offsets are [start, end) in characters of the texts as read."""

    this_start: int
    this_end: int
    source_start: int
    source_end: int
    score: float = field(default=0.0, compare=False)


@dataclass
class Prepared:
    """A text cut into sentences with its features, reusable across many pairs."""

    text: str
    toks: Tokens
    sents: list[tuple[int, int]]
    feat_sent: np.ndarray  # sentence index per feature occurrence
    feat_hash: np.ndarray  # feature hash per occurrence
    tok_feat: np.ndarray  # hash of the n-gram (trim_n) starting at each token, 0 if none
    cjk_cum: np.ndarray  # number of CJK tokens before each token index
    ng_hash: np.ndarray  # hashes of content-token 3-grams
    ng_sent: np.ndarray  # sentence of each such 3-gram's first token


def prepare(text: str, params: Params | None = None, toks: Tokens | None = None) -> Prepared:
    p = params or Params()
    toks = tokenize(text) if toks is None else toks
    sents = sentences(text, toks, min_tokens=p.min_tokens)
    n = len(toks)
    sent_of = np.zeros(n, dtype=np.int64)
    for k, (lo, hi) in enumerate(sents):
        sent_of[lo:hi] = k
    # Latin: non-stop words; CJK: bigrams of adjacent CJK characters in one sentence
    word = (toks.kinds != CJK) & ~toks.stop
    fs = [sent_of[word]]
    fh = [toks.hashes[word]]
    if n > 1:
        cjk = toks.kinds == CJK
        pair = cjk[:-1] & cjk[1:] & (sent_of[:-1] == sent_of[1:])
        with np.errstate(over="ignore"):
            bh = toks.hashes[:-1][pair] * np.uint64(31) + toks.hashes[1:][pair]
        fs.append(sent_of[:-1][pair])
        fh.append(bh)
    tok_feat = _ngram_hashes(toks, p.trim_n)
    cjk_cum = np.concatenate(([0], np.cumsum(toks.kinds == CJK)))
    content = np.nonzero(~toks.stop)[0]
    ch = toks.hashes[content]
    if len(ch) >= 3:
        with np.errstate(over="ignore"):
            ng = (ch[:-2] * np.uint64(1000003) + ch[1:-1]) * np.uint64(1000003) + ch[2:]
        ng_sent = sent_of[content[:-2]]
    else:
        ng, ng_sent = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return Prepared(text, toks, sents, np.concatenate(fs), np.concatenate(fh), tok_feat, cjk_cum, ng, ng_sent)


def _ngram_hashes(toks: Tokens, n: int) -> np.ndarray:
    h = toks.hashes
    out = np.zeros(len(h), dtype=np.uint64)
    if len(h) < n:
        return out
    acc = h[: len(h) - n + 1].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            acc = acc * np.uint64(1000003) + h[k : len(h) - n + 1 + k]
    out[: len(acc)] = acc | np.uint64(1)
    return out


def _matrices(a: Prepared, b: Prepared):
    na, nb = len(a.sents), len(b.sents)
    allh = np.concatenate((a.feat_hash, b.feat_hash))
    uniq, inv = np.unique(allh, return_inverse=True)
    ia, ib = inv[: len(a.feat_hash)], inv[len(a.feat_hash) :]
    ones_a = np.ones(len(ia), dtype=np.float64)
    ones_b = np.ones(len(ib), dtype=np.float64)
    ca = sparse.csr_matrix((ones_a, (a.feat_sent, ia)), shape=(na, len(uniq)))
    cb = sparse.csr_matrix((ones_b, (b.feat_sent, ib)), shape=(nb, len(uniq)))
    ca.sum_duplicates()
    cb.sum_duplicates()
    ba = ca.copy()
    ba.data[:] = 1.0
    bb = cb.copy()
    bb.data[:] = 1.0
    df = np.asarray(ba.sum(axis=0)).ravel() + np.asarray(bb.sum(axis=0)).ravel()
    idf = np.log((na + nb) / np.maximum(df, 1))
    wa = ca.multiply(idf).tocsr()
    wb = cb.multiply(idf).tocsr()
    return wa, wb, ba, bb


def _norm_rows(m):
    n = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    n[n == 0] = 1.0
    return sparse.diags(1.0 / n) @ m


def _cos(u: np.ndarray, v: np.ndarray) -> float:
    # element-wise sums, not BLAS: a BLAS call on a loaded machine costs milliseconds of thread spin
    nu, nv = float(np.sqrt((u * u).sum())), float(np.sqrt((v * v).sum()))
    return float((u * v).sum()) / (nu * nv) if nu and nv else 0.0


def _split(group, side, gap):
    s = sorted(group, key=lambda q: q[side])
    out, cur = [], [s[0]]
    for q in s[1:]:
        if q[side] - cur[-1][side] > gap:
            out.append(cur)
            cur = [q]
        else:
            cur.append(q)
    out.append(cur)
    return out


def _cluster(seeds, gap_a, gap_b):
    groups, side, stable = [seeds], 0, 0
    while stable < 2:
        new = []
        for g in groups:
            new.extend(_split(g, side, gap_a if side == 0 else gap_b))
        stable = stable + 1 if len(new) == len(groups) else 0
        groups, side = new, side ^ 1
    return groups


class _Pair:
    def __init__(self, a: Prepared, b: Prepared):
        self.a, self.b = a, b
        self.wa, self.wb, self.ba, self.bb = _matrices(a, b)

    def frag_vec(self, w, lo, hi):
        return np.asarray(w[lo : hi + 1].sum(axis=0)).ravel()

    def frag_sim(self, i0, i1, j0, j1):
        return _cos(self.frag_vec(self.wa, i0, i1), self.frag_vec(self.wb, j0, j1))

    def seeds(self, th_cos, th_dice):
        cos = (_norm_rows(self.wa) @ _norm_rows(self.wb).T).tocoo()
        keep = cos.data > th_cos
        ii, jj = cos.row[keep], cos.col[keep]
        if not len(ii):
            return []
        la = np.asarray(self.ba.sum(axis=1)).ravel()
        lb = np.asarray(self.bb.sum(axis=1)).ravel()
        inter = np.asarray((self.ba[ii].multiply(self.bb[jj])).sum(axis=1)).ravel()
        dice = 2 * inter / np.maximum(la[ii] + lb[jj], 1)
        ok = dice > th_dice
        return list(zip(ii[ok].tolist(), jj[ok].tolist(), strict=True))

    def ngram_seeds(self, min_shared: int) -> list[tuple[int, int]]:
        """Sentence pairs sharing at least `min_shared` content-token 3-grams: reordered or
        partly replaced words leave some 3-grams intact even when the bags drift apart."""
        a, b = self.a, self.b
        common = np.intersect1d(a.ng_hash, b.ng_hash)
        if not len(common):
            return []
        ma = np.isin(a.ng_hash, common)
        mb = np.isin(b.ng_hash, common)
        where: dict[int, list[int]] = {}
        for h, sj in zip(b.ng_hash[mb].tolist(), b.ng_sent[mb].tolist(), strict=True):
            where.setdefault(h, []).append(sj)
        counts: dict[tuple[int, int], int] = {}
        for h, si in zip(a.ng_hash[ma].tolist(), a.ng_sent[ma].tolist(), strict=True):
            js = where.get(h, ())
            if len(js) > 3:
                continue  # a stock phrase
            for sj in js:
                counts[(si, sj)] = counts.get((si, sj), 0) + 1
        return [k for k, c in counts.items() if c >= min_shared]

    def extend(self, seeds, gap_a, gap_b, th, min_gap):
        out = []
        for g in _cluster(seeds, gap_a, gap_b):
            i0, i1 = min(q[0] for q in g), max(q[0] for q in g)
            j0, j1 = min(q[1] for q in g), max(q[1] for q in g)
            sim = self.frag_sim(i0, i1, j0, j1)
            if sim > th:
                out.append((i0, i1, j0, j1, sim))
            elif len(g) > 1 and min(gap_a, gap_b) > min_gap:
                out.extend(self.extend(g, max(gap_a - 1, min_gap), max(gap_b - 1, min_gap), th, min_gap))
        return out


def _chars(p: Prepared, lo: int, hi: int) -> tuple[int, int]:
    """Character span of sentences lo..hi (inclusive)."""
    t0, t1 = p.sents[lo][0], p.sents[hi][1] - 1
    return int(p.toks.starts[t0]), int(p.toks.ends[t1])


def _resolve(cases: list[tuple[int, int, int, int, float]]):
    """Greedy by similarity: a case overlapping a better one on the suspicious side is
    cut to the part outside it, or dropped."""
    kept: list[list] = []
    for c in sorted(cases, key=lambda c: -c[4]):
        i0, i1, j0, j1, s = c
        for k in kept:
            if i0 > k[1] or i1 < k[0]:
                continue
            if i0 >= k[0] and i1 <= k[1]:
                i0 = i1 + 1
                break
            if i0 < k[0]:
                i1 = k[0] - 1
            else:
                i0 = k[1] + 1
        if i0 <= i1:
            kept.append([i0, i1, j0, j1, s])
    return [tuple(k) for k in kept]


def _trim(a: Prepared, b: Prepared, c: Passage, n: int, trim_density: float, gap: int = 24) -> Passage:
    """Narrow a case to its densest chain of shared token n-grams, then extend it over
    identical tokens on both ends (with small re-anchoring steps)."""
    a0 = int(np.searchsorted(a.toks.starts, c.this_start))
    a1 = int(np.searchsorted(a.toks.ends, c.this_end, side="right"))
    b0 = int(np.searchsorted(b.toks.starts, c.source_start))
    b1 = int(np.searchsorted(b.toks.ends, c.source_end, side="right"))
    fa = a.tok_feat[a0 : max(a0, a1 - n + 1)]
    fb = b.tok_feat[b0 : max(b0, b1 - n + 1)]
    if not len(fa) or not len(fb):
        return c
    where: dict[int, list[int]] = {}
    for j in np.nonzero(np.isin(fb, fa))[0].tolist():
        where.setdefault(int(fb[j]), []).append(j)
    pairs = [(i, j) for i in np.nonzero(np.isin(fa, fb))[0].tolist() for j in where.get(int(fa[i]), ())]
    if len(pairs) < 2:
        return c
    if len(pairs) > 20000:
        return c
    best = max(_cluster(pairs, gap, gap), key=lambda g: (len(g), -min(q[0] for q in g)))
    if len(best) < 2 or len(best) < trim_density * len(fa):
        return c
    i0, i1 = a0 + min(q[0] for q in best), a0 + max(q[0] for q in best) + n - 1
    j0, j1 = b0 + min(q[1] for q in best), b0 + max(q[1] for q in best) + n - 1
    i0, j0 = _extend_back(a, b, i0, j0)
    i1, j1 = _extend_fwd(a, b, i1, j1)
    return Passage(int(a.toks.starts[i0]), int(a.toks.ends[i1]), int(b.toks.starts[j0]), int(b.toks.ends[j1]),
                   c.score)


def _extend_fwd(a: Prepared, b: Prepared, i: int, j: int, look: int = 4) -> tuple[int, int]:
    ha, hb = a.toks.hashes, b.toks.hashes
    na, nb = len(ha), len(hb)
    while True:
        if i + 1 < na and j + 1 < nb and ha[i + 1] == hb[j + 1]:
            i, j = i + 1, j + 1
            continue
        step = None
        for di in range(1, look + 1):
            for dj in range(1, look + 1):
                if (i + di + 2 < na and j + dj + 2 < nb and ha[i + di] == hb[j + dj]
                        and ha[i + di + 1] == hb[j + dj + 1] and ha[i + di + 2] == hb[j + dj + 2]):
                    step = (di, dj)
                    break
            if step:
                break
        if not step:
            return i, j
        i, j = i + step[0], j + step[1]


def _extend_back(a: Prepared, b: Prepared, i: int, j: int, look: int = 4) -> tuple[int, int]:
    ha, hb = a.toks.hashes, b.toks.hashes
    while True:
        if i > 0 and j > 0 and ha[i - 1] == hb[j - 1]:
            i, j = i - 1, j - 1
            continue
        step = None
        for di in range(1, look + 1):
            for dj in range(1, look + 1):
                if (i - di - 2 >= 0 and j - dj - 2 >= 0 and ha[i - di] == hb[j - dj]
                        and ha[i - di - 1] == hb[j - dj - 1] and ha[i - di - 2] == hb[j - dj - 2]):
                    step = (di, dj)
                    break
            if step:
                break
        if not step:
            return i, j
        i, j = i - step[0], j - step[1]


def align_prepared(a: Prepared, b: Prepared, params: Params | None = None) -> list[Passage]:
    """Cases of text `b` (source) reused in text `a` (suspicious)."""
    p = params or Params()
    if not a.sents or not b.sents:
        return []
    pair = _Pair(a, b)
    seeds = pair.seeds(p.th_cos, p.th_dice)
    if p.ngram_seeds:
        seeds = sorted(set(seeds) | set(pair.ngram_seeds(p.ngram_seeds)))
    if not seeds:
        return []
    cases = _resolve(pair.extend(seeds, p.gap, p.gap, p.th_valid, p.min_gap))
    out = _to_passages(a, b, cases, p.min_chars)
    if p.trim_n:
        out = [_trim(a, b, c, p.trim_n, p.trim_density) for c in out]
        out = [c for c in out if _long_enough(a, b, c, p.min_chars)]
    b_lo, b_hi = (int(b.toks.starts[0]), int(b.toks.ends[-1])) if len(b.toks) else (0, 0)
    if p.summary:
        sseeds = pair.seeds(p.summary_th_cos, p.summary_th_dice) if p.summary_th_cos < p.th_cos else seeds
        summ = _resolve(pair.extend(sseeds, p.gap, p.summary_gap, p.summary_th, p.min_gap))
        summ_p = _to_passages(a, b, summ, p.summary_min_chars)
        long_src = [
            c for c in summ_p if (c.source_end - c.source_start) >= p.summary_ratio * (c.this_end - c.this_start)
        ]
        long_src = [
            # a summary covering most of its source summarises all of it
            Passage(c.this_start, c.this_end, b_lo, b_hi, c.score)
            if (c.source_end - c.source_start) >= p.summary_doc_share * (b_hi - b_lo) else c
            for c in long_src
        ]
        if long_src:
            # a summary: the source side spans far more text than the suspicious side
            keep = [c for c in out if not any(_overlap(c, s) for s in long_src)]
            out = sorted(keep + _merge_same_source(long_src))
    if p.summary and len(out) > 1:
        out = _summary_groups(out, b_lo, b_hi, p)
    if len(out) > 1 and p.weak_ratio:
        # a weak match beside a much stronger one from the same source is topical overlap
        best = max(c.score for c in out)
        out = [c for c in out if not (c.score < p.weak_ratio * best and c.score < p.weak_max)]
    return sorted(out)


def _summary_groups(cases: list[Passage], b_lo: int, b_hi: int, p: Params) -> list[Passage]:
    """Neighbouring cases whose sources lie scattered over a much longer stretch of the source
    than they take in the suspicious text are one summary."""
    cases = sorted(cases)
    out: list[Passage] = []
    i = 0
    while i < len(cases):
        j = i + 1
        while j < len(cases) and cases[j].this_start - cases[j - 1].this_end <= p.summary_join:
            j += 1
        g = cases[i:j]
        if len(g) > 1:
            t0, t1 = g[0].this_start, max(c.this_end for c in g)
            s0, s1 = min(c.source_start for c in g), max(c.source_end for c in g)
            if s1 - s0 >= p.summary_ratio * (t1 - t0):
                if s1 - s0 >= p.summary_doc_share * (b_hi - b_lo):
                    s0, s1 = b_lo, b_hi
                out.append(Passage(t0, t1, s0, s1, max(c.score for c in g)))
                i = j
                continue
        out.extend(g)
        i = j
    return out


def _merge_same_source(cases: list[Passage]) -> list[Passage]:
    """Summary cases extended to the same source span are one case."""
    out: list[Passage] = []
    for c in sorted(cases):
        if out and (out[-1].source_start, out[-1].source_end) == (c.source_start, c.source_end):
            o = out[-1]
            out[-1] = Passage(o.this_start, max(o.this_end, c.this_end), o.source_start, o.source_end,
                              max(o.score, c.score))
        else:
            out.append(c)
    return out


def _overlap(x: Passage, y: Passage) -> bool:
    return x.this_start < y.this_end and y.this_start < x.this_end


def _eff_len(p: Prepared, start: int, end: int) -> float:
    """Length in characters, a CJK character counting 2.5: 60 hanzi weigh as much as 150
    characters of English (about 25 words)."""
    lo = np.searchsorted(p.toks.starts, start)
    hi = np.searchsorted(p.toks.starts, end)
    return (end - start) + 1.5 * float(p.cjk_cum[hi] - p.cjk_cum[lo])


def _long_enough(a: Prepared, b: Prepared, c: Passage, min_chars: int) -> bool:
    return (_eff_len(a, c.this_start, c.this_end) >= min_chars
            and _eff_len(b, c.source_start, c.source_end) >= min_chars)


def _to_passages(a, b, cases, min_chars):
    out = []
    for i0, i1, j0, j1, s in cases:
        s0, s1 = _chars(a, i0, i1)
        r0, r1 = _chars(b, j0, j1)
        c = Passage(s0, s1, r0, r1, round(float(s), 4))
        if _long_enough(a, b, c, min_chars):
            out.append(c)
    return out


def align(suspicious: str, source: str, params: Params | None = None) -> list[Passage]:
    p = params or Params()
    return align_prepared(prepare(suspicious, p), prepare(source, p), p)
