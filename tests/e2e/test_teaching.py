"""A teacher records a face-to-face session's attendance; the university sees the share move."""

from __future__ import annotations

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def _delivered_share(page) -> float:
    page.goto("/teaching/")
    page.locator("[data-testid^=dashboard-university-]").first.click()
    page.wait_for_selector("#chart-f2f canvas")  # ECharts drew the chart
    return float(page.locator("[data-testid=f2f-delivered-share]").get_attribute("data-value"))


def _logout(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").first.click()


def test_teacher_records_attendance_and_the_university_sees_the_share_move(page, demo_logins, screenshots):
    # given the university's delivered face-to-face share
    login(page, "univ", demo_logins["univ"]["password"])
    before = _delivered_share(page)
    shown_before = page.locator("[data-testid=f2f-delivered-share]").inner_text()
    _logout(page)

    # when the teacher records the attendance of the session under way
    login(page, "teacher", demo_logins["teacher"]["password"])
    page.goto("/teaching/")
    page.locator("[data-testid^=record-session-]").first.click()
    boxes = page.locator("input[name=present]:not([disabled])")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.click("[data-testid=save-attendance]")
    assert page.locator("[data-testid=session-status]").inner_text() in ("已举行", "Held")
    page.screenshot(path=str(screenshots / "teaching-attendance.png"), full_page=True)
    _logout(page)

    # then the university's dashboard shows a higher delivered share
    login(page, "univ", demo_logins["univ"]["password"])
    after = _delivered_share(page)
    shown_after = page.locator("[data-testid=f2f-delivered-share]").inner_text()
    assert after > before
    assert re.fullmatch(r"\d+\.\d%", shown_after) and shown_after != shown_before
    page.screenshot(path=str(screenshots / "teaching-dashboard.png"), full_page=True)
