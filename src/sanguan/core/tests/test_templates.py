"""Every page template keeps markup out of its <title>: a block title that swallows forms
renders them as text in the browser tab and hides them from the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock\s*%}", re.S)
TEMPLATES = sorted(ROOT.rglob("templates/**/*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_title_block_holds_text_only(path):
    for body in TITLE.findall(path.read_text(encoding="utf-8")):
        assert "<" not in body and "\n" not in body.strip(), f"{path.name}: title block holds markup: {body[:80]!r}"
