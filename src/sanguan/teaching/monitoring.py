"""Learning-process monitoring (Art. 5: 学习过程监测、评估与反馈) and early warnings (学业预警).

How learning records are read
-----------------------------
A statement belongs to a student when its actor is an ``account`` whose ``name`` is the
student number and whose ``homePage`` is the university's (``account_home_page``). It belongs
to an offering when its object id is the offering's ``activity_id`` or lies under it
(``activity_id + "/..."``), or when the offering's activity is among its context activities
(parent or grouping).

Time on task is estimated, not counted from clicks: every statement covers the interval
``[timestamp - duration, timestamp]`` (its ``result.duration``, at most
``MAX_STATEMENT_SECONDS``), the gap between two consecutive statements counts when it is
shorter than ``IDLE_CAP_SECONDS``, and the union of those intervals is measured, so
overlapping reports are counted once and a browser left open overnight counts for nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.admissions.models import StudentRecord
from sanguan.audit import services as audit
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied
from sanguan.institutions.models import University
from sanguan.records.models import Statement

from . import config, notices
from .errors import TeachingErrorCode as Code
from .models import (
    Attendance,
    EarlyWarning,
    Engagement,
    Enrolment,
    FaceToFaceSession,
    MonitoringWatermark,
    Offering,
    WarningKind,
    WarningRule,
    WarningStep,
)

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
ASSESSMENT_VERBS = frozenset(
    {
        "http://adlnet.gov/expapi/verbs/answered",
        "http://adlnet.gov/expapi/verbs/passed",
        "http://adlnet.gov/expapi/verbs/failed",
        "http://adlnet.gov/expapi/verbs/scored",
        "http://adlnet.gov/expapi/verbs/attempted",
    }
)
# Session metadata that the sending platform adds as context extensions.
EXT_DEVICE = "https://sanguan.invalid/xapi/extensions/device-id"
EXT_IP = "https://sanguan.invalid/xapi/extensions/client-ip"
# xAPI Video Profile result extensions: the part of the video a statement covers.
EXT_TIME_FROM = "https://w3id.org/xapi/video/extensions/time-from"
EXT_TIME_TO = "https://w3id.org/xapi/video/extensions/time-to"

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str | None) -> float | None:
    """Seconds of an ISO 8601 duration as xAPI uses it (days, hours, minutes, seconds)."""
    if not text:
        return None
    if text.startswith("PT") and text.endswith("S") and text[2:-1].isdigit():
        return float(text[2:-1])  # the common case, "PT90S"
    m = _DURATION.match(text)
    if m is None:
        return None
    d, h, mi, s = (float(m.group(k) or 0) for k in ("d", "h", "m", "s"))
    return d * 86400 + h * 3600 + mi * 60 + s


def parse_timestamp(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def account_home_page(university: University) -> str:
    """The ``actor.account.homePage`` under which a university's platform names its students."""
    if university.website:
        return university.website
    return f"https://sanguan.invalid/universities/{university.institution_code}"


def _home_pages(university: University) -> list[str]:
    page = account_home_page(university)
    return sorted({page, page.rstrip("/"), page.rstrip("/") + "/"})


@dataclass(slots=True)
class Event:
    """What monitoring needs of one statement."""

    statement_id: str
    student_number: str
    at: dt.datetime
    verb: str
    object_id: str
    context_activities: tuple[str, ...] = ()
    duration: float | None = None
    device: str = ""
    ip: str = ""
    video_from: float | None = None
    video_to: float | None = None
    scored: bool = False
    completed: bool = False


def _number(v: Any) -> float | None:
    return float(v) if v.__class__ in (int, float) else None


