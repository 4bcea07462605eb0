"""Every write of the entrance gate. Each service takes the acting user, asks the policy,
writes, and appends its audit event in the same transaction. Audit data holds ids and
digests only, never names, ID numbers or phone numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanguan.accounts import policy
from sanguan.accounts import services as accounts
from sanguan.accounts.models import Role
from sanguan.audit import services as audit
from sanguan.codes.errors import CodeError
from sanguan.codes.validators import validate_resident_id
from sanguan.core.errors import Conflict, PermissionDenied
from sanguan.institutions.models import LearningCentre, Level, Major, Track, University
from sanguan.supervision.selectors import enrollment_restriction

from . import linter, selectors
from .errors import AdmissionsError
from .errors import AdmissionsErrorCode as E
from .models import (
    AdmissionsCharter,
    AdvertiserAuthorisation,
    Announcement,
    Applicant,
    CapacityRule,
    EnrollmentPlan,
    ExamScore,
    ExamSession,
    FteConfig,
    Invoice,
    PassLine,
    Payment,
    PriorQualification,
    PublicityMaterial,
    Season,
    StudentRecord,
)
from .verification import PriorQualificationVerifier, default_verifier

PHONE_RE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


def _today() -> dt.date:
    return timezone.localdate()


def id_digest(number: str) -> str:
    """Keyed digest of a normalised ID number: finds duplicates without comparing raw numbers."""
    key = (getattr(settings, "SANGUAN_ID_DIGEST_KEY", "") or settings.SECRET_KEY).encode("utf-8")
    return hmac.new(key, b"resident-id:" + number.encode("ascii"), hashlib.sha256).hexdigest()


def _scope(university: University, centre: LearningCentre | None = None, owner_user_id: int | None = None):
    provinces = {university.province_id}
    if centre is not None:
        provinces.add(centre.host_province_id)
    return policy.Scope(
        provinces=frozenset(provinces),
        university_id=university.pk,
        centre_id=centre.pk if centre is not None else None,
        owner_user_id=owner_user_id,
    )


# ================================================================== capacity, plans, FTE


@transaction.atomic
def capacity_rule_set(
    *,
    actor: Any,
    university: University,
    students_per_teacher: int | None,
    students_per_seat: int | None,
    students_per_course: int | None,
) -> CapacityRule:
    """Configure how a university's resources translate into capacity."""
    policy.require(actor, "admissions.plan_approve", university)
    for value in (students_per_teacher, students_per_seat, students_per_course):
        if value is not None and value <= 0:
            raise AdmissionsError(E.PLAN_INVALID, _("Capacity factors must be positive or empty."))
    rule, _created = CapacityRule.objects.update_or_create(
        university=university,
        defaults={
            "students_per_teacher": students_per_teacher,
            "students_per_seat": students_per_seat,
            "students_per_course": students_per_course,
        },
    )
    audit.record(
        actor=actor,
        action="admissions.capacity_rule_set",
        target=rule,
        data={"per_teacher": students_per_teacher, "per_seat": students_per_seat, "per_course": students_per_course},
    )
    return rule


def capacity_rule_for(university: University) -> CapacityRule:
    rule = CapacityRule.objects.filter(university=university).first()
    return rule or CapacityRule(university=university)  # unsaved: the defaults


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    university: University,
    year: int,
    season: str = Season.AUTUMN,
    major: Major,
    quota: int,
    centre: LearningCentre | None = None,
    teachers: int = 0,
    centre_seats: int = 0,
    course_resources: int = 0,
    justification: str = "",
) -> EnrollmentPlan:
    """A draft enrollment plan; its capacity follows from the university's capacity rule."""
    policy.require(actor, "admissions.plan_manage", university)
    if major.university_id != university.pk or (centre is not None and centre.university_id != university.pk):
        raise AdmissionsError(E.PLAN_INVALID, _("The major and the centre must belong to the university."))
    if season not in Season.values or not 2000 <= int(year) <= 2100:
        raise AdmissionsError(E.PLAN_INVALID, _("Unknown intake year or season."))
    if quota <= 0 or min(teachers, centre_seats, course_resources) < 0:
        raise AdmissionsError(E.PLAN_INVALID, _("The quota must be positive and resources not negative."))
    if major.track == Track.LEGACY_ONLINE and (int(year), season) > (2022, Season.SPRING):
        raise AdmissionsError(
            E.PLAN_INVALID,
            _("Online-education (legacy) intake ended with spring 2022; plan a continuing-education major."),
        )
    capacity = capacity_rule_for(university).capacity(
        teachers=teachers, centre_seats=centre_seats, course_resources=course_resources
    )
    try:
        with transaction.atomic():
            plan = EnrollmentPlan.objects.create(
                university=university,
                year=year,
                season=season,
                major=major,
                level=major.level,
                track=major.track,
                centre=centre,
                quota=quota,
                teachers=teachers,
                centre_seats=centre_seats,
                course_resources=course_resources,
                capacity=capacity,
                justification=justification.strip(),
            )
    except IntegrityError:
        raise Conflict(E.PLAN_DUPLICATE, _("A plan for this major, centre and intake already exists.")) from None
    audit.record(
        actor=actor,
        action="admissions.plan_created",
        target=plan,
        data={"major": major.pk, "centre": centre.pk if centre else None, "quota": quota, "capacity": capacity},
    )
    return plan


