"""The rule registry: what a rule is, what it yields, and where rules are found.

A rule is a function decorated with ``@rule(...)`` in some app's ``rules.py``. It receives a
``RuleContext`` and yields one ``Detection`` per violation it finds. Texts a rule yields
(summaries, evidence labels) are English msgids marked with ``gettext_noop`` plus
parameters: findings store them untranslated and each reader sees them in their language.
A parameter that is itself translatable is stored as a msgid too: a choice's label
(``str(obj.get_status_display())``, English while the checks run) or a nested ``message(...)``;
never a raw choice value such as ``"CENTRE"``, which no catalogue translates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    LOW = "LOW", _("Low")
    MEDIUM = "MEDIUM", _("Medium")
    HIGH = "HIGH", _("High")
    CRITICAL = "CRITICAL", _("Critical")


class RuleScope(models.TextChoices):
    """The level whose duty the rule checks."""

    NATIONAL = "NATIONAL", pgettext_lazy("rule scope", "National")
    PROVINCE = "PROVINCE", pgettext_lazy("rule scope", "Province")
    UNIVERSITY = "UNIVERSITY", pgettext_lazy("rule scope", "University")
    CENTRE = "CENTRE", pgettext_lazy("rule scope", "Learning centre")


# Short titles of the notice's articles (教职成厅〔2019〕8号), for grouping findings.
ARTICLES: dict[int, Promise] = {
    1: _("Art. 1 — Reasonable enrolment scale"),
    2: _("Art. 2 — Admissions"),
    3: _("Art. 3 — Honest publicity"),
    4: _("Art. 4 — Ideological-political courses"),
    5: _("Art. 5 — Teaching process"),
    6: _("Art. 6 — Assessment and examinations"),
    7: _("Art. 7 — Learning centres and off-campus sites"),
    8: _("Art. 8 — Theses"),
    9: _("Art. 9 — Student status, graduation and degrees"),
    10: _("Art. 10 — Leadership"),
    11: _("Art. 11 — Positioning and majors"),
    12: _("Art. 12 — Investment and tuition"),
    13: _("Art. 13 — Teachers"),
    14: _("Art. 14 — Quality assurance and annual report"),
    15: _("Art. 15 — Responsibility and accountability"),
    16: _("Art. 16 — Provincial supervision"),
    17: _("Art. 17 — Cross-province coordination"),
    18: _("Art. 18 — National monitoring and sanctions"),
}


def article_title(article: int) -> str:
    title = ARTICLES.get(article)
    return str(title) if title is not None else str(_("Art. {number}")).format(number=article)


def message(msgid: str, **params: Any) -> dict[str, Any]:
    """A nested message for a summary or evidence parameter: a msgid (marked with
    ``gettext_noop``) and its own parameters, translated when the finding is read."""
    return {"msgid": str(msgid), "params": params}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a link (``url``) or a plain ``value``, under a label msgid."""

    label: str
    url: str = ""
    value: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label}
        if self.url:
            data["url"] = self.url
        if self.value:
            data["value"] = self.value
        if self.params:
            data["params"] = dict(self.params)
        return data


@dataclass(frozen=True)
class Detection:
    """One violation. ``subject`` is the row in breach; ``university_id``, ``centre_id`` and
    ``provinces`` say who may see the finding (denormalised for scoping)."""

    subject: models.Model
    summary: str
    summary_params: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    university_id: int | None = None
    centre_id: int | None = None
    provinces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RuleContext:
    """What a check may depend on besides the database: the day it judges."""

    today: dt.date
    now: dt.datetime


Check = Callable[[RuleContext], Iterable[Detection]]


@dataclass(frozen=True)
class Rule:
    code: str
    article: int
    severity: str
    scope: str
    title: Promise | str
    description: Promise | str
    check: Check

    @property
    def article_title(self) -> str:
        return article_title(self.article)


_RULES: dict[str, Rule] = {}


def register(new: Rule) -> Rule:
    """Add a rule; a second, different rule under the same code is a configuration error."""
    if new.severity not in Severity.values:
        raise ImproperlyConfigured(f"rule {new.code}: unknown severity {new.severity!r}")
    if new.scope not in RuleScope.values:
        raise ImproperlyConfigured(f"rule {new.code}: unknown scope {new.scope!r}")
    if not 1 <= new.article <= 18:
        raise ImproperlyConfigured(f"rule {new.code}: the notice has articles 1 to 18, not {new.article}")
    known = _RULES.get(new.code)
    if known is not None and known.check.__qualname__ != new.check.__qualname__:
        raise ImproperlyConfigured(f"rule code {new.code!r} is registered twice")
    _RULES[new.code] = new
    return new


def rule(
    *, code: str, article: int, severity: str, scope: str, title: Promise | str, description: Promise | str
) -> Callable[[Check], Check]:
    """Register the decorated check function as a rule."""

    def decorate(check: Check) -> Check:
        register(
            Rule(
                code=code,
                article=article,
                severity=severity,
                scope=scope,
                title=title,
                description=description,
                check=check,
            )
        )
        return check

    return decorate


def all_rules() -> list[Rule]:
    return sorted(_RULES.values(), key=lambda r: (r.article, r.code))


def get_rule(code: str) -> Rule | None:
    return _RULES.get(code)


def unregister(code: str) -> None:
    """Remove a rule (tests that register a rule of their own)."""
    _RULES.pop(code, None)
