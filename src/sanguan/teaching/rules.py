"""Compliance rules of the process gate (Arts. 4-5 of the notice).

Findings name rows by id and student number, never by a person's name. Thresholds come from
``teaching.config`` so that a deployment changes them in one place."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from sanguan.compliance.registry import Detection, Evidence, RuleContext, RuleScope, Severity, message, rule
from sanguan.records.models import Statement, StatementRelation

from . import config
from .models import (
    BrushingAssessment,
    EarlyWarning,
    Engagement,
    Enrolment,
    FaceToFaceSession,
    Offering,
    TrainingProgramme,
    WarningKind,
)
from .monitoring import rules_in_force

# How a late warning stands, as msgids (findings store msgids; readers see them translated).
STATUS_MSGIDS = {
    "RAISED": gettext_noop("raised, not yet notified"),
    "NOTIFIED": gettext_noop("notified, with no response or intervention"),
}

# What each anti-刷课 signal means (see ``signals_brushing``), as msgids.
SIGNAL_MSGIDS = {
    "SHARED_DEVICE": gettext_noop("one device reported the learning of many students"),
    "SHARED_ADDRESS": gettext_noop("one network address reported the learning of many students"),
    "ROUND_THE_CLOCK": gettext_noop("activity around the clock or at night"),
    "UNIFORM_TIMING": gettext_noop("machine-regular gaps between events"),
    "VIDEO_TOO_FAST": gettext_noop("video covered faster than it can play"),
    "PARALLEL_COURSES": gettext_noop("two courses played at the same time"),
    "DEVICE_HOPPING": gettext_noop("device and network changed within minutes"),
}

# Terms are stored as "2026-AUTUMN"; readers see "2026 Autumn" / "2026年秋季".
SEASON_MSGIDS = {"SPRING": gettext_noop("Spring"), "AUTUMN": gettext_noop("Autumn")}

# Msgids that findings stored by earlier versions of these rules still name.
LEGACY_MSGIDS = (gettext_noop("Signal"),)


def _term(term: str):
    """A term as a nested message ("{year} {season}") when it has the usual form, else as is."""
    year, _sep, season = term.partition("-")
    if year.isdigit() and season in SEASON_MSGIDS:
        return message(gettext_noop("{year} {season}"), year=int(year), season=SEASON_MSGIDS[season])
    return term


def _provinces(university, centre=None) -> frozenset[str]:
    return frozenset({university.province_id} | ({centre.host_province_id} if centre is not None else set()))


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


def _approved_programmes():
    return TrainingProgramme.objects.filter(status=TrainingProgramme.Status.APPROVED).select_related(
        "university", "major"
    )


@rule(
    code="TEACH-001",
    article=4,
    severity=Severity.HIGH,
    scope=RuleScope.UNIVERSITY,
    title=_("Programme without the required ideological-political courses"),
    description=_(
        "An approved training programme lacks a course that the configured list requires for its level "
        "(for instance after the list changed)."
    ),
)
def programme_missing_political_courses(context: RuleContext) -> Iterator[Detection]:
    for p in _approved_programmes().prefetch_related("courses"):
        present = {c.political_code for c in p.courses.all() if c.political_code}
        missing = [c for c in config.required_political_courses(p.level) if c not in present]
        if not missing:
            continue
        names = "、".join(config.POLITICAL_COURSES[c].name for c in missing if c in config.POLITICAL_COURSES)
        yield Detection(
            subject=p,
            summary=gettext_noop("Programme {programme} (version {version}) of {university} lacks: {missing}."),
            summary_params={
                "programme": p.title,
                "version": p.version,
                "university": p.university.name,
                "missing": names,
            },
            evidence=(Evidence(label=gettext_noop("Training programme"), url=f"/teaching/programmes/{p.pk}/"),),
            university_id=p.university_id,
            provinces=_provinces(p.university),
        )


@rule(
    code="TEACH-002",
    article=5,
    severity=Severity.MEDIUM,
    scope=RuleScope.UNIVERSITY,
    title=_("Programme below the minimum face-to-face share"),
    description=_("An approved programme plans fewer face-to-face hours than the configured minimum share."),
)
def programme_face_to_face_below_minimum(context: RuleContext) -> Iterator[Detection]:
    minimum = config.min_face_to_face_share()
    for p in _approved_programmes().prefetch_related("courses"):
        share = p.face_to_face_share()
        if share >= minimum:
            continue
        yield Detection(
            subject=p,
            summary=gettext_noop(
                "Programme {programme} (version {version}) plans {share} face-to-face hours; the minimum is {minimum}."
            ),
            summary_params={"programme": p.title, "version": p.version, "share": _pct(share), "minimum": _pct(minimum)},
            evidence=(Evidence(label=gettext_noop("Training programme"), url=f"/teaching/programmes/{p.pk}/"),),
            university_id=p.university_id,
            provinces=_provinces(p.university),
        )


@rule(
    code="TEACH-003",
    article=5,
    severity=Severity.MEDIUM,
    scope=RuleScope.CENTRE,
    title=_("Face-to-face teaching delivered below the minimum share"),
    description=_(
        "Over the offerings a centre finished in the last year, the face-to-face hours actually held are "
        "below the minimum share of the courses' hours."
    ),
)
def delivered_face_to_face_below_minimum(context: RuleContext) -> Iterator[Detection]:
    minimum = config.min_face_to_face_share()
    since = context.today - dt.timedelta(days=365)
    offerings = Offering.objects.filter(
        centre__isnull=False, ends_on__lt=context.today, ends_on__gte=since
    ).select_related("course", "centre__university")
    by_centre: dict[int, list[Offering]] = defaultdict(list)
    for o in offerings:
        by_centre[o.centre_id].append(o)
    held: dict[int, Decimal] = defaultdict(Decimal)
    for s in FaceToFaceSession.objects.filter(offering__in=offerings, status=FaceToFaceSession.Status.HELD).only(
        "offering_id", "starts_at", "ends_at"
    ):
        held[s.offering_id] += s.hours
    for group in by_centre.values():
        total = sum((o.course.total_hours for o in group), Decimal(0))
        if not total:
            continue
        delivered = sum((held[o.pk] for o in group), Decimal(0))
        share = delivered / total
        if share >= minimum:
            continue
        centre = group[0].centre
        yield Detection(
            subject=centre,
            summary=gettext_noop(
                "Centre {centre} held {share} of its courses' hours face to face over the last year; "
                "the minimum is {minimum}."
            ),
            summary_params={"centre": centre.name, "share": _pct(share), "minimum": _pct(minimum)},
            evidence=(
                Evidence(label=gettext_noop("Centre dashboard"), url=f"/teaching/dashboard/centre/{centre.pk}/"),
                Evidence(label=gettext_noop("Offerings counted"), value=str(len(group))),
            ),
            university_id=centre.university_id,
            centre_id=centre.pk,
            provinces=_provinces(centre.university, centre),
        )


@rule(
    code="TEACH-004",
    article=5,
    severity=Severity.MEDIUM,
    scope=RuleScope.UNIVERSITY,
    title=_("Course offering with no learning records"),
    description=_("An offering with enrolled students has run for two weeks and no learning record mentions it."),
)
def offering_without_records(context: RuleContext) -> Iterator[Detection]:
    grace = int(config.get("OFFERING_RECORDS_GRACE_DAYS"))
    offerings = (
        Offering.objects.filter(starts_on__lte=context.today - dt.timedelta(days=grace))
        .filter(Exists(Enrolment.objects.filter(offering=OuterRef("pk"))))
        .select_related("university", "centre", "course")
    )
    for o in offerings:
        aid = o.activity_id
        if Statement.objects.filter(Q(object_ifi=aid) | Q(object_ifi__startswith=aid + "/")).exists():
            continue
        if StatementRelation.objects.filter(kind=StatementRelation.ACTIVITY, value=aid).exists():
            continue
        yield Detection(
            subject=o,
            summary=gettext_noop("Offering {course} ({term}) started on {start} and has no learning records."),
            summary_params={"course": o.course.name, "term": _term(o.term), "start": o.starts_on.isoformat()},
            evidence=(
                Evidence(label=gettext_noop("Course dashboard"), url=f"/teaching/dashboard/offering/{o.pk}/"),
                Evidence(label=gettext_noop("xAPI activity id"), value=aid),
            ),
            university_id=o.university_id,
            centre_id=o.centre_id,
            provinces=_provinces(o.university, o.centre),
        )


@rule(
    code="TEACH-005",
    article=5,
    severity=Severity.MEDIUM,
    scope=RuleScope.UNIVERSITY,
    title=_("Inactive student without an early warning"),
    description=_(
        "A student has done nothing in a running course for longer than the inactivity threshold and no "
        "early warning was raised since."
    ),
)
def inactive_without_warning(context: RuleContext) -> Iterator[Detection]:
    engagements = Engagement.objects.filter(
        enrolment__offering__starts_on__lte=context.today, enrolment__offering__ends_on__gte=context.today
    ).select_related("enrolment__offering__university", "enrolment__offering__centre", "enrolment__student")
    thresholds: dict[int, Decimal | None] = {}
    # The latest inactivity warning per enrolment, in one query rather than one per engagement.
    last_warned = dict(
        EarlyWarning.objects.filter(kind=WarningKind.INACTIVE_DAYS, enrolment__in=engagements.values("enrolment"))
        .values("enrolment")
        .annotate(latest=Max("raised_at"))
        .values_list("enrolment", "latest")
    )
    for e in engagements:
        offering = e.enrolment.offering
        if offering.university_id not in thresholds:
            thresholds[offering.university_id] = rules_in_force(offering.university).get(WarningKind.INACTIVE_DAYS)
        threshold = thresholds[offering.university_id]
        if threshold is None:
            continue
        start = dt.datetime.combine(offering.starts_on, dt.time(), tzinfo=context.now.tzinfo)
        since = e.last_activity_at or start
        idle = (context.now - since).days
        if idle < threshold:
            continue
        latest = last_warned.get(e.enrolment_id)
        if latest is not None and latest >= since:
            continue
        student = e.enrolment.student
        yield Detection(
            subject=e.enrolment,
            summary=gettext_noop("Student {number} has been inactive in {course} for {days} days without a warning."),
            summary_params={"number": student.student_number, "course": offering.course.name, "days": idle},
            evidence=(
                Evidence(label=gettext_noop("Course dashboard"), url=f"/teaching/dashboard/offering/{offering.pk}/"),
            ),
            university_id=offering.university_id,
            centre_id=offering.centre_id,
            provinces=_provinces(offering.university, offering.centre),
        )


@rule(
    code="TEACH-006",
    article=5,
    severity=Severity.MEDIUM,
    scope=RuleScope.UNIVERSITY,
    title=_("Early warning without follow-up"),
    description=_(
        "A warning was not passed on to the student and tutor within a week, or nobody responded or "
        "intervened within three weeks of the notice."
    ),
)
def warning_without_follow_up(context: RuleContext) -> Iterator[Detection]:
    notify_by = context.now - dt.timedelta(days=int(config.get("WARNING_NOTIFY_WITHIN_DAYS")))
    follow_by = context.now - dt.timedelta(days=int(config.get("WARNING_FOLLOW_UP_WITHIN_DAYS")))
    late = EarlyWarning.objects.filter(
        Q(status=EarlyWarning.Status.RAISED, raised_at__lt=notify_by)
        | Q(status=EarlyWarning.Status.NOTIFIED, status_changed_at__lt=follow_by)
    ).select_related("enrolment__offering__university", "enrolment__offering__centre", "enrolment__student")
    for w in late:
        offering = w.enrolment.offering
        yield Detection(
            subject=w,
            summary=gettext_noop("Warning {warning} for student {number} has been {status} since {since}."),
            summary_params={
                "warning": w.pk,
                "number": w.enrolment.student.student_number,
                "status": STATUS_MSGIDS[w.status],
                "since": w.status_changed_at.date().isoformat(),
            },
            evidence=(Evidence(label=gettext_noop("Early warning"), url=f"/teaching/warnings/{w.pk}/"),),
            university_id=offering.university_id,
            centre_id=offering.centre_id,
            provinces=_provinces(offering.university, offering.centre),
        )


@rule(
    code="TEACH-007",
    article=5,
    severity=Severity.HIGH,
    scope=RuleScope.UNIVERSITY,
    title=_("High 刷课 evidence not acted on"),
    description=_("A student's anti-刷课 evidence score has been high for two weeks and nobody has reviewed it."),
)
def brushing_not_acted_on(context: RuleContext) -> Iterator[Detection]:
    high = Decimal(str(config.get("BRUSHING_HIGH_SCORE")))
    by = context.now - dt.timedelta(days=int(config.get("BRUSHING_REVIEW_WITHIN_DAYS")))
    for a in BrushingAssessment.objects.filter(
        score__gte=high, status=BrushingAssessment.Status.UNREVIEWED, first_high_at__lt=by
    ).select_related("student", "university", "centre"):
        yield Detection(
            subject=a,
            summary=gettext_noop("刷课 evidence for student {number} scores {score} and is unreviewed since {since}."),
            summary_params={
                "number": a.student.student_number,
                "score": str(a.score),
                "since": a.first_high_at.date().isoformat(),
            },
            evidence=(
                Evidence(label=gettext_noop("Evidence and the events behind it"), url=f"/teaching/brushing/{a.pk}/"),
                *(
                    Evidence(
                        label=gettext_noop("Signal {code}"),
                        value=SIGNAL_MSGIDS.get(s["code"], s["code"]),
                        params={"code": s["code"]},
                    )
                    for s in a.signals[:5]
                ),
            ),
            university_id=a.university_id,
            centre_id=a.centre_id,
            provinces=_provinces(a.university, a.centre),
        )