@transaction.atomic
def plan_submit(*, actor: Any, plan: EnrollmentPlan, justification: str | None = None) -> EnrollmentPlan:
    """Submit a draft for approval; a plan above capacity needs a written justification."""
    policy.require(actor, "admissions.plan_manage", plan)
    plan = EnrollmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != EnrollmentPlan.Status.DRAFT:
        raise Conflict(E.PLAN_NOT_DRAFT, _("Only a draft plan can be submitted."))
    if justification is not None:
        plan.justification = justification.strip()
    if plan.is_over_capacity and len(plan.justification) < 20:
        raise AdmissionsError(
            E.PLAN_JUSTIFICATION_REQUIRED,
            _("The quota ({quota}) exceeds the capacity ({capacity}); give a written justification.").format(
                quota=plan.quota, capacity=plan.capacity
            ),
            {"quota": plan.quota, "capacity": plan.capacity},
        )
    plan.status = EnrollmentPlan.Status.SUBMITTED
    plan.save(update_fields=["status", "justification", "updated_at"])
    audit.record(
        actor=actor,
        action="admissions.plan_submitted",
        target=plan,
        data={"over_capacity": plan.is_over_capacity, "justification_sha256": _sha(plan.justification)},
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: Any, plan: EnrollmentPlan) -> EnrollmentPlan:
    """Approve a submitted plan; approving one above capacity approves its justification."""
    policy.require(actor, "admissions.plan_approve", plan)
    plan = EnrollmentPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != EnrollmentPlan.Status.SUBMITTED:
        raise Conflict(E.PLAN_NOT_SUBMITTED, _("Only a submitted plan can be approved."))
    plan.status = EnrollmentPlan.Status.APPROVED
    plan.over_capacity_approved = plan.is_over_capacity
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save(update_fields=["status", "over_capacity_approved", "approved_by", "approved_at", "updated_at"])
    audit.record(
        actor=actor, action="admissions.plan_approved", target=plan, data={"over_capacity": plan.is_over_capacity}
    )
    return plan


@transaction.atomic
def fte_config_set(
    *, actor: Any, university: University, online_weight: Decimal | None, continuing_weight: Decimal | None
) -> FteConfig:
    """Set the FTE weights (None = not counted until configured)."""
    policy.require(actor, "admissions.fte_configure", university)
    for w in (online_weight, continuing_weight):
        if w is not None and not Decimal("0") <= Decimal(w) <= Decimal("3"):
            raise AdmissionsError(E.PLAN_INVALID, _("A weight must lie between 0 and 3."))
    config, _created = FteConfig.objects.update_or_create(
        university=university, defaults={"online_weight": online_weight, "continuing_weight": continuing_weight}
    )
    audit.record(
        actor=actor,
        action="admissions.fte_config_set",
        target=config,
        data={"online_weight": online_weight, "continuing_weight": continuing_weight},
    )
    return config


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ================================================================== applicants


@dataclass
class PersonInput:
    name: str
    id_number: str
    phone: str = ""


@dataclass
class Registration:
    applicant: Applicant
    warnings: list[dict[str, str]] = field(default_factory=list)


def check_person(person: PersonInput, *, today: dt.date | None = None) -> tuple[PersonInput, Any, list[dict[str, str]]]:
    """Validate a person's fields: ``(normalised, parsed id, warnings)`` or an AdmissionsError."""
    name = (person.name or "").strip()
    if not name or len(name) > 64:
        raise AdmissionsError(E.NAME_REQUIRED, _("The applicant's name is required (at most 64 characters)."))
    try:
        rid = validate_resident_id(person.id_number, today=today or _today())
    except CodeError as exc:
        raise AdmissionsError(E.ID_NUMBER_INVALID, exc.message, {"reason": exc.code}) from None
    phone = re.sub(r"[\s]", "", person.phone or "")
    if phone and not PHONE_RE.match(phone):
        raise AdmissionsError(E.PHONE_INVALID, _("The phone number is not a mainland mobile or landline number."))
    warnings = []
    if not rid.region_known:
        message = _("The ID number's region code is not known; check it.")
        warnings.append({"code": "ID_REGION_UNKNOWN", "message": message})
    return PersonInput(name=name, id_number=rid.number, phone=phone), rid, warnings


def _centre_staff_of(actor: Any, centre: LearningCentre | None) -> bool:
    return centre is not None and any(
        m.role == Role.CENTRE_STAFF and m.centre_id == centre.pk for m in policy.memberships_of(actor)
    )


def _register(
    *,
    actor: Any,
    plan: EnrollmentPlan,
    person: PersonInput,
    centre: LearningCentre | None,
    channel: str,
    user: Any = None,
) -> Registration:
    plan = EnrollmentPlan.objects.select_related("university", "major").get(pk=plan.pk)
    if plan.status != EnrollmentPlan.Status.APPROVED:
        raise AdmissionsError(E.PLAN_NOT_APPROVED, _("Applicants can only register against an approved plan."))
    if plan.centre_id is not None and (centre is None or centre.pk != plan.centre_id):
        raise AdmissionsError(E.CENTRE_MISMATCH, _("This plan belongs to another centre."))
    if centre is not None and centre.university_id != plan.university_id:
        raise AdmissionsError(E.CENTRE_MISMATCH, _("This centre does not belong to the plan's university."))
    if centre is not None and centre.status != LearningCentre.Status.OPERATING:
        raise Conflict(
            E.CENTRE_NOT_OPERATING,
            _("This centre is not operating (status: {status}); it cannot register applicants.").format(
                status=centre.get_status_display()),
        )
    person, rid, warnings = check_person(person)
    digest = id_digest(person.id_number)
    if Applicant.objects.filter(
        university_id=plan.university_id, year=plan.year, season=plan.season, id_digest=digest
    ).exists():
        raise Conflict(E.APPLICANT_DUPLICATE, _("This person has already applied to this university for this intake."))
    elsewhere = list(
        Applicant.objects.filter(year=plan.year, season=plan.season, id_digest=digest)
        .exclude(university_id=plan.university_id)
        .values_list("pk", flat=True)
    )
    applicant = Applicant.objects.create(
        university_id=plan.university_id,
        plan=plan,
        year=plan.year,
        season=plan.season,
        track=plan.track,
        level=plan.level,
        major_id=plan.major_id,
        centre=centre,
        name=person.name,
        id_number=person.id_number,
        id_digest=digest,
        id_region_known=rid.region_known,
        birth_date=rid.birth_date,
        sex=rid.sex,
        phone=person.phone,
        channel=channel,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        user=user,
        duplicate_flag=bool(elsewhere),
    )
    if elsewhere:
        Applicant.objects.filter(pk__in=elsewhere).update(duplicate_flag=True)
        warnings.append(
            {"code": "DUPLICATE_ELSEWHERE",
             "message": _("This person has also applied to another university this intake.")}
        )
    audit.record(
        actor=actor,
        action="admissions.applicant_registered",
        target=applicant,
        data={
            "plan": plan.pk,
            "centre": centre.pk if centre else None,
            "channel": channel,
            "id_digest": digest,
            "duplicates": elsewhere,
        },
    )
    return Registration(applicant=applicant, warnings=warnings)


