"""Every change to programmes, offerings, sessions, attendance and evaluations.

Each service checks the policy, validates, writes and appends its audit event (ids only) in
one transaction. Monitoring and early warnings are in ``monitoring``; anti-刷课 evidence in
``signals_brushing``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from sanguan.accounts import policy
from sanguan.accounts.models import Membership, Role, User
from sanguan.admissions.models import StudentRecord
from sanguan.audit import services as audit
from sanguan.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from sanguan.institutions.models import LearningCentre, Major
from sanguan.notifications import services as notifications

from . import config
from .errors import TeachingErrorCode as Code
from .models import (
    Attendance,
    CheckInAttempt,
    Engagement,
    Enrolment,
    Evaluation,
    FaceToFaceSession,
    LiveParticipation,
    LiveSession,
    Offering,
    ProgrammeCourse,
    TrainingProgramme,
)

COURSE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,23}$")
TERM_RE = re.compile(r"^(20\d\d)-(SPRING|AUTUMN)$")
MAX_HOURS = Decimal("1000")
MAX_CREDITS = Decimal("30")


# ------------------------------------------------------------------ programmes


def _user(actor: Any) -> Any:
    """The actor as a user row, or None for the system."""
    return actor if getattr(actor, "pk", None) else None


def _decimal(value: Any, code: Code, message: Any, *, low: Decimal, high: Decimal, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(code, message, {"field": field}) from None
    if not number.is_finite() or number < low or number > high or number != number.quantize(Decimal("0.1")):
        raise ApplicationError(code, message, {"field": field})
    return number


def require_draft(programme: TrainingProgramme) -> None:
    """Refuse (409) any change to a programme that is no longer a draft."""
    if programme.status != TrainingProgramme.Status.DRAFT:
        raise Conflict(
            Code.PROGRAMME_NOT_DRAFT,
            _("Only a draft programme can change; start a new version instead."),
            {"programme_id": programme.pk, "status": programme.status},
        )


@transaction.atomic
def programme_create(
    *, actor: Any, major: Major, title: str, first_intake_year: int, copy_from: TrainingProgramme | None = None
) -> TrainingProgramme:
    """Start a new draft version of a major's programme, optionally copying an earlier version's courses."""
    policy.require(actor, "programmes.define", major)
    title = (title or "").strip()
    if not title:
        raise ApplicationError(Code.PROGRAMME_TITLE_REQUIRED, _("Give the programme a title."))
    if not isinstance(first_intake_year, int) or not 2000 <= first_intake_year <= 2100:
        raise ApplicationError(
            Code.PROGRAMME_INTAKE_YEAR_INVALID,
            _("The first intake year must be a year between 2000 and 2100."),
            {"first_intake_year": first_intake_year},
        )
    if copy_from is not None and copy_from.major_id != major.pk:
        raise ApplicationError(Code.NOT_FOUND, _("No such programme."), {"programme_id": copy_from.pk})
    # Lock the major's row so that two drafts cannot take the same version number.
    Major.objects.select_for_update().filter(pk=major.pk).first()
    last = TrainingProgramme.objects.filter(major=major).aggregate(v=Max("version"))["v"] or 0
    programme = TrainingProgramme.objects.create(
        university_id=major.university_id,
        major=major,
        level=major.level,
        track=major.track,
        version=last + 1,
        title=title,
        first_intake_year=first_intake_year,
        created_by=_user(actor),
    )
    if copy_from is not None:
        ProgrammeCourse.objects.bulk_create(
            ProgrammeCourse(
                programme=programme,
                code=c.code,
                name=c.name,
                credits=c.credits,
                hours_online=c.hours_online,
                hours_face_to_face=c.hours_face_to_face,
                hours_practice=c.hours_practice,
                term_no=c.term_no,
                is_compulsory=c.is_compulsory,
                political_code=c.political_code,
            )
            for c in copy_from.courses.all()
        )
    audit.record(
        actor=actor,
        action="programmes.created",
        target=programme,
        data={
            "programme_id": programme.pk,
            "major_id": major.pk,
            "version": programme.version,
            "copied_from_id": copy_from.pk if copy_from else None,
        },
    )
    return programme


@transaction.atomic
def programme_update(
    *, actor: Any, programme: TrainingProgramme, title: str, first_intake_year: int
) -> TrainingProgramme:
    """Change the header of a draft (the major, and so level, track and version, stay)."""
    policy.require(actor, "programmes.define", programme)
    programme = TrainingProgramme.objects.select_for_update().get(pk=programme.pk)
    require_draft(programme)
    title = (title or "").strip()
    if not title:
        raise ApplicationError(Code.PROGRAMME_TITLE_REQUIRED, _("Give the programme a title."), {"field": "title"})
    if not isinstance(first_intake_year, int) or not 2000 <= first_intake_year <= 2100:
        raise ApplicationError(
            Code.PROGRAMME_INTAKE_YEAR_INVALID,
            _("The first intake year must be a year between 2000 and 2100."),
            {"first_intake_year": first_intake_year, "field": "first_intake_year"},
        )
    changed = sorted(
        k for k, v in (("title", title), ("first_intake_year", first_intake_year)) if getattr(programme, k) != v
    )
    programme.title = title
    programme.first_intake_year = first_intake_year
    programme.save(update_fields=["title", "first_intake_year", "updated_at"])
    audit.record(
        actor=actor,
        action="programmes.changed",
        target=programme,
        data={"programme_id": programme.pk, "changed": changed},
    )
    return programme


def _draft_and_course_fields(
    programme_pk: int, course_pk: int | None, **given: Any
) -> tuple[TrainingProgramme, dict[str, Any]]:
    """Lock the programme, refuse unless it is a draft, validate the course's fields and refuse a
    code another of its courses (other than ``course_pk``) already has."""
    programme = TrainingProgramme.objects.select_for_update().get(pk=programme_pk)
    require_draft(programme)
    fields = _course_fields(**given)
    if programme.courses.filter(code=fields["code"]).exclude(pk=course_pk).exists():
        raise Conflict(
            Code.COURSE_CODE_TAKEN,
            _("The programme already has a course {code}.").format(code=fields["code"]),
            {"field": "code"},
        )
    return programme, fields


def _course_fields(
    *,
    code: str,
    name: str,
    credits: Any,
    hours_online: Any,
    hours_face_to_face: Any,
    hours_practice: Any,
    term_no: Any,
    is_compulsory: Any,
    political_code: str,
) -> dict[str, Any]:
    """The course's fields, validated and normalised (one refusal at a time, naming its field)."""
    code = (code or "").strip()
    name = (name or "").strip()
    political_code = (political_code or "").strip()
    if not COURSE_CODE_RE.match(code):
        raise ApplicationError(
            Code.COURSE_CODE_INVALID,
            _("A course code is 1 to 24 letters, digits, dots, dashes or underscores."),
            {"code": code, "field": "code"},
        )
    if not name:
        raise ApplicationError(Code.COURSE_NAME_REQUIRED, _("Give the course a name."), {"field": "name"})
    credits_d = _decimal(
        credits,
        Code.COURSE_CREDITS_INVALID,
        _("Credits must be a number from 0 to 30 in steps of 0.1."),
        low=Decimal("0"),
        high=MAX_CREDITS,
        field="credits",
    )
    hours_message = _("Hours must be a number from 0 to 1000 in steps of 0.1.")
    hours = {
        field: _decimal(value, Code.COURSE_HOURS_INVALID, hours_message, low=Decimal("0"), high=MAX_HOURS, field=field)
        for field, value in (
            ("hours_online", hours_online),
            ("hours_face_to_face", hours_face_to_face),
            ("hours_practice", hours_practice),
        )
    }
    if sum(hours.values()) == 0:
        raise ApplicationError(Code.COURSE_HOURS_INVALID, _("A course needs some hours."), {"field": "hours"})
    if political_code and political_code not in config.POLITICAL_COURSES:
        raise ApplicationError(
            Code.COURSE_POLITICAL_CODE_UNKNOWN,
            _("Unknown ideological-political course code {code}.").format(code=political_code),
            {"political_code": political_code, "known": sorted(config.POLITICAL_COURSES), "field": "political_code"},
        )
    if not isinstance(term_no, int) or isinstance(term_no, bool) or not 1 <= term_no <= 20:
        raise ApplicationError(Code.COURSE_HOURS_INVALID, _("The term must be between 1 and 20."), {"field": "term_no"})
    return {
        "code": code,
        "name": name,
        "credits": credits_d,
        "term_no": term_no,
        "is_compulsory": bool(is_compulsory),
        "political_code": political_code,
        **hours,
    }


