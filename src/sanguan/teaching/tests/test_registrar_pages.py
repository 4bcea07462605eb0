"""The registrar's pages: programmes and their courses, offerings, enrolment.

Each page: the happy path, the roles that may not use it (403 on GET and POST, nothing
changed), another university's objects (404, as everywhere), and bad input (a Chinese
message on the form, nothing changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sanguan.accounts.models import Role
from sanguan.accounts.policy import SYSTEM
from sanguan.conftest import make_user
from sanguan.institutions.models import Level, Major
from sanguan.teaching import services
from sanguan.teaching.models import Attendance, Enrolment, Offering, TrainingProgramme

from .conftest import BACHELOR_POLITICAL, TERM_END, TERM_START, add_courses, aware, make_student

FORBIDDEN = ["centre_staff", "teacher", "student", "province_regulator", "national_regulator", "system_admin"]


@pytest.fixture
def other_academic(other_university):
    return make_user("other-academic", Role.ACADEMIC_STAFF, university=other_university)


@pytest.fixture
def other_major(other_university):
    return Major.objects.create(
        university=other_university, catalogue_code="050101", name="汉语言文学", level=Level.ASSOCIATE_TO_BACHELOR
    )


@pytest.fixture
def draft(major, academic_staff):
    """A draft with one subject course and no ideological-political course."""
    p = services.programme_create(actor=academic_staff, major=major, title="计科专升本", first_intake_year=2026)
    services.programme_course_add(
        actor=academic_staff,
        programme=p,
        code="CS101",
        name="程序设计基础",
        credits=4,
        hours_online=40,
        hours_face_to_face=20,
    )
    return p


def course_data(**over):
    data = {
        "code": "CS201",
        "name": "数据结构",
        "credits": "3",
        "hours_online": "30",
        "hours_face_to_face": "12",
        "hours_practice": "6",
        "term_no": "2",
        "political_code": "",
        "is_compulsory": "on",
    }
    data.update(over)
    return data


def offering_data(teacher, centre, **over):
    data = {
        "year": "2026",
        "season": "AUTUMN",
        "teacher": str(teacher.pk),
        "centre": str(centre.pk) if centre else "",
        "starts_on": "2026-09-01",
        "ends_on": "2027-01-15",
        "schedule": "周六 09:00–12:00",
        "activity_id": "https://lms.example.edu.cn/course/cs201-2026a",
        "unit_count": "8",
    }
    data.update(over)
    return data


def page(client, user, method, url, data=None, **kw):
    client.force_login(user)
    return client.get(url, **kw) if method == "get" else client.post(url, data or {}, **kw)


# ------------------------------------------------------------------ programmes


def test_academic_staff_create_a_draft_programme(client, academic_staff, major):
    # when
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:programme_new"),
        {"major": major.pk, "title": "计算机科学与技术（专升本）", "first_intake_year": "2027"},
    )

    # then
    p = TrainingProgramme.objects.get()
    assert r.status_code == 302 and r.url == reverse("teaching:programme", args=[p.pk])
    assert (p.status, p.version, p.level, p.first_intake_year, p.created_by) == (
        "DRAFT",
        1,
        major.level,
        2027,
        academic_staff,
    )


def test_new_programme_form_lists_the_majors_with_their_level_and_track_labels(client, academic_staff, major):
    r = page(client, academic_staff, "get", reverse("teaching:programme_new"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "计算机科学与技术 · 专升本 · 高等学历继续教育" in html
    assert "ASSOCIATE_TO_BACHELOR" not in html.replace('value="', "")


@pytest.mark.parametrize(
    ("title", "year", "field", "message"),
    [
        ("", "2026", "title", "这个字段是必填项。"),
        ("计科", "1999", "first_intake_year", "确保该值大于或等于2000。"),
        ("计科", "明年", "first_intake_year", "输入整数。"),
    ],
)
def test_new_programme_refuses_bad_input_and_creates_nothing(
    client, academic_staff, major, title, year, field, message
):
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:programme_new"),
        {"major": major.pk, "title": title, "first_intake_year": year},
    )
    assert r.status_code == 400
    assert f'data-testid="error-{field}">{message}' in r.content.decode()
    assert not TrainingProgramme.objects.exists()


def test_new_programme_refuses_another_universitys_major(client, academic_staff, other_major):
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:programme_new"),
        {"major": other_major.pk, "title": "x", "first_intake_year": "2026"},
    )
    assert r.status_code == 400
    assert "选择一个有效的选项" in r.content.decode()
    assert not TrainingProgramme.objects.exists()


def test_programme_page_shows_the_share_and_the_missing_political_courses(client, academic_staff, draft):
    # when
    html = page(client, academic_staff, "get", reverse("teaching:programme", args=[draft.pk])).content.decode()

    # then: 20 of 60 hours face to face, all five bachelor courses missing
    assert 'data-testid="programme-share">33.3%' in html
    assert 'data-testid="share-ok"' in html
    assert 'data-testid="political-missing">缺 5 门' in html
    assert 'data-testid="required-XI_THOUGHT"><i class="bi bi-x-circle-fill' in html
    assert "ASSOCIATE_TO_BACHELOR" not in html and "CONTINUING" not in html  # labels, not stored codes


def test_standing_follows_the_course_being_typed(client, academic_staff, draft):
    # when the form sends a political course of 10 hours online only
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:programme_standing", args=[draft.pk]),
        course_data(hours_online="40", hours_face_to_face="", hours_practice="x", political_code="XI_THOUGHT"),
        HTTP_HX_REQUEST="true",
    )

    # then 20 of 100 hours: the minimum exactly; the course counts as present; nothing saved
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="programme-share">20.0%' in html and 'data-testid="share-ok"' in html
    assert 'data-testid="required-XI_THOUGHT"><i class="bi bi-check-circle-fill' in html
    assert draft.courses.count() == 1


def test_course_is_added_edited_and_removed_from_the_programme_page(client, academic_staff, draft):
    url = reverse("teaching:course_add", args=[draft.pk])
    # add
    r = page(client, academic_staff, "post", url, course_data(political_code="MODERN_HISTORY"))
    assert r.status_code == 302
    course = draft.courses.get(code="CS201")
    assert (course.credits, course.hours_practice, course.term_no, course.political_code) == (3, 6, 2, "MODERN_HISTORY")
    # edit
    r = client.post(
        reverse("teaching:course_edit", args=[draft.pk, course.pk]),
        course_data(name="数据结构与算法", hours_face_to_face="18", political_code=""),
    )
    assert r.status_code == 302
    course.refresh_from_db()
    assert (course.name, course.hours_face_to_face, course.political_code) == ("数据结构与算法", 18, "")
    # remove
    r = client.post(reverse("teaching:course_remove", args=[draft.pk, course.pk]))
    assert r.status_code == 302
    assert not draft.courses.filter(code="CS201").exists()


@pytest.mark.parametrize(
    ("over", "status", "field", "message"),
    [
        ({"credits": "abc"}, 400, "credits", "输入一个数字。"),
        ({"code": "计算机 101"}, 400, "code", "课程代码为 1 至 24 位字母、数字、点、短横线或下划线。"),
        ({"hours_online": "0", "hours_face_to_face": "0", "hours_practice": "0"}, 400, None, "课程须有学时。"),
        ({"code": "CS101"}, 409, "code", "培养方案中已有课程 CS101。"),
        ({"political_code": "NOT_A_COURSE"}, 400, "political_code", "选择一个有效的选项。"),
    ],
)
def test_course_form_refuses_bad_input_and_changes_nothing(client, academic_staff, draft, over, status, field, message):
    r = page(client, academic_staff, "post", reverse("teaching:course_add", args=[draft.pk]), course_data(**over))
    html = r.content.decode()
    assert r.status_code == status
    assert message in html
    if field:
        assert f'data-testid="error-{field}">' in html
    assert list(draft.courses.values_list("code", flat=True)) == ["CS101"]


def test_course_edit_refuses_a_taken_code(client, academic_staff, draft):
    other = services.programme_course_add(
        actor=academic_staff, programme=draft, code="CS102", name="离散数学", credits=2, hours_online=30
    )
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:course_edit", args=[draft.pk, other.pk]),
        course_data(code="CS101"),
    )
    assert r.status_code == 409
    assert "培养方案中已有课程 CS101。" in r.content.decode()
    other.refresh_from_db()
    assert other.code == "CS102"


def test_header_of_a_draft_is_edited(client, academic_staff, draft):
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:programme_edit", args=[draft.pk]),
        {"title": "计算机科学与技术（专升本）2027 版", "first_intake_year": "2027"},
    )
    assert r.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.first_intake_year) == ("计算机科学与技术（专升本）2027 版", 2027)


def test_approved_programme_cannot_change_from_the_pages(client, academic_staff, approved_programme):
    course = approved_programme.courses.first()
    client.force_login(academic_staff)
    r = client.post(
        reverse("teaching:programme_edit", args=[approved_programme.pk]), {"title": "改", "first_intake_year": "2030"}
    )
    assert r.status_code == 409
    assert "只有草稿可以修改；请另建新版本。" in r.content.decode()
    r = client.post(reverse("teaching:course_add", args=[approved_programme.pk]), course_data())
    assert r.status_code == 409
    r = client.post(reverse("teaching:course_remove", args=[approved_programme.pk, course.pk]), follow=True)
    assert "只有草稿可以修改" in r.content.decode()
    approved_programme.refresh_from_db()
    assert approved_programme.title == "计算机科学与技术（专升本）"
    assert approved_programme.courses.filter(pk=course.pk).exists()


def test_approval_is_refused_until_the_required_courses_are_there(client, university_admin, draft):
    # given a draft without ideological-political courses
    client.force_login(university_admin)
    approve = reverse("teaching:programme_approve", args=[draft.pk])

    # when approval is asked, it is refused with the reason
    r = client.post(approve, follow=True)
    html = r.content.decode()
    assert "培养方案缺少规定的思想政治理论课：思想道德与法治、中国近现代史纲要" in html
    draft.refresh_from_db()
    assert draft.status == "DRAFT"

    # when the five courses are added through the page, approval succeeds
    for i, code in enumerate(BACHELOR_POLITICAL):
        r = client.post(
            reverse("teaching:course_add", args=[draft.pk]),
            course_data(code=f"SZ{i}", name=f"思政{i}", political_code=code),
        )
        assert r.status_code == 302
    r = client.post(approve, follow=True)
    assert "培养方案已批准。" in r.content.decode()
    draft.refresh_from_db()
    assert draft.status == "APPROVED"


def test_approval_is_refused_below_the_face_to_face_minimum(client, university_admin, major):
    p = services.programme_create(actor=university_admin, major=major, title="面授不足", first_intake_year=2026)
    add_courses(p, f2f_share_hours=(200, 0))
    client.force_login(university_admin)
    r = client.post(reverse("teaching:programme_approve", args=[p.pk]), follow=True)
    assert "面授学时占总学时的 7.5%，下限为 20.0%。" in r.content.decode()
    p.refresh_from_db()
    assert p.status == "DRAFT"


def test_academic_staff_see_no_approve_button_and_are_refused(client, academic_staff, programme):
    client.force_login(academic_staff)
    html = client.get(reverse("teaching:programme", args=[programme.pk])).content.decode()
    assert 'data-testid="approve"' not in html
    r = client.post(reverse("teaching:programme_approve", args=[programme.pk]))
    assert r.status_code == 403
    programme.refresh_from_db()
    assert programme.status == "DRAFT"


def test_new_version_starts_from_the_approved_one(client, academic_staff, approved_programme):
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:programme_new_version", args=[approved_programme.pk]),
        {"title": "计科专升本 2027 版", "first_intake_year": "2027"},
    )
    v2 = TrainingProgramme.objects.get(version=2)
    assert r.status_code == 302 and r.url == reverse("teaching:programme", args=[v2.pk])
    assert v2.status == "DRAFT" and v2.courses.count() == approved_programme.courses.count()
    approved_programme.refresh_from_db()
    assert approved_programme.status == "APPROVED"


def _programme_urls(p, course):
    return [
        ("get", reverse("teaching:programme_new"), {}),
        ("post", reverse("teaching:programme_new"), {"major": p.major_id, "title": "x", "first_intake_year": "2026"}),
        ("get", reverse("teaching:programme_edit", args=[p.pk]), {}),
        ("post", reverse("teaching:programme_edit", args=[p.pk]), {"title": "x", "first_intake_year": "2026"}),
        ("get", reverse("teaching:programme_new_version", args=[p.pk]), {}),
        ("post", reverse("teaching:programme_new_version", args=[p.pk]), {"title": "x", "first_intake_year": "2026"}),
        ("post", reverse("teaching:course_add", args=[p.pk]), course_data()),
        ("get", reverse("teaching:course_edit", args=[p.pk, course.pk]), {}),
        ("post", reverse("teaching:course_edit", args=[p.pk, course.pk]), course_data(code="CS101")),
        ("post", reverse("teaching:course_remove", args=[p.pk, course.pk]), {}),
        ("post", reverse("teaching:programme_standing", args=[p.pk]), course_data()),
        ("post", reverse("teaching:programme_submit", args=[p.pk]), {}),
    ]


@pytest.mark.parametrize("role", FORBIDDEN)
def test_programme_pages_are_forbidden_to_roles_that_do_not_define_programmes(client, request, role, draft):
    user = request.getfixturevalue(role)
    course = draft.courses.get()
    client.force_login(user)
    for method, url, data in _programme_urls(draft, course):
        r = getattr(client, method)(url, data)
        assert r.status_code == 403, (method, url)
        assert "您的角色不能在此执行这项操作。" in r.content.decode()
    assert TrainingProgramme.objects.count() == 1
    assert list(draft.courses.values_list("name", flat=True)) == ["程序设计基础"]


def test_programme_pages_of_another_university_are_not_found(client, other_academic, draft):
    course = draft.courses.get()
    client.force_login(other_academic)
    for method, url, data in _programme_urls(draft, course)[2:]:
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert client.get(reverse("teaching:programme", args=[draft.pk])).status_code == 404
    assert TrainingProgramme.objects.count() == 1 and draft.courses.count() == 1


# ------------------------------------------------------------------ offerings


def test_academic_staff_create_an_offering_of_an_approved_course(
    client, academic_staff, approved_programme, teacher, centre
):
    course = approved_programme.courses.get(code="CS101")
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:offering_new"),
        {"course": course.pk, **offering_data(teacher, centre)},
    )
    o = Offering.objects.get()
    assert r.status_code == 302 and r.url == reverse("teaching:enrolments", args=[o.pk])
    assert (o.course, o.term, o.teacher, o.centre, o.unit_count, o.schedule) == (
        course,
        "2026-AUTUMN",
        teacher,
        centre,
        8,
        "周六 09:00–12:00",
    )


def test_offering_form_lists_only_courses_of_approved_programmes(client, academic_staff, approved_programme, draft):
    html = page(client, academic_staff, "get", reverse("teaching:offering_new")).content.decode()
    assert f'value="{approved_programme.courses.get(code="CS101").pk}"' in html
    assert f'value="{draft.courses.get().pk}"' not in html
    assert "秋季" in html and "AUTUMN<" not in html


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"ends_on": "2026-08-01"}, "ends_on", "开课结束日期不能早于开始日期。"),
        ({"activity_id": "not an iri"}, "activity_id", "活动标识须为 IRI。"),
        ({"starts_on": "2026-13-01"}, "starts_on", "输入一个有效的日期。"),
        ({"year": "26"}, "year", "确保该值大于或等于2000。"),
        ({"unit_count": "0"}, "unit_count", "确保该值大于或等于1。"),
    ],
)
def test_offering_form_refuses_bad_input_and_creates_nothing(
    client, academic_staff, approved_programme, teacher, centre, over, field, message
):
    course = approved_programme.courses.get(code="CS101")
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:offering_new"),
        {"course": course.pk, **offering_data(teacher, centre, **over)},
    )
    assert r.status_code == 400
    assert f'data-testid="error-{field}">{message}' in r.content.decode()
    assert not Offering.objects.exists()


def test_offering_form_refuses_a_taken_activity_id(client, academic_staff, offering, teacher, centre):
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:offering_new"),
        {"course": offering.course_id, **offering_data(teacher, centre, activity_id=offering.activity_id)},
    )
    assert r.status_code == 409
    assert "另一开课已使用此活动标识。" in r.content.decode()
    assert Offering.objects.count() == 1


def test_offering_is_edited(client, academic_staff, offering, teacher, centre, university):
    other_teacher = make_user("teacher2", Role.TEACHER, university=university)
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:offering_edit", args=[offering.pk]),
        offering_data(other_teacher, centre, schedule="周日 14:00–17:00", activity_id=offering.activity_id),
    )
    assert r.status_code == 302
    offering.refresh_from_db()
    assert (offering.teacher, offering.schedule) == (other_teacher, "周日 14:00–17:00")


def test_offering_edit_shows_the_current_values(client, academic_staff, offering):
    html = page(client, academic_staff, "get", reverse("teaching:offering_edit", args=[offering.pk])).content.decode()
    assert 'value="2026-09-01"' in html and offering.activity_id in html
    assert '<option value="AUTUMN" selected>' in html


def test_offering_edit_refuses_a_centre_its_students_do_not_study_at(
    client, academic_staff, offering, enrolled, teacher, university, province
):
    from sanguan.institutions.models import LearningCentre

    elsewhere = LearningCentre.objects.create(
        university=university,
        code="JH-XG-01",
        name="江汉大学孝感校外教学点",
        host_province=province,
        address="孝感",
        status=LearningCentre.Status.OPERATING,
    )
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:offering_edit", args=[offering.pk]),
        offering_data(teacher, elsewhere, activity_id=offering.activity_id),
    )
    assert r.status_code == 400
    assert "已选课的学生不在该教学点学习" in r.content.decode()
    offering.refresh_from_db()
    assert offering.centre_id != elsewhere.pk


@pytest.mark.parametrize("role", FORBIDDEN)
def test_offering_pages_are_forbidden_to_other_roles(client, request, role, approved_programme, offering, centre):
    user = request.getfixturevalue(role)
    teacher = offering.teacher
    client.force_login(user)
    data = {"course": offering.course_id, **offering_data(teacher, centre, activity_id="urn:x:1")}
    for method, url in [
        ("get", reverse("teaching:offering_new")),
        ("post", reverse("teaching:offering_new")),
        ("get", reverse("teaching:offering_edit", args=[offering.pk])),
        ("post", reverse("teaching:offering_edit", args=[offering.pk])),
    ]:
        r = getattr(client, method)(url, data)
        assert r.status_code == 403, (method, url)
    assert Offering.objects.count() == 1
    offering.refresh_from_db()
    assert offering.activity_id != "urn:x:1"


def test_offering_pages_of_another_university_are_not_found(client, other_academic, offering, teacher, centre):
    client.force_login(other_academic)
    url = reverse("teaching:offering_edit", args=[offering.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, offering_data(teacher, centre, activity_id="urn:x:1")).status_code == 404
    # and their own form does not list this university's courses
    html = client.get(reverse("teaching:offering_new")).content.decode()
    assert f'value="{offering.course_id}"' not in html


# ------------------------------------------------------------------ enrolment


@pytest.fixture
def candidates(university, centre, major):
    """Admitted students of the centre, none enrolled yet, plus one who left (not listed)."""
    rows = [make_student(university, centre=centre, major=major, number=f"2026421{i:05d}") for i in range(1, 5)]
    gone = make_student(university, centre=centre, major=major, number="202642099999")
    gone.status = "WITHDRAWN"
    gone.save()
    return rows


def test_enrolment_page_lists_admitted_students_of_the_offerings_centre(client, academic_staff, offering, candidates):
    html = page(client, academic_staff, "get", reverse("teaching:enrolments", args=[offering.pk])).content.decode()
    for s in candidates:
        assert f'data-testid="candidate-{s.student_number}"' in html
    assert "202642099999" not in html
    assert 'data-testid="select-page"' in html
    assert "2026年秋季" in html


def test_two_students_are_enrolled_and_one_withdrawn(client, academic_staff, offering, candidates):
    url = reverse("teaching:enrolments", args=[offering.pk])
    # when two are enrolled
    r = page(client, academic_staff, "post", url, {"student": [candidates[0].pk, candidates[1].pk]})
    assert r.status_code == 302
    assert set(offering.enrolments.values_list("student_id", flat=True)) == {candidates[0].pk, candidates[1].pk}
    html = client.get(url).content.decode()
    assert f'data-testid="enrolled-{candidates[0].student_number}"' in html
    # when one is withdrawn
    e = offering.enrolments.get(student=candidates[1])
    r = client.post(reverse("teaching:enrolment_withdraw", args=[offering.pk, e.pk]), follow=True)
    assert f"学生 {candidates[1].student_number} 已退出本课程。" in r.content.decode()
    assert list(offering.enrolments.values_list("student_id", flat=True)) == [candidates[0].pk]


def test_a_duplicate_enrolment_is_refused_and_nothing_changes(client, academic_staff, offering, candidates):
    services.enrolment_add(actor=academic_staff, offering=offering, students=[candidates[0]])
    r = page(
        client,
        academic_staff,
        "post",
        reverse("teaching:enrolments", args=[offering.pk]),
        {"student": [candidates[0].pk, candidates[2].pk]},
    )
    assert r.status_code == 409
    assert f"以下学生已选本课程：{candidates[0].student_number}。未做任何更改。" in r.content.decode()
    assert list(offering.enrolments.values_list("student_id", flat=True)) == [candidates[0].pk]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [({}, 400, "请至少选择一名学生。"), ({"student": ["999999"]}, 404, "部分学生不存在。")],
)
def test_enrolment_refuses_bad_input(client, academic_staff, offering, candidates, data, status, message):
    r = page(client, academic_staff, "post", reverse("teaching:enrolments", args=[offering.pk]), data)
    assert r.status_code == status
    assert message in r.content.decode()
    assert not offering.enrolments.exists()


def test_a_student_of_another_centre_is_refused(client, academic_staff, offering, university, major, province):
    from sanguan.institutions.models import LearningCentre

    elsewhere = LearningCentre.objects.create(
        university=university, code="JH-XG-01", name="江汉大学孝感校外教学点", host_province=province, address="孝感"
    )
    stranger = make_student(university, centre=elsewhere, major=major, number="202642088888")
    r = page(
        client, academic_staff, "post", reverse("teaching:enrolments", args=[offering.pk]), {"student": [stranger.pk]}
    )
    assert r.status_code == 400
    assert "202642088888" in r.content.decode()
    assert not offering.enrolments.exists()


def test_enrolment_filters_by_major_intake_and_number(
    client, academic_staff, university, major, teacher, academic_staff_offering
):
    o, students, other_major_student = academic_staff_offering
    url = reverse("teaching:enrolments", args=[o.pk])
    client.force_login(academic_staff)
    html = client.get(url, {"major": major.pk}).content.decode()
    assert students[0].student_number in html and other_major_student.student_number not in html
    html = client.get(url, {"intake": "2026-AUTUMN", "q": students[1].student_number}).content.decode()
    assert f'data-testid="candidate-{students[1].student_number}"' in html
    assert f'data-testid="candidate-{students[0].student_number}"' not in html
    html = client.get(url, {"q": "不存在的学生"}).content.decode()
    assert "没有符合条件的已录取学生。" in html


@pytest.fixture
def academic_staff_offering(approved_programme, academic_staff, teacher, university, major):
    """An offering of the university itself (no centre): every admitted student may join."""
    o = services.offering_create(
        actor=academic_staff,
        course=approved_programme.courses.get(code="CS101"),
        term="2026-AUTUMN",
        teacher=teacher,
        starts_on=TERM_START,
        ends_on=TERM_END,
        activity_id="https://lms.example.edu.cn/course/cs101-univ",
    )
    law = Major.objects.create(university=university, catalogue_code="030101", name="法学", level=major.level)
    students = [make_student(university, major=major, number=f"2026000{i:05d}") for i in range(1, 3)]
    return o, students, make_student(university, major=law, number="202600099999")


def test_enrolment_page_stays_within_a_query_budget(
    client, academic_staff, offering, candidates, django_assert_max_num_queries
):
    services.enrolment_add(actor=academic_staff, offering=offering, students=candidates[:2])
    client.force_login(academic_staff)
    with django_assert_max_num_queries(20):
        r = client.get(reverse("teaching:enrolments", args=[offering.pk]))
    assert r.status_code == 200


def test_withdrawal_is_refused_once_the_student_has_attended(client, academic_staff, teacher, offering, enrolled):
    session = services.session_schedule(
        actor=teacher, offering=offering, starts_at=aware(2026, 10, 10, 9), ends_at=aware(2026, 10, 10, 12), room="301"
    )
    services.attendance_record(actor=teacher, session=session, present=[enrolled[0]], at=aware(2026, 10, 10, 10))
    e = offering.enrolments.get(student=enrolled[0])
    r = page(
        client, academic_staff, "post", reverse("teaching:enrolment_withdraw", args=[offering.pk, e.pk]), follow=True
    )
    assert f"学生 {enrolled[0].student_number} 在本课程中已有学习、考勤或预警记录，不能退选。" in r.content.decode()
    assert Enrolment.objects.filter(pk=e.pk).exists()
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize("role", FORBIDDEN)
def test_enrolment_pages_are_forbidden_to_other_roles(client, request, role, offering, enrolled, candidates):
    user = request.getfixturevalue(role)
    e = offering.enrolments.first()
    client.force_login(user)
    for method, url, data in [
        ("get", reverse("teaching:enrolments", args=[offering.pk]), {}),
        ("post", reverse("teaching:enrolments", args=[offering.pk]), {"student": [candidates[0].pk]}),
        ("post", reverse("teaching:enrolment_withdraw", args=[offering.pk, e.pk]), {}),
    ]:
        r = getattr(client, method)(url, data)
        assert r.status_code == 403, (method, url)
    assert offering.enrolments.count() == len(enrolled)


def test_enrolment_pages_of_another_university_are_not_found(client, other_academic, offering, enrolled):
    e = offering.enrolments.first()
    client.force_login(other_academic)
    assert client.get(reverse("teaching:enrolments", args=[offering.pk])).status_code == 404
    assert client.post(reverse("teaching:enrolment_withdraw", args=[offering.pk, e.pk])).status_code == 404
    assert offering.enrolments.count() == len(enrolled)


# ------------------------------------------------------------------ services behind the pages


def test_programme_update_and_course_update_are_audited(academic_staff, draft):
    from sanguan.audit.models import AuditEvent

    services.programme_update(actor=academic_staff, programme=draft, title="新标题", first_intake_year=2028)
    course = draft.courses.get()
    services.programme_course_update(
        actor=academic_staff,
        course=course,
        code="CS101",
        name="程序设计",
        credits=4,
        hours_online=40,
        hours_face_to_face=20,
    )
    assert AuditEvent.objects.get(action="programmes.changed").data == {
        "programme_id": draft.pk,
        "changed": ["first_intake_year", "title"],
    }
    assert AuditEvent.objects.get(action="programmes.course_changed").data["changed"] == ["name"]


def _update_offering(actor, offering, **changes):
    """``offering_update`` with the offering's own values but for ``changes``."""
    fields = {"term": offering.term, "teacher": offering.teacher, "centre": offering.centre,
              "starts_on": offering.starts_on, "ends_on": offering.ends_on, "activity_id": offering.activity_id}
    return services.offering_update(actor=actor, offering=offering, **{**fields, **changes})


