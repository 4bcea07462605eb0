"""Normalisation and tokenisation with an offset map back to the original characters.

Every code point of the text as read is mapped, through one lookup table, to at most one
normalised code point and a class:

- ``CJK``: a Han, kana or Hangul character; each one is a token (character n-grams);
- ``WORD``: a letter or digit of an alphabetic script; maximal runs form word tokens;
- ``SEP``: whitespace, punctuation, symbols; they end a word and are dropped;
- ``JOIN``: combining marks and format characters; dropped without ending a word, so a
  decomposed "cafe\u0301" is one word.

The table applies, per character: NFKC (full-width → half-width, compatibility forms),
case folding, traditional → simplified Chinese (OpenCC's character table), and all
decimal digits → ASCII.  A character whose NFKC form is several characters ("ﬁ", "㎡",
"①") keeps the first letter or digit of it: the table is one-to-one or one-to-none, so a
token's original span is simply ``[start of its first character, end of its last]``
and no normalisation can move a match off the characters it was found on.

Tokens carry a 64-bit hash; Latin words are hashed on their first ``STEM`` characters
(truncation stemming: "education", "educational" and "educated" share a stem), and English
stop words are flagged so that features can skip them.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass

import numpy as np

SEP, CJK, WORD, JOIN = 0, 1, 2, 3
LIMIT = 0x323B0  # past CJK Extension H; higher code points (planes 14-16) are separators
STEM = 6

_M64 = (1 << 64) - 1
_P = 1099511628211  # FNV prime: odd, hence invertible modulo 2**64

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves shall may might must also
    upon""".split()  # noqa: SIM905 — a readable block of words
)


def _is_cjk(cp: int) -> bool:
    return (
        0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp < LIMIT
        or 0x3040 <= cp <= 0x30FF
        or 0xAC00 <= cp <= 0xD7AF
        or cp == 0x3007  # 〇
    )


def _t2s_table() -> dict[str, str]:
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, vals = line.rstrip("\n").partition("\t")
            val = vals.split(" ")[0] if vals else ""
            if len(key) == 1 and len(val) == 1:
                table[key] = val
    return table


TABLE_VERSION = 1