def event_from_statement(statement_id: str, full: str) -> Event | None:
    s = json.loads(full)
    at = parse_timestamp(s.get("timestamp") or s.get("stored") or "")
    if at is None:
        return None
    actor = s.get("actor") or {}
    account = actor.get("account") or {}
    obj = s.get("object") or {}
    ctx = s.get("context") or {}
    result = s.get("result") or {}
    ctx_ext = ctx.get("extensions") or {}
    res_ext = result.get("extensions") or {}
    ca = ctx.get("contextActivities") or {}
    parents: list[str] = []
    for key in ("parent", "grouping"):
        value = ca.get(key) or []
        if isinstance(value, dict):
            value = [value]
        parents.extend(a.get("id", "") for a in value if isinstance(a, dict))
    verb = (s.get("verb") or {}).get("id", "")
    return Event(
        statement_id=statement_id,
        student_number=account.get("name", ""),
        at=at,
        verb=verb,
        object_id=obj.get("id", ""),
        context_activities=tuple(parents),
        duration=parse_duration(result.get("duration")),
        device=str(ctx_ext.get(EXT_DEVICE, ""))[:128],
        ip=str(ctx_ext.get(EXT_IP, ""))[:64],
        video_from=_number(res_ext.get(EXT_TIME_FROM)),
        video_to=_number(res_ext.get(EXT_TIME_TO)),
        scored="score" in result or verb in ASSESSMENT_VERBS,
        completed=verb in (VERB_COMPLETED, VERB_PASSED) or result.get("completion") is True,
    )


def events_for_students(*, university: University, student_numbers: Iterable[str], batch: int = 500) -> Iterator[Event]:
    """The students' learning records (not voided), parsed; in no particular order."""
    numbers = sorted(set(student_numbers))
    pages = _home_pages(university)
    for i in range(0, len(numbers), batch):
        rows = (
            Statement.objects.filter(
                actor_home_page__in=pages, actor_name__in=numbers[i : i + batch], voided=False, is_voiding=False
            )
            .values_list("statement_id", "full")
            .iterator(chunk_size=2000)
        )
        for sid, full in rows:
            event = event_from_statement(str(sid), full)
            if event is not None:
                yield event


def belongs_to(event: Event, activity_id: str) -> bool:
    return (
        event.object_id == activity_id
        or event.object_id.startswith(activity_id + "/")
        or activity_id in event.context_activities
    )


# ------------------------------------------------------------------ the figures


@dataclass
class Figures:
    statements: int = 0
    active_days: int = 0
    time_on_task_seconds: int = 0
    units_completed: int = 0
    assessment_events: int = 0
    last_activity_at: dt.datetime | None = None
    days: set[dt.date] = field(default_factory=set)


def time_on_task(events: list[Event], *, idle_cap: float, max_statement: float) -> float:
    """Seconds covered by the union of the events' intervals (see the module docstring)."""
    if not events:
        return 0.0
    intervals: list[tuple[float, float]] = []
    ordered = sorted(events, key=lambda e: e.at)
    previous: float | None = None
    for e in ordered:
        t = e.at.timestamp()
        if e.duration:
            intervals.append((t - min(e.duration, max_statement), t))
        if previous is not None and 0 < t - previous <= idle_cap:
            intervals.append((previous, t))
        previous = t
    if not intervals:
        return 0.0
    intervals.sort()
    total = 0.0
    start, end = intervals[0]
    for a, b in intervals[1:]:
        if a > end:
            total += end - start
            start, end = a, b
        elif b > end:
            end = b
    return total + (end - start)


def figures_of(events: list[Event], *, tz: Any, idle_cap: float, max_statement: float) -> Figures:
    f = Figures(statements=len(events))
    completed: set[str] = set()
    for e in events:
        f.days.add(e.at.astimezone(tz).date())
        if e.completed:
            completed.add(e.object_id)
        if e.scored:
            f.assessment_events += 1
        if f.last_activity_at is None or e.at > f.last_activity_at:
            f.last_activity_at = e.at
    f.active_days = len(f.days)
    f.units_completed = len(completed)
    f.time_on_task_seconds = round(time_on_task(events, idle_cap=idle_cap, max_statement=max_statement))
    return f


def compute_engagement(
    offerings: list[Offering], events: Iterable[Event], *, tz: Any
) -> dict[tuple[int, str], Figures]:
    """Figures per (offering id, student number), from events of those offerings' students."""
    idle_cap = float(config.get("IDLE_CAP_SECONDS"))
    max_statement = float(config.get("MAX_STATEMENT_SECONDS"))
    by_prefix = {o.activity_id: o.pk for o in offerings}
    grouped: dict[tuple[int, str], list[Event]] = defaultdict(list)
    for e in events:
        for activity_id, offering_id in by_prefix.items():
            if belongs_to(e, activity_id):
                grouped[(offering_id, e.student_number)].append(e)
    return {key: figures_of(evs, tz=tz, idle_cap=idle_cap, max_statement=max_statement) for key, evs in grouped.items()}


