"""Teaching over HTTP: programmes, offerings, sessions and attendance, monitoring, early
warnings, 刷课 evidence and the dashboards' figures. Translates HTTP to services and
selectors only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from sanguan.admissions.models import StudentRecord
from sanguan.api import AUTH
from sanguan.core.errors import NotFound
from sanguan.institutions.models import LearningCentre, Major, University

from . import monitoring, selectors, services, signals_brushing
from .errors import TeachingErrorCode as Code
from .models import (
    BrushingAssessment,
    Enrolment,
    FaceToFaceSession,
    LiveSession,
    Offering,
    ProgrammeCourse,
    TrainingProgramme,
)

router = Router(auth=AUTH, tags=["teaching"])


def _get(model: type, pk: int, message: Any) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(Code.NOT_FOUND, message)
    return obj


# ------------------------------------------------------------------ schemas


class CourseOut(Schema):
    id: int
    code: str
    name: str
    credits: Decimal
    hours_online: Decimal
    hours_face_to_face: Decimal
    hours_practice: Decimal
    term_no: int
    is_compulsory: bool
    political_code: str


class ProgrammeOut(Schema):
    id: int
    university_id: int
    major_id: int
    level: str
    track: str
    version: int
    title: str
    first_intake_year: int
    status: str
    face_to_face_share: Decimal
    courses: list[CourseOut]

    @staticmethod
    def resolve_face_to_face_share(obj: TrainingProgramme) -> Decimal:
        return obj.face_to_face_share()

    @staticmethod
    def resolve_courses(obj: TrainingProgramme) -> list[ProgrammeCourse]:
        return list(obj.courses.all())


class ProgrammeIn(Schema):
    major_id: int
    title: str
    first_intake_year: int
    copy_from_id: int | None = None


class ProgrammeHeaderIn(Schema):
    title: str
    first_intake_year: int


class CourseIn(Schema):
    code: str
    name: str
    credits: Decimal
    hours_online: Decimal = Decimal(0)
    hours_face_to_face: Decimal = Decimal(0)
    hours_practice: Decimal = Decimal(0)
    term_no: int = 1
    is_compulsory: bool = True
    political_code: str = ""


class OfferingOut(Schema):
    id: int
    course_id: int
    university_id: int
    centre_id: int | None
    term: str
    teacher_id: int
    starts_on: dt.date
    ends_on: dt.date
    schedule: str
    activity_id: str
    unit_count: int


class OfferingFieldsIn(Schema):
    """What an offering's edit may change (everything but its course)."""

    term: str
    teacher_id: int
    starts_on: dt.date
    ends_on: dt.date
    activity_id: str
    centre_id: int | None = None
    schedule: str = ""
    unit_count: int = 10


class OfferingIn(OfferingFieldsIn):
    course_id: int


class StudentsIn(Schema):
    student_ids: list[int]


class SessionIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    network_cidrs: str = ""


class SessionOut(Schema):
    id: int
    offering_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    network_cidrs: str
    status: str


class CheckInIn(Schema):
    device_id: str
    code: str = ""


class AttendanceOut(Schema):
    id: int
    session_id: int
    student_id: int
    method: str
    checked_in_at: dt.datetime
    flags: list[str]


class CountOut(Schema):
    count: int


class WarningOut(Schema):
    id: int
    enrolment_id: int
    student_id: int
    offering_id: int
    kind: str
    threshold: Decimal
    observed: Decimal
    status: str
    raised_at: dt.datetime
    status_changed_at: dt.datetime

    @staticmethod
    def resolve_student_id(obj) -> int:
        return obj.enrolment.student_id

    @staticmethod
    def resolve_offering_id(obj) -> int:
        return obj.enrolment.offering_id


class NoteIn(Schema):
    note: str = ""


class RuleIn(Schema):
    kind: str
    threshold: Decimal
    is_active: bool = True


class RuleOut(Schema):
    id: int
    university_id: int
    kind: str
    threshold: Decimal
    is_active: bool


class EvidenceOut(Schema):
    id: int
    student_id: int
    university_id: int
    centre_id: int | None
    score: Decimal
    signals: list[dict]
    computed_at: dt.datetime
    status: str
    review_note: str