@transaction.atomic
def applicant_register(
    *, actor: Any, plan: EnrollmentPlan, person: PersonInput, centre: LearningCentre | None = None
) -> Registration:
    """Register an applicant on behalf of them: by the university, or by a centre's staff
    for their own centre (recorded as centre-assisted)."""
    policy.require(actor, "admissions.register_applicant", _scope(plan.university, centre))
    channel = Applicant.Channel.CENTRE if _centre_staff_of(actor, centre) else Applicant.Channel.UNIVERSITY
    return _register(actor=actor, plan=plan, person=person, centre=centre, channel=channel)


@transaction.atomic
def applicant_self_register(
    *, actor: Any, plan: EnrollmentPlan, person: PersonInput, centre: LearningCentre | None = None
) -> Registration:
    """An applicant registers themselves (their account holds the student role at the university)."""
    policy.require(actor, "admissions.register_self", _scope(plan.university, None, getattr(actor, "pk", None)))
    if not any(m.university_id == plan.university_id for m in policy.memberships_of(actor)):
        raise PermissionDenied(policy.PolicyErrorCode.PERMISSION_DENIED, _("You are not allowed to do this here."))
    return _register(actor=actor, plan=plan, person=person, centre=centre, channel=Applicant.Channel.SELF, user=actor)


@dataclass
class ApplicantAccount:
    user: Any
    membership: Any


@transaction.atomic
def applicant_account_create(
    *, university: University, username: str, password: str, display_name: str = "", on: dt.date | None = None
) -> ApplicantAccount:
    """A member of the public signs up to apply: a new account holding the student role at
    ``university`` (scope SELF, their own records only), created by the system. Refused
    unless the university has a published charter for the current intake and no
    university-wide enrollment suspension is in force. Nothing is written on refusal."""
    on = on or _today()
    university = University.objects.filter(pk=getattr(university, "pk", None)).first()
    if university is None:
        raise AdmissionsError(E.UNIVERSITY_NOT_FOUND, _("No such university."))
    if not selectors.universities_open_for_signup(on=on).filter(pk=university.pk).exists():
        raise AdmissionsError(
            E.CHARTER_NOT_FOUND,
            _("This university has not published an admissions charter for the current intake; "
              "it does not take applications here."),
        )
    if enrollment_restriction(university=university, on=on).suspended:
        raise AdmissionsError(
            E.ENROLLMENT_SUSPENDED,
            _("Enrollment at this university is suspended by a sanction in force; it does not take applications."),
        )
    user = accounts.user_create(
        actor=policy.SYSTEM, username=username, password=password, display_name=display_name or ""
    )
    membership = accounts.membership_grant(actor=policy.SYSTEM, user=user, role=Role.STUDENT, university=university)
    audit.record(
        actor=policy.SYSTEM,
        action="admissions.applicant_account_created",
        target=user,
        data={"user": user.pk, "university": university.pk, "membership": membership.pk},
    )
    return ApplicantAccount(user=user, membership=membership)


def _require_on_applicant(actor: Any, applicant: Applicant) -> None:
    """Those who may register the applicant may also complete their declarations."""
    if policy.can(actor, "admissions.register_applicant", applicant) or policy.can(
        actor, "admissions.register_self", applicant
    ):
        return
    policy.require(actor, "admissions.register_applicant", applicant)


QUALIFYING_KINDS = {
    Level.HS_TO_ASSOCIATE: {PriorQualification.Kind.HIGH_SCHOOL, PriorQualification.Kind.ASSOCIATE,
                            PriorQualification.Kind.BACHELOR},
    Level.HS_TO_BACHELOR: {PriorQualification.Kind.HIGH_SCHOOL, PriorQualification.Kind.ASSOCIATE,
                           PriorQualification.Kind.BACHELOR},
    Level.ASSOCIATE_TO_BACHELOR: {PriorQualification.Kind.ASSOCIATE, PriorQualification.Kind.BACHELOR},
}


@transaction.atomic
def qualification_declare(
    *,
    actor: Any,
    applicant: Applicant,
    kind: str,
    institution_name: str,
    graduated_on: dt.date,
    certificate_number: str = "",
    report_number: str = "",
    evidence: Any = None,
) -> PriorQualification:
    """Declare (or re-declare, while not verified) the applicant's prior qualification."""
    _require_on_applicant(actor, applicant)
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if applicant.status != Applicant.Status.REGISTERED:
        raise Conflict(E.APPLICANT_NOT_PENDING, _("The applicant has already been decided."))
    if kind not in QUALIFYING_KINDS[applicant.level]:
        raise AdmissionsError(
            E.QUALIFICATION_INVALID, _("This qualification does not qualify for the level applied for.")
        )
    if not (institution_name or "").strip():
        raise AdmissionsError(E.QUALIFICATION_INVALID, _("The awarding institution is required."))
    if not isinstance(graduated_on, dt.date) or graduated_on > _today() or graduated_on <= applicant.birth_date:
        raise AdmissionsError(E.DATE_INVALID, _("The graduation date is impossible."))
    report = re.sub(r"\s", "", report_number or "").upper()
    if report and not re.fullmatch(r"[0-9A-Z]{8,32}", report):
        raise AdmissionsError(
            E.QUALIFICATION_INVALID, _("The verification report code must be 8-32 letters or digits.")
        )
    existing = PriorQualification.objects.filter(applicant=applicant).first()
    if existing is not None and existing.status == PriorQualification.Status.VERIFIED:
        raise Conflict(E.QUALIFICATION_NOT_PENDING, _("The qualification has already been verified."))
    qualification = existing or PriorQualification(applicant=applicant)
    qualification.kind = kind
    qualification.institution_name = institution_name.strip()
    qualification.certificate_number = (certificate_number or "").strip()
    qualification.graduated_on = graduated_on
    qualification.report_number = report
    qualification.status = PriorQualification.Status.PENDING
    if evidence is not None:
        qualification.evidence = evidence
    qualification.save()
    audit.record(
        actor=actor,
        action="admissions.qualification_declared",
        target=qualification,
        data={"applicant": applicant.pk, "kind": kind, "report_sha256": _sha(report) if report else None},
    )
    return qualification