@transaction.atomic
def engagement_refresh(
    *, actor: Any, university: University, offerings: list[Offering] | None = None, now: dt.datetime | None = None
) -> int:
    """Recompute the engagement of every enrolment in the university's offerings (or the
    given ones) from the learning records and attendance; returns the number of enrolments.

    For the whole university this is ``engagement_update(full=True)``: it also moves the
    watermark that the scheduled, incremental runs start from."""
    if offerings is None:
        return engagement_update(actor=actor, university=university, now=now, full=True).enrolments
    policy.require(actor, "monitoring.refresh", university)
    now = now or timezone.now()
    offerings = [o for o in offerings if o.university_id == university.pk]
    enrolments = list(Enrolment.objects.filter(offering__in=offerings).select_related("student").order_by("pk"))
    statements = _engagement_write(
        university=university,
        offerings=offerings,
        enrolments=enrolments,
        reread={e.student.student_number for e in enrolments},
        now=now,
    )
    audit.record(
        actor=actor,
        action="monitoring.refreshed",
        target=university,
        data={
            "offering_ids": sorted(o.pk for o in offerings),
            "enrolments": len(enrolments),
            "full": True,
            "statements_read": statements,
        },
    )
    return len(enrolments)


@dataclass(frozen=True, slots=True)
class Update:
    """What one run of ``engagement_update`` did."""

    full: bool
    enrolments: int  # enrolments whose figures were written
    students: int  # students whose learning records were read again
    statements_read: int
    watermark: int  # the highest statement id folded in after the run


def _replay_window() -> dt.timedelta:
    return dt.timedelta(seconds=int(config.get("MONITORING_REPLAY_SECONDS")))


@transaction.atomic
def engagement_update(
    *, actor: Any, university: University, now: dt.datetime | None = None, full: bool = False
) -> Update:
    """Bring the university's engagement figures up to date with what arrived since the last
    run, the scheduled job's way; ``full=True`` (and a university never run before)
    recomputes every enrolment.

    A run recomputes, in full, the figures of the students who have new learning records
    (statements, or voidings of their statements) since the watermark, and the session
    figures of the enrolments whose face-to-face sessions or attendance changed. A student's
    figures are always recomputed from all of the student's records, never added to: the
    time on task is the measure of a union of intervals, which a new statement can merge
    with old ones, and a voiding removes a statement.

    Which statements are new. The watermark is the highest ``Statement.id`` that existed
    *before* the run read anything, so a statement stored while the run reads is left to
    the next run (which re-reads that student in full). Ids are handed out when a
    transaction inserts and become visible when it commits, so a transaction holding a lower
    id may commit after a run has already read a higher one: an id range alone would skip
    it for ever. Each run therefore also re-reads the statements at or below the watermark
    whose ``stored`` time (set by the LRS before it inserts, so before the previous run read
    the highest id) falls within ``MONITORING_REPLAY_SECONDS`` (default 300) of the previous
    run. That is safe as long as no statement-writing transaction (an
    LRS POST, a single multi-row INSERT) stays open longer than that window, clock skew
    between the LRS and the worker included; the window in time rather than a window of N
    ids is chosen because the number of ids handed out during a slow commit grows with the
    load, while the duration of a commit does not. The cost is that the students active in
    the few minutes before a run are read twice. Attendance is found the same way (ids above
    its own watermark, or ``checked_in_at`` since the window's start), and sessions and
    offerings by ``updated_at`` since the window's start.

    The new statements are found by a range scan of the primary key (``id >`` watermark)
    filtered on the university's account home pages, the late ones by the ``stored`` index;
    ``now`` is the time of the run (it stamps the figures and the watermark, and bounds the
    next run's window, so it should be the wall clock, as it is by default).
    """
    policy.require(actor, "monitoring.refresh", university)
    now = now or timezone.now()
    mark, _created = MonitoringWatermark.objects.get_or_create(university=university)
    # Serialises two runs for the same university; the second waits and then reads little.
    mark = MonitoringWatermark.objects.select_for_update().get(pk=mark.pk)
    # The highest ids that exist before anything is read (see the docstring).
    top_statement = Statement.objects.aggregate(m=Max("id"))["m"] or 0
    top_attendance = Attendance.objects.aggregate(m=Max("id"))["m"] or 0
    offerings = list(Offering.objects.filter(university=university))
    if full or mark.ran_at is None:
        full = True
        enrolments = list(Enrolment.objects.filter(offering__in=offerings).select_related("student").order_by("pk"))
        reread = {e.student.student_number for e in enrolments}
    else:
        enrolments, reread = _affected(
            university,
            offerings,
            mark,
            previous_run=mark.ran_at,
            top_statement=top_statement,
            top_attendance=top_attendance,
        )
    statements = _engagement_write(
        university=university, offerings=offerings, enrolments=enrolments, reread=reread, now=now
    )
    mark.statement_id = max(mark.statement_id, top_statement)
    mark.attendance_id = max(mark.attendance_id, top_attendance)
    mark.ran_at = now
    if full:
        mark.full_at = now
    mark.save()
    result = Update(
        full=full,
        enrolments=len(enrolments),
        students=len({e.student_id for e in enrolments if e.student.student_number in reread}),
        statements_read=statements,
        watermark=mark.statement_id,
    )
    if not (full or enrolments):
        return result  # nothing changed, so nothing to record
    audit.record(
        actor=actor,
        action="monitoring.refreshed",
        target=university,
        data={
            "offering_ids": sorted(o.pk for o in offerings) if full else sorted({e.offering_id for e in enrolments}),
            "enrolments": result.enrolments,
            "full": full,
            "statements_read": statements,
            "watermark": result.watermark,
        },
    )
    return result


