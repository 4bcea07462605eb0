from __future__ import annotations

import json
import os
import random
import xml.etree.ElementTree as ET

from sanguan.similarity.cli import main

from .conftest import en_text, zh_text


def _w(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def test_align_writes_pan_xml_per_pair(tmp_path, capsys):
    # given a suspicious file copying a passage of a source, and an unrelated source
    passage = zh_text(random.Random(1), 15)
    susp = "𠮷\r\n" + zh_text(random.Random(2), 20) + passage + zh_text(random.Random(3), 10)
    _w(tmp_path / "susp" / "s1.txt", susp)
    _w(tmp_path / "src" / "r1.txt", en_text(random.Random(4), 5) + passage)
    _w(tmp_path / "src" / "r2.txt", zh_text(random.Random(5), 30))
    (tmp_path / "pairs").write_text("s1.txt r1.txt\ns1.txt r2.txt\n")
    # when aligned
    rc = main(["align", "--pairs", str(tmp_path / "pairs"), "--src", str(tmp_path / "src"),
               "--susp", str(tmp_path / "susp"), "--out", str(tmp_path / "out")])
    # then both XML files exist and the copied passage is reported at its character offsets
    assert rc == 0
    assert sorted(os.listdir(tmp_path / "out")) == ["s1-r1.xml", "s1-r2.xml"]
    root = ET.parse(tmp_path / "out" / "s1-r1.xml").getroot()  # noqa: S314 — our own output
    assert root.tag == "document" and root.get("reference") == "s1.txt"
    (f,) = list(root)
    assert f.get("name") == "detected-plagiarism" and f.get("source_reference") == "r1.txt"
    assert abs(int(f.get("this_offset")) - susp.index(passage)) <= 1
    assert list(ET.parse(tmp_path / "out" / "s1-r2.xml").getroot()) == []  # noqa: S314


def test_align_with_a_bad_file_names_it_fails_and_writes_nothing_for_it(tmp_path, capsys):
    # given a pair whose source is not UTF-8
    _w(tmp_path / "susp" / "s.txt", zh_text(random.Random(1), 10))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "r.txt").write_bytes("网络".encode("gbk") * 50)
    (tmp_path / "pairs").write_text("s.txt r.txt\n")
    # when aligned
    rc = main(["align", "--pairs", str(tmp_path / "pairs"), "--src", str(tmp_path / "src"),
               "--susp", str(tmp_path / "susp"), "--out", str(tmp_path / "out"), "--jobs", "1"])
    # then it exits 1 naming the file, and no XML is left
    assert rc == 1
    assert "r.txt" in capsys.readouterr().err
    assert os.listdir(tmp_path / "out") == []


def test_index_then_check_prints_json_and_writes_html(tmp_path, capsys):
    # given a corpus with an authors file
    src = zh_text(random.Random(7), 40)
    _w(tmp_path / "corpus" / "a.txt", src)
    _w(tmp_path / "corpus" / "sub" / "b.txt", zh_text(random.Random(8), 40))
    _w(tmp_path / "corpus" / "authors.tsv", "a.txt\t张三\n")
    thesis = zh_text(random.Random(9), 20) + src[300:700] + zh_text(random.Random(10), 20)
    _w(tmp_path / "thesis.txt", thesis)
    # when indexed and checked
    assert main(["index", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "ix")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["added"], out["documents"]) == (2, 2)
    rc = main(["check", "--index", str(tmp_path / "ix"), str(tmp_path / "thesis.txt"), "--json", "--author", "张三",
               "--html", str(tmp_path / "r.html")])
    # then the JSON has the ratios and the passage, and the HTML report exists
    assert rc == 0
    rep = json.loads(capsys.readouterr().out)
    assert 0.2 < rep["copy_ratio"] < 0.5 and rep["ratio_without_own"] == 0.0
    (p,) = rep["passages"]
    assert p["source_id"] == "a.txt" and abs(p["this_offset"] - thesis.index(src[300:700])) <= 1
    assert "查重报告" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_index_with_a_bad_file_leaves_no_index_behind(tmp_path, capsys):
    # given a corpus with one empty file
    _w(tmp_path / "corpus" / "a.txt", zh_text(random.Random(7), 40))
    _w(tmp_path / "corpus" / "empty.txt", "")
    # when indexed
    rc = main(["index", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "ix")])
    # then it fails naming the file and creates nothing
    assert rc == 1 and "empty.txt" in capsys.readouterr().err
    assert not (tmp_path / "ix").exists()


def test_check_against_a_missing_index_fails_clearly(tmp_path, capsys):
    _w(tmp_path / "t.txt", zh_text(random.Random(1), 5))
    assert main(["check", "--index", str(tmp_path / "nope"), str(tmp_path / "t.txt"), "--json"]) == 1
    assert "nope" in capsys.readouterr().err