def _cache_path() -> str | None:
    import opencc

    base = os.environ.get("SANGUAN_SIMILARITY_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "sanguan")
    src = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    try:
        st = os.stat(src)
    except OSError:
        return None
    key = f"v{TABLE_VERSION}-u{unicodedata.unidata_version}-{st.st_size}-{int(st.st_mtime)}"
    return os.path.join(base, f"similarity-tables-{key}.npz")


@functools.lru_cache(maxsize=1)
def tables() -> tuple[np.ndarray, np.ndarray]:
    """(MAP, CLASS): normalised code point and class of every code point below LIMIT.

    Building them takes a quarter of a second; they are cached in a file keyed by the
    Unicode version and OpenCC's table, so a command-line run loads them instead.
    """
    path = _cache_path()
    if path and os.path.exists(path):
        try:
            with np.load(path) as z:
                return z["map"], z["cls"]
        except (OSError, ValueError, KeyError):
            pass
    cmap, ccls = _build_tables()
    if path:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp.npz"
            np.savez(tmp, map=cmap, cls=ccls)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home: build every time
    return cmap, ccls


def _build_tables() -> tuple[np.ndarray, np.ndarray]:
    t2s = _t2s_table()
    cmap = np.zeros(LIMIT, dtype=np.uint32)
    ccls = np.zeros(LIMIT, dtype=np.uint8)
    for cp in range(LIMIT):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf"):
            ccls[cp] = JOIN
            continue
        if cat[0] in "ZPSC" and not _is_cjk(cp):
            continue
        n = unicodedata.normalize("NFKC", ch).lower()
        for c in n:
            c = t2s.get(c, c)
            o = ord(c)
            if _is_cjk(o):
                cmap[cp], ccls[cp] = o, CJK
                break
            if c.isdecimal():
                cmap[cp], ccls[cp] = ord("0") + unicodedata.decimal(c, 0), WORD
                break
            if c.isalnum():
                cmap[cp], ccls[cp] = o, WORD
                break
    return cmap, ccls


def normalize_text(text: str) -> tuple[str, np.ndarray]:
    """(normalised text, offsets): offsets[i] is the index in `text` of normalised char i.

    Separators become one space, joiners vanish; the result is for display and tests; the
    matching pipeline uses `tokenize` directly.
    """
    cmap, ccls = tables()
    cps = _codepoints(text)
    safe = np.minimum(cps, LIMIT - 1)
    cls = np.where(cps < LIMIT, ccls[safe], SEP)
    out = np.where(cls == SEP, 32, cmap[safe]).astype(np.uint32)
    keep = np.nonzero(cls != JOIN)[0]
    return out[keep].tobytes().decode("utf-32-le"), keep


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


@dataclass(frozen=True)
class Tokens:
    """Tokens of one text in order; spans are [start, end) in characters of the original."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64
    kinds: np.ndarray  # uint8: CJK or WORD
    stop: np.ndarray  # bool: an English stop word

    def __len__(self) -> int:
        return len(self.hashes)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial hashes over all 64 bits."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(30))
        h = h * np.uint64(0xBF58476D1CE4E5B9)
        h = h ^ (h >> np.uint64(27))
        h = h * np.uint64(0x94D049BB133111EB)
        h = h ^ (h >> np.uint64(31))
    return h


@functools.lru_cache(maxsize=1)
def _stop_hashes() -> np.ndarray:
    t = tokenize_raw(" ".join(sorted(STOPWORDS)), flag_stop=False)
    return np.unique(t.hashes)


def tokenize(text: str) -> Tokens:
    return tokenize_raw(text, flag_stop=True)


def tokenize_raw(text: str, *, flag_stop: bool) -> Tokens:
    cmap, ccls = tables()
    cps = _codepoints(text)
    n = len(cps)
    safe = np.minimum(cps, LIMIT - 1)
    cls = np.where(cps < LIMIT, ccls[safe], SEP).astype(np.uint8)
    keep = np.nonzero(cls != JOIN)[0]
    cls = cls[keep]
    val = cmap[safe[keep]].astype(np.uint64)
    m = len(keep)
    if m == 0:
        e = np.zeros(0, dtype=np.int64)
        return Tokens(np.zeros(0, dtype=np.uint64), e, e, np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=bool))

    # CJK: one token per character
    cjk_pos = np.nonzero(cls == CJK)[0]
    cjk_hash = _mix(val[cjk_pos] | np.uint64(1 << 40))

    # words: maximal runs of WORD characters
    is_w = cls == WORD
    prev = np.concatenate(([False], is_w[:-1]))
    nxt = np.concatenate((is_w[1:], [False]))
    w_start = np.nonzero(is_w & ~prev)[0]
    w_end = np.nonzero(is_w & ~nxt)[0] + 1  # exclusive, in kept positions
    if len(w_start):
        # position of each word char inside its word
        run_id = np.cumsum(is_w & ~prev) - 1
        wpos = np.nonzero(is_w)[0]
        rel = wpos - w_start[run_id[wpos]]
        used = rel < STEM
        cpos = wpos[used]
        rel = rel[used].astype(np.uint64)
        pw = _powers(STEM)
        with np.errstate(over="ignore"):
            contrib = val[cpos] * pw[rel]
        # sum of contributions per word (cpos is sorted and every word has >= 1 used char)
        first_idx = np.concatenate(([0], np.cumsum(np.minimum(w_end - w_start, STEM))[:-1]))
        sums = np.add.reduceat(contrib, first_idx)
        with np.errstate(over="ignore"):
            w_hash = _mix(sums + np.uint64(len(pw)))
    else:
        w_hash = np.zeros(0, dtype=np.uint64)

    # tokens in text order without sorting: a token starts at each CJK character and word start
    is_start = (cls == CJK) | (is_w & ~prev)
    starts_k = np.nonzero(is_start)[0]
    end_at = np.empty(m, dtype=np.int64)
    hash_at = np.empty(m, dtype=np.uint64)
    end_at[cjk_pos] = cjk_pos + 1
    hash_at[cjk_pos] = cjk_hash
    end_at[w_start] = w_end
    hash_at[w_start] = w_hash
    ends_k = end_at[starts_k]
    hashes = hash_at[starts_k]
    kinds = cls[starts_k]
    keep_ext = np.concatenate((keep, [n]))
    starts = keep_ext[starts_k].astype(np.int64)
    ends = (keep_ext[ends_k - 1] + 1).astype(np.int64)
    if flag_stop:
        sh = _stop_hashes()
        stop = np.zeros(len(hashes), dtype=bool)
        wi = np.nonzero(kinds == WORD)[0]
        if len(wi):
            at = np.minimum(np.searchsorted(sh, hashes[wi]), len(sh) - 1)
            stop[wi] = sh[at] == hashes[wi]
    else:
        stop = np.zeros(len(hashes), dtype=bool)
    return Tokens(hashes, starts, ends, kinds, stop)


@functools.lru_cache(maxsize=4)
def _powers(k: int) -> np.ndarray:
    out, x = [], 1
    for _ in range(k):
        out.append(x)
        x = (x * _P) & _M64
    return np.array(out, dtype=np.uint64)
