"""Offerings, enrolment, face-to-face sessions and their attendance, live sessions, evaluations."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.accounts.models import Role
from sanguan.audit.models import AuditEvent
from sanguan.conftest import make_user
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied
from sanguan.teaching import services
from sanguan.teaching.models import Attendance, CheckInAttempt, FaceToFaceSession

from .conftest import TERM_END, TERM_START, aware, make_student

START = aware(2026, 10, 10, 9, 0)
END = aware(2026, 10, 10, 11, 0)


@pytest.fixture
def session(offering, teacher, enrolled):
    return services.session_schedule(
        actor=teacher, offering=offering, starts_at=START, ends_at=END, room="洪山 301", network_cidrs="10.42.1.0/24"
    )


# ------------------------------------------------------------------ offerings


def test_offering_needs_an_approved_programme(programme, academic_staff, teacher):
    with pytest.raises(ApplicationError) as exc:
        services.offering_create(
            actor=academic_staff,
            course=programme.courses.first(),
            term="2026-AUTUMN",
            teacher=teacher,
            starts_on=TERM_START,
            ends_on=TERM_END,
            activity_id="https://lms.example/c/1",
        )
    assert exc.value.code == "OFFERING_PROGRAMME_NOT_APPROVED"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"term": "autumn 2026"}, "OFFERING_TERM_INVALID"),
        ({"ends_on": TERM_START - dt.timedelta(days=1)}, "OFFERING_DATES_INVALID"),
        ({"activity_id": "not an iri"}, "OFFERING_ACTIVITY_ID_INVALID"),
        ({"teacher": "centre_staff"}, "OFFERING_TEACHER_INVALID"),
        ({"centre": "other_centre"}, "OFFERING_CENTRE_INVALID"),
    ],
)
def test_offering_create_refuses_bad_input(
    approved_programme, academic_staff, teacher, centre_staff, other_centre, kwargs, code
):
    params = {
        "course": approved_programme.courses.get(code="CS101"),
        "term": "2026-AUTUMN",
        "teacher": teacher,
        "starts_on": TERM_START,
        "ends_on": TERM_END,
        "activity_id": "https://lms.example/c/1",
    }
    params.update(kwargs)
    if params["teacher"] == "centre_staff":
        params["teacher"] = centre_staff
    if params.get("centre") == "other_centre":
        params["centre"] = other_centre
    with pytest.raises(ApplicationError) as exc:
        services.offering_create(actor=academic_staff, **params)
    assert exc.value.code == code


def test_activity_id_is_unique(offering, academic_staff, teacher):
    with pytest.raises(Conflict) as exc:
        services.offering_create(
            actor=academic_staff,
            course=offering.course,
            term="2027-SPRING",
            teacher=teacher,
            starts_on=TERM_START,
            ends_on=TERM_END,
            activity_id=offering.activity_id,
        )
    assert exc.value.code == "OFFERING_ACTIVITY_ID_TAKEN"


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CENTRE_STAFF, Role.STUDENT, Role.PROVINCE_REGULATOR])
def test_offering_create_is_refused_to_roles_other_than_university_staff(role, every_role, approved_programme, teacher):
    with pytest.raises(PermissionDenied):
        services.offering_create(
            actor=every_role[role],
            course=approved_programme.courses.first(),
            term="2026-AUTUMN",
            teacher=teacher,
            starts_on=TERM_START,
            ends_on=TERM_END,
            activity_id="https://lms.example/c/9",
        )


def test_enrolment_adds_each_student_once_and_is_audited(offering, students, academic_staff):
    services.enrolment_add(actor=academic_staff, offering=offering, students=students[:2])
    created = services.enrolment_add(actor=academic_staff, offering=offering, students=students)
    assert [e.student_id for e in created] == [students[2].pk]
    assert offering.enrolments.count() == 3
    assert AuditEvent.objects.filter(action="teaching.enrolled").last().data["student_ids"] == [students[2].pk]


def test_enrolment_refuses_a_student_of_another_centre(offering, university, major, academic_staff):
    stranger = make_student(university, centre=None, major=major, number="202642099999")
    with pytest.raises(ApplicationError) as exc:
        services.enrolment_add(actor=academic_staff, offering=offering, students=[stranger])
    assert exc.value.code == "ENROLMENT_STUDENT_INVALID"


def test_centre_staff_cannot_enrol(offering, students, centre_staff):
    with pytest.raises(PermissionDenied):
        services.enrolment_add(actor=centre_staff, offering=offering, students=students)


# ------------------------------------------------------------------ sessions


def test_teacher_schedules_a_session_with_the_rooms_network(session):
    assert session.network_cidrs == "10.42.1.0/24"
    assert session.hours == 2
    assert AuditEvent.objects.filter(action="teaching.session_scheduled", target_id=str(session.pk)).exists()


def test_centre_staff_may_schedule_a_session_of_their_centre(offering, centre_staff):
    s = services.session_schedule(actor=centre_staff, offering=offering, starts_at=START, ends_at=END, room="A")
    assert s.status == "SCHEDULED"


def test_another_teacher_of_the_university_cannot_schedule_for_this_offering(offering, university):
    other = make_user("teacher2", Role.TEACHER, university=university)
    with pytest.raises(PermissionDenied) as exc:
        services.session_schedule(actor=other, offering=offering, starts_at=START, ends_at=END, room="A")
    assert exc.value.code == "NOT_OFFERING_TEACHER"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ends_at": START}, "SESSION_TIMES_INVALID"),
        ({"starts_at": aware(2027, 3, 1, 9), "ends_at": aware(2027, 3, 1, 10)}, "SESSION_OUTSIDE_OFFERING"),
        ({"room": " "}, "SESSION_ROOM_REQUIRED"),
        ({"network_cidrs": "10.42.1.0/33"}, "SESSION_NETWORK_INVALID"),
    ],
)
def test_session_schedule_refuses_bad_input(offering, teacher, kwargs, code):
    params = {"starts_at": START, "ends_at": END, "room": "A", "network_cidrs": ""}
    params.update(kwargs)
    with pytest.raises(ApplicationError) as exc:
        services.session_schedule(actor=teacher, offering=offering, **params)
    assert exc.value.code == code


# ------------------------------------------------------------------ check-in


def check_in(user, session, *, at=None, device="phone-A", ip="10.42.1.17", code=""):
    return services.attendance_check_in(
        actor=user, session=session, device_id=device, ip=ip, code=code, at=at or START + dt.timedelta(minutes=3)
    )


def test_student_checks_in_from_the_room_network_and_the_session_counts_as_held(session, student):
    # when
    a = check_in(student, session)

    # then
    assert (a.method, a.flags) == ("NETWORK", [])
    session.refresh_from_db()
    assert session.status == "HELD"
    assert AuditEvent.objects.get(action="teaching.checked_in").data["method"] == "NETWORK"


def test_check_in_for_a_future_session_is_refused_and_kept_as_evidence(session, student):
    with pytest.raises(ApplicationError) as exc:
        check_in(student, session, at=START - dt.timedelta(hours=20))
    assert exc.value.code == "CHECKIN_NOT_OPEN"
    assert CheckInAttempt.objects.get().outcome == "CHECKIN_NOT_OPEN"
    assert not Attendance.objects.exists()


def test_check_in_opens_fifteen_minutes_before_the_start(session, student):
    assert check_in(student, session, at=START - dt.timedelta(minutes=15)).method == "NETWORK"


def test_check_in_after_the_session_is_refused(session, student):
    with pytest.raises(ApplicationError) as exc:
        check_in(student, session, at=END + dt.timedelta(minutes=1))
    assert exc.value.code == "CHECKIN_CLOSED"


def test_check_in_from_outside_the_room_without_code_is_refused(session, student):
    with pytest.raises(ApplicationError) as exc:
        check_in(student, session, ip="203.0.113.9")
    assert exc.value.code == "CHECKIN_OUTSIDE_ROOM"


def test_check_in_with_the_rotating_room_code_is_accepted_and_a_stale_code_is_refused(session, student, students):
    at = START + dt.timedelta(minutes=5)
    # a code from 5 minutes ago has expired
    stale = services.room_code(session, at - dt.timedelta(minutes=5))
    with pytest.raises(ApplicationError) as exc:
        check_in(student, session, at=at, ip="203.0.113.9", code=stale)
    assert exc.value.code == "CHECKIN_BAD_CODE"
    # the code on the screen now works, and so does the previous one (30 s grace)
    a = check_in(student, session, at=at, ip="203.0.113.9", code=services.room_code(session, at))
    assert a.method == "CODE"
    previous = services.room_code(session, at - dt.timedelta(seconds=30))
    b = check_in(students[1].user, session, at=at, ip="203.0.113.9", device="phone-B", code=previous)
    assert b.method == "CODE"


def test_one_account_cannot_check_in_from_a_second_device(session, student):
    check_in(student, session, device="phone-A")
    with pytest.raises(Conflict) as exc:
        check_in(student, session, device="phone-B")
    assert exc.value.code == "CHECKIN_OTHER_DEVICE"
    with pytest.raises(Conflict) as exc:
        check_in(student, session, device="phone-A")
    assert exc.value.code == "CHECKIN_ALREADY"


def test_one_device_checking_in_many_accounts_flags_every_such_attendance(session, students):
    # when one phone checks in two classmates
    first = check_in(students[0].user, session, device="phone-X")
    second = check_in(students[1].user, session, device="phone-X")
    third = check_in(students[2].user, session, device="phone-Y")

    # then both are recorded and flagged, the third is clean
    first.refresh_from_db()
    assert first.flags == ["SHARED_DEVICE"]
    assert second.flags == ["SHARED_DEVICE"]
    assert third.flags == []


def test_check_in_needs_a_device(session, student):
    with pytest.raises(ApplicationError) as exc:
        check_in(student, session, device="")
    assert exc.value.code == "CHECKIN_DEVICE_REQUIRED"


def test_a_student_not_enrolled_cannot_check_in(session, university):
    outsider = make_user("outsider", Role.STUDENT, university=university)
    with pytest.raises(ApplicationError) as exc:
        check_in(outsider, session)
    assert exc.value.code == "CHECKIN_NOT_ENROLLED"


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CENTRE_STAFF, Role.UNIVERSITY_ADMIN])
def test_staff_cannot_check_in_as_students(role, every_role, session):
    with pytest.raises(PermissionDenied):
        check_in(every_role[role], session)


# ------------------------------------------------------------------ the teacher's roll call


def test_teacher_records_attendance_and_checked_in_students_keep_their_check_in(session, teacher, students):
    check_in(students[0].user, session)
    rows = services.attendance_record(actor=teacher, session=session, present=students[:2], at=START)
    assert sorted((a.student_id, a.method) for a in rows) == [
        (students[0].pk, "NETWORK"),
        (students[1].pk, "ROLL_CALL"),
    ]
    assert AuditEvent.objects.get(action="teaching.attendance_recorded").data["student_ids"] == [students[1].pk]
    session.refresh_from_db()
    assert session.status == "HELD"


def test_attendance_cannot_be_recorded_before_the_session_starts(session, teacher, students):
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(actor=teacher, session=session, present=students, at=START - dt.timedelta(minutes=1))
    assert exc.value.code == "SESSION_NOT_STARTED"


def test_attendance_refuses_students_not_enrolled(session, teacher, university, major):
    stranger = make_student(university, major=major, number="202642088888")
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(actor=teacher, session=session, present=[stranger], at=START)
    assert exc.value.code == "ATTENDANCE_STUDENT_NOT_ENROLLED"


@pytest.mark.parametrize("role", [Role.CENTRE_STAFF, Role.STUDENT, Role.UNIVERSITY_ADMIN, Role.PROVINCE_REGULATOR])
def test_attendance_record_is_refused_to_other_roles(role, every_role, session, students):
    with pytest.raises(PermissionDenied):
        services.attendance_record(actor=every_role[role], session=session, present=students, at=START)


def test_a_cancelled_session_takes_no_attendance(session, teacher, students):
    services.session_cancel(actor=teacher, session=session)
    with pytest.raises(ApplicationError) as exc:
        services.attendance_record(actor=teacher, session=session, present=students, at=START)
    assert exc.value.code == "SESSION_CANCELLED"
    assert FaceToFaceSession.objects.get(pk=session.pk).status == "CANCELLED"


# ------------------------------------------------------------------ live sessions and evaluations


def test_live_session_and_participation(offering, teacher, enrolled):
    live = services.live_session_schedule(
        actor=teacher,
        offering=offering,
        starts_at=START,
        ends_at=END,
        topic="答疑",
        platform_url="https://live.example/1",
    )
    rows = services.live_participation_record(
        actor=teacher, live=live, rows=[(enrolled[0], 100, 3), (enrolled[1], 20, 0)]
    )
    assert sorted(p.minutes for p in rows) == [20, 100]
    with pytest.raises(ApplicationError) as exc:
        services.live_participation_record(actor=teacher, live=live, rows=[(enrolled[0], 121, 0)])
    assert exc.value.code == "LIVE_PARTICIPATION_INVALID"


def test_centre_staff_cannot_record_live_participation(offering, teacher, centre_staff, enrolled):
    live = services.live_session_schedule(actor=teacher, offering=offering, starts_at=START, ends_at=END, topic="x")
    with pytest.raises(PermissionDenied):
        services.live_participation_record(actor=centre_staff, live=live, rows=[(enrolled[0], 10, 0)])


SCORES = {"content": 5, "organisation": 4, "interaction": 3, "support": 4, "overall": 4}
LATE = dt.date(2026, 12, 20)


def test_student_evaluates_once_from_the_second_half_of_the_offering(offering, enrolled, student):
    e = services.evaluation_submit(actor=student, offering=offering, scores=SCORES, comment="好", on=LATE)
    assert e.scores == SCORES
    with pytest.raises(Conflict) as exc:
        services.evaluation_submit(actor=student, offering=offering, scores=SCORES, on=LATE)
    assert exc.value.code == "EVALUATION_EXISTS"


@pytest.mark.parametrize(
    ("scores", "on", "code"),
    [
        (SCORES, dt.date(2026, 9, 10), "EVALUATION_TOO_EARLY"),
        ({**SCORES, "overall": 6}, LATE, "EVALUATION_SCORES_INVALID"),
        ({"overall": 4}, LATE, "EVALUATION_SCORES_INVALID"),
    ],
)
def test_evaluation_refuses_bad_input(offering, enrolled, student, scores, on, code):
    with pytest.raises(ApplicationError) as exc:
        services.evaluation_submit(actor=student, offering=offering, scores=scores, on=on)
    assert exc.value.code == code


def test_teacher_cannot_evaluate(offering, enrolled, teacher):
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(actor=teacher, offering=offering, scores=SCORES, on=LATE)