def test_offering_update_is_refused_when_a_session_falls_outside_the_new_dates(academic_staff, teacher, offering):
    from sanguan.core.errors import ApplicationError

    services.session_schedule(
        actor=teacher, offering=offering, starts_at=aware(2026, 12, 20, 9), ends_at=aware(2026, 12, 20, 12), room="1"
    )
    with pytest.raises(ApplicationError) as exc:
        _update_offering(academic_staff, offering, ends_on=dt.date(2026, 12, 1))
    assert exc.value.code == "OFFERING_DATES_INVALID"


def test_enrolment_withdraw_is_refused_to_a_teacher(teacher, offering, enrolled):
    from sanguan.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.enrolment_withdraw(actor=teacher, enrolment=offering.enrolments.first())


def test_system_may_still_add_an_enrolment_twice_without_refusal(offering, enrolled):
    assert services.enrolment_add(actor=SYSTEM, offering=offering, students=enrolled) == []
    assert offering.enrolments.count() == len(enrolled)  # no second row for anyone


def test_offering_activity_id_is_kept_once_learning_records_arrived(academic_staff, offering, enrolled):
    from sanguan.core.errors import Conflict
    from sanguan.teaching.models import Engagement

    e = offering.enrolments.first()
    Engagement.objects.create(enrolment=e, computed_at=aware(2026, 10, 1), statements=3)
    with pytest.raises(Conflict) as exc:
        _update_offering(academic_staff, offering, activity_id="https://lms.example.edu.cn/course/renamed")
    assert exc.value.extra == {"field": "activity_id"}
    offering.refresh_from_db()
    assert offering.activity_id == "https://lms.example.edu.cn/course/cs101-2026a"