def _affected(
    university: University,
    offerings: list[Offering],
    mark: MonitoringWatermark,
    *,
    previous_run: dt.datetime,
    top_statement: int,
    top_attendance: int,
) -> tuple[list[Enrolment], set[str]]:
    """The enrolments an incremental run writes, and the students whose records it reads."""
    since = previous_run - _replay_window()
    reread = _students_with_new_statements(
        university, after_id=mark.statement_id, upto_id=top_statement, previous_run=previous_run
    )
    ours = Enrolment.objects.filter(offering__in=offerings)
    ids: set[int] = set()
    for chunk in _chunks(sorted(reread)):
        ids.update(ours.filter(student__student_number__in=chunk).values_list("pk", flat=True))
    # An offering whose activity or unit count changed: its students' records are read again.
    changed = {o.pk for o in offerings if o.updated_at >= since}
    # New enrolments have no figures yet.
    fresh = set(ours.filter(engagement__isnull=True).values_list("pk", flat=True))
    ids |= fresh
    # A session held (with a roll call or a first check-in) or cancelled changes the session
    # figures of the whole offering.
    recount = changed | set(
        FaceToFaceSession.objects.filter(offering__in=offerings, updated_at__gte=since).values_list(
            "offering_id", flat=True
        )
    )
    recount |= set(
        Attendance.objects.filter(session__offering__in=offerings)
        .filter(Q(pk__gt=mark.attendance_id, pk__lte=top_attendance) | Q(checked_in_at__gte=since))
        .values_list("session__offering_id", flat=True)
        .distinct()
    )
    ids.update(ours.filter(offering_id__in=recount).values_list("pk", flat=True))
    enrolments: list[Enrolment] = []
    for chunk in _chunks(sorted(ids)):
        enrolments.extend(Enrolment.objects.filter(pk__in=chunk).select_related("student"))
    enrolments.sort(key=lambda e: e.pk)
    reread |= {e.student.student_number for e in enrolments if e.offering_id in changed or e.pk in fresh}
    return enrolments, reread


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _students_with_new_statements(
    university: University, *, after_id: int, upto_id: int, previous_run: dt.datetime
) -> set[str]:
    """Student numbers with statements above ``after_id`` (up to ``upto_id``) or committed late
    below it, and the owners of statements voided by either.

    A late commit holds an id at or below ``after_id`` and was stamped ``stored`` before the
    previous run read the highest id, so it lies within the replay window around that run.
    Two queries rather than one with OR, so that each has its own index: the id range scans
    the primary key, the window the ``stored`` index (with OR, the account index may be
    chosen, which reads every statement of the university). Voidings are found through the
    small partial index of StatementRef statements.

    Each university's run reads the whole id range, so with many universities the new
    statements are read once per university. An index on (home page, id) does not help (a
    one-off EXPLAIN ANALYZE on a synthetic table of 4 million rows from 20 interleaved home
    pages, not a bench script: the planner still scans the primary key, because the rows of
    one university share their heap pages with everybody's); the fix is one pass over the
    new statements for all universities, or partitions per university."""
    pages = _home_pages(university)
    window = _replay_window()
    numbers: set[str] = set()
    targets: list[Any] = []
    for fresh in (
        Q(pk__gt=after_id, pk__lte=upto_id),
        Q(stored__gte=previous_run - window, stored__lte=previous_run + window, pk__lte=after_id),
    ):
        numbers.update(
            Statement.objects.filter(fresh, actor_home_page__in=pages).values_list("actor_name", flat=True).distinct()
        )
        # A voiding is sent by whoever voids; the statement it voids names the student.
        targets.extend(
            Statement.objects.filter(fresh, object_type="StatementRef", is_voiding=True).values_list(
                "object_statement_id", flat=True
            )
        )
    for chunk in _chunks(targets):
        numbers.update(
            Statement.objects.filter(statement_id__in=chunk, actor_home_page__in=pages).values_list(
                "actor_name", flat=True
            )
        )
    return numbers


