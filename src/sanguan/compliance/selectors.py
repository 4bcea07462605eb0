"""Reads of findings and rules, each scoped to the viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.core.errors import NotFound

from . import registry
from .errors import ComplianceErrorCode as Code
from .lifecycle import TRANSITIONS, Transition
from .models import Finding


def _visibility(user: Any) -> Q | None:
    condition = policy.visible_q(
        user,
        "compliance.view_findings",
        province=lambda m: Q(province_codes__contains=f",{m.province_id},"),
        university="university_id",
        centre="centre_id",
    )
    return None if condition == policy.NOTHING else condition


def findings_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Finding]:
    """Findings the user may see: all for national roles; those whose provinces include theirs
    for a province regulator; their university's for university roles; their centre's only
    for centre staff; none for teachers, students and strangers.

    ``filters``: ``article`` (int), ``severity``, ``status``, ``rule`` (code),
    ``university_id``, ``centre_id``, ``still_detected`` (bool)."""
    condition = _visibility(user)
    if condition is None:
        return Finding.objects.none()
    qs = Finding.objects.filter(condition).select_related("university", "centre", "subject_type")
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    if "article" in filters:
        qs = qs.filter(article=filters["article"])
    if "severity" in filters:
        qs = qs.filter(severity=filters["severity"])
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    if "rule" in filters:
        qs = qs.filter(rule_code=filters["rule"])
    if "university_id" in filters:
        qs = qs.filter(university_id=filters["university_id"])
    if "centre_id" in filters:
        qs = qs.filter(centre_id=filters["centre_id"])
    if "still_detected" in filters:
        qs = qs.filter(no_longer_detected_at__isnull=bool(filters["still_detected"]))
    return qs


def finding_for(*, user: Any, pk: int) -> Finding:
    """One finding the user may see, with its history; "not found" for missing and not-yours alike."""
    finding = findings_visible_to(user=user).prefetch_related("events__actor").filter(pk=pk).first()
    if finding is None:
        raise NotFound(Code.FINDING_NOT_FOUND, _("No such finding."), {"finding_id": pk})
    return finding


def transitions_available(*, user: Any, finding: Finding) -> list[Transition]:
    """The lifecycle steps ``user`` may take on ``finding`` now (for buttons)."""
    return [
        step
        for step in TRANSITIONS.values()
        if finding.status in step.sources and policy.can(user, step.action, finding)
    ]


def rules_list(*, article: int | None = None) -> list[registry.Rule]:
    """Every registered rule (public knowledge: the rules are the notice's)."""
    rules = registry.all_rules()
    if article is not None:
        rules = [r for r in rules if r.article == article]
    return rules
