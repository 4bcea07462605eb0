"""Monitoring that runs by itself: the beat schedule, the dispatcher, and the incremental
refresh from the watermark (``engagement_update``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from sanguan.accounts.models import Role
from sanguan.accounts.policy import SYSTEM
from sanguan.audit.models import AuditEvent
from sanguan.celery import app
from sanguan.conftest import make_user
from sanguan.core.errors import PermissionDenied
from sanguan.institutions.models import Level, Major
from sanguan.records.models import Statement
from sanguan.teaching import monitoring, services, tasks
from sanguan.teaching.models import Engagement, MonitoringWatermark, Offering

from .conftest import add_courses, aware, make_student, statement

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
FIGURES = (
    "statements",
    "active_days",
    "time_on_task_seconds",
    "units_completed",
    "progress",
    "assessment_events",
    "last_activity_at",
    "sessions_held",
    "sessions_attended",
)


def figures() -> dict[int, tuple]:
    return {e.enrolment_id: tuple(getattr(e, f) for f in FIGURES) for e in Engagement.objects.all()}


def later(minutes: int) -> dt.datetime:
    """A run's time, ``minutes`` from the wall clock (the LRS stamps ``stored`` with it)."""
    return timezone.now() + dt.timedelta(minutes=minutes)


def studied(university, number: str, activity_id: str, at: dt.datetime, n: int = 1, **kw) -> list[dict]:
    return [
        statement(
            university,
            number,
            at + dt.timedelta(minutes=7 * i),
            object_id=f"{activity_id}/unit/{i}",
            duration="PT5M",
            **kw,
        )
        for i in range(n)
    ]


# ------------------------------------------------------------------ the schedule


def test_the_beat_schedule_names_tasks_the_celery_app_has_registered(settings):
    # given the tasks the workers would know
    app.loader.import_default_modules()
    # then every scheduled entry names one of them
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {"teaching.monitor_all", "compliance.run", "notifications.retry_emails"}
    assert names <= set(app.tasks)


def test_monitoring_is_scheduled_hourly_by_default(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["teaching-monitoring"]
    assert entry["schedule"] == settings.SANGUAN_MONITOR_INTERVAL_SECONDS == 3600


# ------------------------------------------------------------------ the dispatcher


def offering_of(university, *, code: str) -> Offering:
    """An approved programme and one offering at ``university``, made through the services."""
    admin = make_user(f"uadm-{code}", Role.UNIVERSITY_ADMIN, university=university)
    staff = make_user(f"acad-{code}", Role.ACADEMIC_STAFF, university=university)
    teacher = make_user(f"teach-{code}", Role.TEACHER, university=university)
    major = Major.objects.create(
        university=university, catalogue_code="080902", name="软件工程", level=Level.ASSOCIATE_TO_BACHELOR
    )
    programme = services.programme_create(actor=admin, major=major, title="软件工程（专升本）", first_intake_year=2026)
    add_courses(programme)
    approved = services.programme_approve(actor=admin, programme=programme)
    return services.offering_create(
        actor=staff,
        course=approved.courses.get(code="CS101"),
        term="2026-AUTUMN",
        teacher=teacher,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 1, 15),
        activity_id=f"https://lms.example.edu.cn/course/{code}",
        unit_count=4,
    )


@pytest.fixture
def two_universities(offering, enrolled, other_university, academic_staff):
    other = offering_of(other_university, code="se-2026a")
    staff = make_user("acad-se-2", Role.ACADEMIC_STAFF, university=other_university)
    students = [
        make_student(other_university, major=other.course.programme.major, number=f"2026105{i:05d}") for i in (1, 2)
    ]
    services.enrolment_add(actor=staff, offering=other, students=students)
    return offering, other


