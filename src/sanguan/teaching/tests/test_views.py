"""The pages: roll call, check-in, dashboards, warnings, evidence review, programme approval."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sanguan.teaching import monitoring, services
from sanguan.teaching.models import Attendance, BrushingAssessment, EarlyWarning

from .conftest import aware


@pytest.fixture
def held_session(offering, teacher, enrolled):
    """A session that already took place (so a roll call is allowed now)."""
    return services.session_schedule(
        actor=teacher, offering=offering, starts_at=aware(2026, 10, 10, 9), ends_at=aware(2026, 10, 10, 12), room="301"
    )


def login(client, user):
    client.force_login(user)
    return client


def dashboard(client, university):
    r = client.get(reverse("teaching:dashboard_university", args=[university.pk]))
    assert r.status_code == 200
    return json.loads(r.content.decode().split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])


def test_roll_call_moves_the_delivered_share_on_the_university_dashboard(
    client, teacher, university_admin, university, held_session, enrolled
):
    # given the university sees no face-to-face hours delivered
    login(client, university_admin)
    before = dashboard(client, university)["face_to_face"]
    assert before["delivered_share"] == 0.0
    client.logout()

    # when the teacher records two students present
    login(client, teacher)
    r = client.post(
        reverse("teaching:attendance", args=[held_session.pk]), {"present": [enrolled[0].pk, enrolled[1].pk]}
    )
    assert r.status_code == 302
    assert Attendance.objects.filter(session=held_session).count() == 2
    client.logout()

    # then the 3 hours held count against the course's 120 hours
    login(client, university_admin)
    after = dashboard(client, university)["face_to_face"]
    assert after["delivered_share"] == 0.025
    page = client.get(reverse("teaching:dashboard_university", args=[university.pk])).content.decode()
    assert 'data-testid="f2f-delivered-share" data-value="0.025">2.5%' in page


def test_attendance_page_is_not_found_for_centre_staff_and_students(client, centre_staff, student, held_session):
    for user in (centre_staff, student):
        login(client, user)
        assert client.get(reverse("teaching:attendance", args=[held_session.pk])).status_code == 404
        client.logout()


def test_attendance_page_shows_the_refusal_of_a_future_session(client, teacher, offering, enrolled):
    future = services.session_schedule(
        actor=teacher, offering=offering, starts_at=aware(2027, 1, 10, 9), ends_at=aware(2027, 1, 10, 11), room="301"
    )
    login(client, teacher)
    r = client.post(reverse("teaching:attendance", args=[future.pk]), {"present": [enrolled[0].pk]})
    assert r.status_code == 400
    assert "面授开始后才能登记考勤。" in r.content.decode()


def test_student_check_in_page_refuses_outside_the_window_and_sets_a_device_cookie(client, student, held_session):
    login(client, student)
    r = client.post(reverse("teaching:check_in", args=[held_session.pk]), {"code": "123456"})
    assert r.status_code == 400
    assert "sg_device" in r.cookies


def test_other_university_cannot_see_the_dashboard(client, other_university_admin, university):
    login(client, other_university_admin)
    assert client.get(reverse("teaching:dashboard_university", args=[university.pk])).status_code == 404


def test_centre_staff_see_their_centre_dashboard_without_brushing(client, centre_staff, centre, offering):
    login(client, centre_staff)
    r = client.get(reverse("teaching:dashboard_centre", args=[centre.pk]))
    assert r.status_code == 200
    assert "brushing" not in json.loads(
        r.content.decode().split('id="dashboard-data" type="application/json">')[1].split("</script>")[0]
    )


def test_regulator_sees_brushing_figures(client, province_regulator, university, offering, enrolled):
    BrushingAssessment.objects.create(
        student=enrolled[0], university=university, score="0.9", signals=[], computed_at=aware(2026, 10, 1)
    )
    login(client, province_regulator)
    assert dashboard(client, university)["brushing"]["high"] == 1


def test_offering_dashboard_stays_within_a_query_budget(
    client, academic_staff, offering, enrolled, university, django_assert_max_num_queries
):
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=aware(2026, 10, 1))
    login(client, academic_staff)
    with django_assert_max_num_queries(25):
        r = client.get(reverse("teaching:dashboard_offering", args=[offering.pk]))
    assert r.status_code == 200
    assert enrolled[0].student_number in r.content.decode()


def test_warning_page_walks_the_loop(client, teacher, offering, enrolled, university, academic_staff):
    now = aware(2026, 11, 20, 12)
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=now)
    monitoring.warnings_raise(actor=academic_staff, university=university, now=now)
    w = EarlyWarning.objects.filter(enrolment__student=enrolled[1]).first()
    login(client, teacher)
    assert client.post(reverse("teaching:warning", args=[w.pk]), {"step": "notify", "note": ""}).status_code == 302
    r = client.post(reverse("teaching:warning", args=[w.pk]), {"step": "close", "note": "x"})
    assert r.status_code == 409
    client.logout()
    login(client, enrolled[1].user)
    assert (
        client.post(reverse("teaching:warning", args=[w.pk]), {"step": "respond", "note": "会补上"}).status_code == 302
    )
    w.refresh_from_db()
    assert w.status == "RESPONDED"


def test_brushing_page_records_a_review(client, university_admin, university, offering, enrolled):
    a = BrushingAssessment.objects.create(
        student=enrolled[0],
        university=university,
        centre=offering.centre,
        score="0.9",
        signals=[{"code": "SHARED_DEVICE", "strength": 1, "detail": {"students_on_it": 9}, "statement_ids": ["s1"]}],
        computed_at=aware(2026, 10, 1),
    )
    login(client, university_admin)
    page = client.get(reverse("teaching:brushing", args=[a.pk])).content.decode()
    assert "SHARED_DEVICE" in page and "s1" in page
    r = client.post(
        reverse("teaching:brushing", args=[a.pk]), {"decision": "DISMISSED", "note": "同一考点公用机房，已核实本人学习"}
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "DISMISSED"


def test_teacher_cannot_see_brushing_evidence(client, teacher, university, enrolled):
    a = BrushingAssessment.objects.create(
        student=enrolled[0], university=university, score="0.9", signals=[], computed_at=aware(2026, 10, 1)
    )
    login(client, teacher)
    assert client.get(reverse("teaching:brushing", args=[a.pk])).status_code == 404


def test_programme_page_shows_why_a_draft_cannot_be_approved(client, university_admin, major):
    p = services.programme_create(actor=university_admin, major=major, title="空方案", first_intake_year=2026)
    login(client, university_admin)
    r = client.get(reverse("teaching:programme", args=[p.pk]))
    assert 'data-testid="problem-PROGRAMME_EMPTY"' in r.content.decode()
    r = client.post(reverse("teaching:programme_approve", args=[p.pk]), follow=True)
    assert "培养方案中没有课程。" in r.content.decode()


def test_index_lists_what_the_user_may_see(client, teacher, offering):
    login(client, teacher)
    r = client.get(reverse("teaching:index"))
    assert r.status_code == 200
    assert f'data-testid="offering-{offering.pk}"' in r.content.decode()


def test_room_code_is_shown_to_the_teacher(client, teacher, held_session):
    login(client, teacher)
    r = client.get(reverse("teaching:room_code", args=[held_session.pk]), HTTP_ACCEPT="application/json")
    assert len(r.json()["code"]) == 6


def test_teacher_schedules_a_session_from_the_offering_page(client, teacher, offering):
    login(client, teacher)
    r = client.post(
        reverse("teaching:session_schedule", args=[offering.pk]),
        {"starts_at": "2026-10-17T09:00", "hours": "3", "room": "洪山 302", "network_cidrs": "10.1.2.0/24"},
        follow=True,
    )
    assert r.status_code == 200
    s = offering.sessions.get()
    assert (s.room, s.hours, s.network_cidrs) == ("洪山 302", 3, "10.1.2.0/24")


def test_session_form_shows_the_refusal(client, teacher, offering):
    login(client, teacher)
    r = client.post(
        reverse("teaching:session_schedule", args=[offering.pk]),
        {"starts_at": "2026-10-17T09:00", "hours": "3", "room": "x", "network_cidrs": "bad"},
        follow=True,
    )
    assert "不是 CIDR 格式的网络" in r.content.decode()
    assert not offering.sessions.exists()


def test_student_evaluates_from_the_page_and_outsiders_get_404(
    client, student, offering, enrolled, other_university_admin
):
    login(client, student)
    data = {"content": "5", "organisation": "4", "interaction": "4", "support": "3", "overall": "4"}
    r = client.post(reverse("teaching:evaluate", args=[offering.pk]), data)
    assert r.status_code == 302
    assert offering.evaluations.get().scores == {k: int(v) for k, v in data.items()}
    client.logout()
    login(client, other_university_admin)
    assert client.get(reverse("teaching:evaluate", args=[offering.pk])).status_code == 404
