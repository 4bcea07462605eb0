"""Text and structure from txt, docx and pdf files.

The text of a .txt file is the UTF-8 file as read, untouched (CRLF stays two characters),
so offsets refer to it.  For .docx the text is the paragraphs joined by line feeds; for
.pdf the text layer of the pages joined by line feeds; offsets then refer to that text.

Structure is found on the text: headings (第一章, Chapter 1, "1 引言", 摘要, Abstract, 目录,
参考文献, References, 致谢, ...) split it into sections of kind ``front`` (cover, abstract,
table of contents), ``body`` (chapters, appendices), ``references`` and ``back``
(acknowledgements, the author's publications).  Only ``body`` counts in copy ratios, as
CNKI-style reports do.  Quoted passages (“…”, 「…」, "…") and sentences carrying a citation
mark ([3], [1-4], (Smith, 2019), （张三，2019）) are *cited* spans.
"""

from __future__ import annotations

import bisect
import os
import re
import zipfile
from dataclasses import dataclass, field

from .errors import SimilarityError
from .errors import SimilarityErrorCode as Code

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CHARS = 20_000_000


@dataclass(frozen=True)
class Section:
    start: int
    end: int
    kind: str  # front | body | references | back
    title: str


@dataclass
class Document:
    name: str
    text: str
    sections: list[Section] = field(default_factory=list)
    cited: list[tuple[int, int]] = field(default_factory=list)


# ------------------------------------------------------------------ reading


def read_text_file(path: str) -> str:
    """The UTF-8 text of `path` exactly as read (newline=''), or a SimilarityError naming it."""
    data = _read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SimilarityError(Code.ENCODING, path, "UTF-16 text; convert the file to UTF-8")
    head = data[:65536]
    if head.count(b"\x00") > 0.01 * len(head):
        # a stray NUL occurs in real text files (the PAN corpora have some); many do not
        raise SimilarityError(Code.BINARY, path, "binary data (NUL bytes), not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if sum(1 for c in head if c < 9 or 13 < c < 32) > 0.1 * len(head):
            raise SimilarityError(Code.BINARY, path, "binary data, not a text file") from None
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it decodes as GB18030/GBK: convert it to UTF-8)"
        except UnicodeDecodeError:
            pass
        raise SimilarityError(Code.ENCODING, path, f"not valid UTF-8 at byte {e.start}{hint}") from None
    _check_text(path, text)
    return text


def _read_bytes(path: str) -> bytes:
    try:
        size = os.path.getsize(path)
    except OSError:
        raise SimilarityError(Code.NOT_FOUND, path, "no such file") from None
    if not os.path.isfile(path):
        raise SimilarityError(Code.NOT_FOUND, path, "not a regular file")
    if size > MAX_FILE_BYTES:
        raise SimilarityError(Code.TOO_LARGE, path, f"{size} bytes, more than the {MAX_FILE_BYTES} allowed")
    with open(path, "rb") as f:
        return f.read()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_text(path: str, text: str) -> None:
    if not text.strip():
        raise SimilarityError(Code.EMPTY, path, "no text")
    if len(text) > MAX_CHARS:
        raise SimilarityError(Code.TOO_LARGE, path, f"{len(text)} characters, more than the {MAX_CHARS} allowed")
    sample = text[:100_000]
    if len(_CONTROL.findall(sample)) > 0.3 * len(sample):
        raise SimilarityError(Code.BINARY, path, "mostly control characters, not a text file")


def load(path: str, name: str | None = None) -> Document:
    """A Document from a .txt, .docx or .pdf file, with its structure."""
    ext = os.path.splitext(path)[1].lower()
    name = name or os.path.basename(path)
    if ext == ".docx":
        text, headings = _docx(path)
    elif ext == ".pdf":
        text, headings = _pdf(path), []
    elif ext in (".txt", ".text", ".md", ""):
        text, headings = read_text_file(path), []
    else:
        raise SimilarityError(Code.UNSUPPORTED, path, f"unsupported file type {ext!r} (txt, docx or pdf)")
    return Document(name, text, structure(text, headings), cited_spans(text))


def _docx(path: str) -> tuple[str, list[tuple[int, int, int]]]:
    data = _read_bytes(path)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SimilarityError(Code.ENCRYPTED, path, "an encrypted (password-protected) or legacy .doc file")
    if not data.startswith(b"PK"):
        raise SimilarityError(Code.CORRUPT, path, "not a .docx file (not a ZIP archive)")
    try:
        import io

        import docx

        d = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise SimilarityError(Code.CORRUPT, path, f"damaged .docx file ({type(e).__name__})") from None
    except Exception as e:  # python-docx raises assorted errors on malformed parts
        raise SimilarityError(Code.CORRUPT, path, f"damaged .docx file ({type(e).__name__})") from None
    parts, headings, pos = [], [], 0
    for p in d.paragraphs:
        t = p.text
        style = (p.style.name if p.style is not None else "") or ""
        m = re.search(r"(?:heading|标题)\s*(\d)", style, re.I)
        if m and t.strip():
            headings.append((pos, pos + len(t), int(m.group(1))))
        parts.append(t)
        pos += len(t) + 1
    text = "\n".join(parts)
    _check_text(path, text)
    return text, headings


