"""Findings and rules over HTTP. Translates HTTP to selectors and services only."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from sanguan.api import AUTH

from . import selectors, services
from .models import Finding
from .registry import Rule, Severity

router = Router(auth=AUTH, tags=["compliance"])


class EvidenceOut(Schema):
    label: str
    url: str = ""
    value: str = ""


class FindingOut(Schema):
    id: int
    rule: str = Field(..., alias="rule_code")
    article: int
    severity: str
    status: str
    subject_type: str
    subject_id: str
    university_id: int | None
    centre_id: int | None
    provinces: list[str]
    summary: str = Field(..., alias="summary_text")
    evidence: list[EvidenceOut] = Field(..., alias="evidence_items")
    first_detected_at: dt.datetime
    last_detected_at: dt.datetime
    no_longer_detected_at: dt.datetime | None
    status_changed_at: dt.datetime

    @staticmethod
    def resolve_subject_type(obj: Finding) -> str:
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"


class FindingEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor_id: int | None
    note: str
    at: dt.datetime


class FindingDetailOut(FindingOut):
    history: list[FindingEventOut]
    transitions: list[str]


class TransitionIn(Schema):
    note: str


class RuleOut(Schema):
    code: str
    article: int
    article_title: str
    severity: str
    scope: str
    title: str
    description: str

    @staticmethod
    def resolve_title(obj: Rule) -> str:
        return str(obj.title)

    @staticmethod
    def resolve_description(obj: Rule) -> str:
        return str(obj.description)


class RunIn(Schema):
    rules: list[str] | None = None


class RunOut(Schema):
    started_at: dt.datetime
    finished_at: dt.datetime
    rules: list[str]
    detected: int
    opened: int
    redetected: int
    no_longer_detected: int
    errors: dict[str, str]


def _detail(request: HttpRequest, finding: Finding) -> Finding:
    finding.history = list(finding.events.all())
    finding.transitions = [t.name for t in selectors.transitions_available(user=request.user, finding=finding)]
    return finding


@router.get("/findings", response=list[FindingOut])
@paginate(LimitOffsetPagination)
def finding_list(
    request: HttpRequest,
    article: int | None = None,
    severity: Severity | None = None,
    status: Finding.Status | None = None,
    rule: str | None = None,
):
    filters = {"article": article, "severity": severity, "status": status, "rule": rule}
    return selectors.findings_visible_to(user=request.user, filters=filters)


@router.get("/findings/{finding_id}", response=FindingDetailOut)
def finding_detail(request: HttpRequest, finding_id: int):
    return _detail(request, selectors.finding_for(user=request.user, pk=finding_id))


@router.post("/findings/{finding_id}/{transition}", response=FindingDetailOut)
def finding_transition(request: HttpRequest, finding_id: int, transition: str, payload: TransitionIn):
    """``transition``: ``start_rectifying``, ``mark_rectified``, ``verify`` or ``reopen``."""
    finding = selectors.finding_for(user=request.user, pk=finding_id)
    services.finding_transition(actor=request.user, finding=finding, transition=transition, note=payload.note)
    return _detail(request, selectors.finding_for(user=request.user, pk=finding_id))


@router.get("/rules", response=list[RuleOut])
def rule_list(request: HttpRequest, article: int | None = None):
    return selectors.rules_list(article=article)


@router.post("/runs", response=RunOut)
def run(request: HttpRequest, payload: RunIn):
    summary = services.compliance_run(actor=request.user, rule_codes=payload.rules)
    return summary.as_dict()
