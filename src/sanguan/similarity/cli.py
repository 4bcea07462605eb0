"""``sanguan similarity align | index | check``: the command-line contract.

    sanguan similarity align --pairs FILE --src DIR --susp DIR --out DIR [--jobs N]
    sanguan similarity index --corpus DIR --index PATH_OR_DSN [--authors FILE]
    sanguan similarity check --index PATH_OR_DSN FILE [--author NAME] [--json] [--html OUT.html]

Errors name the file and exit 1; output files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from multiprocessing import Pool
from xml.sax.saxutils import quoteattr

from .align import Params, align
from .errors import SimilarityError
from .extract import load, read_text_file


def _err(msg: str) -> None:
    print(f"sanguan similarity: error: {msg}", file=sys.stderr)


def _write_atomic(path: str, data: str) -> None:
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def pan_xml(susp: str, src: str, passages) -> str:
    lines = [f"<document reference={quoteattr(susp)}>"]
    for p in passages:
        lines.append(
            f'<feature name="detected-plagiarism" this_offset="{p.this_start}" '
            f'this_length="{p.this_end - p.this_start}" source_reference={quoteattr(src)} '
            f'source_offset="{p.source_start}" source_length="{p.source_end - p.source_start}"/>'
        )
    lines.append("</document>\n")
    return "\n".join(lines)


def _align_one(job: tuple[str, str, str, str, str]) -> str | None:
    s, r, susp_dir, src_dir, out_dir = job
    try:
        a = read_text_file(os.path.join(susp_dir, s))
        b = read_text_file(os.path.join(src_dir, r))
        got = align(a, b, Params())
        _write_atomic(os.path.join(out_dir, f"{os.path.splitext(s)[0]}-{os.path.splitext(r)[0]}.xml"),
                      pan_xml(s, r, got))
    except SimilarityError as e:
        return str(e)
    return None


def cmd_align(a: argparse.Namespace) -> int:
    try:
        with open(a.pairs, encoding="utf-8") as f:
            lines = [ln.split() for ln in f if ln.strip()]
    except (OSError, UnicodeDecodeError) as e:
        _err(f"{a.pairs}: cannot read the pairs file ({e.__class__.__name__})")
        return 1
    bad = [i + 1 for i, ln in enumerate(lines) if len(ln) != 2]
    if bad:
        _err(f"{a.pairs}: line {bad[0]} is not 'SUSPICIOUS SOURCE'")
        return 1
    for d in (a.src, a.susp):
        if not os.path.isdir(d):
            _err(f"{d}: no such directory")
            return 1
    os.makedirs(a.out, exist_ok=True)
    jobs = [(s, r, a.susp, a.src, a.out) for s, r in lines]
    n = max(1, min(a.jobs, len(jobs)))
    if n == 1:
        errors = [e for e in map(_align_one, jobs) if e]
    else:
        with Pool(n) as pool:
            errors = [e for e in pool.imap(_align_one, jobs, chunksize=4) if e]
    for e in errors:
        _err(e)
    return 1 if errors else 0


def _read_authors(path: str | None, corpus: str) -> dict[str, str]:
    path = path or next((os.path.join(corpus, n) for n in ("authors.tsv", "AUTHORS.tsv")
                         if os.path.exists(os.path.join(corpus, n))), None)
    if not path:
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            if "\t" in ln:
                name, author = ln.rstrip("\r\n").split("\t", 1)
                out[name] = author
    return out


def cmd_index(a: argparse.Namespace) -> int:
    from .index import Index, NewDocument

    if not os.path.isdir(a.corpus):
        _err(f"{a.corpus}: no such directory")
        return 1
    authors = _read_authors(a.authors, a.corpus)
    files = []
    for root, dirs, names in os.walk(a.corpus):
        dirs.sort()
        for n in sorted(names):
            if n.lower().endswith((".txt", ".docx", ".pdf")):
                files.append(os.path.relpath(os.path.join(root, n), a.corpus))
    try:
        # every file is read and checked before anything is written
        docs = [NewDocument(rel, load(os.path.join(a.corpus, rel), rel).text, authors.get(rel, ""))
                for rel in files]
        index = Index.open(a.index, create=True)
        res = index.add(docs, jobs=min(2, os.cpu_count() or 1))
        if a.compact and hasattr(index.backend, "compact"):
            index.backend.compact()
    except SimilarityError as e:
        _err(str(e))
        return 1
    print(json.dumps({"index": a.index if "://" not in a.index else "postgresql", "added": res.added,
                      "unchanged": res.unchanged, "documents": len(index)}))
    return 0


def cmd_check(a: argparse.Namespace) -> int:
    from .check import find_matches, report
    from .index import Index

    try:
        doc = load(a.file)
        index = Index.open(a.index)
        matches = find_matches(index, doc, author=a.author)
    except SimilarityError as e:
        _err(str(e))
        return 1
    rep = report(doc, matches, author=a.author)
    if a.html:
        from .html import render

        _write_atomic(a.html, render(doc, rep))
    if a.json or not a.html:
        print(json.dumps(rep, ensure_ascii=False, indent=None if a.json else 1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="sanguan similarity", description="Similarity engine (查重)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("align", help="PAN text alignment of listed pairs")
    p.add_argument("--pairs", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--susp", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    p.set_defaults(func=cmd_align)
    p = sub.add_parser("index", help="add a directory of documents to an index")
    p.add_argument("--corpus", required=True)
    p.add_argument("--index", required=True, help="directory, or postgresql://... DSN")
    p.add_argument("--authors", help="TSV of 'file<TAB>author' (default: CORPUS/authors.tsv if present)")
    p.add_argument("--compact", action="store_true", help="merge the file index's segments into one afterwards")
    p.set_defaults(func=cmd_index)
    p = sub.add_parser("check", help="check a document against an index")
    p.add_argument("--index", required=True)
    p.add_argument("file")
    p.add_argument("--author", help="the checked document's author, for the ratio without own documents")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML report")
    p.set_defaults(func=cmd_check)
    return ap


def main(argv: list[str]) -> int:
    a = build_parser().parse_args(argv)
    return int(a.func(a))
