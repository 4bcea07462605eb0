"""Who is told, and what: early warnings, a student's answer and 刷课 evidence through notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from sanguan.accounts.models import Role
from sanguan.conftest import make_user
from sanguan.core.errors import Conflict, PermissionDenied
from sanguan.notifications.models import Notification
from sanguan.teaching import monitoring, signals_brushing
from sanguan.teaching.models import EarlyWarning

from .conftest import aware
from .test_brushing import ring  # noqa: F401  (fixture)

NOW = aware(2026, 11, 20, 12)


@pytest.fixture
def warning(offering, enrolled, university, academic_staff, teacher):
    """An inactivity warning raised for student 2 ("stu2"); the student and the teacher have addresses."""
    monitoring.engagement_refresh(actor=academic_staff, university=university, now=NOW)
    monitoring.warnings_raise(actor=academic_staff, university=university, now=NOW)
    for user, address in ((enrolled[1].user, "stu2@example.edu.cn"), (teacher, "teacher@example.edu.cn")):
        user.email = address
        user.save()
    return EarlyWarning.objects.get(enrolment__student=enrolled[1], kind="INACTIVE_DAYS")


def _rows(kind):
    return list(Notification.objects.filter(kind=kind).order_by("recipient_id"))


def test_notifying_a_warning_tells_the_student_and_the_tutor_in_chinese_with_a_link(
    warning, enrolled, teacher, academic_staff, mailoutbox, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        monitoring.warning_notify(actor=academic_staff, warning=warning, now=NOW)

    # then: one row each, linking to the warning page
    link = reverse("teaching:warning", args=[warning.pk])
    (to_student,) = _rows("teaching.warning")
    (to_tutor,) = _rows("teaching.warning_tutor")
    assert to_student.recipient == enrolled[1].user and to_tutor.recipient == teacher
    assert to_student.link == to_tutor.link == link
    assert to_student.created_at == NOW
    with translation.override("zh-hans"):
        assert to_student.rendered_title() == "学业预警：程序设计基础"
        assert to_student.rendered_body().startswith("你在《程序设计基础》课程中收到一条学业预警：")
        assert to_tutor.rendered_title() == "学业预警（学生 202642000002）：程序设计基础"
    with translation.override("en"):
        assert to_student.rendered_title() == "Early warning: 程序设计基础"
        assert "No learning activity for too many days" in to_student.rendered_body()
    # and each is mailed in Chinese
    mails = {m.to[0]: m for m in mailoutbox}
    assert set(mails) == {"stu2@example.edu.cn", "teacher@example.edu.cn"}
    assert mails["stu2@example.edu.cn"].subject == "[三关] 学业预警：程序设计基础"
    assert f"http://127.0.0.1:8000{link}" in mails["stu2@example.edu.cn"].body
    assert "学生 202642000002" in mails["teacher@example.edu.cn"].body


def test_a_student_without_an_account_leaves_only_the_tutor_told(warning, enrolled, teacher, academic_staff):
    # given
    student = enrolled[1]
    student.user = None
    student.save(update_fields=["user"])

    # when
    monitoring.warning_notify(actor=academic_staff, warning=warning)

    # then
    assert _rows("teaching.warning") == []
    assert [n.recipient for n in _rows("teaching.warning_tutor")] == [teacher]


def test_a_refused_or_invalid_notify_tells_nobody(warning, enrolled, teacher):
    # a student may not notify
    with pytest.raises(PermissionDenied):
        monitoring.warning_notify(actor=enrolled[1].user, warning=warning)
    assert Notification.objects.count() == 0
    # a warning is notified once
    monitoring.warning_notify(actor=teacher, warning=warning)
    with pytest.raises(Conflict):
        monitoring.warning_notify(actor=teacher, warning=warning)
    assert Notification.objects.count() == 2


def test_the_students_answer_tells_the_tutor(warning, enrolled, teacher, academic_staff):
    # given
    monitoring.warning_notify(actor=academic_staff, warning=warning)

    # when
    monitoring.warning_respond(actor=enrolled[1].user, warning=warning, note="工作出差，下周补学")

    # then
    (row,) = _rows("teaching.warning_response")
    assert row.recipient == teacher
    assert row.link == reverse("teaching:warning", args=[warning.pk])
    with translation.override("zh-hans"):
        assert row.rendered_title() == "学生 202642000002 已回复学业预警：程序设计基础"
        assert "工作出差" not in row.rendered_body()  # the answer itself stays on the page


def test_an_answer_refused_to_another_student_tells_nobody(warning, enrolled, academic_staff):
    monitoring.warning_notify(actor=academic_staff, warning=warning)
    with pytest.raises(PermissionDenied):
        monitoring.warning_respond(actor=enrolled[0].user, warning=warning, note="不是我的")
    assert _rows("teaching.warning_response") == []


def test_evidence_reaching_the_review_line_tells_academic_affairs_once(
    ring,  # noqa: F811
    university,
    other_university,
    academic_staff,
    university_admin,
    teacher,
):
    # given a second academic-affairs member here, and one at another university
    colleague = make_user("academic2", Role.ACADEMIC_STAFF, university=university)
    elsewhere = make_user("academic-elsewhere", Role.ACADEMIC_STAFF, university=other_university)
    bots, _human = ring

    # when
    saved = signals_brushing.brushing_assess(actor=academic_staff, university=university)

    # then: one row per high assessment per academic-affairs member of this university
    high = [a for a in saved if a.score >= 0.7]
    assert len(high) == len(bots)
    rows = _rows("teaching.brushing_high")
    assert sorted((r.recipient_id, r.link) for r in rows) == sorted(
        (u.pk, reverse("teaching:brushing", args=[a.pk])) for u in (academic_staff, colleague) for a in high
    )
    assert not {elsewhere.pk, teacher.pk, university_admin.pk} & {r.recipient_id for r in rows}
    with translation.override("zh-hans"):
        body = rows[0].rendered_body()
        assert "供人工复核的证据，不是结论" in body
        assert rows[0].rendered_title().startswith("待复核的刷课证据：学生 ")
    # a second run finds the same evidence and tells nobody again
    signals_brushing.brushing_assess(actor=academic_staff, university=university)
    assert len(_rows("teaching.brushing_high")) == len(rows)


def test_the_student_follows_the_notification_to_the_warning_and_answers(
    client, warning, enrolled, teacher, django_capture_on_commit_callbacks
):
    # given the teacher notified the warning from its page
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teaching:warning", args=[warning.pk]), {"step": "notify", "note": ""})
    client.logout()

    # when the student opens the notification from the inbox
    client.force_login(enrolled[1].user)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "学业预警：程序设计基础" in inbox
    row = Notification.objects.get(kind="teaching.warning")
    r = client.post(reverse("notifications:open", args=[row.pk]), follow=True)

    # then the warning page is where they land, and they answer
    assert r.redirect_chain[-1][0] == reverse("teaching:warning", args=[warning.pk])
    answer = {"step": "respond", "note": "会补上"}
    assert client.post(reverse("teaching:warning", args=[warning.pk]), answer).status_code == 302
    assert Notification.objects.filter(kind="teaching.warning_response", recipient=teacher).count() == 1
