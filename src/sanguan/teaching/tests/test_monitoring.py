"""Engagement from learning records, and the early-warning feedback loop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanguan.accounts.models import Role
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied
from sanguan.records.models import Statement
from sanguan.teaching import monitoring
from sanguan.teaching.models import EarlyWarning, Engagement, WarningStep

from .conftest import aware, statement

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
NOW = aware(2026, 11, 20, 12)


def test_time_on_task_is_the_union_of_durations_and_short_gaps():
    # given: a 10-minute video report, a click 2 min later, and a click 3 hours later
    t0 = aware(2026, 10, 1, 20)
    ev = [
        monitoring.Event("1", "n", t0, "v", "o", duration=600),
        monitoring.Event("2", "n", t0 + dt.timedelta(minutes=2), "v", "o"),
        monitoring.Event("3", "n", t0 + dt.timedelta(hours=3), "v", "o"),
        # a duplicate report of the same 10 minutes counts once
        monitoring.Event("4", "n", t0, "v", "o", duration=600),
    ]
    # then: 10 min + 2 min; the 3-hour gap is idle
    assert monitoring.time_on_task(ev, idle_cap=600, max_statement=3600) == 720


def test_a_single_statement_claiming_ten_hours_counts_for_the_cap():
    ev = [monitoring.Event("1", "n", aware(2026, 10, 1, 20), "v", "o", duration=36000)]
    assert monitoring.time_on_task(ev, idle_cap=600, max_statement=3600) == 3600


@pytest.mark.parametrize(
    ("text", "seconds"), [("PT1H2M3S", 3723), ("PT0.5S", 0.5), ("P1DT1M", 86460), ("PT", 0), ("1 hour", None)]
)
def test_iso_durations(text, seconds):
    assert monitoring.parse_duration(text) == seconds


def test_engagement_refresh_reads_the_students_records(offering, enrolled, store, university, academic_staff):
    # given: student 1 completes two units and answers a quiz on two days, and visits another course
    n1 = enrolled[0].student_number
    unit = offering.activity_id + "/unit/{}"
    store(
        [
            statement(university, n1, aware(2026, 10, 1, 20), object_id=unit.format(1), duration="PT20M"),
            statement(university, n1, aware(2026, 10, 1, 20, 25), verb=COMPLETED, object_id=unit.format(1)),
            statement(
                university, n1, aware(2026, 10, 3, 21), verb=COMPLETED, object_id=unit.format(2), duration="PT10M"
            ),
            statement(
                university,
                n1,
                aware(2026, 10, 3, 21, 5),
                verb=ANSWERED,
                object_id="https://quiz.example/q1",
                score=0.8,
                parent=offering.activity_id,
            ),
            statement(university, n1, aware(2026, 10, 3, 22), object_id="https://lms.example.edu.cn/course/other"),
        ]
    )

    # when
    n = monitoring.engagement_refresh(actor=academic_staff, university=university, now=NOW)

    # then
    assert n == 3
    e = Engagement.objects.get(enrolment__student=enrolled[0])
    assert (e.statements, e.active_days, e.units_completed, e.assessment_events) == (4, 2, 2, 1)
    assert e.progress == Decimal("0.5000")  # 2 of 4 units
    # 20 min reported (the 25-min gap after it is idle), then 10 min reported and a 5-min gap
    assert e.time_on_task_seconds == 20 * 60 + 10 * 60 + 5 * 60
    assert e.last_activity_at == aware(2026, 10, 3, 21, 5)
    idle = Engagement.objects.get(enrolment__student=enrolled[1])
    assert (idle.statements, idle.time_on_task_seconds, idle.last_activity_at) == (0, 0, None)
    assert AuditEvent.objects.get(action="monitoring.refreshed").data == {
        "offering_ids": [offering.pk],
        "enrolments": 3,
        "full": True,
        "statements_read": 5,
        "watermark": Statement.objects.latest("pk").pk,
    }


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CENTRE_STAFF, Role.STUDENT, Role.NATIONAL_REGULATOR])
def test_engagement_refresh_is_refused_to_roles_without_monitoring_refresh(role, every_role, university):
    with pytest.raises(PermissionDenied):
        monitoring.engagement_refresh(actor=every_role[role], university=university)


def test_refresh_is_refused_for_another_university(other_university_admin, university):
    with pytest.raises(PermissionDenied):
        monitoring.engagement_refresh(actor=other_university_admin, university=university)


# ------------------------------------------------------------------ warnings


@pytest.fixture
def refreshed(offering, enrolled, store, university, academic_staff):
    n1 = enrolled[0].student_number
    store(
        [
            statement(
                university,
                n1,
                aware(2026, 11, 18, 19 + i),
                verb=COMPLETED,
                object_id=offering.activity_id + f"/unit/{i}",
                duration="PT1H",
            )
            for i in (1, 2, 3)
        ]
    )
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=NOW)
    return enrolled


def test_warnings_are_raised_from_the_rules_once_per_kind(refreshed, university, teacher):
    # when
    raised = monitoring.warnings_raise(actor=teacher, university=university, now=NOW)

    # then: the two students with no records are inactive since the start, low on progress and time
    kinds = sorted((w.enrolment.student_id, w.kind) for w in raised)
    s2, s3 = refreshed[1].pk, refreshed[2].pk
    assert kinds == sorted(
        [(s, k) for s in (s2, s3) for k in ("INACTIVE_DAYS", "LOW_PROGRESS", "LOW_TIME_ON_TASK_MINUTES")]
    )
    assert AuditEvent.objects.filter(action="warnings.raised").count() == 6
    # a second run raises nothing new while those are open
    assert monitoring.warnings_raise(actor=teacher, university=university, now=NOW) == []


def test_a_configured_rule_overrides_the_default_and_can_be_switched_off(
    refreshed, university, academic_staff, teacher
):
    monitoring.warning_rule_set(
        actor=academic_staff, university=university, kind="LOW_PROGRESS", threshold="0.3", is_active=False
    )
    monitoring.warning_rule_set(
        actor=academic_staff, university=university, kind="LOW_TIME_ON_TASK_MINUTES", threshold=1, is_active=False
    )
    raised = monitoring.warnings_raise(actor=teacher, university=university, now=NOW)
    assert {w.kind for w in raised} == {"INACTIVE_DAYS"}


@pytest.mark.parametrize(
    ("kind", "threshold", "code"),
    [
        ("NOPE", 1, "WARNING_RULE_KIND_UNKNOWN"),
        ("LOW_PROGRESS", "1.5", "WARNING_RULE_THRESHOLD_INVALID"),
        ("INACTIVE_DAYS", "x", "WARNING_RULE_THRESHOLD_INVALID"),
    ],
)
def test_warning_rule_set_refuses_bad_input(university, academic_staff, kind, threshold, code):
    with pytest.raises(ApplicationError) as exc:
        monitoring.warning_rule_set(actor=academic_staff, university=university, kind=kind, threshold=threshold)
    assert exc.value.code == code


def test_teacher_cannot_configure_warning_rules(university, teacher):
    with pytest.raises(PermissionDenied):
        monitoring.warning_rule_set(actor=teacher, university=university, kind="INACTIVE_DAYS", threshold=7)


def test_the_feedback_loop_from_warning_to_closed_is_recorded_step_by_step(refreshed, university, teacher):
    # given a raised warning for student 2 (the user "stu2")
    monitoring.warnings_raise(actor=teacher, university=university, now=NOW)
    warning = EarlyWarning.objects.filter(enrolment__student=refreshed[1], kind="INACTIVE_DAYS").get()
    student_user = refreshed[1].user

    # when: notified, the student answers, the teacher closes it
    monitoring.warning_notify(actor=teacher, warning=warning, note="短信与平台消息")
    monitoring.warning_respond(actor=student_user, warning=warning, note="工作出差，下周补学")
    monitoring.warning_close(actor=teacher, warning=warning, note="已恢复学习")

    # then
    warning.refresh_from_db()
    assert warning.status == "CLOSED"
    assert list(WarningStep.objects.filter(warning=warning).values_list("to_status", flat=True)) == [
        "RAISED",
        "NOTIFIED",
        "RESPONDED",
        "CLOSED",
    ]
    notified = AuditEvent.objects.get(action="warnings.notify")
    assert notified.data == {
        "warning_id": warning.pk,
        "to": "NOTIFIED",
        "notified_user_ids": sorted([student_user.pk, refreshed[1].teaching_enrolments.get().offering.teacher_id]),
    }
    assert AuditEvent.objects.filter(action__in=["warnings.respond", "warnings.close"]).count() == 2


def test_a_warning_cannot_be_closed_without_a_response_or_intervention(refreshed, university, teacher):
    monitoring.warnings_raise(actor=teacher, university=university, now=NOW)
    warning = EarlyWarning.objects.filter(enrolment__student=refreshed[1]).first()
    with pytest.raises(Conflict) as exc:
        monitoring.warning_close(actor=teacher, warning=warning, note="x")
    assert exc.value.code == "WARNING_TRANSITION_INVALID"
    with pytest.raises(ApplicationError) as exc:
        monitoring.warning_intervene(actor=teacher, warning=warning, note=" ")
    assert exc.value.code == "WARNING_NOTE_REQUIRED"


def test_centre_staff_may_intervene_but_not_close(refreshed, university, teacher, centre_staff):
    monitoring.warnings_raise(actor=teacher, university=university, now=NOW)
    warning = EarlyWarning.objects.filter(enrolment__student=refreshed[1]).first()
    monitoring.warning_intervene(actor=centre_staff, warning=warning, note="电话联系，约面谈")
    with pytest.raises(PermissionDenied):
        monitoring.warning_close(actor=centre_staff, warning=warning, note="x")


def test_only_the_warned_student_responds(refreshed, university, teacher, student):
    monitoring.warnings_raise(actor=teacher, university=university, now=NOW)
    warning = EarlyWarning.objects.filter(enrolment__student=refreshed[1]).first()
    monitoring.warning_notify(actor=teacher, warning=warning)
    with pytest.raises(PermissionDenied) as exc:
        monitoring.warning_respond(actor=student, warning=warning, note="not mine")
    assert exc.value.code == "WARNING_NOT_YOURS"
    with pytest.raises(PermissionDenied):
        monitoring.warning_respond(actor=teacher, warning=warning, note="x")


def test_the_monitoring_command_runs_the_job_for_each_university(offering, enrolled):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("teaching", "monitor", stdout=out)
    result = json.loads(out.getvalue())
    assert result[str(offering.university_id)]["enrolments"] == 3
    assert result[str(offering.university_id)]["students_assessed"] == 3
    assert Engagement.objects.count() == 3