def test_pages_follow_the_language_switch(client, academic_staff, draft, settings):
    client.force_login(academic_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("teaching:programme", args=[draft.pk])).content.decode()
    assert "Approval check" in html and "Add a course" in html and "Face-to-face share" in html
    assert "审批条件检查" not in html


def test_programme_page_stays_within_a_query_budget(client, academic_staff, programme, django_assert_max_num_queries):
    client.force_login(academic_staff)
    with django_assert_max_num_queries(15):
        r = client.get(reverse("teaching:programme", args=[programme.pk]))
    assert r.status_code == 200


def test_programme_list_shows_each_version_with_its_approval_check(
    client, academic_staff, approved_programme, draft, other_major, other_university_admin
):
    theirs = services.programme_create(
        actor=other_university_admin, major=other_major, title="别校方案", first_intake_year=2026
    )
    client.force_login(academic_staff)
    url = reverse("teaching:programme_list")
    html = client.get(url).content.decode()
    assert f'data-testid="programme-row-{approved_programme.pk}"' in html
    assert f'data-testid="programme-row-{draft.pk}"' in html
    assert f'data-testid="programme-row-{theirs.pk}"' not in html
    assert "缺少：思想道德与法治、" in html
    html = client.get(url, {"status": "DRAFT"}).content.decode()
    assert f'data-testid="programme-row-{draft.pk}"' in html
    assert f'data-testid="programme-row-{approved_programme.pk}"' not in html


