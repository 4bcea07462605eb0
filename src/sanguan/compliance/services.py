"""Every change to findings: the runner that detects them, and the lifecycle transitions
that people make (open -> rectifying -> rectified -> verified, and reopen)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.audit import services as audit
from sanguan.core.errors import ApplicationError, Conflict

from . import registry
from .errors import ComplianceErrorCode as Code
from .lifecycle import TRANSITIONS, Transition  # noqa: F401  (re-exported)
from .models import Finding, FindingEvent

log = logging.getLogger(__name__)

Status = Finding.Status


# ------------------------------------------------------------------ runner


@dataclass(frozen=True)
class RunSummary:
    """What one run did. ``opened``: new findings; ``redetected``: known findings seen again;
    ``no_longer_detected``: known findings newly flagged as no longer detected;
    ``errors``: rule code -> error, for rules whose check failed (the others still ran)."""

    started_at: dt.datetime
    finished_at: dt.datetime
    rules: list[str]
    detected: int = 0
    opened: int = 0
    redetected: int = 0
    no_longer_detected: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat()
        return data


@dataclass
class _RuleOutcome:
    detected: int = 0
    opened: int = 0
    redetected: int = 0
    no_longer_detected: int = 0


def _scoping(detection: registry.Detection) -> dict[str, Any]:
    return {
        "university_id": detection.university_id,
        "centre_id": detection.centre_id,
        "province_codes": Finding.encode_provinces(detection.provinces),
        "summary": str(detection.summary),
        "summary_params": dict(detection.summary_params),
        "evidence": [e.as_json() for e in detection.evidence],
    }


def _run_rule(rule: registry.Rule, context: registry.RuleContext, actor: Any) -> _RuleOutcome:
    now = context.now
    detections: dict[tuple[int, str], registry.Detection] = {}
    # Checks run untranslated, so the texts they yield are stored as msgids (see registry).
    with translation.override(None):
        found = list(rule.check(context))
    for detection in found:
        content_type = ContentType.objects.get_for_model(detection.subject)
        detections[(content_type.pk, str(detection.subject.pk))] = detection
    outcome = _RuleOutcome(detected=len(detections))

    with transaction.atomic():
        active = {
            (f.subject_type_id, f.subject_id): f
            for f in Finding.objects.select_for_update().filter(rule_code=rule.code).exclude(status=Status.VERIFIED)
        }
        new: list[Finding] = []
        changed: list[Finding] = []
        events: list[FindingEvent] = []
        entries: list[audit.Entry] = []
        for (type_id, subject_id), detection in detections.items():
            finding = active.pop((type_id, subject_id), None)
            if finding is None:
                new.append(
                    Finding(
                        rule_code=rule.code,
                        article=rule.article,
                        severity=rule.severity,
                        subject_type_id=type_id,
                        subject_id=subject_id,
                        status=Status.OPEN,
                        status_changed_at=now,
                        first_detected_at=now,
                        last_detected_at=now,
                        **_scoping(detection),
                    )
                )
                continue
            outcome.redetected += 1
            if finding.no_longer_detected_at is not None:
                finding.no_longer_detected_at = None
                events.append(FindingEvent(finding=finding, kind=FindingEvent.Kind.DETECTED_AGAIN, at=now))
                entries.append(audit.Entry("compliance.finding_detected_again", finding, {"finding_id": finding.pk}))
            finding.last_detected_at = now
            finding.article = rule.article
            finding.severity = rule.severity
            for name, value in _scoping(detection).items():
                setattr(finding, name, value)
            changed.append(finding)
        for finding in active.values():
            if finding.no_longer_detected_at is None:
                finding.no_longer_detected_at = now
                changed.append(finding)
                events.append(FindingEvent(finding=finding, kind=FindingEvent.Kind.NO_LONGER_DETECTED, at=now))
                entries.append(
                    audit.Entry("compliance.finding_no_longer_detected", finding, {"finding_id": finding.pk})
                )
                outcome.no_longer_detected += 1

        Finding.objects.bulk_create(new)
        outcome.opened = len(new)
        for finding in new:
            events.append(FindingEvent(finding=finding, kind=FindingEvent.Kind.DETECTED, to_status=Status.OPEN, at=now))
            entries.append(
                audit.Entry("compliance.finding_opened", finding, {"finding_id": finding.pk, "rule": rule.code})
            )
        Finding.objects.bulk_update(
            changed,
            [
                "last_detected_at",
                "no_longer_detected_at",
                "article",
                "severity",
                "university_id",
                "centre_id",
                "province_codes",
                "summary",
                "summary_params",
                "evidence",
            ],
            batch_size=500,
        )
        FindingEvent.objects.bulk_create(events, batch_size=500)
        audit.record_many(actor=actor, entries=entries)
    return outcome


def compliance_run(
    *, actor: Any = None, rule_codes: Iterable[str] | None = None, today: dt.date | None = None
) -> RunSummary:
    """Run the registered rules (or those named) and reconcile their findings.

    Idempotent: a violation already on an active finding updates that finding. A finding
    whose violation is no longer detected is flagged, not closed: people verify it. Each rule
    runs in its own transaction; a rule that fails is reported in ``errors`` and the others
    still run. ``actor`` is None when the system runs the rules (the management command)."""
    if actor is not None:
        policy.require(actor, "compliance.run")
    if rule_codes is None:
        rules = registry.all_rules()
    else:
        rules = []
        for code in rule_codes:
            found = registry.get_rule(code)
            if found is None:
                raise ApplicationError(Code.UNKNOWN_RULE, _("Unknown rule {code}.").format(code=code), {"rule": code})
            rules.append(found)
    started = timezone.now()
    context = registry.RuleContext(today=today or timezone.localdate(), now=started)
    totals = _RuleOutcome()
    errors: dict[str, str] = {}
    for rule in rules:
        try:
            outcome = _run_rule(rule, context, actor)
        except Exception as exc:  # one broken rule must not stop the others
            log.exception("compliance rule %s failed", rule.code)
            errors[rule.code] = f"{type(exc).__name__}: {exc}"
            continue
        totals.detected += outcome.detected
        totals.opened += outcome.opened
        totals.redetected += outcome.redetected
        totals.no_longer_detected += outcome.no_longer_detected
    summary = RunSummary(
        started_at=started,
        finished_at=timezone.now(),
        rules=[r.code for r in rules],
        detected=totals.detected,
        opened=totals.opened,
        redetected=totals.redetected,
        no_longer_detected=totals.no_longer_detected,
        errors=errors,
    )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="compliance.ran",
            data={
                "rules": summary.rules,
                "opened": summary.opened,
                "no_longer_detected": summary.no_longer_detected,
                "failed": sorted(errors),
            },
        )
    return summary


# ------------------------------------------------------------------ lifecycle


@transaction.atomic
def finding_transition(*, actor: Any, finding: Finding, transition: str, note: str) -> Finding:
    """Move a finding along its lifecycle; every transition needs a note and is audited.

    Verification is refused while the runner still detects the violation after it was marked
    rectified; reopening a verified finding is refused when a newer active finding already
    tracks the same violation."""
    step = TRANSITIONS.get(transition)
    if step is None:
        raise ApplicationError(
            Code.UNKNOWN_TRANSITION, _("Unknown transition {name}.").format(name=transition), {"transition": transition}
        )
    policy.require(actor, step.action, finding)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status not in step.sources:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("A finding that is “{status}” cannot take the step “{step}”.").format(
                status=finding.get_status_display(), step=step.label
            ),
            {"from": finding.status, "transition": step.name},
        )
    note = note.strip()
    if not note:
        raise ApplicationError(Code.NOTE_REQUIRED, _("Add a note explaining this step."))
    if step.name == "verify" and finding.detected_after_rectification:
        raise Conflict(
            Code.STILL_DETECTED,
            _("The rules still detected this violation after it was marked rectified; it cannot be verified."),
            {"last_detected_at": finding.last_detected_at.isoformat()},
        )
    if step.name == "reopen" and finding.status == Status.VERIFIED:
        newer = (
            Finding.objects.filter(
                rule_code=finding.rule_code, subject_type_id=finding.subject_type_id, subject_id=finding.subject_id
            )
            .exclude(status=Status.VERIFIED)
            .values_list("pk", flat=True)
            .first()
        )
        if newer is not None:
            raise Conflict(
                Code.ACTIVE_FINDING_EXISTS,
                _("Finding #{id} already tracks this violation; continue there.").format(id=newer),
                {"finding_id": newer},
            )
    previous = finding.status
    now = timezone.now()
    finding.status = step.target
    finding.status_changed_at = now
    finding.save(update_fields=["status", "status_changed_at"])
    FindingEvent.objects.create(
        finding=finding,
        kind=FindingEvent.Kind.TRANSITION,
        from_status=previous,
        to_status=step.target,
        actor=actor,
        note=note,
        at=now,
    )
    audit.record(
        actor=actor,
        action=step.event,
        target=finding,
        data={"finding_id": finding.pk, "from": previous, "to": step.target},
    )
    return finding


def finding_start_rectifying(*, actor: Any, finding: Finding, note: str) -> Finding:
    return finding_transition(actor=actor, finding=finding, transition="start_rectifying", note=note)


def finding_mark_rectified(*, actor: Any, finding: Finding, note: str) -> Finding:
    return finding_transition(actor=actor, finding=finding, transition="mark_rectified", note=note)


def finding_verify(*, actor: Any, finding: Finding, note: str) -> Finding:
    return finding_transition(actor=actor, finding=finding, transition="verify", note=note)


def finding_reopen(*, actor: Any, finding: Finding, note: str) -> Finding:
    return finding_transition(actor=actor, finding=finding, transition="reopen", note=note)