class ReviewIn(Schema):
    decision: str
    note: str


# ------------------------------------------------------------------ programmes


@router.get("/programmes", response=list[ProgrammeOut])
def programme_list(request: HttpRequest, status: str | None = None):
    qs = selectors.programmes_visible_to(user=request.user).prefetch_related("courses")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@router.get("/programmes/{pk}", response=ProgrammeOut)
def programme_get(request: HttpRequest, pk: int):
    return selectors.programme_for(user=request.user, pk=pk)


@router.post("/programmes", response={201: ProgrammeOut})
def programme_create(request: HttpRequest, payload: ProgrammeIn):
    major = _get(Major, payload.major_id, _("No such major."))
    copy_from = None
    if payload.copy_from_id is not None:
        copy_from = _get(TrainingProgramme, payload.copy_from_id, _("No such programme."))
    p = services.programme_create(
        actor=request.user,
        major=major,
        title=payload.title,
        first_intake_year=payload.first_intake_year,
        copy_from=copy_from,
    )
    return Status(201, p)


@router.post("/programmes/{pk}/courses", response={201: CourseOut})
def programme_course_add(request: HttpRequest, pk: int, payload: CourseIn):
    p = _get(TrainingProgramme, pk, _("No such programme."))
    return Status(201, services.programme_course_add(actor=request.user, programme=p, **payload.dict()))


@router.put("/programmes/{pk}", response=ProgrammeOut)
def programme_update(request: HttpRequest, pk: int, payload: ProgrammeHeaderIn):
    p = _get(TrainingProgramme, pk, _("No such programme."))
    return services.programme_update(actor=request.user, programme=p, **payload.dict())


def _course_of(programme_pk: int, course_pk: int) -> ProgrammeCourse:
    course = ProgrammeCourse.objects.select_related("programme").filter(pk=course_pk, programme_id=programme_pk).first()
    if course is None:
        raise NotFound(Code.NOT_FOUND, _("No such course."))
    return course


@router.put("/programmes/{pk}/courses/{course_pk}", response=CourseOut)
def programme_course_update(request: HttpRequest, pk: int, course_pk: int, payload: CourseIn):
    return services.programme_course_update(actor=request.user, course=_course_of(pk, course_pk), **payload.dict())


@router.delete("/programmes/{pk}/courses/{course_pk}", response={204: None})
def programme_course_remove(request: HttpRequest, pk: int, course_pk: int):
    services.programme_course_remove(actor=request.user, course=_course_of(pk, course_pk))
    return Status(204, None)


@router.post("/programmes/{pk}/submit", response=ProgrammeOut)
def programme_submit(request: HttpRequest, pk: int):
    """Ask the university's administrators to approve the draft (refused with the reason
    approval would give)."""
    p = _get(TrainingProgramme, pk, _("No such programme."))
    services.programme_submit(actor=request.user, programme=p)
    return selectors.programme_for(user=request.user, pk=pk)


@router.post("/programmes/{pk}/approve", response=ProgrammeOut)
def programme_approve(request: HttpRequest, pk: int):
    p = _get(TrainingProgramme, pk, _("No such programme."))
    return services.programme_approve(actor=request.user, programme=p)


# ------------------------------------------------------------------ offerings and sessions


@router.get("/offerings", response=list[OfferingOut])
def offering_list(request: HttpRequest, term: str | None = None):
    qs = selectors.offerings_visible_to(user=request.user)
    if term:
        qs = qs.filter(term=term)
    return list(qs[:500])


@router.post("/offerings", response={201: OfferingOut})
def offering_create(request: HttpRequest, payload: OfferingIn):
    from sanguan.accounts.models import User

    course = _get(ProgrammeCourse, payload.course_id, _("No such course."))
    teacher = _get(User, payload.teacher_id, _("No such teacher."))
    centre = _get(LearningCentre, payload.centre_id, _("No such centre.")) if payload.centre_id else None
    o = services.offering_create(
        actor=request.user,
        course=course,
        term=payload.term,
        teacher=teacher,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        activity_id=payload.activity_id,
        centre=centre,
        schedule=payload.schedule,
        unit_count=payload.unit_count,
    )
    return Status(201, o)


