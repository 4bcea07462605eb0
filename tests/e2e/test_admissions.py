"""The entrance gate in a browser: a centre registers an applicant, the university verifies the
prior qualification, records the exam score and the review, and admits; the centre's staff
member who tries to admit is refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def _id_number() -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = "42010219910505" + f"{dt.datetime.now().microsecond % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _intake_year() -> int:
    today = dt.date.today()
    return today.year if today.month < 9 else today.year + 1


def test_centre_registers_university_admits_centre_is_refused(browser, live_server_url, demo_logins, screenshots):
    number = _id_number()
    # given the centre's staff member on the admissions page
    centre_ctx = browser.new_context(base_url=live_server_url, locale="zh-CN")
    centre = centre_ctx.new_page()
    centre.set_default_timeout(15_000)
    login(centre, "centre", demo_logins["centre"]["password"])
    centre.goto("/admissions/")
    form = centre.locator("[data-testid=register-form]")
    # when they register an applicant with the prior qualification
    value = form.locator("#id_plan option").evaluate_all(
        "(opts, year) => opts.find(o => o.textContent.trim().startsWith(String(year))).value", _intake_year())
    form.locator("#id_plan").select_option(value)
    form.locator("#id_name").fill("测试考生")
    form.locator("#id_id_number").fill(number)
    form.locator("#id_phone").fill("13912345678")
    form.locator("#id_qualification_kind").select_option("ASSOCIATE")
    form.locator("#id_institution_name").fill("武汉职业技术学院")
    form.locator("#id_graduated_on").fill("2013-07-01")
    form.locator("#id_report_number").fill("AB12CD34EF56")
    form.locator("button[type=submit]").click()
    centre.wait_for_url(re.compile(r".*/admissions/applicants/\d+/$"))
    applicant_url = centre.url
    # then they see the applicant with the ID number masked, and no decision form
    assert centre.locator("[data-testid=id-number]").inner_text() == number[:6] + "*" * 8 + number[-4:]
    assert centre.locator("[data-testid=decide-form]").count() == 0
    centre.screenshot(path=str(screenshots / "admissions-centre-registered.png"), full_page=True)

    # when they try to admit anyway, posting the decision with their session
    token = next(c["value"] for c in centre_ctx.cookies() if c["name"] == "csrftoken")
    refused = centre.request.post(applicant_url + "decide/", form={"admit": "1"},
                                  headers={"X-CSRFToken": token, "Referer": applicant_url})
    # then they are refused and nothing changes
    assert refused.status == 403
    centre.reload()
    assert centre.locator("[data-testid=student-number]").count() == 0
    centre_ctx.close()

    # given the university's academic staff on the same applicant
    office_ctx = browser.new_context(base_url=live_server_url, locale="zh-CN")
    office = office_ctx.new_page()
    office.set_default_timeout(15_000)
    login(office, "academic", demo_logins["academic"]["password"])
    office.goto(applicant_url)
    assert office.locator("[data-testid=id-number]").inner_text() == number
    # when they verify the qualification, record the score and the review, and admit
    office.locator("[data-testid=verify-form] #id_accepted").select_option("1")
    office.locator("[data-testid=verify-form] button[type=submit]").click()
    office.wait_for_load_state()
    assert office.locator("[data-testid=verify-form]").count() == 0
    score = office.locator("[data-testid=score-form]")
    session = score.locator("#id_session option").evaluate_all(
        "(opts, year) => opts.find(o => o.textContent.includes(String(year))).value", _intake_year())
    score.locator("#id_session").select_option(session)
    score.locator("#id_score").fill("268")
    score.locator("button[type=submit]").click()
    office.wait_for_load_state()
    assert "268" in office.locator("[data-testid=scores]").inner_text()
    office.locator("[data-testid=review-form] #id_passed").select_option("1")
    office.locator("[data-testid=review-form] button[type=submit]").click()
    office.wait_for_load_state()
    office.locator("[data-testid=decide-form] #id_admit").select_option("1")
    office.locator("[data-testid=decide-form] button[type=submit]").click()
    office.wait_for_load_state()
    # then the applicant is admitted with a student number
    assert re.fullmatch(r"\d{2}\d{5}\d{6}\d{5}", office.locator("[data-testid=student-number]").inner_text().strip())
    office.screenshot(path=str(screenshots / "admissions-admitted.png"), full_page=True)
    office_ctx.close()


def test_public_can_check_an_advertisement_without_logging_in(page):
    page.goto("/admissions/public/verify/?code=FAKE123456")
    assert page.locator("[data-testid=verify-result]").count() == 1
    page.goto("/admissions/public/")
    assert page.locator("main a[href^='/admissions/public/charters/']").count() >= 1