def test_programme_list_is_forbidden_to_students(client, student):
    client.force_login(student)
    assert client.get(reverse("teaching:programme_list")).status_code == 403


def test_submission_is_refused_with_the_reason_until_the_draft_meets_the_rules(
    client, academic_staff, university_admin, draft
):
    from sanguan.audit.models import AuditEvent
    from sanguan.notifications.models import Notification

    client.force_login(academic_staff)
    html = client.get(reverse("teaching:programme", args=[draft.pk])).content.decode()
    assert 'data-testid="submit"' in html and 'data-testid="approve"' not in html
    # when academic affairs submit a draft without the political courses, it is refused with the reason
    r = client.post(reverse("teaching:programme_submit", args=[draft.pk]), follow=True)
    assert "培养方案缺少规定的思想政治理论课：思想道德与法治" in r.content.decode()
    assert not Notification.objects.exists()
    # when the courses are there, the submission tells the university administrator
    for i, code in enumerate(BACHELOR_POLITICAL):
        services.programme_course_add(
            actor=academic_staff,
            programme=draft,
            code=f"SZ{i}",
            name=code,
            credits=2,
            hours_online=30,
            hours_face_to_face=6,
            political_code=code,
        )
    r = client.post(reverse("teaching:programme_submit", args=[draft.pk]), follow=True)
    assert "已提交审批" in r.content.decode()
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.link) == (
        university_admin,
        "teaching.programme_submitted",
        reverse("teaching:programme", args=[draft.pk]),
    )
    assert AuditEvent.objects.get(action="programmes.submitted").data["notified_ids"] == [university_admin.pk]
    draft.refresh_from_db()
    assert draft.status == "DRAFT"


def test_offering_form_offers_only_sites_that_teach(client, academic_staff, approved_programme, centre, province):
    from sanguan.institutions.models import LearningCentre

    closed = LearningCentre.objects.create(
        university=centre.university,
        code="JH-XX-09",
        name="江汉大学已撤销教学点",
        host_province=province,
        address="x",
        status=LearningCentre.Status.CLOSED,
    )
    html = page(client, academic_staff, "get", reverse("teaching:offering_new")).content.decode()
    assert centre.name in html and closed.name not in html