@transaction.atomic
def programme_course_add(
    *,
    actor: Any,
    programme: TrainingProgramme,
    code: str,
    name: str,
    credits: Any,
    hours_online: Any = 0,
    hours_face_to_face: Any = 0,
    hours_practice: Any = 0,
    term_no: int = 1,
    is_compulsory: bool = True,
    political_code: str = "",
) -> ProgrammeCourse:
    policy.require(actor, "programmes.define", programme)
    programme, fields = _draft_and_course_fields(
        programme.pk,
        None,
        code=code,
        name=name,
        credits=credits,
        hours_online=hours_online,
        hours_face_to_face=hours_face_to_face,
        hours_practice=hours_practice,
        term_no=term_no,
        is_compulsory=is_compulsory,
        political_code=political_code,
    )
    course = ProgrammeCourse.objects.create(programme=programme, **fields)
    audit.record(
        actor=actor,
        action="programmes.course_added",
        target=course,
        data={"programme_id": programme.pk, "course_id": course.pk, "political_code": fields["political_code"]},
    )
    return course


@transaction.atomic
def programme_course_update(
    *,
    actor: Any,
    course: ProgrammeCourse,
    code: str,
    name: str,
    credits: Any,
    hours_online: Any = 0,
    hours_face_to_face: Any = 0,
    hours_practice: Any = 0,
    term_no: int = 1,
    is_compulsory: bool = True,
    political_code: str = "",
) -> ProgrammeCourse:
    """Change a course of a draft programme (an approved version changes only by a new version)."""
    policy.require(actor, "programmes.define", course.programme)
    programme, fields = _draft_and_course_fields(
        course.programme_id,
        course.pk,
        code=code,
        name=name,
        credits=credits,
        hours_online=hours_online,
        hours_face_to_face=hours_face_to_face,
        hours_practice=hours_practice,
        term_no=term_no,
        is_compulsory=is_compulsory,
        political_code=political_code,
    )
    changed = sorted(k for k, v in fields.items() if getattr(course, k) != v)
    for key, value in fields.items():
        setattr(course, key, value)
    course.save()
    audit.record(
        actor=actor,
        action="programmes.course_changed",
        target=course,
        data={"programme_id": programme.pk, "course_id": course.pk, "changed": changed},
    )
    return course


