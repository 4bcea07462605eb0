"""The corpus index: documents and their fingerprints, behind one interface, two backends.

- `FileBackend` (embedded default): a directory of immutable *segments*, one per `add`
  call, each holding sorted fingerprints (numpy, memory-mapped at query time), the
  document of each fingerprint, and the documents' texts (zlib).  A segment is written
  into a temporary directory and renamed into place, then ``manifest.json`` is replaced
  atomically (write, fsync, rename); a crash leaves the index as it was before the call.
  Writers take an exclusive lock on the directory.
- `PostgresBackend` (production): tables ``<prefix>document`` and ``<prefix>fingerprint``,
  the latter hash-partitioned by fingerprint (and distributable by it with Citus); an
  `add` is one transaction.

`Index` puts the fingerprinting on top: `add` documents incrementally (nothing already
indexed is rebuilt), `candidates` for a text's fingerprints.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .errors import SimilarityError
from .errors import SimilarityErrorCode as Code
from .fingerprint import K, W, fingerprints
from .normalize import tokenize

FORMAT = 1
FENCE = 256  # every FENCE-th fingerprint of a segment is kept in memory to narrow searches


@dataclass(frozen=True)
class SourceDocument:
    id: int
    name: str
    author: str
    sha256: str
    text: str


@dataclass(frozen=True)
class NewDocument:
    name: str
    text: str
    author: str = ""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Backend(Protocol):
    k: int
    w: int

    def count(self) -> int: ...

    def known(self) -> dict[str, str]:
        """name -> sha256 of every indexed document."""
        ...

    def add(self, docs: list[tuple[str, str, str, str]], fps: list[np.ndarray]) -> list[int]:
        """Store (name, author, sha256, text) documents and their fingerprints atomically."""
        ...

    def lookup(self, fps: np.ndarray, max_df: int) -> dict[int, float]:
        """doc id -> sum over the given fingerprints it holds of 1 / (number of documents
        holding it), skipping fingerprints held by more than `max_df` documents: a passage
        copied from one document scores about one per fingerprint, stock phrases little."""
        ...

    def get(self, doc_id: int) -> SourceDocument: ...


# ------------------------------------------------------------------ files


class FileBackend:
    def __init__(self, path: str, *, create: bool = False, k: int = K, w: int = W):
        self.path = path
        man = os.path.join(path, "manifest.json")
        if not os.path.exists(man):
            if not create:
                raise SimilarityError(Code.INDEX_MISSING, path, "no index here (manifest.json missing)")
            os.makedirs(path, exist_ok=True)
            if os.listdir(path) and not os.path.exists(man):
                leftovers = [n for n in os.listdir(path) if not n.startswith((".tmp-", ".lock"))]
                if leftovers:
                    raise SimilarityError(Code.INDEX_CORRUPT, path, "directory is not empty and holds no index")
            self._write_manifest({"format": FORMAT, "k": k, "w": w, "segments": [], "documents": 0})
        self._load()

    def _load(self) -> None:
        try:
            with open(os.path.join(self.path, "manifest.json"), encoding="utf-8") as f:
                self.manifest = json.load(f)
            self.k, self.w = int(self.manifest["k"]), int(self.manifest["w"])
        except (OSError, ValueError, KeyError) as e:
            raise SimilarityError(Code.INDEX_CORRUPT, self.path, f"unreadable manifest ({type(e).__name__})") from None
        if self.manifest.get("format") != FORMAT:
            raise SimilarityError(Code.INDEX_CORRUPT, self.path, "unknown index format")
        self._segs: dict[str, dict] = {}

    def _write_manifest(self, m: dict) -> None:
        _atomic_write(os.path.join(self.path, "manifest.json"), json.dumps(m, indent=1).encode())
        self.manifest = m

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(os.path.join(self.path, ".lock"), "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                self._load()
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def count(self) -> int:
        return int(self.manifest["documents"])

    def _seg(self, name: str) -> dict:
        s = self._segs.get(name)
        if s is None:
            d = os.path.join(self.path, name)
            try:
                with open(os.path.join(d, "meta.json"), encoding="utf-8") as f:
                    meta = json.load(f)
                s = {
                    "meta": meta,
                    "fp": np.load(os.path.join(d, "fp.npy"), mmap_mode="r"),
                    "doc": np.load(os.path.join(d, "doc.npy"), mmap_mode="r"),
                    "toff": np.load(os.path.join(d, "toff.npy")),
                    "fence": np.load(os.path.join(d, "fence.npy")) if os.path.exists(os.path.join(d, "fence.npy"))
                    else None,
                    "dir": d,
                }
            except (OSError, ValueError) as e:
                raise SimilarityError(Code.INDEX_CORRUPT, d, f"unreadable segment ({type(e).__name__})") from None
            self._segs[name] = s
        return s

    def known(self) -> dict[str, str]:
        out = {}
        for seg in self.manifest["segments"]:
            for m in self._seg(seg["name"])["meta"]["docs"]:
                out[m["name"]] = m["sha256"]
        return out

    def add(self, docs: list[tuple[str, str, str, str]], fps: list[np.ndarray],
            blobs: list[bytes] | None = None) -> list[int]:
        """`blobs`, when given, are the texts already compressed by `compress_text`."""
        if not docs:
            return []
        with self._lock():
            first = int(self.manifest["documents"])
            ids = list(range(first, first + len(docs)))
            tmp = tempfile.mkdtemp(prefix=".tmp-", dir=self.path)
            try:
                if blobs is None:
                    blobs = [compress_text(t) for _, _, _, t in docs]
                toff = np.concatenate(([0], np.cumsum([len(b) for b in blobs]))).astype(np.int64)
                with open(os.path.join(tmp, "texts.bin"), "wb") as f:
                    for b in blobs:
                        f.write(b)
                    f.flush()
                    os.fsync(f.fileno())
                allfp = np.concatenate(fps) if fps else np.zeros(0, np.uint64)
                alldoc = np.concatenate([np.full(len(f), i, np.uint32) for i, f in zip(ids, fps, strict=True)])
                order = np.argsort(allfp, kind="stable")
                sorted_fp = allfp[order].astype(np.uint64)
                _save(os.path.join(tmp, "fp.npy"), sorted_fp)
                _save(os.path.join(tmp, "fence.npy"), sorted_fp[::FENCE])
                _save(os.path.join(tmp, "doc.npy"), alldoc[order])
                _save(os.path.join(tmp, "toff.npy"), toff)
                meta = {"first": first, "docs": [
                    {"id": i, "name": n, "author": a, "sha256": h, "length": len(t)}
                    for i, (n, a, h, t) in zip(ids, docs, strict=True)]}
                _atomic_write(os.path.join(tmp, "meta.json"), json.dumps(meta, ensure_ascii=False).encode())
                seg = f"seg-{len(self.manifest['segments']):06d}-{first:09d}"
                os.rename(tmp, os.path.join(self.path, seg))
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            m = dict(self.manifest)
            m["segments"] = [*m["segments"], {"name": seg, "first": first, "count": len(docs)}]
            m["documents"] = first + len(docs)
            self._write_manifest(m)
            return ids

    def compact(self) -> None:
        """Merge all segments into one (fewer arrays to page in per check); atomic like `add`."""
        with self._lock():
            segs = self.manifest["segments"]
            if len(segs) <= 1:
                return
            tmp = tempfile.mkdtemp(prefix=".tmp-", dir=self.path)
            try:
                parts = [self._seg(sg["name"]) for sg in segs]
                fps = np.concatenate([np.asarray(x["fp"]) for x in parts])
                order = np.argsort(fps, kind="stable")  # runs already sorted: a merge
                merged = fps[order]
                del fps
                _save(os.path.join(tmp, "fp.npy"), merged)
                _save(os.path.join(tmp, "fence.npy"), merged[::FENCE])
                del merged
                docs = np.concatenate([np.asarray(x["doc"]) for x in parts])
                _save(os.path.join(tmp, "doc.npy"), docs[order])
                del docs, order
                toffs, base = [np.zeros(1, np.int64)], 0
                with open(os.path.join(tmp, "texts.bin"), "wb") as out:
                    for x in parts:
                        with open(os.path.join(x["dir"], "texts.bin"), "rb") as f:
                            shutil.copyfileobj(f, out, 1 << 20)
                        toffs.append(x["toff"][1:] + base)
                        base += int(x["toff"][-1])
                    out.flush()
                    os.fsync(out.fileno())
                _save(os.path.join(tmp, "toff.npy"), np.concatenate(toffs))
                meta = {"first": 0, "docs": [m for x in parts for m in x["meta"]["docs"]]}
                _atomic_write(os.path.join(tmp, "meta.json"), json.dumps(meta, ensure_ascii=False).encode())
                total = int(self.manifest["documents"])
                name = f"seg-{len(segs):06d}-c{total:09d}"
                os.rename(tmp, os.path.join(self.path, name))
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            m = dict(self.manifest)
            m["segments"] = [{"name": name, "first": 0, "count": total}]
            self._write_manifest(m)
            self._segs = {}
            for sg in segs:  # open memory maps of other readers keep their (unlinked) files
                shutil.rmtree(os.path.join(self.path, sg["name"]), ignore_errors=True)

    def lookup(self, fps: np.ndarray, max_df: int) -> dict[int, float]:
        fps = np.unique(np.asarray(fps, dtype=np.uint64))
        per_fp_docs: list[np.ndarray] = []
        per_fp_keys: list[np.ndarray] = []
        for seg in self.manifest["segments"]:
            s = self._seg(seg["name"])
            h, d = s["fp"], s["doc"]
            lo, hi = _find(h, s["fence"], fps)
            n = hi - lo
            has = n > 0
            if not has.any():
                continue
            lo, n, keys = lo[has], n[has], np.nonzero(has)[0]
            idx = np.repeat(lo - np.concatenate(([0], np.cumsum(n)[:-1])), n) + np.arange(int(n.sum()))
            per_fp_docs.append(np.asarray(d[idx]))
            per_fp_keys.append(np.repeat(keys, n))
        if not per_fp_docs:
            return {}
        docs = np.concatenate(per_fp_docs)
        keys = np.concatenate(per_fp_keys)
        df = np.bincount(keys, minlength=len(fps))
        ok = df[keys] <= max_df
        ids, inv = np.unique(docs[ok], return_inverse=True)
        weight = np.bincount(inv, weights=1.0 / df[keys][ok])
        return {int(i): round(float(w), 6) for i, w in zip(ids.tolist(), weight.tolist(), strict=True)}

    def get(self, doc_id: int) -> SourceDocument:
        for seg in self.manifest["segments"]:
            if seg["first"] <= doc_id < seg["first"] + seg["count"]:
                s = self._seg(seg["name"])
                k = doc_id - seg["first"]
                m = s["meta"]["docs"][k]
                with open(os.path.join(s["dir"], "texts.bin"), "rb") as f:
                    f.seek(int(s["toff"][k]))
                    blob = f.read(int(s["toff"][k + 1] - s["toff"][k]))
                try:
                    text = zlib.decompress(blob).decode("utf-8", "surrogatepass")
                except (zlib.error, UnicodeDecodeError):
                    raise SimilarityError(Code.INDEX_CORRUPT, s["dir"], f"damaged text of document {doc_id}") from None
                return SourceDocument(doc_id, m["name"], m.get("author", ""), m["sha256"], text)
        raise SimilarityError(Code.INDEX_CORRUPT, self.path, f"no document {doc_id}")


def _find(h: np.ndarray, fence: np.ndarray | None, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """searchsorted left and right of sorted queries `q` in the memory-mapped `h`, reading
    only the pages that can hold them: `fence` (every FENCE-th value, kept in memory)
    narrows each query to a window of two fence intervals."""
    if fence is None or len(q) == 0 or len(h) == 0:
        return np.searchsorted(h, q, "left"), np.searchsorted(h, q, "right")
    n = len(h)
    b0 = np.searchsorted(fence, q, "left")
    b1 = np.searchsorted(fence, q, "right")
    start = np.maximum(b0 - 1, 0) * FENCE
    narrow = (b1 - b0) <= 1  # duplicates of q span at most one fence boundary
    lo = np.empty(len(q), dtype=np.int64)
    hi = np.empty(len(q), dtype=np.int64)
    idx = np.nonzero(narrow)[0]
    if len(idx):
        pos = start[idx, None] + np.arange(2 * FENCE + 1)
        valid = pos < n
        win = np.asarray(h[np.minimum(pos, n - 1)])
        qq = q[idx, None]
        lo[idx] = start[idx] + ((win < qq) & valid).sum(axis=1)
        hi[idx] = start[idx] + ((win <= qq) & valid).sum(axis=1)
    wide = np.nonzero(~narrow)[0]
    if len(wide):
        lo[wide] = np.searchsorted(h, q[wide], "left")
        hi[wide] = np.searchsorted(h, q[wide], "right")
    return lo, hi


def compress_text(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def _save(path: str, arr: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, arr)
        f.flush()
        os.fsync(f.fileno())


def _atomic_write(path: str, data: bytes) -> None:
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ------------------------------------------------------------------ PostgreSQL

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


class PostgresBackend:
    """Tables in a PostgreSQL database given by DSN; `prefix` names them (default ``similarity_``)."""

    def __init__(self, dsn: str, *, create: bool = False, prefix: str = "similarity_", partitions: int = 8,
                 k: int = K, w: int = W):
        import psycopg

        if not _IDENT.match(prefix):
            raise SimilarityError(Code.BAD_ARGUMENT, dsn, "table prefix must be a lower-case identifier")
        self.p = prefix
        try:
            self.conn = psycopg.connect(dsn, autocommit=False)
        except psycopg.Error as e:
            raise SimilarityError(Code.INDEX_MISSING, _redact(dsn),
                                  f"cannot connect ({e.__class__.__name__})") from None
        with self.conn.cursor() as c:
            c.execute("SELECT to_regclass(%s)", (f"{prefix}meta",))
            exists = c.fetchone()[0] is not None
        if not exists:
            if not create:
                raise SimilarityError(Code.INDEX_MISSING, _redact(dsn), f"no index tables {prefix}*")
            self._create(k, w, partitions)
        with self.conn.cursor() as c:
            c.execute(f"SELECT key, value FROM {prefix}meta")  # noqa: S608 — prefix checked against _IDENT
            meta = dict(c.fetchall())
        self.conn.commit()
        self.k, self.w = int(meta["k"]), int(meta["w"])

    def _create(self, k: int, w: int, partitions: int) -> None:
        p = self.p
        with self.conn.cursor() as c:
            c.execute(f"CREATE TABLE {p}meta (key text PRIMARY KEY, value text NOT NULL)")
            c.execute(f"INSERT INTO {p}meta VALUES ('k', %s), ('w', %s), ('format', %s)",  # noqa: S608
                      (str(k), str(w), str(FORMAT)))
            c.execute(f"CREATE TABLE {p}document (id integer PRIMARY KEY, name text NOT NULL UNIQUE, "
                      "author text NOT NULL DEFAULT '', sha256 char(64) NOT NULL, length integer NOT NULL, "
                      "text text NOT NULL)")
            c.execute(f"CREATE TABLE {p}fingerprint (fp bigint NOT NULL, doc_id integer NOT NULL) "
                      "PARTITION BY HASH (fp)")
            for r in range(partitions):
                c.execute(f"CREATE TABLE {p}fingerprint_{r} PARTITION OF {p}fingerprint "
                          f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {r})")
            c.execute(f"CREATE INDEX {p}fingerprint_fp ON {p}fingerprint (fp)")
        self.conn.commit()

    def count(self) -> int:
        with self.conn.cursor() as c:
            c.execute(f"SELECT count(*) FROM {self.p}document")  # noqa: S608
            n = c.fetchone()[0]
        self.conn.commit()
        return int(n)

    def known(self) -> dict[str, str]:
        with self.conn.cursor() as c:
            c.execute(f"SELECT name, sha256 FROM {self.p}document")  # noqa: S608
            out = dict(c.fetchall())
        self.conn.commit()
        return out

    def add(self, docs: list[tuple[str, str, str, str]], fps: list[np.ndarray]) -> list[int]:
        if not docs:
            return []
        p = self.p
        try:
            with self.conn.cursor() as c:
                c.execute(f"LOCK TABLE {p}document IN EXCLUSIVE MODE")
                c.execute(f"SELECT coalesce(max(id) + 1, 0) FROM {p}document")  # noqa: S608
                first = int(c.fetchone()[0])
                ids = list(range(first, first + len(docs)))
                with c.copy(f"COPY {p}document (id, name, author, sha256, length, text) FROM STDIN") as cp:
                    for i, (n, a, h, t) in zip(ids, docs, strict=True):
                        cp.write_row((i, n, a, h, len(t), t))
                with c.copy(f"COPY {p}fingerprint (fp, doc_id) FROM STDIN") as cp:
                    for i, f in zip(ids, fps, strict=True):
                        for v in f.astype(np.int64).tolist():
                            cp.write_row((v, i))
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        return ids

    def lookup(self, fps: np.ndarray, max_df: int) -> dict[int, float]:
        vals = np.unique(np.asarray(fps, dtype=np.uint64)).astype(np.int64).tolist()
        if not vals:
            return {}
        p = self.p
        with self.conn.cursor() as c:
            c.execute(
                f"WITH q AS (SELECT fp, doc_id FROM {p}fingerprint WHERE fp = ANY(%s)), "  # noqa: S608
                "ok AS (SELECT fp, count(*) AS df FROM q GROUP BY fp HAVING count(*) <= %s) "
                "SELECT doc_id, sum(1.0 / df) FROM q JOIN ok USING (fp) GROUP BY doc_id",
                (vals, max_df),
            )
            out = {int(d): round(float(n), 6) for d, n in c.fetchall()}
        self.conn.commit()
        return out

    def get(self, doc_id: int) -> SourceDocument:
        with self.conn.cursor() as c:
            c.execute(f"SELECT id, name, author, sha256, text FROM {self.p}document WHERE id = %s",  # noqa: S608
                      (doc_id,))
            row = c.fetchone()
        self.conn.commit()
        if row is None:
            raise SimilarityError(Code.INDEX_CORRUPT, self.p, f"no document {doc_id}")
        return SourceDocument(int(row[0]), row[1], row[2], row[3].strip(), row[4])

    def close(self) -> None:
        self.conn.close()


def _redact(dsn: str) -> str:
    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", dsn)


# ------------------------------------------------------------------ the index


def _fingerprint(job: tuple[str, int, int, bool]) -> tuple[np.ndarray, bytes | None]:
    text, k, w, compress = job
    return fingerprints(tokenize(text), k, w), compress_text(text) if compress else None


@dataclass(frozen=True)
class AddResult:
    added: int
    unchanged: int


class Index:
    def __init__(self, backend: Backend):
        self.backend = backend
        self._cache: dict[int, SourceDocument] = {}

    @classmethod
    def open(cls, location: str, *, create: bool = False) -> Index:
        """A PostgreSQL DSN (postgres://..., postgresql://...) or a directory."""
        if location.startswith(("postgres://", "postgresql://")):
            return cls(PostgresBackend(location, create=create))
        return cls(FileBackend(location, create=create))

    def __len__(self) -> int:
        return self.backend.count()

    def add(self, docs: Iterable[NewDocument], *, batch: int = 2000, jobs: int = 1) -> AddResult:
        """Add documents; a name already indexed with the same text is skipped, with another
        text it is refused (the index keeps the batches stored before).  Fingerprints are
        computed in `jobs` processes."""
        known = self.backend.known()
        added = same = 0
        k, w = self.backend.k, self.backend.w
        files = isinstance(self.backend, FileBackend)  # texts are compressed in the workers too

        def fresh():
            nonlocal same
            for d in docs:
                h = sha256(d.text)
                if d.name in known:
                    if known[d.name] != h:
                        raise SimilarityError(Code.INDEX_CONFLICT, d.name, "already indexed with different text")
                    same += 1
                    continue
                known[d.name] = h
                yield d, h

        pool = None
        if jobs > 1:
            from multiprocessing import get_context

            pool = get_context("fork").Pool(jobs)
        try:
            it = fresh()
            pending = list(itertools.islice(it, batch))
            while pending:
                jobs_ = [(d.text, k, w, files) for d, _ in pending]
                got = pool.map(_fingerprint, jobs_, chunksize=16) if pool else [_fingerprint(j) for j in jobs_]
                rows = [(d.name, d.author, h, d.text) for d, h in pending]
                fps = [g[0] for g in got]
                if files:
                    added += len(self.backend.add(rows, fps, [g[1] for g in got]))
                else:
                    added += len(self.backend.add(rows, fps))
                pending = list(itertools.islice(it, batch))
        finally:
            if pool:
                pool.close()
                pool.join()
        return AddResult(added, same)

    def candidates(self, fps: np.ndarray, *, limit: int = 30, min_score: float = 3.0, relative: float = 0.0,
                   exclude_sha256: str | None = None) -> list[tuple[int, float]]:
        """(doc id, score) of the documents most likely to share passages with the text whose
        fingerprints are `fps`, best first: at most `limit`, each scoring at least `min_score`
        and `relative` times the best."""
        n = max(len(self), 1)
        # a fingerprint held by more than 0.1 % of the documents (at least 50) is a stock phrase
        scores = self.backend.lookup(fps, max_df=max(50, n // 1000))
        ordered = sorted(scores.values(), reverse=True)
        best = ordered[0] if ordered else 0.0
        # documents far down the list score by chance (shared common n-grams): their level is
        # the noise floor that a real source must clear
        noise = ordered[2 * limit] if len(ordered) > 2 * limit else 0.0
        floor = max(min_score, relative * best, 1.5 * noise)
        ranked = sorted(((c, -d) for d, c in scores.items() if c >= floor), reverse=True)
        out = []
        for c, nd in ranked:
            if len(out) >= limit:
                break
            if exclude_sha256 is not None and self.get(-nd).sha256 == exclude_sha256:
                continue
            out.append((-nd, c))
        return out

    def get(self, doc_id: int) -> SourceDocument:
        doc = self._cache.get(doc_id)
        if doc is None:
            doc = self.backend.get(doc_id)
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[doc_id] = doc
        return doc