def _engagement_write(
    *,
    university: University,
    offerings: list[Offering],
    enrolments: list[Enrolment],
    reread: set[str],
    now: dt.datetime,
) -> int:
    """Write the figures of ``enrolments``: all of them for the students in ``reread`` (their
    records read again), the session figures only for the others. Returns statements read."""
    read = 0

    def counted(events: Iterable[Event]) -> Iterator[Event]:
        nonlocal read
        for e in events:
            read += 1
            yield e

    numbers = {e.student.student_number for e in enrolments} & reread
    figures = compute_engagement(
        offerings,
        counted(events_for_students(university=university, student_numbers=numbers)),
        tz=timezone.get_current_timezone(),
    )
    touched = {e.offering_id for e in enrolments}
    held = dict(
        FaceToFaceSession.objects.filter(offering_id__in=touched, status=FaceToFaceSession.Status.HELD)
        .values("offering_id")
        .annotate(n=Count("pk"))
        .values_list("offering_id", "n")
    )
    attended: dict[tuple[int, int], int] = {
        (row["session__offering_id"], row["student_id"]): row["n"]
        for row in Attendance.objects.filter(
            session__offering_id__in=touched,
            session__status=FaceToFaceSession.Status.HELD,
            student_id__in={e.student_id for e in enrolments},
        )
        .values("session__offering_id", "student_id")
        .annotate(n=Count("pk"))
    }
    unit_counts = {o.pk: o.unit_count for o in offerings}
    # The figures from records are kept as they are where only the session figures change.
    kept: dict[int, Engagement] = {}
    for chunk in _chunks([e.pk for e in enrolments if e.student.student_number not in reread]):
        kept.update((row.enrolment_id, row) for row in Engagement.objects.filter(enrolment_id__in=chunk))
    rows = []
    for enrolment in enrolments:
        number = enrolment.student.student_number
        row = kept.get(enrolment.pk)
        if row is None:
            f = figures.get((enrolment.offering_id, number), Figures())
            progress = min(Decimal(1), Decimal(f.units_completed) / Decimal(unit_counts[enrolment.offering_id]))
            row = Engagement(
                enrolment=enrolment,
                statements=f.statements,
                active_days=f.active_days,
                time_on_task_seconds=f.time_on_task_seconds,
                units_completed=f.units_completed,
                progress=progress.quantize(Decimal("0.0001")),
                assessment_events=f.assessment_events,
                last_activity_at=f.last_activity_at,
            )
        row.computed_at = now
        row.sessions_held = held.get(enrolment.offering_id, 0)
        row.sessions_attended = attended.get((enrolment.offering_id, enrolment.student_id), 0)
        rows.append(row)
    # One INSERT ... ON CONFLICT DO UPDATE per thousand rows (bulk_update's CASE per row and
    # field costs more than reading the records).
    Engagement.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["enrolment"],
        update_fields=list(ENGAGEMENT_FIELDS),
    )
    return read


