"""Findings read in the reader's language: the rules store English msgids and parameters
(choice labels as msgids, intakes and terms as nested messages), the pages translate them."""

from __future__ import annotations

import ast
import re
from html import escape
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from sanguan.compliance import registry, services
from sanguan.compliance.models import Finding
from sanguan.demo.seeding import seed_database

PACKAGE = Path(__file__).resolve().parents[2]
RULE_MODULES = {"ADM": "admissions", "TEACH": "teaching", "CENTRE": "institutions"}
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@pytest.fixture
def seeded_findings(db, settings, tmp_path):
    """The demo world (every app seeds its planted violations) with the rules run on it."""
    settings.DATA_DIR = tmp_path
    seed_database(scale=1, seed=2019, today=timezone.localdate())
    services.compliance_run()
    return list(Finding.objects.all())


@pytest.fixture
def national_regulator(seeded_findings):
    """The demo's national regulator (sees every finding)."""
    return get_user_model().objects.get(username="moe")


def _in(language: str, finding: Finding) -> str:
    with translation.override(language):
        return finding.summary_text


def _pages(client, url: str) -> str:
    """Every page of the findings list, concatenated."""
    html, page = "", 1
    while True:
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        html += response.content.decode()
        if f"page={page + 1}" not in response.content.decode():
            return html
        page += 1


def test_findings_pages_show_every_apps_rule_summaries_in_chinese(client, national_regulator, seeded_findings):
    # given findings of rules of each app
    assert {f.rule_code.split("-")[0] for f in seeded_findings} >= set(RULE_MODULES)
    client.force_login(national_regulator)

    # when
    html = _pages(client, reverse("compliance:findings"))
    home = client.get("/home/").content.decode()

    # then every summary is in Chinese, with no English word left (ids and numbers are data)
    for f in seeded_findings:
        chinese, english = _in("zh-hans", f), _in("en", f)
        assert escape(chinese) in html, f.rule_code
        assert ENGLISH_WORD.findall(chinese) == [], (f.rule_code, chinese)
        assert escape(english) not in html, (f.rule_code, english)
    # and the home page's list shows Chinese summaries, no English one
    assert any(escape(_in("zh-hans", f)) in home for f in seeded_findings)
    assert [f.rule_code for f in seeded_findings if escape(_in("en", f)) in home] == []
    # and the detail page of one finding per rule has its summary and evidence in Chinese
    for f in {f.rule_code: f for f in seeded_findings}.values():
        page = client.get(reverse("compliance:finding", args=[f.pk])).content.decode()
        assert escape(_in("zh-hans", f)) in page
        assert "处理记录" in page
        with translation.override("zh-hans"):
            items = f.evidence_items
        for item in items:
            assert ENGLISH_WORD.findall(item["label"].replace("xAPI", "")) == [], (f.rule_code, item)
            if "://" not in item["value"]:
                assert ENGLISH_WORD.findall(item["value"]) == [], (f.rule_code, item)
    assert "筛选" in html and "过滤器" not in html


def test_findings_page_is_in_english_when_the_language_cookie_says_en(client, national_regulator, seeded_findings):
    # given
    client.force_login(national_regulator)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    # when
    html = _pages(client, reverse("compliance:findings"))

    # then
    for f in seeded_findings:
        english = _in("en", f)
        assert escape(english) in html, (f.rule_code, english)
        assert escape(_in("zh-hans", f)) not in html or _in("zh-hans", f) == english
    assert ">Filter<" in html


def test_every_rule_summary_and_text_has_a_chinese_translation(db):
    # given every msgid the rules of each app mark, and every registered rule's title and description
    msgids = []
    for app in RULE_MODULES.values():
        tree = ast.parse((PACKAGE / app / "rules.py").read_text(encoding="utf-8"))
        msgids += [
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "id", None) in ("gettext_noop", "_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ]
    assert len(msgids) > 50

    # when
    with translation.override("zh-hans"):
        untranslated = [m for m in msgids if translation.gettext(m) == m]
        rule_texts = [
            str(text)
            for r in registry.all_rules()
            if r.code.split("-")[0] in RULE_MODULES
            for text in (r.title, r.description)
        ]

    # then
    assert untranslated == []
    assert [t for t in rule_texts if ENGLISH_WORD.search(t.replace("xAPI", ""))] == []


def test_nested_message_parameters_render_in_the_readers_language_and_old_rows_still_render(db, university):
    # given a finding storing a nested message and a choice label, and an old row with raw values
    subject = ContentType.objects.get_for_model(university)
    now = timezone.now()
    common = {
        "rule_code": "ADM-007",
        "article": 2,
        "severity": "MEDIUM",
        "subject_type": subject,
        "first_detected_at": now,
        "last_detected_at": now,
    }
    new = Finding.objects.create(
        subject_id="1",
        summary="Applicant {id} ({intake}) of {university} has also applied to another university.",
        summary_params={
            "id": 5,
            "intake": registry.message("{year} {season}", year=2027, season="Autumn"),
            "university": university.name,
        },
        **common,
    )
    old = Finding(
        subject_id="2",
        summary="Applicant {id} ({intake}) of {university} has also applied to another university.",
        summary_params={"id": 6, "intake": "2027 AUTUMN", "university": university.name},
        **common,
    )

    # when / then
    assert _in("zh-hans", new) == f"{university.name}的考生 5（2027年秋季）同时在其他高校报名。"
    assert _in("en", new) == f"Applicant 5 (2027 Autumn) of {university.name} has also applied to another university."
    assert _in("zh-hans", old) == f"{university.name}的考生 6（2027 AUTUMN）同时在其他高校报名。"
