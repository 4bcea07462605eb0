"""The entrance gate's compliance rules: each finds its planted violation and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanguan.admissions import services
from sanguan.admissions.models import (
    EnrollmentPlan,
    ExamScore,
    Invoice,
    Payment,
    PriorQualification,
    PublicityMaterial,
    StudentRecord,
)
from sanguan.compliance import registry
from sanguan.compliance.registry import RuleContext

from .conftest import make_id
from .test_publicity import CLEAN_AD

TODAY = dt.date(2027, 3, 1)


def run(code: str, today: dt.date = TODAY) -> list:
    rule = registry.get_rule(code)
    assert rule is not None, code
    return list(rule.check(RuleContext(today=today, now=timezone.now())))


def test_every_rule_of_the_issue_is_registered():
    codes = {r.code for r in registry.all_rules() if r.code.startswith("ADM-")}
    assert codes == {f"ADM-00{n}" for n in range(1, 9)}


def test_clean_admissions_yield_no_findings(university_admin, ready):
    services.admission_decide(actor=university_admin, applicant=ready(1), admit=True, on=TODAY)
    for n in range(1, 9):
        assert run(f"ADM-00{n}") == [], n


def test_admissions_beyond_plan_is_found(university_admin, ready, plan):
    for n in (1, 2, 3):
        services.admission_decide(actor=university_admin, applicant=ready(n), admit=True)
    # given a fourth student record written outside the services (say, migrated from an old system);
    # the plan's counter itself cannot exceed the quota (a check constraint)
    extra = ready(4)
    StudentRecord.objects.create(applicant=extra, university_id=extra.university_id, plan=plan,
                                 major_id=extra.major_id, track=extra.track, level=extra.level,
                                 student_number="LEGACY-0001", enrolled_on=TODAY)
    found = run("ADM-001")
    assert [d.subject.pk for d in found] == [plan.pk] and found[0].summary_params["admitted"] == 4


def test_post_review_late_is_found(university_admin, ready):
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=True, on=dt.date(2026, 9, 1))
    record = a.student_record
    # three months later the review is due; on 2026-12-01 it is not yet late, on 2026-12-02 it is
    assert run("ADM-002", dt.date(2026, 12, 1)) == []
    assert [d.subject.pk for d in run("ADM-002", dt.date(2026, 12, 2))] == [record.pk]
    # a review done late stays a finding; one done in time clears it
    StudentRecord.objects.filter(pk=record.pk).update(post_review_done_on=dt.date(2026, 12, 20))
    assert len(run("ADM-002", dt.date(2027, 1, 1))) == 1
    StudentRecord.objects.filter(pk=record.pk).update(post_review_done_on=dt.date(2026, 11, 1))
    assert run("ADM-002", dt.date(2027, 1, 1)) == []


def test_admitted_without_verified_qualification_is_found(university_admin, ready):
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=True)
    PriorQualification.objects.filter(applicant=a).update(status=PriorQualification.Status.REJECTED)
    assert [d.subject.pk for d in run("ADM-003")] == [a.student_record.pk]


def test_admitted_without_passing_is_found(university_admin, ready):
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=True)
    ExamScore.objects.filter(applicant=a).update(score=10)
    found = run("ADM-004")
    assert [d.subject.pk for d in found] == [a.student_record.pk]
    assert a.name not in repr(found) and a.id_number not in repr(found)


def test_publicity_in_use_without_approval_is_found(centre_staff, university, centre):
    m = services.publicity_submit(actor=centre_staff, university=university, centre=centre, title="招生",
                                  text=CLEAN_AD, channel="朋友圈", in_use=True)
    found = run("ADM-005")
    assert [d.subject.pk for d in found] == [m.pk] and found[0].centre_id == centre.pk
    PublicityMaterial.objects.filter(pk=m.pk).update(status=PublicityMaterial.Status.APPROVED)
    assert run("ADM-005") == []


def test_fee_through_a_centre_is_found(university_admin, university, ready):
    university.tuition_account = "4200"
    university.save()
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=True)
    inv = services.invoice_issue(actor=university_admin, applicant=a, amount="3000", academic_year=2026)
    p = services.payment_record(actor=university_admin, invoice=inv, amount="3000", channel=Payment.Channel.CASH,
                                collector=Payment.Collector.CENTRE, paid_on=dt.date(2026, 9, 2))
    assert [d.subject.pk for d in run("ADM-006")] == [p.pk]
    assert Invoice.objects.get(pk=inv.pk).status == Invoice.Status.ISSUED


def test_duplicate_applicants_are_found(university_admin, plan, other_university_admin, other_university):
    from sanguan.institutions.models import Level, Major

    m = Major.objects.create(university=other_university, catalogue_code="080901", name="计算机",
                             level=Level.ASSOCIATE_TO_BACHELOR)
    other = services.plan_create(actor=other_university_admin, university=other_university, year=2026, major=m,
                                 quota=5, teachers=1)
    services.plan_submit(actor=other_university_admin, plan=other)
    services.plan_approve(actor=other_university_admin, plan=other)
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=services.PersonInput(name="甲", id_number=make_id(1))).applicant
    b = services.applicant_register(actor=other_university_admin, plan=other,
                                    person=services.PersonInput(name="甲", id_number=make_id(1))).applicant
    services.applicant_register(actor=university_admin, plan=plan,
                                person=services.PersonInput(name="乙", id_number=make_id(2)))
    found = run("ADM-007")
    assert sorted(d.subject.pk for d in found) == [a.pk, b.pk]
    assert {d.university_id for d in found} == {a.university_id, b.university_id}


@pytest.mark.parametrize("approved", [False, True])
def test_plan_above_capacity_without_approval_is_found(approved, university_admin, plan):
    EnrollmentPlan.objects.filter(pk=plan.pk).update(capacity=1, over_capacity_approved=approved)
    assert len(run("ADM-008")) == (0 if approved else 1)
