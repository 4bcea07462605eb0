"""The findings lifecycle: open -> rectifying -> rectified -> verified, and reopen."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Finding

Status = Finding.Status


@dataclass(frozen=True)
class Transition:
    name: str
    action: str  # the policy action
    sources: frozenset[str]
    target: str
    label: Promise
    event: str  # the audit action


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start_rectifying",
            "compliance.start_rectifying",
            frozenset({Status.OPEN}),
            Status.RECTIFYING,
            _("Start rectifying"),
            "compliance.finding_rectifying",
        ),
        Transition(
            "mark_rectified",
            "compliance.mark_rectified",
            frozenset({Status.RECTIFYING}),
            Status.RECTIFIED,
            _("Mark rectified"),
            "compliance.finding_rectified",
        ),
        Transition(
            "verify",
            "compliance.verify",
            frozenset({Status.RECTIFIED}),
            Status.VERIFIED,
            _("Verify rectification"),
            "compliance.finding_verified",
        ),
        Transition(
            "reopen",
            "compliance.reopen",
            frozenset({Status.RECTIFIED, Status.VERIFIED}),
            Status.OPEN,
            _("Reopen"),
            "compliance.finding_reopened",
        ),
    )
}
