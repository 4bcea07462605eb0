"""Text generators for the similarity tests (no database, no Django)."""

from __future__ import annotations

import random

import pytest

ZH = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
      "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外"
      "天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者"
      "最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根")
SYLL = ["ka", "lo", "mi", "ter", "san", "vel", "dor", "pri", "qua", "len", "bis", "tor", "gra", "fen", "mul", "sta"]
EN = [a + b + c for a in SYLL for b in SYLL[::3] for c in ("", "s", "ion")]


def zh_text(rnd: random.Random, n_sent: int) -> str:
    """Sentences of random common hanzi: two calls with different seeds share no passage."""
    return "".join("".join(rnd.choice(ZH) for _ in range(rnd.randint(10, 24))) + rnd.choice("。；！？")
                   for _ in range(n_sent))


def en_text(rnd: random.Random, n_sent: int) -> str:
    """Sentences of random pseudo-words from a vocabulary of a few hundred."""
    out = []
    for _ in range(n_sent):
        words = [rnd.choice(EN) for _ in range(rnd.randint(8, 16))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


@pytest.fixture
def rnd() -> random.Random:
    return random.Random(20261128)
