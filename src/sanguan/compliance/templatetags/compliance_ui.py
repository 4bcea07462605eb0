from __future__ import annotations

from django import template

register = template.Library()

SEVERITY_CLASS = {
    "LOW": "text-bg-secondary",
    "MEDIUM": "text-bg-warning",
    "HIGH": "text-bg-danger",
    "CRITICAL": "text-bg-dark",
}
STATUS_CLASS = {
    "OPEN": "text-bg-danger",
    "RECTIFYING": "text-bg-warning",
    "RECTIFIED": "text-bg-info",
    "VERIFIED": "text-bg-success",
}
STEP_CLASS = {
    "start_rectifying": "btn-primary",
    "mark_rectified": "btn-primary",
    "verify": "btn-success",
    "reopen": "btn-outline-danger",
}


@register.filter
def severity_class(severity: str) -> str:
    return SEVERITY_CLASS.get(severity, "text-bg-secondary")


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASS.get(status, "text-bg-secondary")


@register.filter
def step_class(name: str) -> str:
    return STEP_CLASS.get(name, "btn-secondary")


@register.filter
def severity_label(severity: str) -> str:
    from ..registry import Severity

    try:
        return str(Severity(severity).label)
    except ValueError:
        return severity
