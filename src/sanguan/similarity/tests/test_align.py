from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sanguan.similarity.align import Params, align

from .conftest import en_text, zh_text


def _cover(p, lo, hi, side="this"):
    a, b = (p.this_start, p.this_end) if side == "this" else (p.source_start, p.source_end)
    return max(0, min(b, hi) - max(a, lo))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["zh", "en"]))
def test_a_text_against_itself_is_one_passage_covering_it(seed, lang):
    # given a text of a few hundred characters
    rnd = random.Random(seed)
    text = zh_text(rnd, 20) if lang == "zh" else en_text(rnd, 8)
    # when aligned with itself
    got = align(text, text)
    # then one passage covers nearly all of it, at the same offsets on both sides
    assert len(got) == 1
    p = got[0]
    assert (p.this_start, p.this_end) == (p.source_start, p.source_end)
    assert p.this_end - p.this_start >= 0.9 * len(text.rstrip("。；！？."))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.text(max_size=300), st.text(max_size=300))
def test_offsets_stay_inside_both_texts(seed, noise_a, noise_b):
    # given two texts sharing a passage, with arbitrary text around it
    rnd = random.Random(seed)
    shared = zh_text(rnd, 12) + en_text(rnd, 3)
    a = noise_a + zh_text(rnd, 5) + shared + noise_b
    b = en_text(rnd, 4) + noise_b + shared + noise_a
    # when aligned
    got = align(a, b)
    # then every passage is non-empty and inside both texts
    for p in got:
        assert 0 <= p.this_start < p.this_end <= len(a)
        assert 0 <= p.source_start < p.source_end <= len(b)


def test_verbatim_passage_is_found_at_its_exact_characters(rnd):
    # given a passage copied into unrelated text, with CRLF and astral characters before it
    passage = zh_text(rnd, 15)
    a = "𠮷前言\r\n" + zh_text(random.Random(1), 20) + "\r\n" + passage + en_text(random.Random(2), 5)
    b = en_text(random.Random(3), 6) + "\r\n𠀀" + passage + zh_text(random.Random(4), 20)
    lo_a, lo_b = a.index(passage), b.index(passage)
    # when aligned
    got = align(a, b)
    # then one passage matches it within a character or two
    assert len(got) == 1
    p = got[0]
    assert abs(p.this_start - lo_a) <= 1 and abs(p.this_end - (lo_a + len(passage))) <= 2
    assert abs(p.source_start - lo_b) <= 1 and abs(p.source_end - (lo_b + len(passage))) <= 2


def test_reordered_sentences_are_one_passage(rnd):
    # given a source passage whose sentences the suspicious text shuffles
    sents = [en_text(rnd, 1) for _ in range(10)]
    src = zh_text(random.Random(9), 30) + " ".join(sents) + zh_text(random.Random(8), 30)
    shuffled = sents[:]
    random.Random(5).shuffle(shuffled)
    susp = zh_text(random.Random(7), 30) + " ".join(shuffled) + zh_text(random.Random(6), 30)
    # when aligned
    got = align(susp, src)
    # then a single passage covers most of the shuffled part
    lo = susp.index(shuffled[0])
    hi = lo + len(" ".join(shuffled))
    assert len(got) == 1
    assert _cover(got[0], lo, hi) >= 0.9 * (hi - lo)


def test_light_disguise_with_substituted_and_inserted_words_is_found(rnd):
    # given an English passage with every fifth word replaced and some words inserted
    words = en_text(rnd, 12).split()
    disguised = []
    for i, w in enumerate(words):
        disguised.append("modified" if i % 5 == 0 else w)
        if i % 7 == 0:
            disguised.append("indeed")
    src = zh_text(random.Random(1), 20) + " ".join(words) + zh_text(random.Random(2), 20)
    susp = zh_text(random.Random(3), 20) + " ".join(disguised) + zh_text(random.Random(4), 20)
    # when aligned
    got = align(susp, src)
    # then the disguised passage is found
    lo = susp.index(" ".join(disguised)[:30])
    assert got and sum(_cover(p, lo, lo + len(" ".join(disguised))) for p in got) >= 0.8 * len(" ".join(disguised))


def test_texts_sharing_only_common_phrases_give_nothing_long(rnd):
    # given two unrelated texts that both use the same stock phrases
    phrase = " In accordance with the regulations of the university, "
    a = phrase.join(en_text(random.Random(11), 3) for _ in range(6))
    b = phrase.join(en_text(random.Random(12), 3) for _ in range(6))
    # when aligned
    got = align(a, b)
    # then no passage longer than 50 characters is reported
    assert all(p.this_end - p.this_start <= 50 for p in got)


def test_short_texts_and_empty_texts_give_nothing():
    assert align("", "") == []
    assert align("短。", "短。") == []
    assert align("abc", "", Params()) == []
