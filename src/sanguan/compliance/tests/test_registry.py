from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from sanguan.compliance import registry


def _rule(**kwargs) -> registry.Rule:
    values = {
        "code": "TEST-001",
        "article": 7,
        "severity": "LOW",
        "scope": "CENTRE",
        "title": "t",
        "description": "d",
        "check": lambda context: [],
    }
    values.update(kwargs)
    return registry.Rule(**values)


def test_rules_are_discovered_from_the_apps_rules_modules():
    assert {"CENTRE-001", "CENTRE-002", "CENTRE-003"} <= {r.code for r in registry.all_rules()}


@pytest.mark.parametrize("code", [r.code for r in registry.all_rules()])
def test_every_rule_has_a_chinese_title_and_description(code):
    rule = registry.get_rule(code)
    with translation.override("en"):
        english = (str(rule.title), str(rule.description))
    with translation.override("zh-hans"):
        chinese = (str(rule.title), str(rule.description))
    assert chinese[0] != english[0], f"{code}: no Chinese title in the owning app's catalogue"
    assert chinese[1] != english[1], f"{code}: no Chinese description in the owning app's catalogue"


def test_a_second_rule_under_the_same_code_is_refused():
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        registry.register(_rule(code="CENTRE-001"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"article": 19}, "articles 1 to 18"),
        ({"severity": "HUGE"}, "unknown severity"),
        ({"scope": "X"}, "unknown scope"),
    ],
)
def test_malformed_rules_are_refused(kwargs, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        registry.register(_rule(**kwargs))
    assert registry.get_rule("TEST-001") is None
