from __future__ import annotations

import io
import itertools
import zipfile

import pytest

from sanguan.similarity.errors import SimilarityError
from sanguan.similarity.errors import SimilarityErrorCode as Code
from sanguan.similarity.extract import cited_spans, load, read_text_file, structure

THESIS = """网络教育质量研究
学生：张三
摘要
本文研究网络教育的质量保障。
目录
第一章 绪论
第一章的正文，研究背景与意义。
第二章 相关研究
正如王五所说“质量是教育的生命线”，这一观点得到广泛认同[3]。
参考文献
[1] 李四. 远程教育研究[J]. 2019.
致谢
感谢导师。
"""


def test_txt_is_read_exactly_with_crlf_kept(tmp_path):
    # given a UTF-8 file with CRLF line ends
    p = tmp_path / "a.txt"
    p.write_bytes("第一行\r\n第二行\r\n".encode())
    # when read
    text = read_text_file(str(p))
    # then CRLF counts as two characters
    assert text == "第一行\r\n第二行\r\n" and len(text) == 10


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", Code.EMPTY),
        (b"  \r\n\t ", Code.EMPTY),
        (b"abc\x00\x01\x02def" * 10, Code.BINARY),
        ("网络教育".encode("gb18030") * 10, Code.ENCODING),
        (b"\xff\xfea\x00b\x00", Code.ENCODING),
        (bytes(range(1, 9)) * 100, Code.BINARY),
    ],
)
def test_bad_text_files_are_refused_with_their_name(tmp_path, content, code):
    # given a bad file
    p = tmp_path / "bad-file.txt"
    p.write_bytes(content)
    # when loaded
    with pytest.raises(SimilarityError) as e:
        load(str(p))
    # then the error has its code and names the file
    assert e.value.code == code
    assert "bad-file.txt" in str(e.value)


def test_a_few_stray_control_characters_do_not_make_a_text_binary(tmp_path):
    # given a long text with one NUL and some control characters (as in the PAN corpora)
    p = tmp_path / "stray.txt"
    text = "A normal sentence of text. More text \x17 here.\n" * 100 + "\x00 The end.\n"
    p.write_bytes(text.encode())
    # when read
    # then it is read as is
    assert read_text_file(str(p)) == text


def test_a_png_is_binary(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.raises(SimilarityError) as e:
        load(str(p))
    assert e.value.code == Code.BINARY


def test_gbk_file_error_suggests_conversion(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("网络教育".encode("gbk"))
    with pytest.raises(SimilarityError) as e:
        load(str(p))
    assert "GB18030" in e.value.message


def test_missing_and_huge_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(SimilarityError) as e:
        load(str(tmp_path / "none.txt"))
    assert e.value.code == Code.NOT_FOUND
    # given a limit lower than the file
    monkeypatch.setattr("sanguan.similarity.extract.MAX_FILE_BYTES", 10)
    p = tmp_path / "big.txt"
    p.write_text("x" * 100)
    with pytest.raises(SimilarityError) as e:
        load(str(p))
    assert e.value.code == Code.TOO_LARGE and "big.txt" in str(e.value)


def test_corrupt_and_encrypted_office_files_are_refused(tmp_path):
    (tmp_path / "c.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "e.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    (tmp_path / "z.docx").write_bytes(_zip({"hello.txt": b"hi"}))
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / "n.pdf").write_bytes(b"hello")
    (tmp_path / "x.odt").write_bytes(b"hello")
    want = {"c.docx": Code.CORRUPT, "e.docx": Code.ENCRYPTED, "z.docx": Code.CORRUPT, "c.pdf": Code.CORRUPT,
            "n.pdf": Code.CORRUPT, "x.odt": Code.UNSUPPORTED}
    for name, code in want.items():
        with pytest.raises(SimilarityError) as e:
            load(str(tmp_path / name))
        assert (name, e.value.code) == (name, code)
        assert name in str(e.value)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_encrypted_pdf_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter()
    w.add_blank_page(100, 100)
    w.encrypt("secret")
    p = tmp_path / "locked.pdf"
    with open(p, "wb") as f:
        w.write(f)
    with pytest.raises(SimilarityError) as e:
        load(str(p))
    assert e.value.code == Code.ENCRYPTED and "locked.pdf" in str(e.value)


def test_pdf_without_text_layer_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter()
    w.add_blank_page(100, 100)
    p = tmp_path / "scan.pdf"
    with open(p, "wb") as f:
        w.write(f)
    with pytest.raises(SimilarityError) as e:
        load(str(p))
    assert e.value.code == Code.EMPTY


def test_docx_text_and_headings_are_extracted(tmp_path):
    docx = pytest.importorskip("docx")
    # given a docx with styled headings
    d = docx.Document()
    d.add_paragraph("封面")
    d.add_heading("Introduction to quality", level=1)
    d.add_paragraph("Body text of the first chapter.")
    d.add_heading("Method", level=1)
    d.add_paragraph("Body of the second chapter.")
    p = tmp_path / "t.docx"
    d.save(str(p))
    # when loaded
    doc = load(str(p))
    # then paragraphs are joined by line feeds and each level-1 heading opens a body section
    assert doc.text.startswith("封面\nIntroduction to quality\n")
    assert [(s.kind, s.title) for s in doc.sections] == [
        ("front", "cover"), ("body", "Introduction to quality"), ("body", "Method")]


def test_thesis_structure_separates_front_matter_chapters_references_and_back_matter():
    # given a small thesis
    # when its structure is found
    secs = structure(THESIS)
    # then the kinds come in order and cover the text
    assert [(s.kind, s.title) for s in secs] == [
        ("front", "cover"), ("front", "摘要"), ("front", "目录"), ("body", "第一章 绪论"),
        ("body", "第二章 相关研究"), ("references", "参考文献"), ("back", "致谢")]
    assert secs[0].start == 0 and secs[-1].end == len(THESIS)
    assert all(a.end == b.start for a, b in itertools.pairwise(secs))


def test_plain_text_without_headings_is_all_body():
    assert [(s.kind, s.start, s.end) for s in structure("一段普通文字。\n另一段。")] == [("body", 0, 12)]


def test_quotes_and_cited_sentences_are_cited_spans():
    # given a thesis with a quotation and a citation mark
    spans = cited_spans(THESIS)
    texts = [THESIS[a:b] for a, b in spans]
    # then the quoted words and the sentence bearing [3] are cited
    assert any("“质量是教育的生命线”" in t for t in texts)
    assert any(t.endswith("[3]。") for t in texts)
    assert not any("第一章的正文" in t for t in texts)