@transaction.atomic
def programme_course_remove(*, actor: Any, course: ProgrammeCourse) -> None:
    policy.require(actor, "programmes.define", course.programme)
    programme = TrainingProgramme.objects.select_for_update().get(pk=course.programme_id)
    require_draft(programme)
    audit.record(
        actor=actor,
        action="programmes.course_removed",
        target=programme,
        data={"programme_id": programme.pk, "course_id": course.pk},
    )
    course.delete()


def programme_problems(programme: TrainingProgramme) -> list[tuple[Code, str, dict[str, Any]]]:
    """Why the programme cannot be approved (empty when it can)."""
    problems: list[tuple[Code, str, dict[str, Any]]] = []
    courses = list(programme.courses.all())
    if not courses:
        problems.append((Code.PROGRAMME_EMPTY, str(_("The programme has no courses.")), {}))
        return problems
    present = {c.political_code for c in courses if c.political_code}
    missing = [code for code in config.required_political_courses(programme.level) if code not in present]
    if missing:
        names = "、".join(config.POLITICAL_COURSES[c].name if c in config.POLITICAL_COURSES else c for c in missing)
        problems.append(
            (
                Code.PROGRAMME_MISSING_POLITICAL_COURSES,
                str(_("The programme lacks the required ideological-political courses: {names}.")).format(names=names),
                {"missing": missing},
            )
        )
    share = programme.face_to_face_share()
    minimum = config.min_face_to_face_share()
    if share < minimum:
        problems.append(
            (
                Code.PROGRAMME_FACE_TO_FACE_SHARE_TOO_LOW,
                str(_("Face-to-face hours are {share}% of the total; the minimum is {minimum}%.")).format(
                    share=_pct(share), minimum=_pct(minimum)
                ),
                {"share": str(share), "minimum": str(minimum)},
            )
        )
    return problems


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}"


def programme_standing(
    programme: TrainingProgramme, *, draft: dict[str, Any] | None = None, replacing: int | None = None
) -> dict[str, Any]:
    """Where a programme stands against the approval rules, for display while it is drafted.

    ``draft`` is a course as typed but not yet saved (hours and political code, unvalidated),
    counted in place of course ``replacing`` if given: the figures the page shows "with this
    course". The refusal itself is ``programme_problems``; this only measures."""
    courses = (
        [c for c in programme.courses.all() if c.pk != replacing]
        if draft is not None
        else list(programme.courses.all())
    )
    hours = {"online": ZERO_H, "face_to_face": ZERO_H, "practice": ZERO_H}
    present = set()
    for c in courses:
        hours["online"] += c.hours_online
        hours["face_to_face"] += c.hours_face_to_face
        hours["practice"] += c.hours_practice
        if c.political_code:
            present.add(c.political_code)
    if draft is not None:
        for key, field in (
            ("online", "hours_online"),
            ("face_to_face", "hours_face_to_face"),
            ("practice", "hours_practice"),
        ):
            hours[key] += _lenient_decimal(draft.get(field))
        if draft.get("political_code"):
            present.add(draft["political_code"])
    total = hours["online"] + hours["face_to_face"] + hours["practice"]
    share = (hours["face_to_face"] / total).quantize(Decimal("0.0001")) if total else ZERO_H
    minimum = config.min_face_to_face_share()
    required = [
        {
            "code": code,
            "name": config.POLITICAL_COURSES[code].name if code in config.POLITICAL_COURSES else code,
            "present": code in present,
        }
        for code in config.required_political_courses(programme.level)
    ]
    return {
        "hours": {**hours, "total": total},
        "share": share,
        "minimum": minimum,
        "share_ok": total > 0 and share >= minimum,
        "required": required,
        "missing": [r for r in required if not r["present"]],
        "projected": draft is not None,
        "course_count": len(courses) + (1 if draft is not None else 0),
    }


ZERO_H = Decimal("0")


def _lenient_decimal(value: Any) -> Decimal:
    """A number as typed, or 0 while it is not one yet."""
    try:
        number = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        return ZERO_H
    return number if number.is_finite() and ZERO_H <= number <= MAX_HOURS else ZERO_H


def _refuse_problems(problems: list[tuple[Code, str, dict[str, Any]]]) -> None:
    if problems:
        code, message, extra = problems[0]
        extra = dict(extra)
        extra["problems"] = [p[0].value for p in problems]
        raise ApplicationError(code, message, extra)


@transaction.atomic
def programme_submit(*, actor: Any, programme: TrainingProgramme) -> list[Any]:
    """Academic affairs ask the university's administrators to approve a draft.

    Refused, with the reason approval would give, while a required ideological-political
    course is missing or the face-to-face share is below the minimum. The draft stays a draft
    (and editable): the request is the audit event and the approvers' notifications. Returns
    the users told."""
    policy.require(actor, "programmes.define", programme)
    programme = TrainingProgramme.objects.select_for_update().select_related("major").get(pk=programme.pk)
    require_draft(programme)
    _refuse_problems(programme_problems(programme))
    approvers = list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role=Role.UNIVERSITY_ADMIN,
            memberships__university_id=programme.university_id,
        )
        .distinct()
        .order_by("pk")
    )
    notifications.notify(
        recipients=approvers,
        kind="teaching.programme_submitted",
        title=gettext_noop("Programme to approve: {title} (version {version})"),
        body=gettext_noop(
            "{who} asks you to approve the training programme {title}, version {version}. It meets the approval "
            "rules: the required ideological-political courses are there and the face-to-face share is {share}."
        ),
        link=reverse("teaching:programme", args=[programme.pk]),
        params={
            "title": programme.title,
            "version": programme.version,
            "who": str(actor),
            "share": f"{_pct(programme.face_to_face_share())}%",
        },
    )
    audit.record(
        actor=actor,
        action="programmes.submitted",
        target=programme,
        data={"programme_id": programme.pk, "version": programme.version, "notified_ids": [u.pk for u in approvers]},
    )
    return approvers


