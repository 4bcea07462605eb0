"""Anti-刷课 evidence: per-student signals computed from the learning records and their session
metadata, combined into an evidence score, shown with the events behind it.

The score is evidence for people to review (``brushing_review``), never a verdict: nothing
in Sanguan acts on it automatically. A compliance rule only checks that high scores are
reviewed.

Signals (each has a strength in [0, 1] and a weight; the score is ``1 - Π(1 - w·s)``):

* ``SHARED_DEVICE`` — a device that reported the learning of many students;
* ``SHARED_ADDRESS`` — an address that did (weaker: centres and campuses share NAT);
* ``ROUND_THE_CLOCK`` — activity spread over nearly every hour of the day, or at night;
* ``UNIFORM_TIMING`` — machine-regular gaps between events (coefficient of variation);
* ``VIDEO_TOO_FAST`` — video segments covered faster than they play at the fastest speed a
  player offers;
* ``PARALLEL_COURSES`` — two courses played at the same time;
* ``DEVICE_HOPPING`` — a change of device and of network within minutes.

Thresholds and weights are configuration (``SANGUAN_TEACHING["BRUSHING"]``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.admissions.models import StudentRecord
from sanguan.audit import services as audit
from sanguan.core.errors import ApplicationError
from sanguan.institutions.models import University

from . import config, notices
from .errors import TeachingErrorCode as Code
from .models import BrushingAssessment, Enrolment, Offering
from .monitoring import Event, belongs_to, events_for_students

DEFAULTS: dict[str, Any] = {
    "WEIGHTS": {
        "SHARED_DEVICE": 0.55,
        "SHARED_ADDRESS": 0.2,
        "ROUND_THE_CLOCK": 0.35,
        "UNIFORM_TIMING": 0.45,
        "VIDEO_TOO_FAST": 0.45,
        "PARALLEL_COURSES": 0.35,
        "DEVICE_HOPPING": 0.25,
    },
    "DEVICE_MIN_STUDENTS": 3,  # a device reporting 3+ students is suspicious
    "ADDRESS_MIN_STUDENTS": 20,  # an address, 20+
    "MIN_EVENTS": 30,  # rhythm signals need this many events
    "MAX_VIDEO_SPEED": 2.0,  # players commonly offer up to 2x
    "SESSION_GAP_SECONDS": 1800,
    "HOP_WINDOW_SECONDS": 600,
    "EVENTS_KEPT": 10,  # statement ids kept as evidence per signal
}


def setting(key: str) -> Any:
    overrides = _overrides().get("BRUSHING") or {}
    return overrides.get(key, DEFAULTS[key])


def _overrides() -> dict[str, Any]:
    from django.conf import settings

    return getattr(settings, "SANGUAN_TEACHING", None) or {}


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


@dataclass
class Signal:
    code: str
    strength: float
    detail: dict[str, Any] = field(default_factory=dict)
    statement_ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "strength": round(self.strength, 4),
            "detail": self.detail,
            "statement_ids": self.statement_ids,
        }


def combine(signals: Iterable[Signal]) -> float:
    weights = setting("WEIGHTS")
    remaining = 1.0
    for s in signals:
        remaining *= 1.0 - _clamp(float(weights.get(s.code, 0))) * _clamp(s.strength)
    return 1.0 - remaining


def _keep(events: Iterable[Event]) -> list[str]:
    return [e.statement_id for e in list(events)[: int(setting("EVENTS_KEPT"))]]


def _place(ip: str) -> str:
    """A coarse network location: the /16 of an IPv4 address, the /48 of an IPv6 one."""
    if ":" in ip:
        return ":".join(ip.split(":")[:3])
    return ".".join(ip.split(".")[:2])


def signals_for_population(
    events_by_student: dict[str, list[Event]],
    *,
    tz: Any,
    offering_of: Callable[[Event], int | None],
) -> dict[str, list[Signal]]:
    """Signals per student number; ``events_by_student`` holds each student's events sorted by time."""
    device_students: dict[str, set[str]] = defaultdict(set)
    address_students: dict[str, set[str]] = defaultdict(set)
    for number, events in events_by_student.items():
        for e in events:
            if e.device:
                device_students[e.device].add(number)
            if e.ip:
                address_students[e.ip].add(number)
    out: dict[str, list[Signal]] = {}
    for number, events in events_by_student.items():
        signals = [
            s
            for s in (
                _shared(
                    number, events, device_students, "device", "SHARED_DEVICE", int(setting("DEVICE_MIN_STUDENTS"))
                ),
                _shared(number, events, address_students, "ip", "SHARED_ADDRESS", int(setting("ADDRESS_MIN_STUDENTS"))),
                _round_the_clock(events, tz),
                _uniform_timing(events),
                _video_too_fast(events),
                _parallel(events, offering_of),
                _hopping(events),
            )
            if s is not None and s.strength > 0
        ]
        out[number] = signals
    return out