@transaction.atomic
def qualification_verify(
    *,
    actor: Any,
    qualification: PriorQualification,
    accepted: bool,
    note: str = "",
    verifier: PriorQualificationVerifier | None = None,
) -> PriorQualification:
    """Verify a declared qualification through the configured verifier (default: staff review)."""
    policy.require(actor, "admissions.verify_qualification", qualification)
    qualification = PriorQualification.objects.select_for_update().get(pk=qualification.pk)
    if qualification.status != PriorQualification.Status.PENDING:
        raise Conflict(E.QUALIFICATION_NOT_PENDING, _("Only a pending qualification can be verified."))
    if accepted and not (qualification.report_number or qualification.evidence):
        raise AdmissionsError(
            E.QUALIFICATION_INVALID, _("A qualification is verified on evidence: a report code or a file is required.")
        )
    outcome = (verifier or default_verifier()).verify(qualification=qualification, proposed=accepted, note=note)
    S = PriorQualification.Status
    qualification.status = S.VERIFIED if outcome.verified else S.REJECTED
    qualification.method = outcome.method
    qualification.note = outcome.note
    qualification.verified_by = actor
    qualification.verified_at = timezone.now()
    qualification.save()
    audit.record(
        actor=actor,
        action="admissions.qualification_verified",
        target=qualification,
        data={"verified": outcome.verified, "method": outcome.method, "applicant": qualification.applicant_id},
    )
    return qualification


# ================================================================== exams, review


@transaction.atomic
def exam_session_create(
    *,
    actor: Any,
    university: University,
    year: int,
    season: str,
    kind: str,
    name: str,
    held_on: dt.date,
    max_score: Decimal = Decimal("450"),
) -> ExamSession:
    policy.require(actor, "admissions.exam_manage", university)
    if kind not in ExamSession.Kind.values or season not in Season.values or not (name or "").strip():
        raise AdmissionsError(E.EXAM_INVALID, _("Give a name, a known kind and a known season."))
    if not isinstance(held_on, dt.date) or abs(held_on.year - int(year)) > 1:
        raise AdmissionsError(E.DATE_INVALID, _("The exam date does not fit the intake year."))
    if Decimal(max_score) <= 0:
        raise AdmissionsError(E.EXAM_INVALID, _("The maximum score must be positive."))
    session = ExamSession.objects.create(
        university=university, year=year, season=season, kind=kind, name=name.strip(), held_on=held_on,
        max_score=max_score,
    )
    audit.record(actor=actor, action="admissions.exam_session_created", target=session, data={"kind": kind})
    return session


@transaction.atomic
def pass_line_set(
    *, actor: Any, session: ExamSession, level: str, min_score: Decimal, major: Major | None = None
) -> PassLine:
    policy.require(actor, "admissions.exam_manage", session)
    if level not in Level.values or (major is not None and (major.university_id != session.university_id
                                                             or major.level != level)):
        raise AdmissionsError(E.EXAM_INVALID, _("The pass line's level and major do not match."))
    min_score = _decimal(min_score, E.EXAM_INVALID)
    if not Decimal("0") <= min_score <= session.max_score:
        raise AdmissionsError(E.EXAM_INVALID, _("The pass line must lie between 0 and the maximum score."))
    line, _created = PassLine.objects.update_or_create(
        session=session, level=level, major=major, defaults={"min_score": min_score}
    )
    audit.record(
        actor=actor,
        action="admissions.pass_line_set",
        target=line,
        data={"session": session.pk, "level": level, "major": major.pk if major else None, "min_score": min_score},
    )
    return line


def _decimal(value: Any, code: E) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AdmissionsError(code, _("Not a number: {value}").format(value=str(value)[:20])) from None
    if not result.is_finite():
        raise AdmissionsError(code, _("Not a number: {value}").format(value=str(value)[:20]))
    return result


def check_score(session: ExamSession, applicant: Applicant, score: Any) -> Decimal:
    value = _decimal(score, E.SCORE_INVALID)
    if not Decimal("0") <= value <= session.max_score:
        raise AdmissionsError(
            E.SCORE_INVALID, _("The score must lie between 0 and {max}.").format(max=session.max_score)
        )
    if session.university_id != applicant.university_id or (session.year, session.season) != (
        applicant.year,
        applicant.season,
    ):
        raise AdmissionsError(E.EXAM_INVALID, _("This exam session is not for this applicant's university and intake."))
    if applicant.status != Applicant.Status.REGISTERED:
        raise Conflict(E.APPLICANT_NOT_PENDING, _("The applicant has already been decided."))
    return value


@transaction.atomic
def score_record(
    *, actor: Any, applicant: Applicant, session: ExamSession, score: Any, candidate_number: str = ""
) -> ExamScore:
    """Record (or correct, before the decision) an entrance exam score."""
    policy.require(actor, "admissions.record_score", applicant)
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    value = check_score(session, applicant, score)
    previous = ExamScore.objects.filter(applicant=applicant, session=session).first()
    row, _created = ExamScore.objects.update_or_create(
        applicant=applicant,
        session=session,
        defaults={"score": value, "candidate_number": (candidate_number or "").strip()[:32], "recorded_by": actor},
    )
    audit.record(
        actor=actor,
        action="admissions.score_recorded",
        target=row,
        data={"applicant": applicant.pk, "session": session.pk, "score": value,
              "previous": previous.score if previous else None},
    )
    return row


@transaction.atomic
def moral_review_record(*, actor: Any, applicant: Applicant, passed: bool, note: str = "") -> Applicant:
    """The political and moral review (政治思想品德审查) result."""
    policy.require(actor, "admissions.moral_review", applicant)
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if applicant.status != Applicant.Status.REGISTERED:
        raise Conflict(E.APPLICANT_NOT_PENDING, _("The applicant has already been decided."))
    applicant.moral_review = Applicant.Review.PASSED if passed else Applicant.Review.FAILED
    applicant.moral_review_note = note
    applicant.save(update_fields=["moral_review", "moral_review_note", "updated_at"])
    audit.record(actor=actor, action="admissions.moral_reviewed", target=applicant, data={"passed": passed})
    return applicant