@transaction.atomic
def programme_approve(*, actor: Any, programme: TrainingProgramme) -> TrainingProgramme:
    """Approve a draft; refused when a required ideological-political course is missing or the
    face-to-face share is below the minimum. The previously approved version is superseded."""
    policy.require(actor, "programmes.approve", programme)
    programme = TrainingProgramme.objects.select_for_update().get(pk=programme.pk)
    require_draft(programme)
    _refuse_problems(programme_problems(programme))
    previous = list(
        TrainingProgramme.objects.select_for_update().filter(
            major_id=programme.major_id, status=TrainingProgramme.Status.APPROVED
        )
    )
    for old in previous:
        old.status = TrainingProgramme.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
    programme.status = TrainingProgramme.Status.APPROVED
    programme.approved_by = _user(actor)
    programme.approved_at = timezone.now()
    programme.min_face_to_face_share = config.min_face_to_face_share()
    programme.save(update_fields=["status", "approved_by", "approved_at", "min_face_to_face_share", "updated_at"])
    audit.record(
        actor=actor,
        action="programmes.approved",
        target=programme,
        data={
            "programme_id": programme.pk,
            "version": programme.version,
            "face_to_face_share": str(programme.face_to_face_share()),
            "superseded_ids": [p.pk for p in previous],
        },
    )
    return programme


# ------------------------------------------------------------------ offerings and enrolment


def _is_university_teacher(user: Any, university_id: int) -> bool:
    return Membership.objects.filter(
        user=user, is_active=True, role__in=[Role.TEACHER, Role.ACADEMIC_STAFF], university_id=university_id
    ).exists()


def _offering_fields(
    *,
    programme: TrainingProgramme,
    term: str,
    teacher: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    activity_id: str,
    centre: LearningCentre | None,
    schedule: str,
    unit_count: int,
    offering: Offering | None = None,
) -> dict[str, Any]:
    """An offering's fields, validated (``offering``: the one being changed, if any)."""
    if not TERM_RE.match(term or ""):
        raise ApplicationError(
            Code.OFFERING_TERM_INVALID, _("A term looks like 2026-AUTUMN or 2027-SPRING."), {"field": "term"}
        )
    if starts_on is None or ends_on is None:
        raise ApplicationError(
            Code.OFFERING_DATES_INVALID, _("Give the first and the last day of the offering."), {"field": "starts_on"}
        )
    if ends_on < starts_on:
        raise ApplicationError(
            Code.OFFERING_DATES_INVALID, _("The offering cannot end before it starts."), {"field": "ends_on"}
        )
    if teacher is None or not _is_university_teacher(teacher, programme.university_id):
        raise ApplicationError(
            Code.OFFERING_TEACHER_INVALID,
            _("The teacher must be a teacher or academic staff of the university."),
            {"field": "teacher"},
        )
    if centre is not None and centre.university_id != programme.university_id:
        raise ApplicationError(
            Code.OFFERING_CENTRE_INVALID, _("The centre is not one of this university's."), {"field": "centre"}
        )
    activity_id = (activity_id or "").strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", activity_id) or len(activity_id) > 400:
        raise ApplicationError(
            Code.OFFERING_ACTIVITY_ID_INVALID, _("The activity id must be an IRI."), {"field": "activity_id"}
        )
    taken = Offering.objects.filter(activity_id=activity_id)
    if offering is not None:
        taken = taken.exclude(pk=offering.pk)
    if taken.exists():
        raise Conflict(
            Code.OFFERING_ACTIVITY_ID_TAKEN,
            _("Another offering already uses this activity id."),
            {"field": "activity_id"},
        )
    if not isinstance(unit_count, int) or isinstance(unit_count, bool) or not 1 <= unit_count <= 500:
        raise ApplicationError(
            Code.OFFERING_DATES_INVALID, _("The number of learning units must be 1 to 500."), {"field": "unit_count"}
        )
    return {
        "term": term,
        "teacher": teacher,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "activity_id": activity_id,
        "centre": centre,
        "schedule": (schedule or "").strip()[:200],
        "unit_count": unit_count,
    }


@transaction.atomic
def offering_create(
    *,
    actor: Any,
    course: ProgrammeCourse,
    term: str,
    teacher: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    activity_id: str,
    centre: LearningCentre | None = None,
    schedule: str = "",
    unit_count: int = 10,
) -> Offering:
    programme = course.programme
    policy.require(actor, "teaching.offering_manage", programme)
    if programme.status != TrainingProgramme.Status.APPROVED:
        raise ApplicationError(
            Code.OFFERING_PROGRAMME_NOT_APPROVED,
            _("Courses are offered only from an approved programme."),
            {"programme_id": programme.pk, "field": "course"},
        )
    fields = _offering_fields(
        programme=programme,
        term=term,
        teacher=teacher,
        starts_on=starts_on,
        ends_on=ends_on,
        activity_id=activity_id,
        centre=centre,
        schedule=schedule,
        unit_count=unit_count,
    )
    offering = Offering.objects.create(course=course, university_id=programme.university_id, **fields)
    audit.record(
        actor=actor,
        action="teaching.offering_created",
        target=offering,
        data={
            "offering_id": offering.pk,
            "course_id": course.pk,
            "teacher_id": teacher.pk,
            "centre_id": centre.pk if centre else None,
            "term": term,
        },
    )
    return offering


