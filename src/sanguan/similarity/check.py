"""Checking one document against the index: candidates, alignment, ratios.

Ratios count the non-whitespace characters of the body (chapters and appendices; not the
cover, abstract, table of contents, reference list or acknowledgements):

- ``copy_ratio`` (全文文字复制比): body characters inside any matched passage;
- ``ratio_without_cited`` (去除引用文献复制比): the same, leaving out cited spans;
- ``ratio_without_own`` (去除本人已发表文献复制比): leaving out passages whose source has the
  same author as the checked document (``None`` when no author is given);
- per chapter: ``copy_ratio`` of each body section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .align import Params, Passage, align_prepared, prepare
from .extract import Document
from .fingerprint import fingerprints
from .index import Index, SourceDocument, sha256
from .normalize import tokenize


@dataclass(frozen=True)
class Match:
    passage: Passage
    source: SourceDocument
    cited: bool
    own: bool


def find_matches(index: Index, doc: Document, *, author: str | None = None, params: Params | None = None,
                 limit: int = 30) -> list[Match]:
    p = params or Params()
    toks = tokenize(doc.text)
    cands = index.candidates(fingerprints(toks, index.backend.k, index.backend.w), limit=limit,
                             exclude_sha256=sha256(doc.text))
    if not cands:
        return []
    a = prepare(doc.text, p, toks)
    cited = _mask(len(doc.text), doc.cited)
    out = []
    for doc_id, _ in cands:
        src = index.get(doc_id)
        for ps in align_prepared(a, prepare(src.text, p), p):
            span = cited[ps.this_start : ps.this_end]
            is_cited = bool(len(span)) and bool(span.mean() >= 0.5)
            own = bool(author) and src.author == author
            out.append(Match(ps, src, is_cited, own))
    out.sort(key=lambda m: (m.passage.this_start, -m.passage.score))
    return out


def _mask(n: int, spans) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for a, b in spans:
        m[a:b] = True
    return m


def report(doc: Document, matches: list[Match], *, author: str | None = None) -> dict:
    text = doc.text
    n = len(text)
    counted = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) > 32
    counted &= ~np.isin(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), [0x3000, 0xA0, 0xFEFF])
    body = np.zeros(n, dtype=bool)
    for s in doc.sections:
        if s.kind == "body":
            body[s.start : s.end] = True
    counted &= body
    cited = _mask(n, doc.cited)
    any_m = np.zeros(n, dtype=bool)
    not_own = np.zeros(n, dtype=bool)
    for m in matches:
        any_m[m.passage.this_start : m.passage.this_end] = True
        if not m.own:
            not_own[m.passage.this_start : m.passage.this_end] = True
    total = int(counted.sum())

    def ratio(mask: np.ndarray, within: np.ndarray | None = None) -> float:
        base = counted if within is None else counted & within
        d = int(base.sum())
        return round(int((mask & base).sum()) / d, 4) if d else 0.0

    chapters = []
    for s in doc.sections:
        if s.kind != "body":
            continue
        w = np.zeros(n, dtype=bool)
        w[s.start : s.end] = True
        chapters.append({"title": s.title or "(whole text)", "start": s.start, "end": s.end,
                         "characters": int((counted & w).sum()), "copy_ratio": ratio(any_m, w)})
    sources: dict[int, dict] = {}
    for m in matches:
        e = sources.setdefault(m.source.id, {"source_id": m.source.name, "author": m.source.author,
                                              "passages": 0, "mask": np.zeros(n, dtype=bool)})
        e["passages"] += 1
        e["mask"][m.passage.this_start : m.passage.this_end] = True
    src_list = []
    for e in sources.values():
        mask = e.pop("mask")
        src_list.append(e | {"matched_characters": int((mask & counted).sum()), "ratio": ratio(mask)})
    src_list.sort(key=lambda e: -e["matched_characters"])
    return {
        "copy_ratio": ratio(any_m),
        "ratio_without_cited": ratio(any_m & ~cited),
        "ratio_without_own": ratio(not_own) if author else None,
        "file": doc.name,
        "characters": n,
        "counted_characters": total,
        "matched_characters": int((any_m & counted).sum()),
        "author": author,
        "sections": [{"kind": s.kind, "title": s.title, "start": s.start, "end": s.end} for s in doc.sections],
        "chapters": chapters,
        "sources": src_list,
        "passages": [
            {
                "this_offset": m.passage.this_start,
                "this_length": m.passage.this_end - m.passage.this_start,
                "source_id": m.source.name,
                "source_offset": m.passage.source_start,
                "source_length": m.passage.source_end - m.passage.source_start,
                "score": m.passage.score,
                "cited": m.cited,
                "own": m.own,
                "counted": bool(counted[m.passage.this_start : m.passage.this_end].any()),
            }
            for m in matches
        ],
    }
