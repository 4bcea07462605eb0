"""A teacher notifies a warning; the student sees the badge, opens the notification, lands on
the warning and answers it; the teacher is told of the answer."""

from __future__ import annotations

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def _logout(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").first.click()


def _badge(page) -> int:
    badge = page.locator("[data-testid=unread-badge]")
    return int(re.match(r"\d+", badge.inner_text()).group()) if badge.count() else 0


def test_student_is_notified_of_a_warning_follows_it_and_answers(page, demo_logins, screenshots):
    # given the student's unread count and their warning that nobody has notified yet
    login(page, "student", demo_logins["student"]["password"])
    before = _badge(page)
    assert before >= 1  # the demo leaves notifications in the student's inbox
    page.goto("/teaching/")
    raised = page.locator("a[href^='/teaching/warnings/']", has_text="已预警").first
    warning_url = raised.get_attribute("href")
    _logout(page)

    # when the teacher notifies it from the warning page
    login(page, "teacher", demo_logins["teacher"]["password"])
    page.goto(warning_url)
    page.locator("form:has(input[name=step][value=notify]) button[type=submit]").click()
    assert page.locator("[data-testid=warning-status]").inner_text() == "已通知学生和辅导教师"
    _logout(page)

    # then the student sees one more unread notification
    login(page, "student", demo_logins["student"]["password"])
    assert _badge(page) == before + 1
    page.click("[data-testid=notifications-link]")
    page.wait_for_url("**/notifications/")
    newest = page.locator("[data-testid^=notification-]").first
    assert newest.get_attribute("data-unread") == "true"
    assert "学业预警：" in newest.inner_text()
    page.screenshot(path=str(screenshots / "notifications-inbox.png"), full_page=True)

    # and opening it lands on the warning, where the student answers
    newest.locator("[data-testid=open-notification]").click()
    page.wait_for_url(f"**{warning_url}")
    assert _badge(page) == before
    page.fill("input[name=note]", "这段时间出差，本周末开始补学")
    page.locator("form:has(input[name=step][value=respond]) button[type=submit]").click()
    assert page.locator("[data-testid=warning-status]").inner_text() == "学生已回复"
    _logout(page)

    # and the teacher's inbox has the answer
    login(page, "teacher", demo_logins["teacher"]["password"])
    page.goto("/notifications/")
    assert "已回复学业预警" in page.locator("[data-testid^=notification-]").first.inner_text()
