"""Compliance rules of the entrance gate (Arts. 1-3 of the notice).

Most of these breaches are made impossible by the services; the rules find the ones that
arrive another way (imported history, data repaired by hand, a payment that happened
outside the system) and keep the evidence. Findings name rows by id and student number,
never by a person's name, ID or phone number."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from sanguan.compliance.registry import Detection, Evidence, RuleContext, RuleScope, Severity, message, rule

from . import services
from .models import (
    Applicant,
    EnrollmentPlan,
    ExamScore,
    PassLine,
    Payment,
    PriorQualification,
    PublicityMaterial,
    Season,
    StudentRecord,
)


def _provinces(university, centre=None) -> frozenset[str]:
    return frozenset({university.province_id} | ({centre.host_province_id} if centre is not None else set()))


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


# Msgids that findings stored by earlier versions of these rules still name.
LEGACY_MSGIDS = (gettext_noop("Channel"),)


def intake(year: int, season: str) -> dict:
    """An intake (year and season) as a nested message: "2027 Autumn", "2027年秋季"."""
    return message(gettext_noop("{year} {season}"), year=year, season=str(dict(Season.choices).get(season, season)))


def _student(record: StudentRecord, summary: str, evidence: list[Evidence], **params) -> Detection:
    return Detection(
        subject=record,
        summary=summary,
        summary_params={"number": record.student_number, "university": record.university.name, **params},
        evidence=(Evidence(label=gettext_noop("Student record {number}"), url=f"/admissions/students/{record.pk}/",
                           params={"number": record.student_number}), *evidence),
        university_id=record.university_id,
        centre_id=record.centre_id,
        provinces=_provinces(record.university, record.centre),
    )


@rule(
    code="ADM-001", article=1, severity=Severity.CRITICAL, scope=RuleScope.UNIVERSITY,
    title=_("Admissions beyond the enrollment plan"),
    description=_("A plan has more admitted students than its approved quota."),
)
def admissions_beyond_plan(context: RuleContext) -> Iterator[Detection]:
    plans = (EnrollmentPlan.objects.annotate(n=Count("student_records"))
             .filter(Q(n__gt=F("quota")) | Q(admitted_count__gt=F("quota")))
             .select_related("university", "major", "centre"))
    for plan in plans:
        yield Detection(
            subject=plan,
            summary=gettext_noop(
                "Plan {plan} of {university} admitted {admitted} students against a quota of {quota}."
            ),
            summary_params={"plan": plan.pk, "university": plan.university.name, "admitted": plan.n,
                            "quota": plan.quota},
            evidence=(Evidence(label=gettext_noop("Enrollment plan"), url=f"/admissions/plans/{plan.pk}/"),),
            university_id=plan.university_id, centre_id=plan.centre_id,
            provinces=_provinces(plan.university, plan.centre),
        )


@rule(
    code="ADM-002", article=2, severity=Severity.MEDIUM, scope=RuleScope.UNIVERSITY,
    title=_("Post-admission review not done in time"),
    description=_("The review of each new student (复查) must be done within three months of enrollment."),
)
def post_review_late(context: RuleContext) -> Iterator[Detection]:
    months = int(getattr(settings, "SANGUAN_POST_REVIEW_MONTHS", 3))
    earliest = _add_months(context.today, -months)
    records = (StudentRecord.objects.filter(enrolled_on__lt=earliest)
               .filter(Q(post_review_done_on__isnull=True) & Q(status=StudentRecord.Status.ENROLLED)
                       | Q(post_review_done_on__isnull=False))
               .select_related("university", "centre"))
    for r in records:
        deadline = _add_months(r.enrolled_on, months)
        if r.post_review_done_on is not None and r.post_review_done_on <= deadline:
            continue
        yield _student(
            r,
            gettext_noop("Student {number} of {university} enrolled on {enrolled}; the review was due by {deadline}."),
            [Evidence(label=gettext_noop("Review done on"), value=str(r.post_review_done_on or "—"))],
            enrolled=r.enrolled_on.isoformat(), deadline=deadline.isoformat(),
        )


@rule(
    code="ADM-003", article=2, severity=Severity.HIGH, scope=RuleScope.UNIVERSITY,
    title=_("Admitted without a verified prior qualification"),
    description=_("Every admitted student's prior qualification (前置学历) must be verified with evidence."),
)
def admitted_without_verified_qualification(context: RuleContext) -> Iterator[Detection]:
    verified = PriorQualification.objects.filter(status=PriorQualification.Status.VERIFIED).values("applicant_id")
    for r in StudentRecord.objects.exclude(applicant_id__in=verified).select_related("university", "centre"):
        yield _student(r, gettext_noop("Student {number} of {university} was admitted without a verified prior "
                                       "qualification."), [])


@rule(
    code="ADM-004", article=2, severity=Severity.HIGH, scope=RuleScope.UNIVERSITY,
    title=_("Admitted without passing the entrance exam"),
    description=_("Every admitted student must have an entrance exam score at or above the pass line."),
)
def admitted_without_passing(context: RuleContext) -> Iterator[Detection]:
    records = list(StudentRecord.objects.select_related("university", "centre", "applicant"))
    scores: dict[int, list[ExamScore]] = defaultdict(list)
    for s in ExamScore.objects.filter(applicant_id__in=[r.applicant_id for r in records]):
        scores[s.applicant_id].append(s)
    lines = list(PassLine.objects.filter(session_id__in={s.session_id for v in scores.values() for s in v}))
    for r in records:
        if not services.exam_passed(r.applicant, scores.get(r.applicant_id, []), lines):
            yield _student(r, gettext_noop("Student {number} of {university} was admitted without an entrance exam "
                                           "score at or above the pass line."), [])


@rule(
    code="ADM-005", article=3, severity=Severity.HIGH, scope=RuleScope.CENTRE,
    title=_("Publicity in use without approval or with forbidden claims"),
    description=_("Publicity may be used only once the university approved it and its scan is clean."),
)
def publicity_in_use_unapproved(context: RuleContext) -> Iterator[Detection]:
    materials = (PublicityMaterial.objects.filter(in_use=True)
                 .filter(~Q(status=PublicityMaterial.Status.APPROVED) | ~Q(lint_hits=[]))
                 .select_related("university", "centre"))
    for m in materials:
        yield Detection(
            subject=m,
            summary=gettext_noop("Publicity {id} ({status}) of {university} is in use on {channel}."),
            summary_params={"id": m.pk, "status": str(m.get_status_display()), "university": m.university.name,
                            "channel": m.channel},
            evidence=tuple(
                [Evidence(label=gettext_noop("Publicity material"), url=f"/admissions/publicity/{m.pk}/")]
                + [Evidence(label=gettext_noop("Scan hit {code}"), value=h.get("matched", ""),
                            params={"code": h.get("code", "")}) for h in m.lint_hits]
            ),
            university_id=m.university_id, centre_id=m.centre_id, provinces=_provinces(m.university, m.centre),
        )


@rule(
    code="ADM-006", article=2, severity=Severity.CRITICAL, scope=RuleScope.CENTRE,
    title=_("Fee taken by a centre, an agent or a person"),
    description=_("Tuition may be paid only into the university's own account; no centre, agent or person may "
                  "collect it."),
)
def fee_through_forbidden_channel(context: RuleContext) -> Iterator[Detection]:
    payments = (Payment.objects.exclude(collector=Payment.Collector.UNIVERSITY)
                .select_related("invoice__university", "invoice__applicant__centre"))
    for p in payments:
        university = p.invoice.university
        centre = p.invoice.applicant.centre
        yield Detection(
            subject=p,
            summary=gettext_noop("Payment {id} of {amount} yuan on invoice {invoice} was collected by {collector}."),
            summary_params={"id": p.pk, "amount": str(p.amount), "invoice": p.invoice_id,
                            "collector": str(p.get_collector_display())},
            evidence=(Evidence(label=gettext_noop("Payment channel"), value=str(p.get_channel_display())),
                      Evidence(label=gettext_noop("Paid on"), value=p.paid_on.isoformat())),
            university_id=university.pk, centre_id=centre.pk if centre else None,
            provinces=_provinces(university, centre),
        )


@rule(
    code="ADM-007", article=2, severity=Severity.MEDIUM, scope=RuleScope.UNIVERSITY,
    title=_("The same person applied to several universities in one intake"),
    description=_("Applications matched by the keyed digest of the ID number across universities in the same "
                  "intake."),
)
def duplicate_applicants(context: RuleContext) -> Iterator[Detection]:
    groups = {
        (g["year"], g["season"], g["id_digest"])
        for g in Applicant.objects.values("year", "season", "id_digest")
        .annotate(u=Count("university_id", distinct=True)).filter(u__gt=1)
    }
    candidates = Applicant.objects.filter(
        year__in={g[0] for g in groups}, season__in={g[1] for g in groups}, id_digest__in={g[2] for g in groups}
    ).select_related("university", "centre")
    for a in candidates.order_by("pk"):
        if (a.year, a.season, a.id_digest) not in groups:
            continue
        yield Detection(
            subject=a,
            summary=gettext_noop("Applicant {id} ({intake}) of {university} has also applied to another university."),
            summary_params={"id": a.pk, "intake": intake(a.year, a.season), "university": a.university.name},
            evidence=(Evidence(label=gettext_noop("Identity digest"), value=a.id_digest[:16]),),
            university_id=a.university_id, centre_id=a.centre_id, provinces=_provinces(a.university, a.centre),
        )


@rule(
    code="ADM-008", article=1, severity=Severity.HIGH, scope=RuleScope.UNIVERSITY,
    title=_("Plan above capacity without approval"),
    description=_("A plan whose quota exceeds the capacity it rests on needs a written justification and approval."),
)
def plan_above_capacity_unapproved(context: RuleContext) -> Iterator[Detection]:
    plans = (EnrollmentPlan.objects.filter(quota__gt=F("capacity"), over_capacity_approved=False)
             .filter(Q(status=EnrollmentPlan.Status.APPROVED) | Q(admitted_count__gt=0))
             .select_related("university", "centre"))
    for plan in plans:
        yield Detection(
            subject=plan,
            summary=gettext_noop("Plan {plan} of {university} has a quota of {quota} above its capacity of {capacity} "
                                 "without an approved justification."),
            summary_params={"plan": plan.pk, "university": plan.university.name, "quota": plan.quota,
                            "capacity": plan.capacity},
            evidence=(Evidence(label=gettext_noop("Enrollment plan"), url=f"/admissions/plans/{plan.pk}/"),),
            university_id=plan.university_id, centre_id=plan.centre_id,
            provinces=_provinces(plan.university, plan.centre),
        )