# ================================================================== admission


def exam_passed(applicant: Applicant, scores: Iterable[ExamScore], lines: Iterable[PassLine]) -> bool:
    """Passed when a score reaches the pass line for the applicant's major (or, failing
    that, for their level) in the same session."""
    by_session: dict[int, dict[int | None, Decimal]] = defaultdict(dict)
    for line in lines:
        if line.level == applicant.level and line.major_id in (None, applicant.major_id):
            by_session[line.session_id][line.major_id] = line.min_score
    for s in scores:
        table = by_session.get(s.session_id, {})
        line = table.get(applicant.major_id, table.get(None))
        if line is not None and s.score >= line:
            return True
    return False


def _admission_blockers(applicant: Applicant, scores: list[ExamScore], lines: list[PassLine]) -> list[tuple[E, str]]:
    problems: list[tuple[E, str]] = []
    if applicant.status != Applicant.Status.REGISTERED:
        return [(E.APPLICANT_NOT_PENDING, _("The applicant has already been decided."))]
    qualification = getattr(applicant, "qualification", None)
    if qualification is None or qualification.status != PriorQualification.Status.VERIFIED:
        problems.append((E.QUALIFICATION_NOT_VERIFIED, _("The prior qualification has not been verified.")))
    if not exam_passed(applicant, scores, lines):
        problems.append((E.EXAM_NOT_PASSED, _("The applicant has no entrance exam score at or above the pass line.")))
    if applicant.moral_review != Applicant.Review.PASSED:
        problems.append((E.REVIEW_NOT_PASSED, _("The political and moral review has not been passed.")))
    return problems


def _student_number(plan: EnrollmentPlan, seq: int) -> str:
    return f"{plan.year % 100:02d}{plan.university.institution_code}{plan.pk:06d}{seq:05d}"


class _SanctionGate:
    """Sanctions in force on a day, checked against admissions already made (and those
    being made in the same batch)."""

    def __init__(self, on: dt.date):
        self.on = on
        self.restrictions: dict[tuple[int, int], Any] = {}
        self.counts: dict[int, int] = {}  # sanction pk -> admissions counted so far

    def restriction(self, applicant: Applicant):
        key = (applicant.university_id, applicant.major_id)
        if key not in self.restrictions:
            self.restrictions[key] = enrollment_restriction(
                university=applicant.university, major=applicant.major, on=self.on
            )
        return self.restrictions[key]

    def lock_if_limited(self, universities: Iterable[University]) -> None:
        """Serialise admissions to a limited university (plans alone would not)."""
        ids = sorted({u.pk for u in universities if self._any_limit(u)})
        if ids:
            list(University.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))

    def _any_limit(self, university: University) -> bool:
        return any(r.limit is not None and k[0] == university.pk for k, r in self.restrictions.items())

    def check(self, applicant: Applicant) -> tuple[E, str] | None:
        r = self.restriction(applicant)
        if r.suspended:
            return E.ENROLLMENT_SUSPENDED, _("Enrollment is suspended by a sanction in force.")
        for s in r.sanctions:
            if s.limit is None:
                continue
            if s.pk not in self.counts:
                qs = StudentRecord.objects.filter(university_id=s.university_id, enrolled_on__gte=s.starts_on)
                if s.major_id is not None:
                    qs = qs.filter(major_id=s.major_id)
                self.counts[s.pk] = qs.count()
            if self.counts[s.pk] >= s.limit:
                return E.ENROLLMENT_LIMIT_REACHED, _(
                    "Enrollment is limited to {limit} admissions by a sanction in force; the limit is reached."
                ).format(limit=s.limit)
        return None

    def count(self, applicant: Applicant) -> None:
        for s in self.restriction(applicant).sanctions:
            if s.limit is not None and (s.major_id is None or s.major_id == applicant.major_id):
                self.counts[s.pk] = self.counts.get(s.pk, 0) + 1


def _load_for_decision(ids: list[int]) -> tuple[list[Applicant], dict[int, list[ExamScore]], list[PassLine]]:
    applicants = list(
        Applicant.objects.select_related("university", "major", "centre", "qualification").filter(pk__in=ids)
    )
    scores: dict[int, list[ExamScore]] = defaultdict(list)
    for s in ExamScore.objects.filter(applicant_id__in=ids):
        scores[s.applicant_id].append(s)
    session_ids = {s.session_id for rows in scores.values() for s in rows}
    lines = list(PassLine.objects.filter(session_id__in=session_ids))
    return applicants, scores, lines


@transaction.atomic
def admission_decide(
    *, actor: Any, applicant: Applicant, admit: bool, note: str = "", on: dt.date | None = None
) -> Applicant:
    """Admit or reject an examined applicant; admission creates the student record.

    Refused unless the qualification is verified, the exam passed and the review passed;
    refused when the plan is full (the plan row is locked) or a sanction suspends
    enrollment, and once a sanction's limit is reached."""
    policy.require(actor, "admissions.decide", applicant)
    on = on or _today()
    if not admit:
        applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
        if applicant.status != Applicant.Status.REGISTERED:
            raise Conflict(E.APPLICANT_NOT_PENDING, _("The applicant has already been decided."))
        applicant.status = Applicant.Status.REJECTED
        applicant.decided_at = timezone.now()
        applicant.save(update_fields=["status", "decided_at", "updated_at"])
        audit.record(actor=actor, action="admissions.decided", target=applicant,
                     data={"admit": False, "note_sha256": _sha(note) if note else None})
        return applicant
    records = _admit(actor=actor, ids=[applicant.pk], on=on, note=note)
    return records[0].applicant