def _pdf(path: str) -> str:
    data = _read_bytes(path)
    if not data.startswith(b"%PDF"):
        raise SimilarityError(Code.CORRUPT, path, "not a PDF file")
    try:
        import io

        import pypdf

        r = pypdf.PdfReader(io.BytesIO(data))
        if r.is_encrypted and not r.decrypt(""):
            raise SimilarityError(Code.ENCRYPTED, path, "an encrypted (password-protected) PDF")
        text = "\n".join((pg.extract_text() or "") for pg in r.pages)
    except SimilarityError:
        raise
    except Exception as e:
        raise SimilarityError(Code.CORRUPT, path, f"damaged PDF ({type(e).__name__})") from None
    if not text.strip():
        raise SimilarityError(Code.EMPTY, path, "no text layer (a scanned PDF needs OCR first)")
    _check_text(path, text)
    return text


# ------------------------------------------------------------------ structure

_CN_NUM = "一二三四五六七八九十百零〇两"
_KINDS = [
    (re.compile(r"^(中文摘要|摘\s*要|英文摘要|abstract|summary|内容提要|关键词.*|key\s*words.*)$", re.I), "front"),
    (re.compile(r"^(目\s*录|contents|table of contents|图表目录|插图目录|list of (figures|tables))$", re.I), "front"),
    (re.compile(r"^(独创性声明|原创性声明|学位论文.*(声明|授权书)|declaration.*)$", re.I), "front"),
    (re.compile(r"^(参考文献|references|bibliography|works cited|引用文献)$", re.I), "references"),
    (re.compile(r"^(致\s*谢|谢\s*辞|后\s*记|acknowledge?ments?|攻读.*(成果|论文).*|作者简介|个人简历.*)$", re.I),
     "back"),
]
_CHAPTER = re.compile(
    rf"^(第[{_CN_NUM}\d]+章.*|chapter\s+[\divxlc]+\b.*|[\d]{{1,2}}[.、．\s]\s*\S.*|[{_CN_NUM}]{{1,3}}、\s*\S.*"
    r"|(引\s*言|绪\s*论|前\s*言|结\s*论|结\s*语|总\s*结|introduction|conclusions?|附\s*录.*|appendix.*))$",
    re.I,
)


def _heading_kind(line: str) -> str | None:
    s = line.strip().strip("#").strip()
    if not s or len(s) > 60 or s[-1] in "。，；;,:：" or (s[-1] == "." and len(s) > 30):
        return None
    for rx, kind in _KINDS:
        if rx.match(s):
            return kind
    if _CHAPTER.match(s) and not re.match(r"^\d{1,2}\.\d", s):
        return "body"
    return None


def structure(text: str, headings: list[tuple[int, int, int]] | None = None) -> list[Section]:
    """Sections covering the whole text, in order.

    Heading lines are found by pattern; docx level-1 headings count too.  Text before the
    first heading is the cover (front matter) when headings exist at all.
    """
    marks: list[tuple[int, str, str]] = []
    doc_heads = {s for s, _, level in (headings or []) if level == 1}
    pos = 0
    for line in text.splitlines(keepends=True):
        kind = _heading_kind(line)
        if kind is None and pos in doc_heads and line.strip():
            kind = "body"
        if kind:
            marks.append((pos, kind, line.strip()[:60]))
        pos += len(line)
    chapters = sum(1 for _, k, _ in marks if k == "body")
    explicit = any(k != "body" for _, k, _ in marks)
    if chapters == 0 or (chapters < 2 and not explicit):
        # no recognisable thesis structure: all of it is body
        return [Section(0, len(text), "body", "")]
    out = []
    if marks[0][0] > 0:
        cover = "front" if marks[0][0] < 0.2 * len(text) else "body"
        out.append(Section(0, marks[0][0], cover, "cover" if cover == "front" else ""))
    for i, (start, kind, title) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        out.append(Section(start, end, kind, title))
    # once the references or back matter begin, a later numbered line is part of them
    seen_end = False
    fixed = []
    for s in out:
        if s.kind in ("references", "back"):
            seen_end = True
        elif seen_end and s.kind == "body" and not re.match(r"^(附\s*录|appendix)", s.title, re.I):
            s = Section(s.start, s.end, fixed[-1].kind, fixed[-1].title)
        if fixed and fixed[-1].kind == s.kind and fixed[-1].title == s.title:
            fixed[-1] = Section(fixed[-1].start, s.end, s.kind, s.title)
        else:
            fixed.append(s)
    return fixed


_QUOTE = re.compile(r"“[^”]{4,600}”|「[^」]{4,600}」|『[^』]{4,600}』|\"[^\"\n]{8,600}\"")
_CITE = re.compile(
    r"\[\d+(?:\s*[-–,，]\s*\d+)*\]|［\d+(?:[-–,，]\d+)*］"
    r"|\((?:[A-Z][A-Za-z\-]+(?: et al\.)?(?:,| and| &)?\s*)+\d{4}[a-z]?\)"
    r"|（[\u4e00-\u9fff]{1,4}(?:等)?[，,]\s*\d{4}）"
)
_SENT = re.compile(r"[^。！？!?.\n]*(?:[。！？!?]|\.(?=\s)|\n|$)")


def cited_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quoted passages and of sentences bearing a citation mark."""
    spans = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    marks = [m.start() for m in _CITE.finditer(text)]
    if marks:
        for m in _SENT.finditer(text):
            k = bisect.bisect_left(marks, m.start())
            if m.end() > m.start() and k < len(marks) and marks[k] <= m.end():
                spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
