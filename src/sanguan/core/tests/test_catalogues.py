"""Every string the interface can show has a Chinese translation.

The strings are extracted from the current source as Django's ``makemessages`` extracts them
(Python and templates, with their contexts), in a copy of the package so that the catalogues
in the repository are not touched; each is then looked up the way a page looks it up, through
every catalogue in force (the project's, the apps', Django's own)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

import sanguan

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="extracting strings needs GNU gettext")

_QUOTED = r'((?:"(?:[^"\\]|\\.)*"\n)+)'  # one or more quoted lines
_ENTRY = re.compile(rf"(?:msgctxt {_QUOTED})?msgid {_QUOTED}(?:msgid_plural {_QUOTED})?")
_ESCAPES = {"n": "\n", "t": "\t"}
_NOT_WORDS = re.compile(r"%\(\w+\)\w|\{\w*\}|<[^>]+>|&\w+;")


def _text(block: str) -> str:
    """The string a run of quoted PO lines stands for."""
    quoted = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), quoted)


def _extracted(tmp_path: Path) -> list[tuple[str | None, str, str | None]]:
    tree = tmp_path / "sanguan"
    shutil.copytree(Path(sanguan.__file__).parent, tree,
                    ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po", "static", "tests", "migrations"))
    (tree / "locale").mkdir(exist_ok=True)
    cwd = Path.cwd()
    try:
        os.chdir(tree)
        # makemessages writes where LOCALE_PATHS says: into the copy, never the repository
        with override_settings(LOCALE_PATHS=[tree / "locale"]):
            call_command("makemessages", locale=["zh_Hans"], keep_pot=True, no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    entries = []
    for pot in tree.rglob("django.pot"):
        for m in _ENTRY.finditer(pot.read_text(encoding="utf-8")):
            ctx = _text(m.group(1)) if m.group(1) else None
            entries.append((ctx, _text(m.group(2)), _text(m.group(3)) if m.group(3) else None))
    return entries


def test_every_interface_string_has_a_chinese_translation(tmp_path):
    entries = _extracted(tmp_path)
    assert len(entries) > 1000  # the extraction really ran over the whole package

    untranslated = []
    with translation.override("zh-hans"):
        for ctx, msgid, plural in entries:
            if not re.search(r"[A-Za-z]{2}", _NOT_WORDS.sub("", msgid)):
                continue  # no words to translate (a placeholder, a code)
            if plural:
                got = translation.npgettext(ctx, msgid, plural, 2) if ctx else translation.ngettext(msgid, plural, 2)
            else:
                got = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
            if got == msgid:
                untranslated.append(f"{ctx + ' | ' if ctx else ''}{msgid}")
    assert untranslated == []
