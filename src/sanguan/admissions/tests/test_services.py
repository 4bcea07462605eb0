"""Services of the entrance gate: each state change's success, forbidden roles, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanguan.accounts.models import Role
from sanguan.admissions import services
from sanguan.admissions.models import Applicant, EnrollmentPlan, PriorQualification, Season, StudentRecord
from sanguan.admissions.services import PersonInput
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, PermissionDenied
from sanguan.supervision.models import Sanction

from .conftest import make_id

UNIVERSITY_DECIDERS = {Role.UNIVERSITY_ADMIN, Role.ACADEMIC_STAFF}
ALL_ROLES = list(Role.values)


def _audit_texts() -> str:
    return repr(list(AuditEvent.objects.values_list("data", "leaf_input")))


# ------------------------------------------------------------------ plans


def test_plan_within_capacity_is_submitted_and_approved(university_admin, university, major):
    # given a quota below capacity (10 teachers x 150 = 1500)
    plan = services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=500,
                                teachers=10, centre_seats=1000, course_resources=100)
    # when it is submitted and approved
    services.plan_submit(actor=university_admin, plan=plan)
    plan = services.plan_approve(actor=university_admin, plan=plan)
    # then it is approved, not over capacity, and each step was audited
    assert plan.status == EnrollmentPlan.Status.APPROVED
    assert plan.capacity == 1500 and not plan.over_capacity_approved
    assert list(AuditEvent.objects.filter(target_id=str(plan.pk)).values_list("action", flat=True)) == [
        "admissions.plan_created", "admissions.plan_submitted", "admissions.plan_approved"]


def test_plan_above_capacity_needs_a_justification(university_admin, university, major):
    # given a plan above capacity
    plan = services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=5000,
                                teachers=10, centre_seats=1000, course_resources=100)
    # when it is submitted without a justification / then it is refused
    with pytest.raises(ApplicationError) as err:
        services.plan_submit(actor=university_admin, plan=plan)
    assert err.value.code == "PLAN_JUSTIFICATION_REQUIRED"
    assert err.value.extra == {"quota": 5000, "capacity": 1500}
    # when a justification is given / then approval records the over-capacity approval
    services.plan_submit(actor=university_admin, plan=plan,
                         justification="新增 40 名专职教师已于 2026 年 3 月到岗，课程资源同步扩充。")
    plan = services.plan_approve(actor=university_admin, plan=plan)
    assert plan.over_capacity_approved is True


def test_capacity_rule_is_configurable(university_admin, university, major):
    # given a stricter capacity rule
    services.capacity_rule_set(actor=university_admin, university=university, students_per_teacher=10,
                               students_per_seat=None, students_per_course=None)
    # when a plan is created
    plan = services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=50,
                                teachers=3)
    # then its capacity follows the rule
    assert plan.capacity == 30 and plan.is_over_capacity


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in UNIVERSITY_DECIDERS])
def test_plan_create_is_refused_to_other_roles(role, every_role, university, major):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=every_role[role], university=university, year=2026, major=major, quota=10)


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != Role.UNIVERSITY_ADMIN])
def test_plan_approve_is_refused_to_other_roles(role, every_role, university_admin, university, major):
    plan = services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=10,
                                teachers=1)
    services.plan_submit(actor=university_admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=every_role[role], plan=plan)


def test_plan_for_another_universitys_major_is_refused(other_university_admin, other_university, major):
    with pytest.raises(ApplicationError) as err:
        services.plan_create(actor=other_university_admin, university=other_university, year=2026, major=major,
                             quota=10)
    assert err.value.code == "PLAN_INVALID"


def test_duplicate_plan_is_a_conflict_and_leaves_nothing(university_admin, university, major):
    services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=10)
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as err:
        services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=20)
    assert err.value.code == "PLAN_DUPLICATE" and err.value.status == 409
    assert EnrollmentPlan.objects.count() == 1 and AuditEvent.objects.count() == events


@pytest.mark.parametrize("quota", [0, -5])
def test_plan_with_no_quota_is_refused(quota, university_admin, university, major):
    with pytest.raises(ApplicationError) as err:
        services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=quota)
    assert err.value.code == "PLAN_INVALID"


# ------------------------------------------------------------------ applicants


def test_centre_staff_registers_an_applicant_for_their_centre(centre_staff, centre, plan):
    # when centre staff register an applicant at their centre
    reg = services.applicant_register(actor=centre_staff, plan=plan, centre=centre,
                                      person=PersonInput(name="张三", id_number=make_id(7), phone="13912345678"))
    # then it is recorded as centre-assisted, and no personal data reaches the audit log
    a = reg.applicant
    assert a.channel == Applicant.Channel.CENTRE and a.centre == centre and a.registered_by == centre_staff
    assert a.birth_date == dt.date(1990, 1, 1) and a.sex == "M"
    assert reg.warnings == []
    text = _audit_texts()
    assert make_id(7) not in text and "13912345678" not in text and "张三" not in text


def test_centre_staff_cannot_register_for_another_centre(centre_staff, other_centre, plan):
    with pytest.raises(PermissionDenied):
        services.applicant_register(actor=centre_staff, plan=plan, centre=other_centre,
                                    person=PersonInput(name="张三", id_number=make_id(7)))


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.NATIONAL_REGULATOR, Role.PROVINCE_REGULATOR, Role.TEACHER,
                                  Role.STUDENT])
def test_register_applicant_is_refused_to_other_roles(role, every_role, plan, centre):
    with pytest.raises(PermissionDenied):
        services.applicant_register(actor=every_role[role], plan=plan, centre=centre,
                                    person=PersonInput(name="张三", id_number=make_id(7)))


def test_self_registration_is_recorded_as_such(student, plan):
    reg = services.applicant_self_register(actor=student, plan=plan,
                                           person=PersonInput(name="李四", id_number=make_id(8)))
    assert reg.applicant.channel == Applicant.Channel.SELF and reg.applicant.user == student


def test_self_registration_elsewhere_is_refused(student, other_university_admin, other_university):
    from sanguan.institutions.models import Level, Major

    m = Major.objects.create(university=other_university, catalogue_code="080901", name="计算机",
                             level=Level.ASSOCIATE_TO_BACHELOR)
    plan = services.plan_create(actor=other_university_admin, university=other_university, year=2026, major=m,
                                quota=5, teachers=1)
    services.plan_submit(actor=other_university_admin, plan=plan)
    services.plan_approve(actor=other_university_admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.applicant_self_register(actor=student, plan=plan,
                                          person=PersonInput(name="李四", id_number=make_id(8)))


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "ID_NUMBER_CHECKSUM"),  # brief c1: wrong check character
        ("11010519491331002", "ID_NUMBER_FORMAT"),
        ("420102199002300000", None),  # 30 February, check char fixed below
        ("420102209901010000", None),  # born in the future
    ],
)
def test_bad_id_numbers_are_refused_and_nothing_is_written(number, reason, university_admin, plan):
    from sanguan.codes.validators import id_check_char

    if reason is None:
        number = number[:17] + id_check_char(number[:17])
    with pytest.raises(ApplicationError) as err:
        services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="王五", id_number=number))
    assert err.value.code == "ID_NUMBER_INVALID"
    assert err.value.extra["reason"] == (reason or "ID_NUMBER_BIRTH_DATE")
    assert Applicant.objects.count() == 0


def test_unknown_region_only_warns(university_admin, plan):
    # given the standard's example with an obsolete place code (brief c1) / 990000 unknown province
    reg = services.applicant_register(actor=university_admin, plan=plan,
                                      person=PersonInput(name="赵六", id_number=make_id(3, region="990101")))
    assert [w["code"] for w in reg.warnings] == ["ID_REGION_UNKNOWN"]
    assert reg.applicant.id_region_known is False


def test_lower_case_x_is_accepted(university_admin, plan):
    reg = services.applicant_register(actor=university_admin, plan=plan,
                                      person=PersonInput(name="钱七", id_number="11010519491231002x"))
    assert reg.applicant.id_number == "11010519491231002X"


def test_bad_phone_is_refused(university_admin, plan):
    with pytest.raises(ApplicationError) as err:
        services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="孙八", id_number=make_id(1), phone="12345"))
    assert err.value.code == "PHONE_INVALID"


def test_same_person_twice_at_one_university_is_refused(university_admin, plan):
    services.applicant_register(actor=university_admin, plan=plan,
                                person=PersonInput(name="周九", id_number=make_id(1)))
    with pytest.raises(ApplicationError) as err:
        services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="周九", id_number=make_id(1)))
    assert err.value.code == "APPLICANT_DUPLICATE" and err.value.status == 409


def test_same_person_at_two_universities_is_flagged_on_both(university_admin, plan, other_university_admin,
                                                           other_university):
    from sanguan.institutions.models import Level, Major

    m = Major.objects.create(university=other_university, catalogue_code="080901", name="计算机",
                             level=Level.ASSOCIATE_TO_BACHELOR)
    other_plan = services.plan_create(actor=other_university_admin, university=other_university, year=2026,
                                      major=m, quota=5, teachers=1)
    services.plan_submit(actor=other_university_admin, plan=other_plan)
    services.plan_approve(actor=other_university_admin, plan=other_plan)
    first = services.applicant_register(actor=university_admin, plan=plan,
                                        person=PersonInput(name="吴十", id_number=make_id(1))).applicant
    # when the same person applies elsewhere for the same intake
    second = services.applicant_register(actor=other_university_admin, plan=other_plan,
                                         person=PersonInput(name="吴十", id_number=make_id(1)))
    # then both applications are flagged, matched by the keyed digest
    first.refresh_from_db()
    assert first.duplicate_flag and second.applicant.duplicate_flag
    assert [w["code"] for w in second.warnings] == ["DUPLICATE_ELSEWHERE"]
    assert first.id_digest == second.applicant.id_digest != make_id(1)


def test_registration_needs_an_approved_plan(university_admin, university, major):
    draft = services.plan_create(actor=university_admin, university=university, year=2026, major=major, quota=5)
    with pytest.raises(ApplicationError) as err:
        services.applicant_register(actor=university_admin, plan=draft,
                                    person=PersonInput(name="郑一", id_number=make_id(1)))
    assert err.value.code == "PLAN_NOT_APPROVED"


# ------------------------------------------------------------------ qualification, exams, review


def test_qualification_with_impossible_date_is_refused(university_admin, plan):
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="甲", id_number=make_id(1))).applicant
    for day in (dt.date(1980, 1, 1), dt.date.today() + dt.timedelta(days=30)):
        with pytest.raises(ApplicationError) as err:
            services.qualification_declare(actor=university_admin, applicant=a, kind="ASSOCIATE",
                                           institution_name="某学院", graduated_on=day, report_number="ABCDEFGH12")
        assert err.value.code == "DATE_INVALID"
    assert not PriorQualification.objects.exists()


def test_high_school_does_not_qualify_for_associate_to_bachelor(university_admin, plan):
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="乙", id_number=make_id(1))).applicant
    with pytest.raises(ApplicationError) as err:
        services.qualification_declare(actor=university_admin, applicant=a, kind="HIGH_SCHOOL",
                                       institution_name="某中学", graduated_on=dt.date(2010, 7, 1))
    assert err.value.code == "QUALIFICATION_INVALID"


def test_verification_needs_evidence(university_admin, plan):
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="丙", id_number=make_id(1))).applicant
    q = services.qualification_declare(actor=university_admin, applicant=a, kind="ASSOCIATE",
                                       institution_name="某学院", graduated_on=dt.date(2012, 7, 1))
    with pytest.raises(ApplicationError) as err:
        services.qualification_verify(actor=university_admin, qualification=q, accepted=True)
    assert err.value.code == "QUALIFICATION_INVALID"


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in UNIVERSITY_DECIDERS])
def test_qualification_verify_is_refused_to_other_roles(role, every_role, university_admin, plan):
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="丁", id_number=make_id(1))).applicant
    q = services.qualification_declare(actor=university_admin, applicant=a, kind="ASSOCIATE",
                                       institution_name="某学院", graduated_on=dt.date(2012, 7, 1),
                                       report_number="ABCDEFGH12")
    with pytest.raises(PermissionDenied):
        services.qualification_verify(actor=every_role[role], qualification=q, accepted=True)


def test_a_configured_verifier_decides(university_admin, plan):
    from sanguan.admissions.verification import VerificationOutcome

    class NationalService:
        method = "chsi"

        def verify(self, *, qualification, proposed, note):
            return VerificationOutcome(verified=False, method=self.method, note="no record")

    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="戊", id_number=make_id(1))).applicant
    q = services.qualification_declare(actor=university_admin, applicant=a, kind="ASSOCIATE",
                                       institution_name="某学院", graduated_on=dt.date(2012, 7, 1),
                                       report_number="ABCDEFGH12")
    q = services.qualification_verify(actor=university_admin, qualification=q, accepted=True,
                                      verifier=NationalService())
    assert q.status == PriorQualification.Status.REJECTED and q.method == "chsi"


@pytest.mark.parametrize("score", ["-1", "451", "abc", "NaN"])
def test_out_of_range_scores_are_refused(score, university_admin, plan, session):
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="己", id_number=make_id(1))).applicant
    with pytest.raises(ApplicationError) as err:
        services.score_record(actor=university_admin, applicant=a, session=session, score=score)
    assert err.value.code == "SCORE_INVALID"


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in UNIVERSITY_DECIDERS])
def test_score_record_is_refused_to_other_roles(role, every_role, university_admin, plan, session):
    a = services.applicant_register(actor=university_admin, plan=plan,
                                    person=PersonInput(name="庚", id_number=make_id(1))).applicant
    with pytest.raises(PermissionDenied):
        services.score_record(actor=every_role[role], applicant=a, session=session, score="200")


def test_major_pass_line_overrides_the_level_line(university_admin, plan, session, major, ready):
    a = ready(1)  # 200 >= level line 150
    services.pass_line_set(actor=university_admin, session=session, level=major.level, major=major,
                           min_score=Decimal("250"))
    with pytest.raises(ApplicationError) as err:
        services.admission_decide(actor=university_admin, applicant=a, admit=True)
    assert err.value.code == "EXAM_NOT_PASSED"


# ------------------------------------------------------------------ admission


def test_admission_creates_the_student_record(academic_staff, ready, plan):
    # given an applicant meeting every condition
    a = ready(1)
    # when academic staff admit them
    a = services.admission_decide(actor=academic_staff, applicant=a, admit=True, on=dt.date(2026, 9, 1))
    # then a student record exists with a student number, and the plan counts one admission
    record = StudentRecord.objects.get(applicant=a)
    assert a.status == Applicant.Status.ADMITTED
    assert record.student_number == f"2611072{plan.pk:06d}00001"
    assert record.enrolled_on == dt.date(2026, 9, 1)
    plan.refresh_from_db()
    assert plan.admitted_count == 1
    assert AuditEvent.objects.filter(action="admissions.decided", target_id=str(a.pk)).count() == 1


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r not in UNIVERSITY_DECIDERS])
def test_admission_is_refused_to_every_other_role(role, every_role, ready):
    a = ready(1)
    with pytest.raises(PermissionDenied):
        services.admission_decide(actor=every_role[role], applicant=a, admit=True)
    assert not StudentRecord.objects.exists()


def test_other_universitys_admin_cannot_admit(other_university_admin, ready):
    with pytest.raises(PermissionDenied):
        services.admission_decide(actor=other_university_admin, applicant=ready(1), admit=True)


def test_admission_past_the_plan_is_refused(university_admin, ready, plan):
    # given a plan of 3, filled
    for n in (1, 2, 3):
        services.admission_decide(actor=university_admin, applicant=ready(n), admit=True)
    fourth = ready(4)
    # when a fourth is admitted / then refused, and nothing was written
    with pytest.raises(ApplicationError) as err:
        services.admission_decide(actor=university_admin, applicant=fourth, admit=True)
    assert err.value.code == "PLAN_FULL" and err.value.status == 409
    fourth.refresh_from_db()
    assert fourth.status == Applicant.Status.REGISTERED and StudentRecord.objects.count() == 3


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        ("qualification", "QUALIFICATION_NOT_VERIFIED"),
        ("score", "EXAM_NOT_PASSED"),
        ("review", "REVIEW_NOT_PASSED"),
    ],
)
def test_admission_needs_every_check(spoil, code, university_admin, plan, session, ready):
    a = ready(1)
    if spoil == "qualification":
        PriorQualification.objects.filter(applicant=a).update(status=PriorQualification.Status.PENDING)
    elif spoil == "score":
        services.score_record(actor=university_admin, applicant=a, session=session, score="100")
    else:
        services.moral_review_record(actor=university_admin, applicant=a, passed=False)
    with pytest.raises(ApplicationError) as err:
        services.admission_decide(actor=university_admin, applicant=a, admit=True)
    assert err.value.code == code
    assert not StudentRecord.objects.exists()


def test_admission_is_refused_under_suspension(university_admin, national_regulator, ready, university):
    Sanction.objects.create(kind=Sanction.Kind.ENROLMENT_SUSPENDED, university=university,
                            starts_on=dt.date(2026, 1, 1), reason="教学过程缺失", issued_by=national_regulator)
    with pytest.raises(ApplicationError) as err:
        services.admission_decide(actor=university_admin, applicant=ready(1), admit=True, on=dt.date(2026, 9, 1))
    assert err.value.code == "ENROLLMENT_SUSPENDED"
    assert not StudentRecord.objects.exists()


def test_suspension_of_another_major_does_not_apply(university_admin, national_regulator, ready, university):
    from sanguan.institutions.models import Level, Major

    other = Major.objects.create(university=university, catalogue_code="120203K", name="会计学",
                                 level=Level.ASSOCIATE_TO_BACHELOR)
    Sanction.objects.create(kind=Sanction.Kind.ENROLMENT_SUSPENDED, university=university, major=other,
                            starts_on=dt.date(2026, 1, 1), reason="x", issued_by=national_regulator)
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=True, on=dt.date(2026, 9, 1))
    assert a.status == Applicant.Status.ADMITTED


def test_admission_is_capped_under_limitation(university_admin, national_regulator, ready, university):
    # given a limitation to 2 admissions from 2026-01-01
    Sanction.objects.create(kind=Sanction.Kind.ENROLMENT_LIMITED, limit=2, university=university,
                            starts_on=dt.date(2026, 1, 1), reason="生师比不达标", issued_by=national_regulator)
    on = dt.date(2026, 9, 1)
    services.admission_decide(actor=university_admin, applicant=ready(1), admit=True, on=on)
    services.admission_decide(actor=university_admin, applicant=ready(2), admit=True, on=on)
    # when a third is admitted / then refused although the plan has room
    with pytest.raises(ApplicationError) as err:
        services.admission_decide(actor=university_admin, applicant=ready(3), admit=True, on=on)
    assert err.value.code == "ENROLLMENT_LIMIT_REACHED"
    assert StudentRecord.objects.count() == 2


def test_rejection_is_final(university_admin, ready):
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=False, note="材料不实")
    assert a.status == Applicant.Status.REJECTED
    with pytest.raises(ApplicationError) as err:
        services.admission_decide(actor=university_admin, applicant=a, admit=True)
    assert err.value.code == "APPLICANT_NOT_PENDING"


def test_batch_admission_is_all_or_nothing(university_admin, ready, plan):
    # given four ready applicants for a plan of three
    ids = [ready(n).pk for n in (1, 2, 3, 4)]
    # when they are admitted in one batch / then the batch is refused with the reason, and nobody is admitted
    with pytest.raises(ApplicationError) as err:
        services.admission_decide_batch(actor=university_admin, applicant_ids=ids)
    assert err.value.code == "BATCH_REFUSED"
    assert err.value.extra["errors"][0]["codes"] == ["PLAN_FULL"]
    assert not StudentRecord.objects.exists()
    plan.refresh_from_db()
    assert plan.admitted_count == 0
    # when three are admitted / then all three are
    records = services.admission_decide_batch(actor=university_admin, applicant_ids=ids[:3])
    assert len({r.student_number for r in records}) == 3


# ------------------------------------------------------------------ post-admission review, FTE


def test_post_review_in_the_future_is_refused(university_admin, ready):
    a = services.admission_decide(actor=university_admin, applicant=ready(1), admit=True)
    with pytest.raises(ApplicationError) as err:
        services.post_review_record(actor=university_admin, record=a.student_record,
                                    passed=True, on=dt.date.today() + dt.timedelta(days=1))
    assert err.value.code == "DATE_INVALID"


def test_fte_report_counts_only_configured_weights(university_admin, ready, university):
    from sanguan.admissions.selectors import fte_report

    services.admission_decide(actor=university_admin, applicant=ready(1), admit=True)
    services.admission_decide(actor=university_admin, applicant=ready(2), admit=True)
    # given no weights configured (brief b9: online weight None until configured)
    report = fte_report(user=university_admin, university=university)
    assert report["fte_total"] == Decimal("0.00") and set(report["uncounted_tracks"]) == {"LEGACY_ONLINE",
                                                                                           "CONTINUING"}
    # when weights are configured / then they are applied
    services.fte_config_set(actor=university_admin, university=university, online_weight=None,
                            continuing_weight=Decimal("0.3"))
    report = fte_report(user=university_admin, university=university)
    assert report["fte_total"] == Decimal("0.60")


def test_fte_config_is_refused_to_academic_staff(academic_staff, university):
    with pytest.raises(PermissionDenied):
        services.fte_config_set(actor=academic_staff, university=university, online_weight=Decimal("0.1"),
                                continuing_weight=None)


def test_season_values_are_checked(university_admin, university, major):
    with pytest.raises(ApplicationError) as err:
        services.plan_create(actor=university_admin, university=university, year=2026, season="WINTER",
                             major=major, quota=5)
    assert err.value.code == "PLAN_INVALID"
    assert Season.AUTUMN in Season.values


def test_a_centre_whose_enrollment_is_suspended_cannot_register(centre_staff, centre, plan):
    from sanguan.institutions.models import LearningCentre

    LearningCentre.objects.filter(pk=centre.pk).update(status=LearningCentre.Status.ENROLMENT_SUSPENDED)
    centre.refresh_from_db()
    with pytest.raises(ApplicationError) as err:
        services.applicant_register(actor=centre_staff, plan=plan, centre=centre,
                                    person=PersonInput(name="张三", id_number=make_id(7)))
    assert err.value.code == "CENTRE_NOT_OPERATING" and err.value.status == 409
    assert not Applicant.objects.exists()
