"""The entrance gate over HTTP. Translates HTTP to selectors and services only; every
refusal is ``{"code", "message", "extra"}``. Personal data is masked as the selectors say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from sanguan.accounts import policy
from sanguan.api import AUTH
from sanguan.core.errors import NotFound
from sanguan.institutions.models import LearningCentre, Major, University

from . import selectors, services, xlsx
from .errors import AdmissionsErrorCode as E
from .models import (
    AdmissionsCharter,
    ExamSession,
    Invoice,
    PublicityMaterial,
    Season,
)

router = Router(auth=AUTH, tags=["admissions"])


def _get(model_or_qs: type[Model] | QuerySet, pk: int | None, code: E, message: str) -> Any:
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs.objects.all()
    obj = qs.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise NotFound(code, message)
    return obj


def _university(pk: int) -> University:
    return _get(University, pk, E.UNIVERSITY_NOT_FOUND, _("No such university."))


def _centre(pk: int | None) -> LearningCentre | None:
    return None if pk is None else _get(LearningCentre, pk, E.CENTRE_NOT_FOUND, _("No such centre."))


def _applicant(request: HttpRequest, pk: int):
    return _get(selectors.applicants_visible_to(user=request.user), pk, E.APPLICANT_NOT_FOUND,
                _("No such applicant."))


# ------------------------------------------------------------------ schemas


class Ok(Schema):
    ok: bool = True


class PlanIn(Schema):
    university_id: int
    year: int
    season: Season = Season.AUTUMN
    major_id: int
    centre_id: int | None = None
    quota: int
    teachers: int = 0
    centre_seats: int = 0
    course_resources: int = 0
    justification: str = ""


class PlanOut(Schema):
    id: int
    university_id: int
    year: int
    season: str
    major_id: int
    level: str
    track: str
    centre_id: int | None
    quota: int
    capacity: int
    teachers: int
    centre_seats: int
    course_resources: int
    status: str
    over_capacity_approved: bool
    admitted_count: int


class SubmitIn(Schema):
    justification: str | None = None


class CapacityRuleIn(Schema):
    students_per_teacher: int | None = None
    students_per_seat: int | None = None
    students_per_course: int | None = None


class FteConfigIn(Schema):
    online_weight: Decimal | None = None
    continuing_weight: Decimal | None = None


class PersonIn(Schema):
    plan_id: int
    centre_id: int | None = None
    name: str
    id_number: str
    phone: str = ""


class ApplicantOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    university_id: int
    plan_id: int
    major_id: int
    centre_id: int | None
    year: int
    season: str
    track: str
    level: str
    channel: str
    status: str
    moral_review: str
    qualification_status: str | None
    duplicate_flag: bool
    id_region_known: bool


class RegistrationOut(Schema):
    applicant: ApplicantOut
    warnings: list[dict[str, str]]


class QualificationIn(Schema):
    kind: str
    institution_name: str
    graduated_on: dt.date
    certificate_number: str = ""
    report_number: str = ""


class QualificationOut(Schema):
    id: int
    applicant_id: int
    kind: str
    status: str
    method: str
    report_number: str


class VerifyIn(Schema):
    accepted: bool
    note: str = ""


class SessionIn(Schema):
    university_id: int
    year: int
    season: Season = Season.AUTUMN
    kind: ExamSession.Kind
    name: str
    held_on: dt.date
    max_score: Decimal = Decimal("450")


class SessionOut(Schema):
    id: int
    university_id: int
    year: int
    season: str
    kind: str
    name: str
    held_on: dt.date
    max_score: Decimal


class PassLineIn(Schema):
    level: str
    major_id: int | None = None
    min_score: Decimal


class PassLineOut(Schema):
    id: int
    session_id: int
    level: str
    major_id: int | None
    min_score: Decimal


class ScoreIn(Schema):
    session_id: int
    score: str
    candidate_number: str = ""


class ScoreOut(Schema):
    id: int
    applicant_id: int
    session_id: int
    score: Decimal


class ReviewIn(Schema):
    passed: bool
    note: str = ""


class DecisionIn(Schema):
    admit: bool
    note: str = ""
    on: dt.date | None = None


class BatchIn(Schema):
    applicant_ids: list[int]
    on: dt.date | None = None


class StudentOut(Schema):
    id: int
    applicant_id: int
    student_number: str
    university_id: int
    major_id: int
    centre_id: int | None
    enrolled_on: dt.date
    status: str
    post_review_done_on: dt.date | None


class PostReviewIn(Schema):
    passed: bool
    on: dt.date | None = None


class InvoiceIn(Schema):
    amount: str
    academic_year: int


class InvoiceOut(Schema):
    id: int
    applicant_id: int
    amount: Decimal
    payee_account: str
    academic_year: int
    status: str


class PaymentIn(Schema):
    amount: str
    channel: str
    collector: str
    paid_on: dt.date
    payee_account: str = ""
    reference: str = ""


class PaymentOut(Schema):
    id: int
    invoice_id: int
    amount: Decimal
    channel: str
    collector: str
    is_forbidden_channel: bool


class CharterIn(Schema):
    university_id: int
    year: int
    title: str
    sections: dict[str, str] = {}


class CharterPatch(Schema):
    title: str | None = None
    sections: dict[str, str] | None = None


class CharterOut(Schema):
    id: int
    university_id: int
    year: int
    title: str
    sections: dict[str, str]
    status: str
    missing: list[str]

    @staticmethod
    def resolve_missing(obj: AdmissionsCharter) -> list[str]:
        return obj.missing_sections()


class AuthorisationIn(Schema):
    centre_id: int
    reference: str
    valid_from: dt.date
    valid_until: dt.date


class AuthorisationOut(Schema):
    id: int
    centre_id: int
    reference: str
    valid_from: dt.date
    valid_until: dt.date


class PublicityIn(Schema):
    university_id: int
    centre_id: int | None = None
    title: str
    text: str
    captions: str = ""
    url: str = ""
    channel: str
    in_use: bool = False


class PublicityOut(Schema):
    id: int
    university_id: int
    centre_id: int | None
    title: str
    channel: str
    status: str
    in_use: bool
    lint_hits: list[dict[str, str]]
    lint_missing: list[dict[str, str]]
    verification_code: str


class PublicityDecisionIn(Schema):
    approve: bool
    note: str = ""


class InUseIn(Schema):
    in_use: bool


class AnnouncementIn(Schema):
    university_id: int
    kind: str = "IMPOSTOR"
    title: str
    body: str


class AnnouncementOut(Schema):
    id: int
    university_id: int
    kind: str
    title: str
    body: str
    published_at: dt.datetime | None


class VerifyOut(Schema):
    valid: bool
    title: str = ""
    university: str = ""
    centre: str = ""
    channel: str = ""
    approved_at: dt.datetime | None = None


class ImportReport(Schema):
    created: int
    warnings: list[dict[str, Any]]


# ------------------------------------------------------------------ plans, capacity, FTE


@router.get("/plans", response=list[PlanOut])
def plan_list(request: HttpRequest, university_id: int | None = None, year: int | None = None,
              status: str | None = None):
    return list(selectors.plans_visible_to(user=request.user, filters={
        "university_id": university_id, "year": year, "status": status})[:500])


@router.post("/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, payload: PlanIn):
    university = _university(payload.university_id)
    major = _get(Major, payload.major_id, E.MAJOR_NOT_FOUND, _("No such major."))
    plan = services.plan_create(
        actor=request.user, university=university, year=payload.year, season=payload.season, major=major,
        centre=_centre(payload.centre_id), quota=payload.quota, teachers=payload.teachers,
        centre_seats=payload.centre_seats, course_resources=payload.course_resources,
        justification=payload.justification,
    )
    return Status(201, plan)


def _plan(request: HttpRequest, pk: int):
    return _get(selectors.plans_visible_to(user=request.user), pk, E.PLAN_NOT_FOUND, _("No such plan."))


@router.post("/plans/{plan_id}/submit", response=PlanOut)
def plan_submit(request: HttpRequest, plan_id: int, payload: SubmitIn):
    return services.plan_submit(actor=request.user, plan=_plan(request, plan_id), justification=payload.justification)


@router.post("/plans/{plan_id}/approve", response=PlanOut)
def plan_approve(request: HttpRequest, plan_id: int):
    return services.plan_approve(actor=request.user, plan=_plan(request, plan_id))


@router.put("/universities/{university_id}/capacity-rule", response=CapacityRuleIn)
def capacity_rule_set(request: HttpRequest, university_id: int, payload: CapacityRuleIn):
    return services.capacity_rule_set(actor=request.user, university=_university(university_id), **payload.dict())


@router.put("/universities/{university_id}/fte-config", response=FteConfigIn)
def fte_config_set(request: HttpRequest, university_id: int, payload: FteConfigIn):
    return services.fte_config_set(actor=request.user, university=_university(university_id), **payload.dict())


@router.get("/universities/{university_id}/fte-report")
def fte_report(request: HttpRequest, university_id: int):
    return selectors.fte_report(user=request.user, university=_university(university_id))


# ------------------------------------------------------------------ applicants


def _applicant_out(request: HttpRequest, applicant) -> dict[str, Any]:
    return selectors.applicant_as_dict(applicant, viewer=request.user)


@router.get("/applicants", response=list[ApplicantOut])
def applicant_list(request: HttpRequest, university_id: int | None = None, plan_id: int | None = None,
                   status: str | None = None, duplicate: bool = False, offset: int = 0, limit: int = 100):
    qs = selectors.applicants_visible_to(user=request.user, filters={
        "university_id": university_id, "plan_id": plan_id, "status": status, "duplicate": duplicate,
    }).select_related("qualification")
    limit = max(1, min(limit, 500))
    return [_applicant_out(request, a) for a in qs[offset:offset + limit]]


@router.get("/applicants/{applicant_id}", response=ApplicantOut)
def applicant_detail(request: HttpRequest, applicant_id: int):
    return _applicant_out(request, _applicant(request, applicant_id))


@router.post("/applicants", response={201: RegistrationOut})
def applicant_register(request: HttpRequest, payload: PersonIn):
    plan = _get(selectors.plans_open_for_registration(), payload.plan_id, E.PLAN_NOT_FOUND, _("No such plan."))
    reg = services.applicant_register(
        actor=request.user, plan=plan, centre=_centre(payload.centre_id),
        person=services.PersonInput(name=payload.name, id_number=payload.id_number, phone=payload.phone),
    )
    return Status(201, {"applicant": _applicant_out(request, reg.applicant), "warnings": reg.warnings})


@router.post("/self-registrations", response={201: RegistrationOut})
def applicant_self_register(request: HttpRequest, payload: PersonIn):
    plan = _get(selectors.plans_open_for_registration(), payload.plan_id, E.PLAN_NOT_FOUND, _("No such plan."))
    reg = services.applicant_self_register(
        actor=request.user, plan=plan, centre=_centre(payload.centre_id),
        person=services.PersonInput(name=payload.name, id_number=payload.id_number, phone=payload.phone),
    )
    return Status(201, {"applicant": _applicant_out(request, reg.applicant), "warnings": reg.warnings})


@router.post("/applicants/{applicant_id}/qualification", response={201: QualificationOut})
def qualification_declare(request: HttpRequest, applicant_id: int, payload: QualificationIn):
    q = services.qualification_declare(actor=request.user, applicant=_applicant(request, applicant_id),
                                       **payload.dict())
    return Status(201, q)


@router.post("/applicants/{applicant_id}/qualification/evidence", response=QualificationOut)
def qualification_evidence(request: HttpRequest, applicant_id: int, file: File[UploadedFile],
                           kind: Form[str], institution_name: Form[str], graduated_on: Form[dt.date],
                           report_number: Form[str] = ""):
    return services.qualification_declare(
        actor=request.user, applicant=_applicant(request, applicant_id), kind=kind,
        institution_name=institution_name, graduated_on=graduated_on, report_number=report_number, evidence=file,
    )


@router.post("/applicants/{applicant_id}/qualification/verify", response=QualificationOut)
def qualification_verify(request: HttpRequest, applicant_id: int, payload: VerifyIn):
    applicant = _applicant(request, applicant_id)
    q = getattr(applicant, "qualification", None) if selectors._has_qualification(applicant) else None
    if q is None:
        raise NotFound(E.APPLICANT_NOT_FOUND, _("The applicant has declared no prior qualification."))
    return services.qualification_verify(actor=request.user, qualification=q, accepted=payload.accepted,
                                         note=payload.note)


@router.post("/applicants/{applicant_id}/scores", response={201: ScoreOut})
def score_record(request: HttpRequest, applicant_id: int, payload: ScoreIn):
    applicant = _applicant(request, applicant_id)
    session = _get(ExamSession, payload.session_id, E.SESSION_NOT_FOUND, _("No such exam session."))
    return Status(201, services.score_record(actor=request.user, applicant=applicant, session=session,
                                             score=payload.score, candidate_number=payload.candidate_number))


@router.post("/applicants/{applicant_id}/moral-review", response=ApplicantOut)
def moral_review(request: HttpRequest, applicant_id: int, payload: ReviewIn):
    a = services.moral_review_record(actor=request.user, applicant=_applicant(request, applicant_id),
                                     passed=payload.passed, note=payload.note)
    return _applicant_out(request, a)


@router.post("/applicants/{applicant_id}/decision", response=ApplicantOut)
def admission_decide(request: HttpRequest, applicant_id: int, payload: DecisionIn):
    a = services.admission_decide(actor=request.user, applicant=_applicant(request, applicant_id),
                                  admit=payload.admit, note=payload.note, on=payload.on)
    return _applicant_out(request, a)


@router.post("/decisions/batch", response=list[StudentOut])
def admission_decide_batch(request: HttpRequest, payload: BatchIn):
    return services.admission_decide_batch(actor=request.user, applicant_ids=payload.applicant_ids, on=payload.on)


@router.post("/students/{student_id}/post-review", response=StudentOut)
def post_review(request: HttpRequest, student_id: int, payload: PostReviewIn):
    record = _get(selectors.student_records_visible_to(user=request.user), student_id, E.STUDENT_NOT_FOUND,
                  _("No such student record."))
    return services.post_review_record(actor=request.user, record=record, passed=payload.passed, on=payload.on)


# ------------------------------------------------------------------ exams


@router.post("/exam-sessions", response={201: SessionOut})
def exam_session_create(request: HttpRequest, payload: SessionIn):
    data = payload.dict()
    university = _university(data.pop("university_id"))
    return Status(201, services.exam_session_create(actor=request.user, university=university, **data))


@router.post("/exam-sessions/{session_id}/pass-lines", response={201: PassLineOut})
def pass_line_set(request: HttpRequest, session_id: int, payload: PassLineIn):
    session = _get(ExamSession, session_id, E.SESSION_NOT_FOUND, _("No such exam session."))
    major = None if payload.major_id is None else _get(Major, payload.major_id, E.MAJOR_NOT_FOUND,
                                                       _("No such major."))
    return Status(201, services.pass_line_set(actor=request.user, session=session, level=payload.level,
                                              major=major, min_score=payload.min_score))


# ------------------------------------------------------------------ tuition


@router.post("/applicants/{applicant_id}/invoices", response={201: InvoiceOut})
def invoice_issue(request: HttpRequest, applicant_id: int, payload: InvoiceIn):
    return Status(201, services.invoice_issue(actor=request.user, applicant=_applicant(request, applicant_id),
                                              amount=payload.amount, academic_year=payload.academic_year))


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut})
def payment_record(request: HttpRequest, invoice_id: int, payload: PaymentIn):
    invoice = _get(Invoice, invoice_id, E.INVOICE_NOT_FOUND, _("No such invoice."))
    return Status(201, services.payment_record(actor=request.user, invoice=invoice, **payload.dict()))


# ------------------------------------------------------------------ charter, publicity, announcements


@router.get("/charters", response=list[CharterOut])
def charter_list(request: HttpRequest):
    """The viewer's universities' charters in any state, and every published one."""
    return list(selectors.charters_visible_to(user=request.user).order_by("-year", "pk")[:200])


@router.get("/students", response=list[StudentOut])
def student_list(request: HttpRequest, university_id: int | None = None, offset: int = 0, limit: int = 100):
    qs = selectors.student_records_visible_to(user=request.user).order_by("pk")
    if university_id is not None:
        qs = qs.filter(university_id=university_id)
    limit = max(1, min(limit, 500))
    return list(qs[offset:offset + limit])


@router.get("/exam-sessions", response=list[SessionOut])
def exam_session_list(request: HttpRequest, university_id: int):
    university = _university(university_id)
    if not policy.can(request.user, "admissions.view", university):
        return []
    return list(ExamSession.objects.filter(university=university).order_by("-year", "held_on"))


@router.post("/charters", response={201: CharterOut})
def charter_create(request: HttpRequest, payload: CharterIn):
    return Status(201, services.charter_create(actor=request.user, university=_university(payload.university_id),
                                               year=payload.year, title=payload.title, sections=payload.sections))


def _charter(pk: int) -> AdmissionsCharter:
    return _get(AdmissionsCharter, pk, E.CHARTER_NOT_FOUND, _("No such charter."))


@router.patch("/charters/{charter_id}", response=CharterOut)
def charter_update(request: HttpRequest, charter_id: int, payload: CharterPatch):
    return services.charter_update(actor=request.user, charter=_charter(charter_id), title=payload.title,
                                   sections=payload.sections)


@router.post("/charters/{charter_id}/approve", response=CharterOut)
def charter_approve(request: HttpRequest, charter_id: int):
    return services.charter_approve(actor=request.user, charter=_charter(charter_id))


@router.post("/charters/{charter_id}/publish", response=CharterOut)
def charter_publish(request: HttpRequest, charter_id: int):
    return services.charter_publish(actor=request.user, charter=_charter(charter_id))


@router.post("/authorisations", response={201: AuthorisationOut})
def authorisation_grant(request: HttpRequest, payload: AuthorisationIn):
    centre = _get(LearningCentre, payload.centre_id, E.CENTRE_NOT_FOUND, _("No such centre."))
    return Status(201, services.authorisation_grant(actor=request.user, centre=centre, reference=payload.reference,
                                                    valid_from=payload.valid_from, valid_until=payload.valid_until))


@router.get("/publicity", response=list[PublicityOut])
def publicity_list(request: HttpRequest, status: str | None = None):
    return list(selectors.publicity_visible_to(user=request.user, filters={"status": status})[:500])


@router.post("/publicity", response={201: PublicityOut})
def publicity_submit(request: HttpRequest, payload: PublicityIn):
    data = payload.dict()
    university = _university(data.pop("university_id"))
    centre = _centre(data.pop("centre_id"))
    return Status(201, services.publicity_submit(actor=request.user, university=university, centre=centre, **data))


def _material(pk: int) -> PublicityMaterial:
    return _get(PublicityMaterial, pk, E.PUBLICITY_NOT_FOUND, _("No such material."))


@router.post("/publicity/{material_id}/decision", response=PublicityOut)
def publicity_decide(request: HttpRequest, material_id: int, payload: PublicityDecisionIn):
    return services.publicity_decide(actor=request.user, material=_material(material_id), approve=payload.approve,
                                     note=payload.note)


@router.post("/publicity/{material_id}/in-use", response=PublicityOut)
def publicity_in_use(request: HttpRequest, material_id: int, payload: InUseIn):
    return services.publicity_set_in_use(actor=request.user, material=_material(material_id), in_use=payload.in_use)


@router.post("/announcements", response={201: AnnouncementOut})
def announcement_publish(request: HttpRequest, payload: AnnouncementIn):
    return Status(201, services.announcement_publish(actor=request.user, university=_university(payload.university_id),
                                                     kind=payload.kind, title=payload.title, body=payload.body))


# ------------------------------------------------------------------ bulk


@router.post("/imports/applicants", response={201: ImportReport})
def import_applicants(request: HttpRequest, file: File[UploadedFile], university_id: Form[int], year: Form[int],
                      season: Form[str] = Season.AUTUMN):
    report = xlsx.import_applicants(actor=request.user, university=_university(university_id), year=year,
                                    season=season, data=file.read())
    return Status(201, {"created": report.created, "warnings": report.warnings})


@router.post("/imports/scores", response={201: ImportReport})
def import_scores(request: HttpRequest, file: File[UploadedFile], session_id: Form[int]):
    session = _get(ExamSession, session_id, E.SESSION_NOT_FOUND, _("No such exam session."))
    report = xlsx.import_scores(actor=request.user, session=session, data=file.read())
    return Status(201, {"created": report.created, "warnings": report.warnings})


@router.get("/templates/{kind}.xlsx", auth=None)
def template(request: HttpRequest, kind: str):
    content = xlsx.template(kind)
    response = HttpResponse(content, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@router.get("/exports/applicants.xlsx")
def export_applicants(request: HttpRequest, university_id: int, plan_id: int | None = None):
    content = xlsx.export_applicants(actor=request.user, university=_university(university_id), plan_id=plan_id)
    response = HttpResponse(content, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="applicants.xlsx"'
    return response


# ------------------------------------------------------------------ public (no login)


@router.get("/public/verify/{code}", auth=None, response=VerifyOut)
def public_verify(request: HttpRequest, code: str):
    m = selectors.publicity_verify(code)
    if m is None:
        return {"valid": False}
    return {"valid": True, "title": m.title, "university": m.university.name,
            "centre": m.centre.name if m.centre else "", "channel": m.channel, "approved_at": m.decided_at}


@router.get("/public/charters", auth=None, response=list[CharterOut])
def public_charters(request: HttpRequest):
    return list(selectors.charters_published()[:200])


@router.get("/public/announcements", auth=None, response=list[AnnouncementOut])
def public_announcements(request: HttpRequest):
    return list(selectors.announcements_published()[:200])