@transaction.atomic
def admission_decide_batch(*, actor: Any, applicant_ids: list[int], on: dt.date | None = None) -> list[StudentRecord]:
    """Admit many applicants at once: all of them, or (with every reason) none."""
    ids = sorted(set(applicant_ids))
    if not ids:
        raise AdmissionsError(E.BATCH_REFUSED, _("The batch is empty."))
    return _admit(actor=actor, ids=ids, on=on or _today(), note="")


def _admit(*, actor: Any, ids: list[int], on: dt.date, note: str) -> list[StudentRecord]:
    applicants, scores, lines = _load_for_decision(ids)
    if len(applicants) != len(ids):
        raise AdmissionsError(E.BATCH_REFUSED, _("Some applicants do not exist."), {"missing": sorted(
            set(ids) - {a.pk for a in applicants})})
    for a in applicants:
        policy.require(actor, "admissions.decide", a)
    gate = _SanctionGate(on)
    for a in applicants:
        gate.restriction(a)
    gate.lock_if_limited({a.university for a in applicants})
    plan_ids = sorted({a.plan_id for a in applicants})
    plans = {p.pk: p for p in EnrollmentPlan.objects.select_for_update().filter(pk__in=plan_ids).order_by("pk")}
    # Re-read under the plan locks: a concurrent decision may have changed the status.
    status_now = dict(Applicant.objects.filter(pk__in=ids).values_list("pk", "status"))
    errors: list[dict[str, Any]] = []
    records: list[StudentRecord] = []
    now = timezone.now()
    for a in applicants:
        a.status = status_now[a.pk]
        plan = plans[a.plan_id]
        plan.university = a.university
        problems = _admission_blockers(a, scores.get(a.pk, []), lines)
        if not problems and plan.status != EnrollmentPlan.Status.APPROVED:
            problems.append((E.PLAN_NOT_APPROVED, _("The enrollment plan is not approved.")))
        if not problems:
            sanction = gate.check(a)
            if sanction:
                problems.append(sanction)
        if not problems and plan.admitted_count >= plan.quota:
            problems.append((E.PLAN_FULL, _("The enrollment plan is full ({quota} admitted).").format(
                quota=plan.quota)))
        if problems:
            errors.append({"applicant": a.pk, "codes": [p[0].value for p in problems],
                           "messages": [str(p[1]) for p in problems]})
            continue
        plan.admitted_count += 1
        gate.count(a)
        records.append(
            StudentRecord(
                applicant=a, university_id=a.university_id, plan=plan, major_id=a.major_id, centre_id=a.centre_id,
                track=a.track, level=a.level, student_number=_student_number(plan, plan.admitted_count),
                enrolled_on=on, user_id=a.user_id,
            )
        )
        a.status = Applicant.Status.ADMITTED
        a.decided_at = now
    if errors:
        if len(ids) == 1:
            first = errors[0]
            code = E(first["codes"][0])
            exc_class = Conflict if code in (E.PLAN_FULL, E.APPLICANT_NOT_PENDING, E.ENROLLMENT_SUSPENDED,
                                              E.ENROLLMENT_LIMIT_REACHED) else AdmissionsError
            raise exc_class(code, first["messages"][0], {"codes": first["codes"]})
        raise AdmissionsError(
            E.BATCH_REFUSED,
            _("{n} of {total} applicants cannot be admitted; nothing was admitted.").format(
                n=len(errors), total=len(ids)),
            {"errors": errors},
        )
    for plan in plans.values():
        EnrollmentPlan.objects.filter(pk=plan.pk).update(admitted_count=plan.admitted_count, updated_at=now)
    StudentRecord.objects.bulk_create(records, batch_size=2000)
    Applicant.objects.filter(pk__in=ids).update(status=Applicant.Status.ADMITTED, decided_at=now, updated_at=now)
    if any(r.pk is None for r in records):
        by_applicant = dict(StudentRecord.objects.filter(applicant_id__in=ids).values_list("applicant_id", "pk"))
        for r in records:
            r.pk = by_applicant[r.applicant_id]
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action="admissions.decided",
                target=r.applicant,
                data={"admit": True, "plan": r.plan_id, "student_record": r.pk,
                      "note_sha256": _sha(note) if note else None},
            )
            for r in records
        ],
    )
    return records


@transaction.atomic
def post_review_record(*, actor: Any, record: StudentRecord, passed: bool, on: dt.date | None = None) -> StudentRecord:
    """The post-admission review (复查, within three months of enrollment: brief b4 #23)."""
    policy.require(actor, "admissions.post_review", record)
    record = StudentRecord.objects.select_for_update().get(pk=record.pk)
    on = on or _today()
    if on < record.enrolled_on or on > _today():
        raise AdmissionsError(E.DATE_INVALID, _("The review date must lie between enrollment and today."))
    record.post_review_done_on = on
    record.post_review_passed = passed
    if not passed:
        record.status = StudentRecord.Status.REVOKED
    record.save(update_fields=["post_review_done_on", "post_review_passed", "status", "updated_at"])
    audit.record(actor=actor, action="admissions.post_reviewed", target=record, data={"passed": passed})
    return record


# ================================================================== tuition