@transaction.atomic
def offering_update(
    *,
    actor: Any,
    offering: Offering,
    term: str,
    teacher: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    activity_id: str,
    centre: LearningCentre | None = None,
    schedule: str = "",
    unit_count: int = 10,
) -> Offering:
    """Change an offering's term, teacher, centre, dates, schedule or activity id (not its course).

    Refused when enrolled students would no longer belong to its centre, or when a scheduled
    session would fall outside its dates."""
    policy.require(actor, "teaching.offering_manage", offering)
    offering = Offering.objects.select_for_update().select_related("course__programme").get(pk=offering.pk)
    fields = _offering_fields(
        programme=offering.course.programme,
        term=term,
        teacher=teacher,
        starts_on=starts_on,
        ends_on=ends_on,
        activity_id=activity_id,
        centre=centre,
        schedule=schedule,
        unit_count=unit_count,
        offering=offering,
    )
    if centre is not None and centre.pk != offering.centre_id:
        outside = (
            Enrolment.objects.filter(offering=offering)
            .exclude(student__centre_id=centre.pk)
            .values_list("student__student_number", flat=True)[:5]
        )
        if outside:
            raise ApplicationError(
                Code.OFFERING_CENTRE_INVALID,
                _("Enrolled students study elsewhere than this centre ({numbers}); withdraw them first.").format(
                    numbers="、".join(outside)
                ),
                {"field": "centre"},
            )
    if (
        fields["activity_id"] != offering.activity_id
        and Engagement.objects.filter(enrolment__offering=offering, statements__gt=0).exists()
    ):
        # Learning records are matched to the offering by this id: changing it would orphan them.
        raise Conflict(
            Code.OFFERING_ACTIVITY_ID_TAKEN,
            _("Learning records already arrived under this activity id; it can no longer change."),
            {"field": "activity_id"},
        )
    tz = timezone.get_current_timezone()
    for session in offering.sessions.exclude(status=FaceToFaceSession.Status.CANCELLED).only("starts_at"):
        day = session.starts_at.astimezone(tz).date()
        if not starts_on <= day <= ends_on:
            raise ApplicationError(
                Code.OFFERING_DATES_INVALID,
                _("A face-to-face session on {day} would fall outside the offering's dates.").format(
                    day=day.isoformat()
                ),
                {"field": "starts_on"},
            )
    changed = sorted(
        k
        for k, v in fields.items()
        if (
            getattr(offering, f"{k}_id") != (v.pk if v is not None else None)
            if k in ("teacher", "centre")
            else getattr(offering, k) != v
        )
    )
    for key, value in fields.items():
        setattr(offering, key, value)
    offering.save()
    audit.record(
        actor=actor,
        action="teaching.offering_changed",
        target=offering,
        data={"offering_id": offering.pk, "changed": changed},
    )
    return offering


@transaction.atomic
def enrolment_add(
    *, actor: Any, offering: Offering, students: Iterable[StudentRecord], refuse_existing: bool = False
) -> list[Enrolment]:
    """Enrol students (of the offering's university and, for a centre's offering, of that centre).

    A student already enrolled is skipped, or with ``refuse_existing`` the whole request is
    refused naming them (a registrar picking students by hand wants to know)."""
    policy.require(actor, "teaching.enrol", offering)
    students = list(students)
    for s in students:
        if s.university_id != offering.university_id or (
            offering.centre_id is not None and s.centre_id != offering.centre_id
        ):
            raise ApplicationError(
                Code.ENROLMENT_STUDENT_INVALID,
                _("Student {number} does not study at this offering's university or centre.").format(
                    number=s.student_number
                ),
                {"student_id": s.pk},
            )
        if s.status != StudentRecord.Status.ENROLLED:
            raise ApplicationError(
                Code.ENROLMENT_STUDENT_INVALID,
                _("Student {number} is not currently enrolled.").format(number=s.student_number),
                {"student_id": s.pk},
            )
    existing = set(Enrolment.objects.filter(offering=offering).values_list("student_id", flat=True))
    if refuse_existing:
        already = sorted(s.student_number for s in students if s.pk in existing)
        if already:
            raise Conflict(
                Code.ENROLMENT_EXISTS,
                _("Already enrolled in this offering: {numbers}. Nothing was changed.").format(
                    numbers="、".join(already)
                ),
                {"student_numbers": already},
            )
    fresh = [Enrolment(offering=offering, student=s) for s in students if s.pk not in existing]
    Enrolment.objects.bulk_create(fresh)
    created = list(Enrolment.objects.filter(offering=offering, student_id__in=[e.student_id for e in fresh]))
    audit.record(
        actor=actor,
        action="teaching.enrolled",
        target=offering,
        data={"offering_id": offering.pk, "student_ids": sorted(e.student_id for e in created)},
    )
    return created


