from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sanguan.similarity.normalize import CJK, WORD, normalize_text, tokenize

NOISE = ["\r\n", "　", "，", "𠮷", "ＡＢＣ", "１２３", "①", "㎡", "cafe\u0301", "﻿", " ", "……", "「", "」", "Ⅻ"]


def _tok_text(text: str) -> list[str]:
    t = tokenize(text)
    return [text[a:b] for a, b in zip(t.starts.tolist(), t.ends.tolist(), strict=True)]


def test_full_width_traditional_and_case_normalise_to_the_same_tokens():
    # given the same words in half-width simplified and full-width traditional forms
    a, b = "ABC 123 学习中心", "ａｂｃ　１２３　學習中心"
    # when both are tokenised
    ta, tb = tokenize(a), tokenize(b)
    # then the token hashes are identical
    assert ta.hashes.tolist() == tb.hashes.tolist()


def test_tokens_split_cjk_per_character_and_latin_per_word():
    # given mixed text
    text = "论文thesis review，质量。"
    # when tokenised
    t = tokenize(text)
    # then each hanzi is one token and each word one token, at their original characters
    assert _tok_text(text) == ["论", "文", "thesis", "review", "质", "量"]
    assert t.kinds.tolist() == [CJK, CJK, WORD, WORD, CJK, CJK]


def test_combining_mark_does_not_split_a_word():
    assert _tok_text("a cafe\u0301 b") == ["a", "cafe", "b"]


def test_english_stop_words_are_flagged():
    t = tokenize("The thesis of the student")
    assert t.stop.tolist() == [True, False, True, True, False]


def test_crlf_and_astral_characters_count_as_one_character_each():
    # given text with CRLF and a character outside the BMP before a word
    text = "𠮷\r\nword"
    # when tokenised
    t = tokenize(text)
    # then the word starts at Python character offset 3
    assert t.starts.tolist() == [0, 3] and t.ends.tolist() == [1, 7]


def test_normalize_text_maps_every_character_back():
    norm, offsets = normalize_text("Ａ，學")
    assert norm == "a 学" and offsets.tolist() == [0, 1, 2]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(NOISE), st.text(max_size=6)), max_size=30),
       st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo", "Nd"]), min_size=1, max_size=40),
       st.lists(st.one_of(st.sampled_from(NOISE), st.text(max_size=6)), max_size=30))
def test_normalisation_never_moves_a_match_off_its_characters(pre, body, post):
    # given a passage between arbitrary text, separated by spaces
    prefix, suffix = "".join(pre) + " ", " " + "".join(post)
    text = prefix + body + suffix
    # when the whole text and the passage alone are tokenised
    whole, alone = tokenize(text), tokenize(body)
    lo, hi = len(prefix), len(prefix) + len(body)
    inside = (whole.starts >= lo) & (whole.ends <= hi)
    # then the passage's tokens in the text are the passage's own tokens, shifted by the prefix
    assert whole.hashes[inside].tolist() == alone.hashes.tolist()
    assert (whole.starts[inside] - lo).tolist() == alone.starts.tolist()
    assert (whole.ends[inside] - lo).tolist() == alone.ends.tolist()
    # and no token straddles the passage's edges
    assert not (((whole.starts < lo) & (whole.ends > lo)) | ((whole.starts < hi) & (whole.ends > hi))).any()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_token_spans_are_inside_the_text_and_ordered(text):
    t = tokenize(text)
    assert ((t.starts >= 0) & (t.starts < t.ends) & (t.ends <= len(text))).all()
    assert (t.starts[1:] >= t.ends[:-1]).all()


def test_cached_tables_equal_freshly_built_ones(tmp_path, monkeypatch):
    # given an empty cache directory
    from sanguan.similarity import normalize

    monkeypatch.setenv("SANGUAN_SIMILARITY_CACHE", str(tmp_path))
    normalize.tables.cache_clear()
    try:
        # when the tables are asked for twice (built and saved, then loaded)
        built = normalize.tables()
        normalize.tables.cache_clear()
        loaded = normalize.tables()
        # then the file exists and both are the same
        assert len(list(tmp_path.iterdir())) == 1
        assert (built[0] == loaded[0]).all() and (built[1] == loaded[1]).all()
        assert (loaded[0] == normalize._build_tables()[0]).all()
    finally:
        normalize.tables.cache_clear()