def test_the_dispatcher_monitors_every_university_with_offerings(two_universities):
    # given two universities with enrolments and no figures yet
    first, second = two_universities
    # when beat fires the dispatcher (eager here: each university runs in turn)
    outcome = tasks.monitor_all_task.delay().get()
    # then each university was monitored and has engagement figures
    assert outcome == {"queued": sorted([first.university_id, second.university_id]), "failed": []}
    assert Engagement.objects.filter(enrolment__offering=first).count() == 3
    assert Engagement.objects.filter(enrolment__offering=second).count() == 2
    assert set(MonitoringWatermark.objects.values_list("university_id", flat=True)) == {
        first.university_id,
        second.university_id,
    }


def test_a_university_whose_monitoring_fails_does_not_stop_the_others(two_universities, caplog):
    # given the first university's offering is broken (no learning units: progress cannot be computed)
    first, second = two_universities
    Offering.objects.filter(pk=first.pk).update(unit_count=0)
    # when the dispatcher runs
    with caplog.at_level(logging.ERROR, logger="sanguan.teaching.tasks"):
        outcome = tasks.monitor_all_task.delay().get()
    # then the failure is logged, and the other university is still monitored
    assert outcome == {"queued": [second.university_id], "failed": [first.university_id]}
    assert f"teaching monitoring failed for university {first.university_id}" in caplog.text
    assert not Engagement.objects.filter(enrolment__offering=first).exists()
    assert Engagement.objects.filter(enrolment__offering=second).count() == 2


def test_the_scheduled_job_skips_the_brushing_evidence_when_nothing_arrived(offering, enrolled, store, university):
    # given a first (full) scheduled run
    store(studied(university, enrolled[0].student_number, offering.activity_id, timezone.now() - dt.timedelta(days=1)))
    first = tasks.monitor_university_task.delay(university.pk).get()
    assert (first["enrolments"], first["students_assessed"]) == (3, 3)
    MonitoringWatermark.objects.filter(university=university).update(ran_at=later(10))
    # when it runs again with nothing new
    again = tasks.monitor_university_task.delay(university.pk).get()
    # then nothing was read and nothing assessed
    assert again == {
        "enrolments": 0,
        "students_read": 0,
        "statements_read": 0,
        "warnings_raised": 0,
        "students_assessed": 0,
    }


def test_the_command_runs_incrementally_when_asked(offering, enrolled, store, university):
    call_command("teaching", "monitor", stdout=StringIO())
    MonitoringWatermark.objects.filter(university=university).update(ran_at=later(10))
    store(studied(university, enrolled[2].student_number, offering.activity_id, timezone.now()))
    out = StringIO()
    call_command("teaching", "monitor", "--incremental", stdout=out)
    result = json.loads(out.getvalue())[str(university.pk)]
    assert (result["enrolments"], result["students_read"], result["statements_read"]) == (1, 1, 1)


# ------------------------------------------------------------------ the incremental refresh


def test_the_first_run_is_full_and_sets_the_watermark(offering, enrolled, store, university, academic_staff):
    store(studied(university, enrolled[0].student_number, offering.activity_id, timezone.now(), n=3))
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    assert (result.full, result.enrolments, result.students, result.statements_read) == (True, 3, 3, 3)
    mark = MonitoringWatermark.objects.get(university=university)
    assert mark.statement_id == result.watermark == Statement.objects.latest("pk").pk
    assert mark.full_at == mark.ran_at


def test_a_second_run_with_nothing_new_reads_nothing_and_changes_nothing(
    offering, enrolled, store, university, academic_staff
):
    # given statements stored, then a run ten minutes later (past the replay window)
    store(studied(university, enrolled[0].student_number, offering.activity_id, timezone.now(), n=3))
    monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    before = {e.pk: model_to_dict(e) for e in Engagement.objects.all()}
    audits = AuditEvent.objects.count()
    # when the job runs again an hour later
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(70))
    # then it read no statement and wrote no figure, nor an audit event
    assert (result.full, result.enrolments, result.students, result.statements_read) == (False, 0, 0, 0)
    assert {e.pk: model_to_dict(e) for e in Engagement.objects.all()} == before
    assert AuditEvent.objects.count() == audits