ENGAGEMENT_FIELDS = (
    "computed_at",
    "statements",
    "active_days",
    "time_on_task_seconds",
    "units_completed",
    "progress",
    "assessment_events",
    "last_activity_at",
    "sessions_held",
    "sessions_attended",
)


# ------------------------------------------------------------------ warning rules


def _threshold(kind: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        number = Decimal(-1)
    limits = {
        WarningKind.INACTIVE_DAYS: (Decimal(1), Decimal(365)),
        WarningKind.LOW_PROGRESS: (Decimal(0), Decimal(1)),
        WarningKind.LOW_TIME_ON_TASK: (Decimal(1), Decimal(100000)),
        WarningKind.LOW_ATTENDANCE: (Decimal(0), Decimal(1)),
    }
    low, high = limits[kind]
    if not number.is_finite() or number < low or number > high:
        raise ApplicationError(
            Code.WARNING_RULE_THRESHOLD_INVALID,
            _("The threshold for this kind of warning must be between {low} and {high}.").format(low=low, high=high),
            {"kind": kind},
        )
    return number


@transaction.atomic
def warning_rule_set(
    *, actor: Any, university: University, kind: str, threshold: Any, is_active: bool = True
) -> WarningRule:
    policy.require(actor, "warnings.configure", university)
    if kind not in WarningKind.values:
        raise ApplicationError(Code.WARNING_RULE_KIND_UNKNOWN, _("Unknown kind of early warning."), {"kind": kind})
    value = _threshold(kind, threshold).quantize(Decimal("0.0001"))
    rule, _created = WarningRule.objects.update_or_create(
        university=university, kind=kind, defaults={"threshold": value, "is_active": bool(is_active)}
    )
    audit.record(
        actor=actor,
        action="warnings.rule_set",
        target=rule,
        data={"university_id": university.pk, "kind": kind, "threshold": str(value), "active": bool(is_active)},
    )
    return rule


def rules_in_force(university: University) -> dict[str, Decimal]:
    """Kind -> threshold: the university's rules, else the configured defaults."""
    configured = {r.kind: r for r in WarningRule.objects.filter(university=university)}
    out = {}
    for kind in WarningKind.values:
        rule = configured.get(kind)
        if rule is None:
            out[kind] = Decimal(str(config.warning_default(kind)))
        elif rule.is_active:
            out[kind] = rule.threshold
    return out


def _elapsed(offering: Offering, today: dt.date) -> Decimal:
    span = (offering.ends_on - offering.starts_on).days or 1
    done = (min(today, offering.ends_on) - offering.starts_on).days
    return max(Decimal(0), min(Decimal(1), Decimal(done) / Decimal(span)))


def detect(
    engagement: Engagement, offering: Offering, rules: dict[str, Decimal], now: dt.datetime
) -> list[tuple[str, Decimal, Decimal]]:
    """(kind, threshold, observed) for each rule the enrolment breaks today."""
    today = timezone.localdate(now)
    if today < offering.starts_on or today > offering.ends_on:
        return []
    found = []
    elapsed = _elapsed(offering, today)
    if WarningKind.INACTIVE_DAYS in rules:
        since = engagement.last_activity_at or dt.datetime.combine(
            offering.starts_on, dt.time(), tzinfo=timezone.get_current_timezone()
        )
        idle_days = Decimal((now - since).days)
        if idle_days >= rules[WarningKind.INACTIVE_DAYS]:
            found.append((WarningKind.INACTIVE_DAYS.value, rules[WarningKind.INACTIVE_DAYS], idle_days))
    # Progress and time are judged against the share of the term gone, once a quarter has gone.
    if elapsed >= Decimal("0.25"):
        if WarningKind.LOW_PROGRESS in rules:
            expected = rules[WarningKind.LOW_PROGRESS] * elapsed
            if engagement.progress < expected:
                found.append((WarningKind.LOW_PROGRESS.value, rules[WarningKind.LOW_PROGRESS], engagement.progress))
        if WarningKind.LOW_TIME_ON_TASK in rules:
            minutes = Decimal(engagement.time_on_task_seconds) / Decimal(60)
            if minutes < rules[WarningKind.LOW_TIME_ON_TASK] * elapsed:
                found.append(
                    (
                        WarningKind.LOW_TIME_ON_TASK.value,
                        rules[WarningKind.LOW_TIME_ON_TASK],
                        minutes.quantize(Decimal("0.1")),
                    )
                )
    rate = engagement.attendance_rate
    kind = WarningKind.LOW_ATTENDANCE
    if kind in rules and engagement.sessions_held >= 2 and rate is not None and rate < rules[kind]:
        found.append((kind.value, rules[kind], rate))
    return found


@transaction.atomic
def warnings_raise(*, actor: Any, university: University, now: dt.datetime | None = None) -> list[EarlyWarning]:
    """Apply the warning rules to the latest engagement figures of the university's
    enrolments; raises one warning per enrolment and kind that is not already open."""
    policy.require(actor, "warnings.raise", university)
    now = now or timezone.now()
    rules = rules_in_force(university)
    open_keys = set(
        EarlyWarning.objects.filter(enrolment__offering__university=university)
        .exclude(status=EarlyWarning.Status.CLOSED)
        .values_list("enrolment_id", "kind")
    )
    raised = []
    engagements = Engagement.objects.filter(enrolment__offering__university=university).select_related(
        "enrolment__offering"
    )
    for engagement in engagements:
        for kind, threshold, observed in detect(engagement, engagement.enrolment.offering, rules, now):
            if (engagement.enrolment_id, kind) in open_keys:
                continue
            raised.append(
                EarlyWarning(
                    enrolment=engagement.enrolment,
                    kind=kind,
                    threshold=threshold,
                    observed=observed,
                    raised_at=now,
                    status_changed_at=now,
                )
            )
    EarlyWarning.objects.bulk_create(raised)
    if raised and raised[0].pk is None:
        keys = [(w.enrolment_id, w.kind) for w in raised]
        by_key = {
            (w.enrolment_id, w.kind): w
            for w in EarlyWarning.objects.filter(raised_at=now, enrolment_id__in=[k[0] for k in keys])
        }
        raised = [by_key[k] for k in keys]
    WarningStep.objects.bulk_create(
        WarningStep(warning=w, to_status=EarlyWarning.Status.RAISED, actor=_user(actor), at=now) for w in raised
    )
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action="warnings.raised",
                target=w,
                data={"warning_id": w.pk, "enrolment_id": w.enrolment_id, "kind": w.kind},
            )
            for w in raised
        ],
    )
    return raised


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# ------------------------------------------------------------------ the feedback loop

