from __future__ import annotations

import random

import pytest

from sanguan.similarity.check import find_matches, report
from sanguan.similarity.extract import Document, cited_spans, structure
from sanguan.similarity.html import render
from sanguan.similarity.index import Index, NewDocument

from .conftest import zh_text


@pytest.fixture
def world(tmp_path):
    """An index of three sources (two by 张三), and a thesis copying one passage of each:
    one in chapter 1, one quoted in chapter 2, one in the reference list."""
    r = random.Random(5)
    src = [zh_text(random.Random(100 + i), 40) for i in range(3)]
    index = Index.open(str(tmp_path / "ix"), create=True)
    index.add([NewDocument("own.txt", src[0], "张三"), NewDocument("other.txt", src[1], "李四"),
               NewDocument("ref.txt", src[2], "张三")])
    p0, p1, p2 = src[0][100:400], src[1][200:450], src[2][50:300]
    text = ("论文题目\n摘要\n" + zh_text(r, 5) + "\n第一章 绪论\n" + zh_text(r, 10) + p0 + "。" + zh_text(r, 10)
            + "\n第二章 方法\n" + zh_text(r, 10) + "“" + p1 + "”" + zh_text(r, 10)
            + "\n参考文献\n" + p2 + "\n")
    doc = Document("thesis.txt", text, structure(text), cited_spans(text))
    return index, doc, (p0, p1, p2)


def test_report_gives_overall_cited_own_and_chapter_ratios(world):
    # given a thesis copying from its author's own work, a quoted source and a reference
    index, doc, (p0, p1, _) = world
    # when checked by its author
    rep = report(doc, find_matches(index, doc, author="张三"), author="张三")
    # then every ratio reflects what is excluded
    counted = rep["counted_characters"]
    assert rep["copy_ratio"] == pytest.approx((len(p0) + len(p1)) / counted, abs=0.02)
    assert rep["ratio_without_cited"] == pytest.approx(len(p0) / counted, abs=0.02)
    assert rep["ratio_without_own"] == pytest.approx(len(p1) / counted, abs=0.02)
    ch = {c["title"]: c["copy_ratio"] for c in rep["chapters"]}
    assert set(ch) == {"第一章 绪论", "第二章 方法"} and ch["第一章 绪论"] > 0.2 and ch["第二章 方法"] > 0.2
    # and passages name their sources at their offsets
    by_src = {p["source_id"]: p for p in rep["passages"]}
    assert doc.text[by_src["own.txt"]["this_offset"]:][:20] == p0[:20]
    assert by_src["other.txt"]["cited"] is True and by_src["own.txt"]["own"] is True


def test_without_an_author_the_own_ratio_is_none(world):
    index, doc, _ = world
    rep = report(doc, find_matches(index, doc))
    assert rep["ratio_without_own"] is None


def test_a_document_already_in_the_index_is_not_its_own_source(tmp_path):
    # given an index holding the checked text itself
    text = zh_text(random.Random(3), 40)
    index = Index.open(str(tmp_path / "ix"), create=True)
    index.add([NewDocument("self.txt", text)])
    doc = Document("self.txt", text, structure(text), [])
    # when checked
    rep = report(doc, find_matches(index, doc))
    # then nothing matches
    assert rep["copy_ratio"] == 0.0 and rep["passages"] == []


def test_html_report_is_self_contained_and_colours_passages(world):
    # given a checked thesis
    index, doc, _ = world
    rep = report(doc, find_matches(index, doc, author="张三"), author="张三")
    # when rendered
    html = render(doc, rep)
    # then it holds the ratios, a chart, marked passages and the sources, and loads nothing from outside
    assert "<svg" in html and html.count("<mark") >= 2 and "own.txt" in html and "other.txt" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "<script" not in html
