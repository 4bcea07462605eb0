from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sanguan.similarity.normalize import tokenize
from sanguan.similarity.segment import sentences


def _texts(text):
    t = tokenize(text)
    return [text[t.starts[lo] : t.ends[hi - 1]] for lo, hi in sentences(text, t)]


def test_chinese_and_english_sentence_ends_split_but_single_line_breaks_do_not():
    text = ("网络教育的质量保障十分重要。学习中心必须备案！"
            "The centre is\nreviewed every year. Students pass final examinations.")
    assert _texts(text) == ["网络教育的质量保障十分重要", "学习中心必须备案", "The centre is\nreviewed every year",
                            "Students pass final examinations"]


def test_short_sentences_join_the_next_one():
    # "Yes." has no content word: it joins the following sentence
    assert _texts("Yes. The thesis was reviewed by the committee.") == ["Yes. The thesis was reviewed by the committee"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_sentences_cover_every_token_once_in_order(text):
    t = tokenize(text)
    s = sentences(text, t)
    assert [i for lo, hi in s for i in range(lo, hi)] == list(range(len(t)))
