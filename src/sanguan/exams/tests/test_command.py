"""``sanguan exams item-analysis``: the JSON contract, the table, and refusals as a non-zero exit."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

SHEET = "candidate,Q1,Q2,Q3\nc1,1,1,1\nc2,1,1,0\nc3,1,0,1\nc4,0,1,0\nc5,,,\nc6,1,0,0\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command("exams", *args, stdout=out)
    return out.getvalue()


def test_item_analysis_json_has_every_contract_field(tmp_path):
    # given the hand-worked sheet of test_item_analysis (c5's empty cells score 0)
    path = tmp_path / "scores.csv"
    path.write_text(SHEET, encoding="utf-8")
    # when
    doc = json.loads(run("item-analysis", str(path), "--json"))
    # then
    assert list(doc) == ["items", "test"]
    assert list(doc["items"]) == ["Q1", "Q2", "Q3"]
    assert set(doc["items"]["Q1"]) == {"facility", "sd", "discrimination_index", "discriminative_efficiency", "d27"}
    assert set(doc["test"]) == {
        "n", "mean", "median", "sd", "skewness", "kurtosis", "cronbach_alpha", "kr20", "cic", "error_ratio",
        "standard_error",
    }  # fmt: skip
    assert doc["test"]["n"] == 6
    assert doc["test"]["kr20"] == pytest.approx(4 / 11)
    assert doc["items"]["Q1"]["discrimination_index"] == pytest.approx(200 / math.sqrt(34))


def test_item_analysis_json_writes_null_for_undefined_statistics(tmp_path):
    # given every candidate with the same total, and a max row (so kr20 does not apply)
    path = tmp_path / "flat.csv"
    path.write_text("candidate,Q1,Q2\nmax,2,2\na,2,0\nb,0,2\nc,1,1\n", encoding="utf-8")
    # when
    text = run("item-analysis", str(path), "--json")
    # then
    assert "NaN" not in text
    test = json.loads(text)["test"]
    assert test["sd"] == 0.0
    assert [test[f] for f in ("skewness", "kurtosis", "cronbach_alpha", "kr20", "cic")] == [None] * 5


def test_item_analysis_without_json_prints_a_table(tmp_path):
    # given
    path = tmp_path / "scores.csv"
    path.write_text(SHEET, encoding="utf-8")
    # when
    text = run("item-analysis", str(path))
    # then
    lines = text.splitlines()
    assert lines[0].split() == ["item", "facility", "sd", "discrimination", "efficiency", "d27"]
    assert lines[1].split() == ["Q1", "0.667", "0.516", "34.3", "40.0", "0.500"]
    assert "cronbach alpha      0.3636" in text


def test_item_analysis_refuses_a_bad_sheet_naming_file_row_and_column(tmp_path):
    # given a non-numeric cell
    path = tmp_path / "bad.csv"
    path.write_text("candidate,Q1\nC1,1\nC2,x\n", encoding="utf-8")
    # when
    with translation.override("en"), pytest.raises(CommandError) as info:
        run("item-analysis", str(path), "--json")
    # then
    assert str(info.value) == f"{path}, row 3, column 2 (Q1): “x” is not a number."


def test_sanguan_exits_non_zero_on_a_bad_sheet(tmp_path):
    # given a non-numeric cell; the default language is Simplified Chinese
    path = tmp_path / "bad.csv"
    path.write_text("candidate,Q1\nC1,1\nC2,x\n", encoding="utf-8")
    # when
    proc = subprocess.run(
        [sys.executable, "-m", "sanguan.cli", "exams", "item-analysis", str(path), "--json"],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "SANGUAN_DATA_DIR": str(tmp_path)},
        check=False,
    )
    # then
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert str(path) in proc.stderr and "第 3 行第 2 列" in proc.stderr
