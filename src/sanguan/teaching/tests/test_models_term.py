from __future__ import annotations

from django.utils import translation

from sanguan.teaching.models import Offering


def test_term_label_reads_as_a_season_in_each_language():
    offering = Offering(term="2026-AUTUMN")
    with translation.override("zh-hans"):
        assert offering.term_label == "2026年秋季"
    with translation.override("en"):
        assert offering.term_label == "2026 Autumn"


def test_an_unusual_term_is_shown_as_stored():
    assert Offering(term="2026-SUMMER").term_label == "2026-SUMMER"