def test_a_new_statement_updates_exactly_that_students_figures(offering, enrolled, store, university, academic_staff):
    # given every student has records and a run has folded them in
    for s in enrolled:
        store(studied(university, s.student_number, offering.activity_id, timezone.now() - dt.timedelta(days=2), n=2))
    monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    before = {e.enrolment.student_id: model_to_dict(e) for e in Engagement.objects.select_related("enrolment")}
    # when one more statement arrives for the second student
    store(studied(university, enrolled[1].student_number, offering.activity_id, timezone.now(), verb=COMPLETED))
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(70))
    # then only that student's enrolment was read and written
    assert (result.enrolments, result.students, result.statements_read) == (1, 1, 3)
    after = {e.enrolment.student_id: model_to_dict(e) for e in Engagement.objects.select_related("enrolment")}
    assert after[enrolled[0].pk] == before[enrolled[0].pk]
    assert after[enrolled[2].pk] == before[enrolled[2].pk]
    changed = Engagement.objects.get(enrolment__student=enrolled[1])
    assert (changed.statements, changed.units_completed) == (3, 1)
    assert AuditEvent.objects.filter(action="monitoring.refreshed").latest("pk").data == {
        "offering_ids": [offering.pk],
        "enrolments": 1,
        "full": False,
        "statements_read": 3,
        "watermark": Statement.objects.latest("pk").pk,
    }


def test_statements_of_other_universities_are_not_read(two_universities, store, university, academic_staff):
    _first, second = two_universities
    monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    store(studied(second.university, "202610500001", second.activity_id, timezone.now()))
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(70))
    assert (result.enrolments, result.statements_read) == (0, 0)


def test_a_statement_committed_late_below_the_watermark_is_read_in_the_replay_window(
    offering, enrolled, store, university, academic_staff
):
    # given a statement holding id k whose transaction has not committed when the run reads
    store(studied(university, "2099000000001", "https://elsewhere.example/none", timezone.now()))
    reserved = Statement.objects.latest("pk")
    run_at = timezone.now()
    monitoring.engagement_update(actor=academic_staff, university=university, now=run_at)
    assert MonitoringWatermark.objects.get(university=university).statement_id == reserved.pk
    assert Engagement.objects.get(enrolment__student=enrolled[0]).statements == 0
    # when it commits after the run: a statement of the first student, with the lower id k
    store(studied(university, enrolled[0].student_number, offering.activity_id, timezone.now()))
    late = Statement.objects.latest("pk")
    row = {f.attname: getattr(late, f.attname) for f in Statement._meta.concrete_fields if not f.primary_key}
    row["stored"] = run_at - dt.timedelta(seconds=1)  # the LRS stamped it before the run read
    k = reserved.pk
    late.delete()
    reserved.delete()
    Statement.objects.create(id=k, **row)
    # then the next run, a minute later, still folds it in
    result = monitoring.engagement_update(
        actor=academic_staff, university=university, now=run_at + dt.timedelta(minutes=1)
    )
    assert result.statements_read == 1
    assert Engagement.objects.get(enrolment__student=enrolled[0]).statements == 1


def test_a_voided_statement_is_taken_out_of_the_students_figures(offering, enrolled, store, university, academic_staff):
    # given two statements of the first student, folded in
    sent = studied(university, enrolled[0].student_number, offering.activity_id, timezone.now(), n=2)
    store(sent)
    monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    # when the platform voids one of them (the voiding is sent by the platform's own account)
    voiding = statement(university, "lms-admin", timezone.now(), verb=VOIDED, object_id="unused")
    voiding["object"] = {"objectType": "StatementRef", "id": sent[0]["id"]}
    voiding["actor"] = {"objectType": "Agent", "mbox": "mailto:admin@lms.example.edu.cn"}
    store([voiding])
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(70))
    # then the student's figures no longer count it
    assert result.students == 1
    assert Engagement.objects.get(enrolment__student=enrolled[0]).statements == 1