@router.put("/offerings/{pk}", response=OfferingOut)
def offering_update(request: HttpRequest, pk: int, payload: OfferingFieldsIn):
    from sanguan.accounts.models import User

    o = _get(Offering, pk, _("No such course offering."))
    teacher = _get(User, payload.teacher_id, _("No such teacher."))
    centre = _get(LearningCentre, payload.centre_id, _("No such centre.")) if payload.centre_id else None
    fields = payload.dict(exclude={"teacher_id", "centre_id"})
    return services.offering_update(actor=request.user, offering=o, teacher=teacher, centre=centre, **fields)


@router.delete("/offerings/{pk}/enrolments/{student_pk}", response={204: None})
def enrolment_withdraw(request: HttpRequest, pk: int, student_pk: int):
    """Take a student enrolled by mistake off the offering (refused once they have history there)."""
    enrolment = Enrolment.objects.select_related("offering").filter(offering_id=pk, student_id=student_pk).first()
    if enrolment is None:
        raise NotFound(Code.NOT_FOUND, _("The student is not enrolled in this offering."))
    services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
    return Status(204, None)


@router.post("/offerings/{pk}/enrolments", response=CountOut)
def enrolment_add(request: HttpRequest, pk: int, payload: StudentsIn):
    o = _get(Offering, pk, _("No such course offering."))
    students = list(StudentRecord.objects.filter(pk__in=payload.student_ids))
    if len(students) != len(set(payload.student_ids)):
        raise NotFound(Code.NOT_FOUND, _("Some students do not exist."))
    return {"count": len(services.enrolment_add(actor=request.user, offering=o, students=students))}


@router.post("/offerings/{pk}/sessions", response={201: SessionOut})
def session_schedule(request: HttpRequest, pk: int, payload: SessionIn):
    o = _get(Offering, pk, _("No such course offering."))
    return Status(201, services.session_schedule(actor=request.user, offering=o, **payload.dict()))


@router.post("/sessions/{pk}/check-in", response={201: AttendanceOut})
def check_in(request: HttpRequest, pk: int, payload: CheckInIn):
    s = _get(FaceToFaceSession, pk, _("No such session."))
    a = services.attendance_check_in(
        actor=request.user,
        session=s,
        device_id=payload.device_id,
        ip=request.META.get("REMOTE_ADDR"),
        code=payload.code,
    )
    return Status(201, a)


@router.post("/sessions/{pk}/attendance", response=list[AttendanceOut])
def attendance_record(request: HttpRequest, pk: int, payload: StudentsIn):
    s = _get(FaceToFaceSession, pk, _("No such session."))
    present = list(StudentRecord.objects.filter(pk__in=payload.student_ids))
    return services.attendance_record(actor=request.user, session=s, present=present)


class LiveIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    topic: str
    platform_url: str = ""


class LiveOut(Schema):
    id: int
    offering_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    topic: str


class ParticipationIn(Schema):
    student_id: int
    minutes: int
    interactions: int = 0


class EvaluationIn(Schema):
    scores: dict[str, int]
    comment: str = ""


class EvaluationSummaryOut(Schema):
    count: int
    means: dict[str, float]


@router.post("/offerings/{pk}/live-sessions", response={201: LiveOut})
def live_session_schedule(request: HttpRequest, pk: int, payload: LiveIn):
    o = _get(Offering, pk, _("No such course offering."))
    return Status(201, services.live_session_schedule(actor=request.user, offering=o, **payload.dict()))


@router.post("/live-sessions/{pk}/participation", response=CountOut)
def live_participation_record(request: HttpRequest, pk: int, payload: list[ParticipationIn]):
    live = _get(LiveSession, pk, _("No such session."))
    students = {s.pk: s for s in StudentRecord.objects.filter(pk__in=[p.student_id for p in payload])}
    if len(students) != len({p.student_id for p in payload}):
        raise NotFound(Code.NOT_FOUND, _("Some students do not exist."))
    rows = [(students[p.student_id], p.minutes, p.interactions) for p in payload]
    return {"count": len(services.live_participation_record(actor=request.user, live=live, rows=rows))}


