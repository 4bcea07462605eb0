"""The workflows end to end through the JSON API, with the refusals' codes."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.teaching.models import FaceToFaceSession

from .conftest import aware, statement

API = "/api/teaching"


def post(client, url, data=None):
    return client.post(API + url, data or {}, content_type="application/json")


def test_programme_workflow_through_the_api(client, university_admin, major):
    # given
    client.force_login(university_admin)

    # when: a draft with only one course, then refused approval
    created = post(client, "/programmes", {"major_id": major.pk, "title": "计科专升本", "first_intake_year": 2026})
    pk = created.json()["id"]
    course = post(
        client,
        f"/programmes/{pk}/courses",
        {"code": "CS1", "name": "程序设计", "credits": 4, "hours_online": 40, "hours_face_to_face": 20},
    )
    refused = post(client, f"/programmes/{pk}/approve")

    # then
    assert created.status_code == 201, created.content
    assert course.status_code == 201, course.content
    assert refused.status_code == 400
    assert refused.json()["code"] == "PROGRAMME_MISSING_POLITICAL_COURSES"
    assert client.get(f"{API}/programmes/{pk}").json()["face_to_face_share"] == "0.3333"


@pytest.mark.parametrize("role", ["teacher", "centre_staff", "student", "province_regulator"])
def test_programme_create_through_the_api_is_refused_to_other_roles(request, client, role, major):
    client.force_login(request.getfixturevalue(role))
    r = post(client, "/programmes", {"major_id": major.pk, "title": "x", "first_intake_year": 2026})
    assert r.status_code == 403
    assert r.json()["code"] == "PERMISSION_DENIED"


def test_bad_input_answers_with_the_code(client, university_admin, programme):
    client.force_login(university_admin)
    r = post(
        client,
        f"/programmes/{programme.pk}/courses",
        {"code": "bad code", "name": "x", "credits": 1, "hours_online": 1},
    )
    assert (r.status_code, r.json()["code"]) == (400, "COURSE_CODE_INVALID")
    r = post(client, "/programmes", {"major_id": 999999, "title": "x", "first_intake_year": 2026})
    assert (r.status_code, r.json()["code"]) == (404, "TEACHING_NOT_FOUND")


def test_offering_sessions_and_attendance_through_the_api(
    client, academic_staff, teacher, approved_programme, centre, students
):
    client.force_login(academic_staff)
    course = approved_programme.courses.get(code="CS101")
    o = post(
        client,
        "/offerings",
        {
            "course_id": course.pk,
            "term": "2026-AUTUMN",
            "teacher_id": teacher.pk,
            "centre_id": centre.pk,
            "starts_on": str(dt.date.today() - dt.timedelta(days=30)),
            "ends_on": str(dt.date.today() + dt.timedelta(days=30)),
            "activity_id": "https://lms.example/c/api",
        },
    )
    assert o.status_code == 201, o.content
    oid = o.json()["id"]
    assert post(client, f"/offerings/{oid}/enrolments", {"student_ids": [s.pk for s in students]}).json() == {
        "count": 3
    }
    client.force_login(teacher)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    s = post(
        client,
        f"/offerings/{oid}/sessions",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "room": "301",
            "network_cidrs": "127.0.0.0/8",
        },
    )
    assert s.status_code == 201, s.content
    sid = s.json()["id"]
    r = post(client, f"/sessions/{sid}/attendance", {"student_ids": [students[1].pk]})
    assert r.status_code == 200 and [a["method"] for a in r.json()] == ["ROLL_CALL"]
    client.force_login(students[0].user)
    r = post(client, f"/sessions/{sid}/check-in", {"device_id": "phone-1"})
    assert r.status_code == 201, r.content
    assert r.json()["method"] == "NETWORK"  # the test client comes from 127.0.0.1
    assert FaceToFaceSession.objects.get(pk=sid).status == "HELD"


def test_check_in_for_a_future_session_through_the_api(client, student, offering, enrolled, teacher):
    session = FaceToFaceSession.objects.create(
        offering=offering,
        starts_at=aware(2099, 1, 1, 9),
        ends_at=aware(2099, 1, 1, 11),
        room="x",
        code_secret="00" * 32,
        created_by=teacher,
    )
    client.force_login(student)
    r = post(client, f"/sessions/{session.pk}/check-in", {"device_id": "phone-1"})
    assert (r.status_code, r.json()["code"]) == (400, "CHECKIN_NOT_OPEN")


def test_monitoring_warnings_and_evidence_through_the_api(
    client, academic_staff, teacher, university, offering, enrolled, store
):
    store(
        [
            statement(
                university,
                enrolled[0].student_number,
                aware(2026, 9, 20, 20),
                object_id=offering.activity_id,
                duration="PT10M",
            )
        ]
    )
    client.force_login(academic_staff)
    assert post(client, f"/universities/{university.pk}/engagement/refresh").json() == {"count": 3}
    rule = client.put(
        f"{API}/universities/{university.pk}/warning-rules",
        {"kind": "INACTIVE_DAYS", "threshold": 7},
        content_type="application/json",
    )
    assert rule.status_code == 200 and rule.json()["threshold"] == "7.0000"
    assert post(client, f"/universities/{university.pk}/brushing/assess").json() == {"count": 3}
    board = client.get(f"{API}/dashboard/university/{university.pk}").json()
    assert board["enrolments"] == 3 and "brushing" in board
    client.force_login(teacher)
    assert client.get(f"{API}/dashboard/offering/{offering.pk}").status_code == 200
    r = post(client, f"/universities/{university.pk}/brushing/assess")
    assert (r.status_code, r.json()["code"]) == (403, "PERMISSION_DENIED")


def test_warning_steps_through_the_api(client, academic_staff, teacher, university, offering, enrolled):
    from sanguan.teaching import monitoring

    now = aware(2026, 11, 20, 12)
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=now)
    monitoring.warnings_raise(actor=academic_staff, university=university, now=now)
    client.force_login(teacher)
    warnings = client.get(f"{API}/warnings?status=RAISED").json()
    assert warnings
    pk = warnings[0]["id"]
    assert post(client, f"/warnings/{pk}/notify", {"note": "短信"}).json()["status"] == "NOTIFIED"
    r = post(client, f"/warnings/{pk}/close", {"note": "x"})
    assert (r.status_code, r.json()["code"]) == (409, "WARNING_TRANSITION_INVALID")
    assert post(client, f"/warnings/{pk}/nonsense").status_code == 404


def test_lists_are_scoped(client, other_university_admin, approved_programme, offering):
    client.force_login(other_university_admin)
    assert client.get(f"{API}/programmes").json() == []
    assert client.get(f"{API}/offerings").json() == []
    assert client.get(f"{API}/dashboard/offering/{offering.pk}").status_code == 404


def test_list_endpoints_stay_within_a_query_budget(
    client, university_admin, approved_programme, offering, django_assert_max_num_queries
):
    client.force_login(university_admin)
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/programmes").json()) == 1
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/offerings").json()) == 1


def test_live_participation_and_evaluations_through_the_api(
    client, teacher, student, offering, enrolled, academic_staff
):
    client.force_login(teacher)
    live = post(
        client,
        f"/offerings/{offering.pk}/live-sessions",
        {"starts_at": "2026-10-01T19:00:00+08:00", "ends_at": "2026-10-01T20:30:00+08:00", "topic": "答疑"},
    )
    assert live.status_code == 201, live.content
    r = post(
        client,
        f"/live-sessions/{live.json()['id']}/participation",
        [{"student_id": enrolled[0].pk, "minutes": 80, "interactions": 2}],
    )
    assert r.json() == {"count": 1}
    r = post(
        client, f"/live-sessions/{live.json()['id']}/participation", [{"student_id": enrolled[0].pk, "minutes": 91}]
    )
    assert (r.status_code, r.json()["code"]) == (400, "LIVE_PARTICIPATION_INVALID")
    client.force_login(student)
    scores = {"content": 5, "organisation": 5, "interaction": 4, "support": 4, "overall": 5}
    r = post(client, f"/offerings/{offering.pk}/evaluations", {"scores": scores})
    assert r.status_code == 201, r.content  # the fixture offering is past its midpoint
    client.force_login(academic_staff)
    assert client.get(f"{API}/offerings/{offering.pk}/evaluations").json() == {
        "count": 1,
        "means": {k: float(v) for k, v in scores.items()},
    }


def put(client, url, data):
    return client.put(API + url, data, content_type="application/json")


def test_programme_drafting_edits_through_the_api(client, university_admin, programme):
    client.force_login(university_admin)
    pk = programme.pk
    course = programme.courses.get(code="CS101")
    fields = {"code": "CS101", "name": "程序设计基础（修订）", "credits": 4, "hours_online": 40,
              "hours_face_to_face": 24}

    header = put(client, f"/programmes/{pk}", {"title": "计算机科学与技术（专升本，修订）", "first_intake_year": 2027})
    changed = put(client, f"/programmes/{pk}/courses/{course.pk}", fields)
    extra = post(client, f"/programmes/{pk}/courses", {**fields, "code": "CS999", "name": "选修"}).json()["id"]
    removed = client.delete(f"{API}/programmes/{pk}/courses/{extra}")
    submitted = post(client, f"/programmes/{pk}/submit")

    assert (header.status_code, header.json()["title"], header.json()["first_intake_year"]) == (
        200, "计算机科学与技术（专升本，修订）", 2027)
    assert changed.status_code == 200 and changed.json()["name"] == "程序设计基础（修订）"
    assert removed.status_code == 204 and not programme.courses.filter(pk=extra).exists()
    assert submitted.status_code == 200 and submitted.json()["status"] == "DRAFT"  # a request, not an approval


def test_programme_edits_through_the_api_refuse_bad_input_other_roles_and_approved_versions(
    client, university_admin, teacher, programme, other_university_admin
):
    course = programme.courses.get(code="CS101")
    client.force_login(university_admin)
    r = put(client, f"/programmes/{programme.pk}/courses/{course.pk}", {"code": "bad code", "name": "x", "credits": 1})
    assert (r.status_code, r.json()["code"]) == (400, "COURSE_CODE_INVALID")
    assert client.delete(f"{API}/programmes/{programme.pk}/courses/999999").status_code == 404
    for user in (teacher, other_university_admin):
        client.force_login(user)
        r = put(client, f"/programmes/{programme.pk}", {"title": "x", "first_intake_year": 2027})
        assert (r.status_code, r.json()["code"]) == (403, "PERMISSION_DENIED")
    client.force_login(university_admin)
    assert post(client, f"/programmes/{programme.pk}/approve").status_code == 200
    r = client.delete(f"{API}/programmes/{programme.pk}/courses/{course.pk}")
    assert r.json()["code"] == "PROGRAMME_NOT_DRAFT" and programme.courses.filter(pk=course.pk).exists()


def test_offering_edit_and_enrolment_withdraw_through_the_api(
    client, academic_staff, teacher, offering, enrolled, centre
):
    client.force_login(academic_staff)
    body = {"term": "2026-AUTUMN", "teacher_id": teacher.pk, "centre_id": centre.pk,
            "starts_on": str(offering.starts_on), "ends_on": str(offering.ends_on),
            "activity_id": offering.activity_id, "schedule": "周六 9:00–11:40", "unit_count": 4}

    edited = put(client, f"/offerings/{offering.pk}", body)
    backwards = put(client, f"/offerings/{offering.pk}", {**body, "ends_on": str(offering.starts_on - dt.timedelta(1))})
    withdrawn = client.delete(f"{API}/offerings/{offering.pk}/enrolments/{enrolled[2].pk}")
    again = client.delete(f"{API}/offerings/{offering.pk}/enrolments/{enrolled[2].pk}")

    assert edited.status_code == 200 and edited.json()["schedule"] == "周六 9:00–11:40"
    assert (backwards.status_code, backwards.json()["code"]) == (400, "OFFERING_DATES_INVALID")
    offering.refresh_from_db()
    assert offering.schedule == "周六 9:00–11:40"  # the refused edit changed nothing
    assert withdrawn.status_code == 204 and again.status_code == 404
    assert sorted(offering.enrolments.values_list("student_id", flat=True)) == sorted(s.pk for s in enrolled[:2])


def test_enrolment_withdraw_through_the_api_keeps_history_and_refuses_other_roles(
    client, academic_staff, teacher, offering, enrolled
):
    day = offering.starts_on
    session = FaceToFaceSession.objects.create(offering=offering, starts_at=aware(day.year, day.month, day.day, 9),
                                               ends_at=aware(day.year, day.month, day.day, 11), room="301")
    client.force_login(teacher)
    assert post(client, f"/sessions/{session.pk}/attendance", {"student_ids": [enrolled[0].pk]}).status_code == 200
    r = client.delete(f"{API}/offerings/{offering.pk}/enrolments/{enrolled[1].pk}")
    assert (r.status_code, r.json()["code"]) == (403, "PERMISSION_DENIED")
    client.force_login(academic_staff)
    r = client.delete(f"{API}/offerings/{offering.pk}/enrolments/{enrolled[0].pk}")
    assert (r.status_code, r.json()["code"]) == (409, "ENROLMENT_HAS_HISTORY")
    assert offering.enrolments.filter(student=enrolled[0]).exists()