def test_attendance_recorded_since_the_last_run_updates_session_figures_without_reading_records(
    offering, enrolled, store, university, academic_staff, teacher
):
    # given figures folded in, and then a face-to-face session held with one student present
    store(studied(university, enrolled[0].student_number, offering.activity_id, timezone.now(), n=2))
    monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    starts = aware(2026, 10, 10, 19)
    session = services.session_schedule(
        actor=teacher, offering=offering, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), room="洪山 301"
    )
    services.attendance_record(actor=teacher, session=session, present=[enrolled[2]])
    # when the job runs
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(70))
    # then the whole offering's session figures changed, and no statement was read
    assert (result.enrolments, result.students, result.statements_read) == (3, 0, 0)
    rows = {e.enrolment.student_id: e for e in Engagement.objects.select_related("enrolment")}
    assert [(rows[s.pk].sessions_held, rows[s.pk].sessions_attended) for s in enrolled] == [(1, 0), (1, 0), (1, 1)]
    assert rows[enrolled[0].pk].statements == 2


def test_a_new_enrolment_gets_its_figures_on_the_next_run(
    offering, enrolled, store, university, academic_staff, centre
):
    monitoring.engagement_update(actor=academic_staff, university=university, now=later(10))
    newcomer = make_student(university, centre=centre, major=offering.course.programme.major, number="202642000099")
    store(studied(university, newcomer.student_number, offering.activity_id, timezone.now() - dt.timedelta(days=3)))
    MonitoringWatermark.objects.filter(university=university).update(statement_id=Statement.objects.latest("pk").pk)
    services.enrolment_add(actor=academic_staff, offering=offering, students=[newcomer])
    result = monitoring.engagement_update(actor=academic_staff, university=university, now=later(70))
    assert (result.enrolments, result.students) == (1, 1)
    assert Engagement.objects.get(enrolment__student=newcomer).statements == 1


@pytest.mark.parametrize("seed", range(6))
def test_incremental_runs_in_several_steps_equal_a_full_refresh(
    seed, offering, enrolled, store, university, academic_staff
):
    # given random learning records arriving in batches, some inside the replay window of a
    # run and some after it, with an incremental run after each batch
    rng = random.Random(seed)
    numbers = [s.student_number for s in enrolled]
    base = timezone.now() - dt.timedelta(days=10)
    monitoring.engagement_update(actor=academic_staff, university=university)
    for _batch in range(rng.randint(2, 5)):
        batch = [
            statement(
                university,
                rng.choice(numbers),
                base + dt.timedelta(minutes=rng.randint(0, 14 * 24 * 60)),
                verb=rng.choice([COMPLETED, "http://adlnet.gov/expapi/verbs/experienced"]),
                object_id=f"{offering.activity_id}/unit/{rng.randint(0, 5)}",
                duration=rng.choice([None, "PT90S", "PT20M", "PT2H"]),
                score=rng.choice([None, 0.5]),
            )
            for _ in range(rng.randint(0, 12))
        ]
        if batch:
            store(batch)
        # right away (the batch is also in the replay window) or an hour later (it is not)
        when = rng.choice([timezone.now(), later(60 * (_batch + 1))])
        monitoring.engagement_update(actor=academic_staff, university=university, now=when)
    incremental = figures()
    # when everything is recomputed
    monitoring.engagement_update(actor=academic_staff, university=university, full=True)
    # then the figures are the same
    assert figures() == incremental


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CENTRE_STAFF, Role.STUDENT, Role.NATIONAL_REGULATOR])
def test_engagement_update_is_refused_to_roles_without_monitoring_refresh(role, every_role, university):
    with pytest.raises(PermissionDenied):
        monitoring.engagement_update(actor=every_role[role], university=university)
    assert not MonitoringWatermark.objects.exists()


def test_engagement_update_is_refused_for_another_university(other_university_admin, university):
    with pytest.raises(PermissionDenied):
        monitoring.engagement_update(actor=other_university_admin, university=university)


def test_a_university_without_offerings_is_updated_to_nothing(university):
    result = monitoring.engagement_update(actor=SYSTEM, university=university)
    assert (result.full, result.enrolments, result.statements_read) == (True, 0, 0)