def _shared(
    number: str, events: list[Event], index: dict[str, set[str]], attr: str, code: str, minimum: int
) -> Signal | None:
    worst_key, worst_n = "", 0
    for key in {getattr(e, attr) for e in events if getattr(e, attr)}:
        n = len(index[key])
        if n > worst_n:
            worst_key, worst_n = key, n
    if worst_n < minimum:
        return None
    strength = _clamp((worst_n - minimum + 1) / (2 * minimum))
    return Signal(
        code,
        strength,
        {"students_on_it": worst_n, attr: worst_key},
        _keep(e for e in events if getattr(e, attr) == worst_key),
    )


def _round_the_clock(events: list[Event], tz: Any) -> Signal | None:
    if len(events) < int(setting("MIN_EVENTS")):
        return None
    hours = Counter(e.at.astimezone(tz).hour for e in events)
    covered = len(hours)
    night = sum(n for h, n in hours.items() if 1 <= h <= 5) / len(events)
    strength = max(_clamp((covered - 16) / 8), _clamp((night - 0.15) / 0.35))
    if strength <= 0:
        return None
    return Signal(
        "ROUND_THE_CLOCK",
        strength,
        {"hours_of_day_active": covered, "night_share": round(night, 3)},
        _keep(e for e in events if 1 <= e.at.astimezone(tz).hour <= 5),
    )


def _uniform_timing(events: list[Event]) -> Signal | None:
    limit = float(setting("SESSION_GAP_SECONDS"))
    gaps = []
    for a, b in itertools.pairwise(events):
        gap = (b.at - a.at).total_seconds()
        if 0 < gap <= limit:
            gaps.append(gap)
    if len(gaps) < int(setting("MIN_EVENTS")):
        return None
    mean = statistics.fmean(gaps)
    cv = statistics.pstdev(gaps) / mean if mean else 0.0
    strength = _clamp((0.5 - cv) / 0.4)
    if strength <= 0:
        return None
    return Signal(
        "UNIFORM_TIMING", strength, {"gaps": len(gaps), "coefficient_of_variation": round(cv, 4)}, _keep(events)
    )


def _video_too_fast(events: list[Event]) -> Signal | None:
    segments = [
        e for e in events if e.video_from is not None and e.video_to is not None and e.duration and e.duration > 0
    ]
    if not segments:
        return None
    max_speed = float(setting("MAX_VIDEO_SPEED"))
    fast = [e for e in segments if (e.video_to - e.video_from) / e.duration > max_speed]  # type: ignore[operator]
    if not fast:
        return None
    top = max((e.video_to - e.video_from) / e.duration for e in fast)  # type: ignore[operator]
    share = len(fast) / len(segments)
    return Signal(
        "VIDEO_TOO_FAST",
        _clamp(share * 2),
        {"segments": len(segments), "too_fast": len(fast), "fastest_speed": round(top, 2)},
        _keep(fast),
    )


def _parallel(events: list[Event], offering_of: Callable[[Event], int | None]) -> Signal | None:
    spans = []
    for e in events:
        if not e.duration:
            continue
        offering = offering_of(e)
        if offering is None:
            continue
        end = e.at.timestamp()
        spans.append((end - e.duration, end, offering, e))
    spans.sort(key=lambda s: s[0])
    overlap = 0.0
    involved: list[Event] = []
    active: list[tuple[float, float, int, Event]] = []
    for span in spans:
        start = span[0]
        active = [a for a in active if a[1] > start]
        for a in active:
            if a[2] != span[2]:
                overlap += min(a[1], span[1]) - start
                involved.extend((a[3], span[3]))
        active.append(span)
    if overlap < 60:
        return None
    return Signal("PARALLEL_COURSES", _clamp(overlap / 3600), {"overlap_seconds": round(overlap)}, _keep(involved))


