"""The process gate's compliance rules, each on a world where it must and must not fire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanguan.compliance import registry
from sanguan.compliance.models import Finding
from sanguan.compliance.services import compliance_run
from sanguan.teaching import monitoring, services, signals_brushing
from sanguan.teaching.models import BrushingAssessment, EarlyWarning

from .conftest import TERM_END, aware, statement


def run(code: str, today: dt.date, now: dt.datetime | None = None) -> list[registry.Detection]:
    rule = registry.get_rule(code)
    now = now or aware(today.year, today.month, today.day, 12)
    return list(rule.check(registry.RuleContext(today=today, now=now)))


def test_every_teaching_rule_is_registered_with_its_article():
    got = {r.code: r.article for r in registry.all_rules() if r.code.startswith("TEACH-")}
    assert got == {f"TEACH-00{i}": (4 if i == 1 else 5) for i in range(1, 8)}


def test_teach_001_finds_an_approved_programme_once_the_required_list_grows(approved_programme, settings):
    assert run("TEACH-001", dt.date(2026, 10, 1)) == []
    settings.SANGUAN_TEACHING = {
        "REQUIRED_POLITICAL_COURSES": {approved_programme.level: ["XI_THOUGHT", "SITUATION_AND_POLICY"]}
    }
    [d] = run("TEACH-001", dt.date(2026, 10, 1))
    assert d.subject == approved_programme
    assert d.summary_params["missing"] == "形势与政策"


def test_teach_002_finds_a_programme_below_a_raised_minimum(approved_programme, settings):
    assert run("TEACH-002", dt.date(2026, 10, 1)) == []
    settings.SANGUAN_TEACHING = {"MIN_FACE_TO_FACE_SHARE": "0.35"}
    [d] = run("TEACH-002", dt.date(2026, 10, 1))
    assert d.summary_params["share"] == "30.0%"


def test_teach_003_compares_face_to_face_hours_held_at_a_centre_with_the_minimum(offering, teacher, enrolled, centre):
    # given the CS101 offering (120 h) ended with one 2-hour session held: 1.7 %
    after = TERM_END + dt.timedelta(days=1)
    session = services.session_schedule(
        actor=teacher, offering=offering, starts_at=aware(2026, 10, 10, 9), ends_at=aware(2026, 10, 10, 11), room="A"
    )
    services.attendance_record(actor=teacher, session=session, present=enrolled, at=aware(2026, 10, 10, 9, 5))
    [d] = run("TEACH-003", after)
    assert (d.subject, d.centre_id, d.summary_params["share"]) == (centre, centre.pk, "1.7%")
    # while the offering runs, nothing is judged
    assert run("TEACH-003", dt.date(2026, 11, 1)) == []


def test_teach_004_finds_an_offering_without_records_and_clears_once_records_arrive(
    offering, enrolled, store, university
):
    [d] = run("TEACH-004", dt.date(2026, 10, 1))
    assert d.subject == offering
    assert run("TEACH-004", dt.date(2026, 9, 10)) == []  # inside the grace period
    store([statement(university, enrolled[0].student_number, aware(2026, 9, 20, 20), object_id=offering.activity_id)])
    assert run("TEACH-004", dt.date(2026, 10, 1)) == []


def test_teach_005_finds_inactive_students_until_a_warning_is_raised(offering, enrolled, university, academic_staff):
    now = aware(2026, 11, 20, 12)
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=now)
    found = run("TEACH-005", now.date(), now)
    assert sorted(d.subject.student_id for d in found) == sorted(s.pk for s in enrolled)
    monitoring.warnings_raise(actor=academic_staff, university=university, now=now)
    assert run("TEACH-005", now.date(), now) == []


def test_teach_005_reads_warnings_in_one_query_whatever_the_number_of_students(
    offering, enrolled, university, academic_staff, django_assert_max_num_queries
):
    # given every enrolled student inactive, some of them already warned
    now = aware(2026, 11, 20, 12)
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=now)
    assert len(enrolled) >= 3
    # when the rule runs / then its queries do not grow with the students (no query per engagement)
    with django_assert_max_num_queries(6):
        found = run("TEACH-005", now.date(), now)
    assert len(found) == len(enrolled)


def test_teach_006_finds_warnings_not_notified_within_a_week(offering, enrolled, university, academic_staff, teacher):
    raised_at = aware(2026, 11, 20, 12)
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=raised_at)
    monitoring.warnings_raise(actor=academic_staff, university=university, now=raised_at)
    assert run("TEACH-006", dt.date(2026, 11, 25)) == []
    late = run("TEACH-006", dt.date(2026, 11, 28))
    assert len(late) == EarlyWarning.objects.count() > 0
    for w in EarlyWarning.objects.all():
        monitoring.warning_notify(actor=teacher, warning=w, now=aware(2026, 11, 28, 9))
    assert run("TEACH-006", dt.date(2026, 11, 28)) == []


def test_teach_007_finds_high_evidence_left_unreviewed_for_two_weeks(offering, enrolled, university, academic_staff):
    a = BrushingAssessment.objects.create(
        student=enrolled[0],
        university=university,
        centre=offering.centre,
        score=Decimal("0.9"),
        signals=[{"code": "SHARED_DEVICE", "strength": 1}],
        computed_at=aware(2026, 10, 1),
        first_high_at=aware(2026, 10, 1),
    )
    assert run("TEACH-007", dt.date(2026, 10, 10)) == []
    [d] = run("TEACH-007", dt.date(2026, 10, 20))
    assert d.subject == a
    signals_brushing.brushing_review(actor=academic_staff, assessment=a, decision="UNDER_REVIEW", note="核查中")
    assert run("TEACH-007", dt.date(2026, 10, 20)) == []


@pytest.mark.django_db
def test_the_compliance_runner_runs_the_teaching_rules_and_scopes_findings(offering, enrolled):
    summary = compliance_run(rule_codes=["TEACH-004"], today=dt.date(2026, 10, 1))
    assert summary.errors == {}
    f = Finding.objects.get(rule_code="TEACH-004")
    assert (f.university_id, f.centre_id, f.article) == (offering.university_id, offering.centre_id, 5)