@transaction.atomic
def enrolment_withdraw(*, actor: Any, enrolment: Enrolment) -> None:
    """Take a student off an offering they were enrolled in by mistake.

    Refused once the enrolment carries evidence of the teaching process (learning records,
    attendance, live participation, an evaluation, an early warning): that history stays."""
    policy.require(actor, "teaching.enrol", enrolment.offering)
    enrolment = Enrolment.objects.select_for_update().select_related("student").get(pk=enrolment.pk)
    student_id, offering_id = enrolment.student_id, enrolment.offering_id
    evidence = (
        Engagement.objects.filter(enrolment=enrolment, statements__gt=0).exists()
        or Attendance.objects.filter(session__offering_id=offering_id, student_id=student_id).exists()
        or LiveParticipation.objects.filter(live_session__offering_id=offering_id, student_id=student_id).exists()
        or Evaluation.objects.filter(offering_id=offering_id, student_id=student_id).exists()
        or enrolment.warnings.exists()
    )
    if evidence:
        raise Conflict(
            Code.ENROLMENT_HAS_HISTORY,
            _(
                "Student {number} already has learning, attendance or warnings in this offering; the enrolment stays."
            ).format(number=enrolment.student.student_number),
            {"enrolment_id": enrolment.pk},
        )
    audit.record(
        actor=actor,
        action="teaching.withdrawn",
        target=enrolment.offering,
        data={"offering_id": offering_id, "student_id": student_id},
    )
    enrolment.delete()


def _require_own_offering(actor: Any, offering: Offering) -> None:
    """A teacher acts only on offerings they teach; academic staff and centre staff by scope."""
    if actor is policy.SYSTEM:
        return
    roles = {m.role for m in policy.memberships_of(actor) if m.university_id == offering.university_id}
    if roles & {Role.ACADEMIC_STAFF, Role.CENTRE_STAFF}:
        return
    if offering.teacher_id != actor.pk:
        raise PermissionDenied(
            Code.NOT_OFFERING_TEACHER, _("Only the offering's own teacher may do this."), {"offering_id": offering.pk}
        )


# ------------------------------------------------------------------ face-to-face sessions


def _parse_networks(text: str) -> list[str]:
    nets = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ApplicationError(
                Code.SESSION_NETWORK_INVALID,
                _("{value} is not a network in CIDR notation (for example 10.12.0.0/24).").format(value=part),
            ) from None
    return nets


@transaction.atomic
def session_schedule(
    *,
    actor: Any,
    offering: Offering,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str,
    network_cidrs: str = "",
) -> FaceToFaceSession:
    policy.require(actor, "teaching.session_manage", offering)
    _require_own_offering(actor, offering)
    if ends_at <= starts_at or ends_at - starts_at > dt.timedelta(hours=12):
        raise ApplicationError(
            Code.SESSION_TIMES_INVALID, _("A session ends after it starts and lasts at most 12 hours.")
        )
    tz = timezone.get_current_timezone()
    if not (offering.starts_on <= starts_at.astimezone(tz).date() <= offering.ends_on):
        raise ApplicationError(Code.SESSION_OUTSIDE_OFFERING, _("The session must fall within the offering's dates."))
    room = (room or "").strip()
    if not room:
        raise ApplicationError(Code.SESSION_ROOM_REQUIRED, _("Say in which room the session takes place."))
    nets = _parse_networks(network_cidrs)
    session = FaceToFaceSession.objects.create(
        offering=offering,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        network_cidrs=",".join(nets),
        code_secret=secrets.token_hex(32),
        created_by=_user(actor),
    )
    audit.record(
        actor=actor,
        action="teaching.session_scheduled",
        target=session,
        data={"session_id": session.pk, "offering_id": offering.pk},
    )
    return session


def room_code(session: FaceToFaceSession, at: dt.datetime) -> str:
    """The 6-digit code shown in the room at ``at`` (an HOTP of the period number, RFC 4226)."""
    period = int(config.get("ROOM_CODE_PERIOD_SECONDS"))
    counter = int(at.timestamp()) // period
    mac = hmac.new(bytes.fromhex(session.code_secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _code_matches(session: FaceToFaceSession, code: str, at: dt.datetime) -> bool:
    period = int(config.get("ROOM_CODE_PERIOD_SECONDS"))
    grace = int(config.get("ROOM_CODE_GRACE_PERIODS"))
    return any(
        hmac.compare_digest(room_code(session, at - dt.timedelta(seconds=period * k)), code) for k in range(grace + 1)
    )


def _in_room_network(session: FaceToFaceSession, ip: str | None) -> bool:
    if not ip or not session.network_cidrs:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n) for n in session.network_cidrs.split(","))


def checkin_window(session: FaceToFaceSession) -> tuple[dt.datetime, dt.datetime]:
    opens = session.starts_at - dt.timedelta(minutes=int(config.get("CHECKIN_OPENS_MINUTES_BEFORE")))
    return opens, session.ends_at


class _Refused(Exception):
    def __init__(self, error: ApplicationError):
        self.error = error