def _hopping(events: list[Event]) -> Signal | None:
    window = float(setting("HOP_WINDOW_SECONDS"))
    hops = []
    for a, b in itertools.pairwise(events):
        if not (a.device and b.device and a.ip and b.ip):
            continue
        if a.device != b.device and _place(a.ip) != _place(b.ip) and (b.at - a.at).total_seconds() <= window:
            hops.append(b)
    if not hops:
        return None
    return Signal("DEVICE_HOPPING", _clamp(len(hops) / 5), {"hops": len(hops)}, _keep(hops))


# ------------------------------------------------------------------ services


def _offering_lookup(offerings: list[Offering]) -> Callable[[Event], int | None]:
    def offering_of(e: Event) -> int | None:
        for o in offerings:
            if belongs_to(e, o.activity_id):
                return o.pk
        return None

    return offering_of


@transaction.atomic
def brushing_assess(*, actor: Any, university: University, now: dt.datetime | None = None) -> list[BrushingAssessment]:
    """Compute the evidence of every student with an enrolment at the university."""
    policy.require(actor, "brushing.assess", university)
    now = now or timezone.now()
    offerings = list(Offering.objects.filter(university=university))
    students = {
        s.student_number: s
        for s in StudentRecord.objects.filter(
            pk__in=Enrolment.objects.filter(offering__university=university).values("student_id")
        )
    }
    by_student: dict[str, list[Event]] = defaultdict(list)
    for e in events_for_students(university=university, student_numbers=students):
        by_student[e.student_number].append(e)
    for events in by_student.values():
        events.sort(key=lambda e: e.at)
    signals = signals_for_population(
        by_student, tz=timezone.get_current_timezone(), offering_of=_offering_lookup(offerings)
    )
    high = Decimal(str(config.get("BRUSHING_HIGH_SCORE")))
    existing = {a.student_id: a for a in BrushingAssessment.objects.filter(student__in=students.values())}
    saved, reached = [], []
    for number, student in students.items():
        found = signals.get(number, [])
        score = Decimal(str(round(combine(found), 4)))
        row = existing.get(student.pk) or BrushingAssessment(
            student=student, university=university, centre_id=student.centre_id
        )
        row.score = score
        row.signals = [s.as_json() for s in sorted(found, key=lambda s: -s.strength)]
        row.computed_at = now
        crossed = score >= high and row.first_high_at is None
        if crossed:
            row.first_high_at = now
        row.save()
        saved.append(row)
        if crossed:
            reached.append(row)
    notices.brushing_reached_review_line(reached, threshold=high, now=now)
    audit.record(
        actor=actor,
        action="brushing.assessed",
        target=university,
        data={
            "students": len(saved),
            "high_ids": sorted(a.pk for a in saved if a.score >= high),
        },
    )
    return saved


@transaction.atomic
def brushing_review(*, actor: Any, assessment: BrushingAssessment, decision: str, note: str) -> BrushingAssessment:
    """A person's decision on the evidence: under review, confirmed or dismissed, with reasons."""
    assessment = (
        BrushingAssessment.objects.select_for_update(of=("self",))
        .select_related("university", "centre")
        .get(pk=assessment.pk)
    )
    policy.require(actor, "brushing.review", assessment)
    allowed = {
        BrushingAssessment.Status.UNDER_REVIEW,
        BrushingAssessment.Status.CONFIRMED,
        BrushingAssessment.Status.DISMISSED,
    }
    if decision not in allowed:
        raise ApplicationError(
            Code.BRUSHING_DECISION_INVALID,
            _("The decision is one of UNDER_REVIEW, CONFIRMED, DISMISSED."),
            {"decision": decision},
        )
    note = (note or "").strip()
    if not note:
        raise ApplicationError(Code.BRUSHING_NOTE_REQUIRED, _("Give the reasons for the decision."))
    assessment.status = decision
    assessment.reviewed_by = actor if getattr(actor, "pk", None) else None
    assessment.reviewed_at = timezone.now()
    assessment.review_note = note[:4000]
    assessment.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    audit.record(
        actor=actor,
        action="brushing.reviewed",
        target=assessment,
        data={"assessment_id": assessment.pk, "decision": decision, "score": str(assessment.score)},
    )
    return assessment