_ALLOWED = {
    "notify": ({EarlyWarning.Status.RAISED}, EarlyWarning.Status.NOTIFIED, "warnings.notify"),
    "respond": (
        {EarlyWarning.Status.NOTIFIED, EarlyWarning.Status.INTERVENED},
        EarlyWarning.Status.RESPONDED,
        "warnings.respond",
    ),
    "intervene": (
        {EarlyWarning.Status.RAISED, EarlyWarning.Status.NOTIFIED, EarlyWarning.Status.RESPONDED},
        EarlyWarning.Status.INTERVENED,
        "warnings.intervene",
    ),
    "close": (
        {EarlyWarning.Status.RESPONDED, EarlyWarning.Status.INTERVENED},
        EarlyWarning.Status.CLOSED,
        "warnings.close",
    ),
}


def _transition(*, actor: Any, warning: EarlyWarning, step: str, note: str, now: dt.datetime | None) -> EarlyWarning:
    sources, target, action = _ALLOWED[step]
    warning = (
        EarlyWarning.objects.select_for_update(of=("self",))
        .select_related("enrolment__offering__university", "enrolment__offering__centre", "enrolment__student")
        .get(pk=warning.pk)
    )
    policy.require(actor, action, warning)
    note = (note or "").strip()
    if step in ("respond", "intervene", "close") and not note:
        raise ApplicationError(Code.WARNING_NOTE_REQUIRED, _("Say what was done or answered."))
    if warning.status not in sources:
        raise Conflict(
            Code.WARNING_TRANSITION_INVALID,
            _("A warning that is {status} cannot go to {target}.").format(
                status=warning.get_status_display(), target=EarlyWarning.Status(target).label
            ),
            {"status": warning.status, "target": target},
        )
    now = now or timezone.now()
    warning.status = target
    warning.status_changed_at = now
    warning.save(update_fields=["status", "status_changed_at", "updated_at"])
    WarningStep.objects.create(warning=warning, to_status=target, actor=_user(actor), note=note[:4000], at=now)
    data: dict[str, Any] = {"warning_id": warning.pk, "to": target}
    if step == "notify":
        # Who was told: the student and the offering's teacher (as tutor), by user id.
        data["notified_user_ids"] = sorted(
            i for i in (warning.enrolment.student.user_id, warning.enrolment.offering.teacher_id) if i
        )
    audit.record(actor=actor, action=f"warnings.{step}", target=warning, data=data)
    return warning