def attendance_check_in(
    *,
    actor: Any,
    session: FaceToFaceSession,
    device_id: str,
    ip: str | None,
    code: str = "",
    at: dt.datetime | None = None,
) -> Attendance:
    """A student checks in to a session from a device in the room.

    Refused outside the window (no check-in for a future session), from a second device, and
    from outside the room (neither the room's network nor the room's current code). A device
    that checks in several accounts is accepted but every such attendance is flagged
    ``SHARED_DEVICE``. Refused attempts are kept as evidence."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            return _check_in(actor=actor, session=session, device_id=device_id, ip=ip, code=code, at=at)
    except _Refused as refused:
        with transaction.atomic():
            if getattr(actor, "pk", None):
                CheckInAttempt.objects.create(
                    session=session,
                    user=actor,
                    at=at,
                    device_id=(device_id or "")[:128],
                    ip=_ip_or_none(ip),
                    outcome=refused.error.code,
                )
        raise refused.error from None


def _ip_or_none(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def _check_in(
    *, actor: Any, session: FaceToFaceSession, device_id: str, ip: str | None, code: str, at: dt.datetime
) -> Attendance:
    session = FaceToFaceSession.objects.select_for_update(of=("self",)).select_related("offering").get(pk=session.pk)
    enrolment = (
        Enrolment.objects.select_related("student", "offering__university", "offering__centre")
        .filter(offering_id=session.offering_id, student__user=actor)
        .first()
        if getattr(actor, "pk", None)
        else None
    )
    if enrolment is None:
        if not policy.memberships_for(actor, "teaching.check_in"):
            policy.require(actor, "teaching.check_in", session)
        raise _Refused(ApplicationError(Code.CHECKIN_NOT_ENROLLED, _("You are not enrolled in this course offering.")))
    policy.require(actor, "teaching.check_in", enrolment)
    if session.status == FaceToFaceSession.Status.CANCELLED:
        raise _Refused(ApplicationError(Code.SESSION_CANCELLED, _("The session was cancelled.")))
    opens, closes = checkin_window(session)
    if at < opens:
        raise _Refused(
            ApplicationError(
                Code.CHECKIN_NOT_OPEN,
                _("Check-in opens at {opens}.").format(opens=timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")),
            )
        )
    if at > closes:
        raise _Refused(ApplicationError(Code.CHECKIN_CLOSED, _("The session is over; check-in is closed.")))
    device_id = (device_id or "").strip()[:128]
    if not device_id:
        raise _Refused(ApplicationError(Code.CHECKIN_DEVICE_REQUIRED, _("The check-in must name the device.")))
    existing = Attendance.objects.filter(session=session, student=enrolment.student).first()
    if existing is not None:
        if existing.device_id and existing.device_id != device_id:
            raise _Refused(
                Conflict(Code.CHECKIN_OTHER_DEVICE, _("This account already checked in from another device."))
            )
        raise _Refused(Conflict(Code.CHECKIN_ALREADY, _("You have already checked in.")))
    if _in_room_network(session, ip):
        method = Attendance.Method.NETWORK
    elif code:
        if not _code_matches(session, code.strip(), at):
            raise _Refused(ApplicationError(Code.CHECKIN_BAD_CODE, _("The room code is wrong or has expired.")))
        method = Attendance.Method.CODE
    else:
        raise _Refused(
            ApplicationError(
                Code.CHECKIN_OUTSIDE_ROOM,
                _("Check in from the room's network, or enter the code shown in the room."),
            )
        )
    flags: list[str] = []
    same_device = list(Attendance.objects.filter(session=session, device_id=device_id))
    if same_device:
        flags.append("SHARED_DEVICE")
        for other in same_device:
            if "SHARED_DEVICE" not in other.flags:
                other.flags = [*other.flags, "SHARED_DEVICE"]
                other.save(update_fields=["flags"])
    attendance = Attendance.objects.create(
        session=session,
        student=enrolment.student,
        method=method,
        checked_in_at=at,
        device_id=device_id,
        ip=_ip_or_none(ip),
        recorded_by=actor,
        flags=flags,
    )
    CheckInAttempt.objects.create(
        session=session, user=actor, at=at, device_id=device_id, ip=_ip_or_none(ip), outcome="ACCEPTED"
    )
    if session.status == FaceToFaceSession.Status.SCHEDULED:
        session.status = FaceToFaceSession.Status.HELD
        session.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="teaching.checked_in",
        target=attendance,
        data={"session_id": session.pk, "student_id": enrolment.student_id, "method": method, "flags": flags},
    )
    return attendance


@transaction.atomic
def attendance_record(
    *, actor: Any, session: FaceToFaceSession, present: Iterable[StudentRecord], at: dt.datetime | None = None
) -> list[Attendance]:
    """The teacher's roll call: marks the listed students present and the session held.

    Only once the session has started; students already checked in keep their check-in."""
    policy.require(actor, "teaching.attendance_record", session)
    session = FaceToFaceSession.objects.select_for_update(of=("self",)).select_related("offering").get(pk=session.pk)
    _require_own_offering(actor, session.offering)
    at = at or timezone.now()
    if session.status == FaceToFaceSession.Status.CANCELLED:
        raise ApplicationError(Code.SESSION_CANCELLED, _("The session was cancelled."))
    if at < session.starts_at:
        raise ApplicationError(
            Code.SESSION_NOT_STARTED, _("Attendance can be recorded only once the session has started.")
        )
    present = list(present)
    enrolled = set(
        Enrolment.objects.filter(offering_id=session.offering_id, student__in=present).values_list(
            "student_id", flat=True
        )
    )
    strangers = [s.pk for s in present if s.pk not in enrolled]
    if strangers:
        raise ApplicationError(
            Code.ATTENDANCE_STUDENT_NOT_ENROLLED,
            _("Some students are not enrolled in this offering."),
            {"student_ids": strangers},
        )
    already = set(Attendance.objects.filter(session=session).values_list("student_id", flat=True))
    fresh = [
        Attendance(
            session=session,
            student=s,
            method=Attendance.Method.ROLL_CALL,
            checked_in_at=at,
            recorded_by=_user(actor),
        )
        for s in present
        if s.pk not in already
    ]
    Attendance.objects.bulk_create(fresh)
    session.status = FaceToFaceSession.Status.HELD
    session.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="teaching.attendance_recorded",
        target=session,
        data={"session_id": session.pk, "student_ids": sorted(a.student_id for a in fresh)},
    )
    return list(Attendance.objects.filter(session=session))


@transaction.atomic
def session_cancel(*, actor: Any, session: FaceToFaceSession) -> FaceToFaceSession:
    policy.require(actor, "teaching.session_manage", session)
    session = FaceToFaceSession.objects.select_for_update(of=("self",)).select_related("offering").get(pk=session.pk)
    _require_own_offering(actor, session.offering)
    if session.status != FaceToFaceSession.Status.SCHEDULED:
        raise Conflict(Code.SESSION_CANCELLED, _("Only a scheduled session can be cancelled."))
    session.status = FaceToFaceSession.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="teaching.session_cancelled", target=session, data={"session_id": session.pk})
    return session


# ------------------------------------------------------------------ live sessions


@transaction.atomic
def live_session_schedule(
    *, actor: Any, offering: Offering, starts_at: dt.datetime, ends_at: dt.datetime, topic: str, platform_url: str = ""
) -> LiveSession:
    policy.require(actor, "teaching.live_manage", offering)
    _require_own_offering(actor, offering)
    if ends_at <= starts_at or ends_at - starts_at > dt.timedelta(hours=8):
        raise ApplicationError(
            Code.SESSION_TIMES_INVALID, _("A live session ends after it starts and lasts at most 8 hours.")
        )
    if not (topic or "").strip():
        raise ApplicationError(Code.SESSION_ROOM_REQUIRED, _("Give the live session a topic."))
    live = LiveSession.objects.create(
        offering=offering,
        starts_at=starts_at,
        ends_at=ends_at,
        topic=topic.strip(),
        platform_url=platform_url,
        created_by=_user(actor),
    )
    audit.record(actor=actor, action="teaching.live_scheduled", target=live, data={"live_session_id": live.pk})
    return live


@transaction.atomic
def live_participation_record(
    *, actor: Any, live: LiveSession, rows: Iterable[tuple[StudentRecord, int, int]]
) -> list[LiveParticipation]:
    """Record who took part (minutes present, interactions), as reported by the live platform."""
    policy.require(actor, "teaching.live_manage", live)
    _require_own_offering(actor, live.offering)
    length = int((live.ends_at - live.starts_at).total_seconds() // 60)
    rows = list(rows)
    enrolled = set(Enrolment.objects.filter(offering_id=live.offering_id).values_list("student_id", flat=True))
    for student, minutes, interactions in rows:
        if student.pk not in enrolled:
            raise ApplicationError(
                Code.ATTENDANCE_STUDENT_NOT_ENROLLED,
                _("Some students are not enrolled in this offering."),
                {"student_ids": [student.pk]},
            )
        if not (0 <= minutes <= length) or interactions < 0:
            raise ApplicationError(
                Code.LIVE_PARTICIPATION_INVALID,
                _("Minutes present must be between 0 and the session's length ({length}).").format(length=length),
                {"student_id": student.pk},
            )
    saved = []
    for student, minutes, interactions in rows:
        p, _created = LiveParticipation.objects.update_or_create(
            live_session=live, student=student, defaults={"minutes": minutes, "interactions": interactions}
        )
        saved.append(p)
    audit.record(
        actor=actor,
        action="teaching.live_participation_recorded",
        target=live,
        data={"live_session_id": live.pk, "student_ids": sorted(s.pk for s, _m, _i in rows)},
    )
    return saved


# ------------------------------------------------------------------ evaluations


@transaction.atomic
def evaluation_submit(
    *, actor: Any, offering: Offering, scores: dict[str, Any], comment: str = "", on: dt.date | None = None
) -> Evaluation:
    """A student's evaluation of an offering: once, from the offering's second half on."""
    enrolment = (
        Enrolment.objects.select_related("student", "offering__university", "offering__centre")
        .filter(offering=offering, student__user=actor)
        .first()
        if getattr(actor, "pk", None)
        else None
    )
    if enrolment is None:
        if not policy.memberships_for(actor, "teaching.evaluate"):
            policy.require(actor, "teaching.evaluate", offering)
        raise ApplicationError(Code.EVALUATION_NOT_ENROLLED, _("You are not enrolled in this course offering."))
    policy.require(actor, "teaching.evaluate", enrolment)
    on = on or timezone.localdate()
    midpoint = offering.starts_on + (offering.ends_on - offering.starts_on) / 2
    if on < midpoint:
        raise ApplicationError(
            Code.EVALUATION_TOO_EARLY,
            _("Evaluations open on {day}.").format(day=midpoint.isoformat()),
        )
    if not isinstance(scores, dict) or set(scores) != set(Evaluation.CRITERIA):
        raise ApplicationError(
            Code.EVALUATION_SCORES_INVALID,
            _("Score every criterion: {criteria}.").format(criteria=", ".join(Evaluation.CRITERIA)),
        )
    clean = {}
    for key, value in scores.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ApplicationError(
                Code.EVALUATION_SCORES_INVALID, _("Each score is a whole number from 1 to 5."), {"criterion": key}
            )
        clean[key] = value
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                offering=offering, student=enrolment.student, scores=clean, comment=(comment or "").strip()[:2000]
            )
    except IntegrityError:
        raise Conflict(Code.EVALUATION_EXISTS, _("You have already evaluated this course offering.")) from None
    audit.record(
        actor=actor,
        action="teaching.evaluated",
        target=evaluation,
        data={"offering_id": offering.pk, "evaluation_id": evaluation.pk},
    )
    return evaluation


def get_or_404(model: type, pk: Any) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(Code.NOT_FOUND, _("Not found."))
    return obj