@transaction.atomic
def invoice_issue(*, actor: Any, applicant: Applicant, amount: Any, academic_year: int) -> Invoice:
    """A tuition invoice, payable only to the university's own account."""
    policy.require(actor, "admissions.tuition_manage", applicant)
    applicant = Applicant.objects.select_related("university").get(pk=applicant.pk)
    amount = _decimal(amount, E.INVOICE_INVALID)
    if amount <= 0 or amount > Decimal("1000000"):
        raise AdmissionsError(E.INVOICE_INVALID, _("The amount must be positive."))
    if applicant.status != Applicant.Status.ADMITTED:
        raise Conflict(E.NOT_ADMITTED, _("Tuition is invoiced only to admitted students."))
    account = (applicant.university.tuition_account or "").strip()
    if not account:
        raise AdmissionsError(E.NO_TUITION_ACCOUNT, _("The university has no tuition account on record."))
    invoice = Invoice.objects.create(
        university_id=applicant.university_id, applicant=applicant, amount=amount, payee_account=account,
        academic_year=academic_year, issued_by=actor,
    )
    audit.record(actor=actor, action="admissions.invoice_issued", target=invoice,
                 data={"applicant": applicant.pk, "amount": amount})
    return invoice


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    invoice: Invoice,
    amount: Any,
    channel: str,
    collector: str,
    paid_on: dt.date,
    payee_account: str = "",
    reference: str = "",
) -> Payment:
    """Record a payment as it happened. Money taken by a centre, an agent or a person is
    recorded as evidence (and found by the compliance rule) but never settles the invoice."""
    policy.require(actor, "admissions.tuition_manage", invoice)
    invoice = Invoice.objects.select_for_update().select_related("university").get(pk=invoice.pk)
    amount = _decimal(amount, E.PAYMENT_INVALID)
    if amount <= 0:
        raise AdmissionsError(E.PAYMENT_INVALID, _("The amount must be positive."))
    if channel not in Payment.Channel.values or collector not in Payment.Collector.values:
        raise AdmissionsError(E.PAYMENT_INVALID, _("Unknown payment channel or collector."))
    if not isinstance(paid_on, dt.date) or paid_on > _today():
        raise AdmissionsError(E.DATE_INVALID, _("The payment date cannot be in the future."))
    payee_account = (payee_account or "").strip()
    if collector == Payment.Collector.UNIVERSITY and payee_account != invoice.payee_account:
        raise AdmissionsError(
            E.PAYMENT_INVALID, _("A payment to the university must credit the university's own account.")
        )
    if invoice.status == Invoice.Status.CANCELLED:
        raise Conflict(E.PAYMENT_INVALID, _("The invoice is cancelled."))
    payment = Payment.objects.create(
        invoice=invoice, amount=amount, channel=channel, collector=collector, payee_account=payee_account,
        reference=(reference or "").strip()[:64], paid_on=paid_on, recorded_by=actor,
    )
    if collector == Payment.Collector.UNIVERSITY:
        paid = sum(p.amount for p in invoice.payments.filter(collector=Payment.Collector.UNIVERSITY))
        if paid >= invoice.amount and invoice.status == Invoice.Status.ISSUED:
            invoice.status = Invoice.Status.PAID
            invoice.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="admissions.payment_recorded",
        target=payment,
        data={"invoice": invoice.pk, "amount": amount, "channel": channel, "collector": collector,
              "forbidden": payment.is_forbidden_channel},
    )
    return payment


# ================================================================== charter, publicity, announcements


def _clean_sections(sections: dict[str, Any]) -> dict[str, str]:
    known = {key for key, _label in AdmissionsCharter.REQUIRED_SECTIONS}
    cleaned = {}
    for key, value in (sections or {}).items():
        if key not in known and not re.fullmatch(r"[a-z_]{1,32}", str(key)):
            raise AdmissionsError(E.CHARTER_BAD_STATE, _("Unknown section name."))
        cleaned[str(key)] = str(value or "").strip()
    return cleaned


@transaction.atomic
def charter_create(
    *, actor: Any, university: University, year: int, title: str, sections: dict[str, Any]
) -> AdmissionsCharter:
    policy.require(actor, "admissions.charter_manage", university)
    if not (title or "").strip():
        raise AdmissionsError(E.CHARTER_BAD_STATE, _("The charter needs a title."))
    try:
        with transaction.atomic():
            charter = AdmissionsCharter.objects.create(
                university=university, year=year, title=title.strip(), sections=_clean_sections(sections)
            )
    except IntegrityError:
        raise Conflict(E.CHARTER_DUPLICATE, _("This university already has a charter for that year.")) from None
    audit.record(actor=actor, action="admissions.charter_created", target=charter, data={"year": year})
    return charter


@transaction.atomic
def charter_update(
    *, actor: Any, charter: AdmissionsCharter, title: str | None = None, sections: dict[str, Any] | None = None
) -> AdmissionsCharter:
    policy.require(actor, "admissions.charter_manage", charter)
    charter = AdmissionsCharter.objects.select_for_update().get(pk=charter.pk)
    if charter.status != AdmissionsCharter.Status.DRAFT:
        raise Conflict(E.CHARTER_BAD_STATE, _("Only a draft charter can be edited."))
    if title is not None:
        charter.title = title.strip() or charter.title
    if sections is not None:
        charter.sections = {**charter.sections, **_clean_sections(sections)}
    charter.save()
    audit.record(actor=actor, action="admissions.charter_updated", target=charter,
                 data={"sections": sorted(charter.sections)})
    return charter


def _require_complete(charter: AdmissionsCharter) -> None:
    missing = charter.missing_sections()
    if missing:
        labels = dict(AdmissionsCharter.REQUIRED_SECTIONS)
        raise AdmissionsError(
            E.CHARTER_SECTIONS_MISSING,
            _("The charter lacks required sections: {sections}").format(
                sections="、".join(str(labels[k]) for k in missing)),
            {"missing": missing},
        )


@transaction.atomic
def charter_approve(*, actor: Any, charter: AdmissionsCharter) -> AdmissionsCharter:
    policy.require(actor, "admissions.charter_approve", charter)
    charter = AdmissionsCharter.objects.select_for_update().get(pk=charter.pk)
    if charter.status != AdmissionsCharter.Status.DRAFT:
        raise Conflict(E.CHARTER_BAD_STATE, _("Only a draft charter can be approved."))
    _require_complete(charter)
    charter.status = AdmissionsCharter.Status.APPROVED
    charter.approved_by = actor
    charter.save()
    audit.record(actor=actor, action="admissions.charter_approved", target=charter, data={})
    return charter


@transaction.atomic
def charter_publish(*, actor: Any, charter: AdmissionsCharter) -> AdmissionsCharter:
    """Publish an approved charter on the public portal; every required section must be there."""
    policy.require(actor, "admissions.charter_approve", charter)
    charter = AdmissionsCharter.objects.select_for_update().get(pk=charter.pk)
    _require_complete(charter)
    if charter.status != AdmissionsCharter.Status.APPROVED:
        raise Conflict(E.CHARTER_BAD_STATE, _("Only an approved charter can be published."))
    charter.status = AdmissionsCharter.Status.PUBLISHED
    charter.published_at = timezone.now()
    charter.save()
    audit.record(actor=actor, action="admissions.charter_published", target=charter,
                 data={"sections_sha256": _sha(repr(sorted(charter.sections.items())))})
    return charter


