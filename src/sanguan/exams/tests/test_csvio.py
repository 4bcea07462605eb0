"""Reading score sheets: the layout of the contract, and every refusal naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from sanguan.exams.csvio import load_scores
from sanguan.exams.errors import ScoresFileError


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sheet(tmp_path: Path, text: str, name: str = "scores.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> ScoresFileError:
    with pytest.raises(ScoresFileError) as info:
        load_scores(path)
    return info.value


def test_reads_header_max_row_and_candidates_with_empty_cells_as_zero(tmp_path):
    # given a max row, a half mark, an empty cell and a trailing blank line
    path = sheet(tmp_path, "candidate,P1,P2\nmax,2,5\nC1,1.5,\nC2, 2 ,5\n\n")
    # when
    s = load_scores(path)
    # then
    assert s.item_ids == ["P1", "P2"]
    assert s.maxes.tolist() == [2.0, 5.0]
    assert s.candidate_ids == ["C1", "C2"]
    assert s.scores.tolist() == [[1.5, 0.0], [2.0, 5.0]]


def test_max_defaults_to_one_and_a_utf8_bom_is_ignored(tmp_path):
    # given a spreadsheet export with a byte-order mark and Chinese ids
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff考生,题1,题2\n甲,1,0\n乙,0,1\n".encode())
    # when
    s = load_scores(path)
    # then
    assert s.item_ids == ["题1", "题2"]
    assert s.maxes.tolist() == [1.0, 1.0]
    assert s.candidate_ids == ["甲", "乙"]


def test_refuses_missing_file(tmp_path):
    # given no file
    # when
    e = refusal(tmp_path / "absent.csv")
    # then
    assert e.code == "SCORES_UNREADABLE"
    assert e.message.startswith(f"{tmp_path / 'absent.csv'}: cannot read the file (")


def test_refuses_non_utf8_file(tmp_path):
    # given a GBK-encoded sheet
    path = tmp_path / "gbk.csv"
    path.write_bytes("考生,题1\n甲,1\n乙,0\n".encode("gbk"))
    # when / then
    assert refusal(path).code == "SCORES_UNREADABLE"


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_refuses_empty_file(tmp_path, text):
    # given nothing but (perhaps) blank lines
    path = sheet(tmp_path, text)
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_EMPTY"
    assert e.message == f"{path}: the file is empty; want a header row of item ids."


@pytest.mark.parametrize("text", ["candidate\nC1\nC2\n", "max,1,1\nC1,1,0\nC2,0,1\n"])
def test_refuses_missing_header(tmp_path, text):
    # given a header without item columns, or a sheet starting with its max row
    path = sheet(tmp_path, text)
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_NO_HEADER"
    assert e.message == f"{path}, row 1: no header; want a candidate id column, then one column per item id."
    assert e.extra == {"path": str(path), "row": 1}


def test_refuses_blank_item_id(tmp_path):
    # given a trailing comma on the header
    path = sheet(tmp_path, "candidate,Q1,\nC1,1,0\nC2,0,1\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_BLANK_ITEM_ID"
    assert e.message == f"{path}, row 1, column 3: blank item id."


def test_refuses_duplicate_item_ids(tmp_path):
    # given Q1 twice
    path = sheet(tmp_path, "candidate,Q1,Q2,Q1\nC1,1,0,1\nC2,0,1,1\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_DUPLICATE_ITEM"
    assert e.message == f"{path}, row 1, column 4: item id “Q1” repeats column 2."
    assert e.extra == {"path": str(path), "row": 1, "column": 4}


@pytest.mark.parametrize("row", ["C2,0", "C2,0,1,1"])
def test_refuses_ragged_row(tmp_path, row):
    # given a row one cell short or one cell long
    path = sheet(tmp_path, f"candidate,Q1,Q2\nC1,1,0\n{row}\nC3,1,1\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_RAGGED_ROW"
    assert e.message == f"{path}, row 3: {len(row.split(','))} cells, want 3 like the header."


def test_refuses_non_numeric_cell(tmp_path):
    # given an "x" for C2 on Q2
    path = sheet(tmp_path, "candidate,Q1,Q2\nC1,1,0\nC2,1,x\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_NOT_A_NUMBER"
    assert e.message == f"{path}, row 3, column 3 (Q2): “x” is not a number."
    assert e.extra == {"path": str(path), "row": 3, "column": 3}


@pytest.mark.parametrize("cell", ["nan", "inf", "1_0", "0x1", "1,5"])
def test_refuses_non_finite_and_non_decimal_numbers(tmp_path, cell):
    # given a cell Python's float() would take, or a decimal comma (quoted)
    path = sheet(tmp_path, f'candidate,Q1\nC1,1\nC2,"{cell}"\n')
    # when / then
    assert refusal(path).code == "SCORES_NOT_A_NUMBER"


def test_refuses_negative_score(tmp_path):
    # given -1 on row 4
    path = sheet(tmp_path, "candidate,Q1,Q2\nmax,2,2\nC1,1,0\nC2,-1,1\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_NEGATIVE"
    assert e.message == f"{path}, row 4, column 2 (Q1): negative score -1."


def test_refuses_score_above_max_naming_the_first_in_reading_order(tmp_path):
    # given 2.5 on Q2 (max 2) in row 3 and 3 on Q1 in row 4
    path = sheet(tmp_path, "candidate,Q1,Q2\nmax,2,2\nC1,1,2.5\nC2,3,1\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_ABOVE_MAX"
    assert e.message == f"{path}, row 3, column 3 (Q2): score 2.5 is above the item's max 2."


def test_without_max_row_scores_above_one_are_refused(tmp_path):
    # given the default max of 1
    path = sheet(tmp_path, "candidate,Q1\nC1,1\nC2,2\n")
    # when / then
    assert refusal(path).code == "SCORES_ABOVE_MAX"


@pytest.mark.parametrize(("cell", "shown"), [("0", "0"), ("-2", "-2"), ("", "")])
def test_refuses_zero_negative_or_empty_max(tmp_path, cell, shown):
    # given a bad max for Q2
    path = sheet(tmp_path, f"candidate,Q1,Q2\nmax,1,{cell}\nC1,1,0\nC2,0,0\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_BAD_MAX"
    assert e.message == f"{path}, row 2, column 3 (Q2): the max must be above 0, got “{shown}”."


def test_refuses_max_row_after_candidates(tmp_path):
    # given the max row below a candidate
    path = sheet(tmp_path, "candidate,Q1\nC1,1\nMAX,1\nC2,0\n")
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_MISPLACED_MAX_ROW"
    assert e.message == f"{path}, row 3: a max row must come right after the header."


def test_refuses_blank_and_duplicate_candidate_ids(tmp_path):
    # given
    blank = sheet(tmp_path, "candidate,Q1\nC1,1\n,0\n", "blank.csv")
    twice = sheet(tmp_path, "candidate,Q1\nC1,1\nC2,0\nC1,0\n", "twice.csv")
    # when
    e1, e2 = refusal(blank), refusal(twice)
    # then
    assert (e1.code, e1.message) == ("SCORES_BLANK_CANDIDATE", f"{blank}, row 3, column 1: blank candidate id.")
    assert (e2.code, e2.message) == (
        "SCORES_DUPLICATE_CANDIDATE",
        f"{twice}, row 4, column 1: candidate “C1” repeats row 2.",
    )


@pytest.mark.parametrize(("text", "count"), [("candidate,Q1\n", 0), ("candidate,Q1\nmax,2\nC1,1\n", 1)])
def test_refuses_fewer_than_two_candidates(tmp_path, text, count):
    # given no or one candidate row
    path = sheet(tmp_path, text)
    # when
    e = refusal(path)
    # then
    assert e.code == "SCORES_TOO_FEW_CANDIDATES"
    assert e.message == f"{path}: {count} candidate rows; at least 2 are needed for sample standard deviations."


def test_messages_are_translated_to_simplified_chinese(tmp_path):
    # given a non-numeric cell, read in Chinese
    path = sheet(tmp_path, "candidate,Q1\nC1,1\nC2,x\n")
    # when
    with translation.override("zh-hans"):
        e = refusal(path)
    # then
    assert e.code == "SCORES_NOT_A_NUMBER"
    assert e.message == f"{path}，第 3 行第 2 列（Q1）：“x”不是数字。"