@transaction.atomic
def warning_notify(
    *, actor: Any, warning: EarlyWarning, note: str = "", now: dt.datetime | None = None
) -> EarlyWarning:
    """The student and their tutor are told, in the site and by e-mail (the step records who)."""
    warning = _transition(actor=actor, warning=warning, step="notify", note=note, now=now)
    notices.warning_notified(warning, now=now)
    return warning


@transaction.atomic
def warning_respond(*, actor: Any, warning: EarlyWarning, note: str, now: dt.datetime | None = None) -> EarlyWarning:
    """The student answers the warning (only the warned student)."""
    if warning.enrolment.student.user_id != getattr(actor, "pk", None) and policy.memberships_for(
        actor, "warnings.respond"
    ):
        raise PermissionDenied(Code.WARNING_NOT_YOURS, _("This warning is not addressed to you."))
    warning = _transition(actor=actor, warning=warning, step="respond", note=note, now=now)
    notices.warning_responded(warning, now=now)
    return warning


@transaction.atomic
def warning_intervene(*, actor: Any, warning: EarlyWarning, note: str, now: dt.datetime | None = None) -> EarlyWarning:
    return _transition(actor=actor, warning=warning, step="intervene", note=note, now=now)


@transaction.atomic
def warning_close(*, actor: Any, warning: EarlyWarning, note: str, now: dt.datetime | None = None) -> EarlyWarning:
    return _transition(actor=actor, warning=warning, step="close", note=note, now=now)


# ------------------------------------------------------------------ delivered face-to-face share


def delivered_share(offerings: Iterable[Offering]) -> dict[str, Decimal]:
    """Face-to-face hours actually held against the courses' total hours, over ``offerings``."""
    offerings = list(offerings)
    total = sum((o.course.total_hours for o in offerings), Decimal(0))
    planned = sum((o.course.hours_face_to_face for o in offerings), Decimal(0))
    held = sum(
        (
            s.hours
            for s in FaceToFaceSession.objects.filter(
                offering__in=offerings, status=FaceToFaceSession.Status.HELD
            ).only("starts_at", "ends_at")
        ),
        Decimal(0),
    )
    return {
        "total_hours": total,
        "planned_hours": planned,
        "held_hours": held,
        "share": (held / total).quantize(Decimal("0.0001")) if total else Decimal(0),
        "planned_share": (planned / total).quantize(Decimal("0.0001")) if total else Decimal(0),
    }


def students_of(university: University) -> Any:
    return StudentRecord.objects.filter(university=university)


def enrolments_visible_to(*, user: Any) -> Any:
    """Enrolments the user may monitor (for selectors and pages)."""
    q = Q(pk__in=[])
    for m in policy.memberships_for(user, "monitoring.view"):
        if m.scope_kind in ("NATIONAL",):
            return Enrolment.objects.all()
        if m.scope_kind == "PROVINCE":
            q |= Q(offering__university__province_id=m.province_id) | Q(
                offering__centre__host_province_id=m.province_id
            )
        elif m.scope_kind == "UNIVERSITY":
            q |= Q(offering__university_id=m.university_id)
        elif m.scope_kind == "CENTRE":
            q |= Q(offering__centre_id=m.centre_id)
    return Enrolment.objects.filter(q)