@transaction.atomic
def authorisation_grant(
    *,
    actor: Any,
    centre: LearningCentre,
    reference: str,
    valid_from: dt.date,
    valid_until: dt.date,
    document: Any = None,
) -> AdvertiserAuthorisation:
    """The university's written authorisation of a centre to publicise its admissions."""
    policy.require(actor, "admissions.authorise_advertiser", centre)
    if not (reference or "").strip():
        raise AdmissionsError(E.AUTHORISATION_INVALID, _("The authorisation needs a document reference."))
    if not isinstance(valid_from, dt.date) or not isinstance(valid_until, dt.date) or valid_until < valid_from:
        raise AdmissionsError(E.DATE_INVALID, _("The authorisation must end after it starts."))
    auth = AdvertiserAuthorisation.objects.create(
        university_id=centre.university_id, centre=centre, reference=reference.strip(), valid_from=valid_from,
        valid_until=valid_until, granted_by=actor, **({"document": document} if document is not None else {}),
    )
    audit.record(actor=actor, action="admissions.advertiser_authorised", target=auth,
                 data={"centre": centre.pk, "from": valid_from, "until": valid_until})
    return auth


@transaction.atomic
def publicity_submit(
    *,
    actor: Any,
    university: University,
    title: str,
    text: str,
    channel: str,
    centre: LearningCentre | None = None,
    captions: str = "",
    url: str = "",
    in_use: bool = False,
) -> PublicityMaterial:
    """Submit a publicity material for approval; it is scanned at once."""
    policy.require(actor, "admissions.publicity_submit", _scope(university, centre))
    if centre is not None and centre.university_id != university.pk:
        raise AdmissionsError(E.CENTRE_MISMATCH, _("This centre does not belong to the university."))
    if not (title or "").strip() or not (text or "").strip() or not (channel or "").strip():
        raise AdmissionsError(E.PUBLICITY_BAD_STATE, _("Title, text and channel are required."))
    if url and not re.match(r"^https?://[^\s]+$", url.strip()):
        raise AdmissionsError(E.PUBLICITY_BAD_STATE, _("The URL must start with http:// or https://."))
    hits, missing = linter.scan(title, text, captions)
    material = PublicityMaterial.objects.create(
        university=university, centre=centre, title=title.strip(), text=text, captions=captions, url=url.strip(),
        channel=channel.strip()[:64], in_use=in_use, lint_hits=[h.as_dict() for h in hits],
        lint_missing=[h.as_dict() for h in missing], submitted_by=actor,
    )
    audit.record(
        actor=actor, action="admissions.publicity_submitted", target=material,
        data={"centre": centre.pk if centre else None, "hits": [h.code for h in hits],
              "missing": [h.code for h in missing], "text_sha256": _sha(text)},
    )
    return material


@transaction.atomic
def publicity_decide(
    *, actor: Any, material: PublicityMaterial, approve: bool, note: str = "", on: dt.date | None = None
) -> PublicityMaterial:
    """Approve (with a public verification code) or reject a submitted material. Approval
    needs a clean scan and, for a centre's material, the centre's written authorisation."""
    policy.require(actor, "admissions.publicity_approve", material)
    material = PublicityMaterial.objects.select_for_update().get(pk=material.pk)
    on = on or _today()
    if material.status != PublicityMaterial.Status.SUBMITTED:
        raise Conflict(E.PUBLICITY_BAD_STATE, _("Only a submitted material can be decided."))
    if approve:
        if material.lint_hits or material.lint_missing:
            raise AdmissionsError(
                E.PUBLICITY_HAS_HITS,
                _("The material has forbidden claims or lacks required facts; it cannot be approved."),
                {"hits": [h["code"] for h in material.lint_hits],
                 "missing": [h["code"] for h in material.lint_missing]},
            )
        if material.centre_id is not None:
            auth = next(
                (a for a in AdvertiserAuthorisation.objects.filter(centre_id=material.centre_id) if a.is_in_force(on)),
                None,
            )
            if auth is None:
                raise AdmissionsError(
                    E.PUBLICITY_NOT_AUTHORISED, _("The centre holds no written authorisation in force to advertise.")
                )
            material.authorisation = auth
        material.status = PublicityMaterial.Status.APPROVED
        material.verification_code = _new_code()
    else:
        material.status = PublicityMaterial.Status.REJECTED
    material.decided_by = actor
    material.decided_at = timezone.now()
    material.decision_note = note
    material.save()
    audit.record(actor=actor, action="admissions.publicity_decided", target=material,
                 data={"approve": approve, "code": material.verification_code or None})
    return material


def _new_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = "".join(secrets.choice(alphabet) for _i in range(10))
        if not PublicityMaterial.objects.filter(verification_code=code).exists():
            return code


@transaction.atomic
def publicity_set_in_use(*, actor: Any, material: PublicityMaterial, in_use: bool) -> PublicityMaterial:
    policy.require(actor, "admissions.publicity_submit", material)
    material = PublicityMaterial.objects.select_for_update().get(pk=material.pk)
    material.in_use = in_use
    material.save(update_fields=["in_use", "updated_at"])
    audit.record(actor=actor, action="admissions.publicity_in_use", target=material, data={"in_use": in_use})
    return material


@transaction.atomic
def announcement_publish(
    *, actor: Any, university: University, title: str, body: str, kind: str = Announcement.Kind.IMPOSTOR
) -> Announcement:
    """Publish a public announcement (for instance clarifying an impostor's claims)."""
    policy.require(actor, "admissions.announce", university)
    if not (title or "").strip() or not (body or "").strip() or kind not in Announcement.Kind.values:
        raise AdmissionsError(E.ANNOUNCEMENT_INVALID, _("Title, body and a known kind are required."))
    item = Announcement.objects.create(
        university=university, kind=kind, title=title.strip(), body=body.strip(), published_at=timezone.now(),
        author=actor,
    )
    audit.record(actor=actor, action="admissions.announced", target=item, data={"kind": kind})
    return item