@router.post("/offerings/{pk}/evaluations", response={201: CountOut})
def evaluation_submit(request: HttpRequest, pk: int, payload: EvaluationIn):
    o = _get(Offering, pk, _("No such course offering."))
    services.evaluation_submit(actor=request.user, offering=o, scores=payload.scores, comment=payload.comment)
    return Status(201, {"count": 1})


@router.get("/offerings/{pk}/evaluations", response=EvaluationSummaryOut)
def evaluation_summary(request: HttpRequest, pk: int):
    o = selectors.offering_for(user=request.user, pk=pk)
    return selectors.evaluation_summary(user=request.user, offering=o)


# ------------------------------------------------------------------ monitoring and warnings


@router.post("/universities/{pk}/engagement/refresh", response=CountOut)
def engagement_refresh(request: HttpRequest, pk: int):
    u = _get(University, pk, _("No such university."))
    return {"count": monitoring.engagement_refresh(actor=request.user, university=u)}


@router.put("/universities/{pk}/warning-rules", response=RuleOut)
def warning_rule_set(request: HttpRequest, pk: int, payload: RuleIn):
    u = _get(University, pk, _("No such university."))
    return monitoring.warning_rule_set(
        actor=request.user, university=u, kind=payload.kind, threshold=payload.threshold, is_active=payload.is_active
    )


@router.post("/universities/{pk}/warnings/raise", response=list[WarningOut])
def warnings_raise(request: HttpRequest, pk: int):
    u = _get(University, pk, _("No such university."))
    return monitoring.warnings_raise(actor=request.user, university=u)


@router.get("/warnings", response=list[WarningOut])
def warning_list(request: HttpRequest, status: str | None = None):
    qs = selectors.warnings_visible_to(user=request.user)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


STEPS = {
    "notify": monitoring.warning_notify,
    "respond": monitoring.warning_respond,
    "intervene": monitoring.warning_intervene,
    "close": monitoring.warning_close,
}


@router.post("/warnings/{pk}/{step}", response=WarningOut)
def warning_step(request: HttpRequest, pk: int, step: str, payload: NoteIn):
    if step not in STEPS:
        raise NotFound(Code.NOT_FOUND, _("No such step."))
    w = selectors.warning_for(user=request.user, pk=pk)
    return STEPS[step](actor=request.user, warning=w, note=payload.note)


# ------------------------------------------------------------------ 刷课 evidence


@router.post("/universities/{pk}/brushing/assess", response=CountOut)
def brushing_assess(request: HttpRequest, pk: int):
    u = _get(University, pk, _("No such university."))
    return {"count": len(signals_brushing.brushing_assess(actor=request.user, university=u))}


@router.get("/brushing", response=list[EvidenceOut])
def brushing_list(request: HttpRequest, min_score: Decimal = Decimal("0.01")):
    return list(selectors.brushing_visible_to(user=request.user).filter(score__gte=min_score)[:500])


@router.post("/brushing/{pk}/review", response=EvidenceOut)
def brushing_review(request: HttpRequest, pk: int, payload: ReviewIn):
    a = _get(BrushingAssessment, pk, _("No such assessment."))
    return signals_brushing.brushing_review(
        actor=request.user, assessment=a, decision=payload.decision, note=payload.note
    )


# ------------------------------------------------------------------ dashboards


@router.get("/dashboard/university/{pk}")
def dashboard_university(request: HttpRequest, pk: int) -> dict:
    u = _get(University, pk, _("No such university."))
    return selectors.university_dashboard(user=request.user, university=u)


@router.get("/dashboard/centre/{pk}")
def dashboard_centre(request: HttpRequest, pk: int) -> dict:
    c = _get(LearningCentre, pk, _("No such centre."))
    return selectors.centre_dashboard(user=request.user, centre=c)


@router.get("/dashboard/offering/{pk}")
def dashboard_offering(request: HttpRequest, pk: int) -> dict:
    o = selectors.offering_for(user=request.user, pk=pk)
    return selectors.offering_dashboard(user=request.user, offering=o)
