"""Academic affairs (教务) in a browser: a draft programme without the required
ideological-political courses is refused submission and approval with the reason; once
academic affairs add them and submit it, the university administrator approves it; academic
affairs offer one of its courses and enrol two admitted students. Screenshots at a desktop and a phone width."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def _context(browser, live_server_url, *, phone: bool = False):
    if phone:
        return browser.new_context(base_url=live_server_url, locale="zh-CN", viewport={"width": 390, "height": 844},
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    return browser.new_context(base_url=live_server_url, locale="zh-CN", viewport={"width": 1280, "height": 900})


def _page(ctx):
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return page


def _add_course(page, code: str, name: str, *, online: str, face: str, political: str = "") -> None:
    form = page.locator("form[action$='/courses/#h-add']")
    form.locator("#id_code").fill(code)
    form.locator("#id_name").fill(name)
    form.locator("#id_credits").fill("2")
    form.locator("#id_hours_online").fill(online)
    form.locator("#id_hours_face_to_face").fill(face)
    if political:
        form.locator("#id_political_code").select_option(political)
    form.locator("[data-testid=add-course]").click()
    page.wait_for_selector(f"[data-testid=course-{code}]")


def test_academic_affairs_define_a_programme_offer_a_course_and_enrol(
    browser, live_server_url, demo_logins, screenshots
):
    stamp = dt.datetime.now().strftime("%H%M%S")
    title = f"测试专业人才培养方案 {stamp}"
    academic_ctx = _context(browser, live_server_url)
    academic = _page(academic_ctx)
    login(academic, "academic", demo_logins["academic"]["password"])

    # given academic affairs create a draft for the last major in the list
    academic.goto("/teaching/")
    academic.click("[data-testid=new-programme]")
    major = academic.locator("#id_major option").evaluate_all("opts => opts[opts.length - 1].value")
    academic.locator("#id_major").select_option(major)
    academic.locator("#id_title").fill(title)
    academic.locator("#id_first_intake_year").fill(str(dt.date.today().year + 1))
    academic.screenshot(path=str(screenshots / "registrar-programme-new.png"), full_page=True)
    academic.click("[data-testid=save-programme]")
    academic.wait_for_url(re.compile(r".*/teaching/programmes/\d+/$"))
    programme_url = academic.url
    assert academic.locator("[data-testid=programme-status]").inner_text() == "草稿"

    # and add one subject course; the approval check shows the missing political courses live
    _add_course(academic, "ZY900", "专业核心课程", online="40", face="20")
    assert academic.locator("[data-testid=programme-share]").inner_text() == "33.3%"
    assert academic.locator("[data-testid=political-missing]").is_visible()
    missing = academic.locator("#standing li:has(.bi-x-circle-fill)").evaluate_all(
        "items => items.map(li => li.dataset.testid.replace('required-', ''))")
    assert missing
    academic.locator("form[action$='/courses/#h-add'] #id_hours_face_to_face").fill("500")
    academic.wait_for_function("document.querySelector('#standing h2').textContent.includes('正在填写')")
    assert academic.locator("[data-testid=programme-share]").inner_text() != "33.3%"
    academic.reload()

    # when academic affairs submit it for approval, it is refused with the reason
    academic.click("[data-testid=submit]")
    assert "培养方案缺少规定的思想政治理论课" in academic.locator(".sg-messages .alert-danger").inner_text()
    academic.screenshot(path=str(screenshots / "registrar-programme-draft.png"), full_page=True)

    # when the university administrator asks for approval, it is refused with the reason
    univ_ctx = _context(browser, live_server_url)
    univ = _page(univ_ctx)
    login(univ, "univ", demo_logins["univ"]["password"])
    univ.goto(programme_url)
    univ.click("[data-testid=approve]")
    refusal = univ.locator(".sg-messages .alert-danger").inner_text()
    assert "培养方案缺少规定的思想政治理论课" in refusal
    assert univ.locator("[data-testid=programme-status]").inner_text() == "草稿"

    # when academic affairs add the missing courses
    academic.goto(programme_url)
    for i, code in enumerate(missing):
        _add_course(academic, f"SZ9{i}", f"思政课程{i}", online="30", face="8", political=code)
    assert academic.locator("[data-testid=political-complete]").is_visible()
    academic.click("[data-testid=submit]")
    assert "已提交审批" in academic.locator(".sg-messages").inner_text()

    # then the administrator approves it
    univ.goto(programme_url)
    univ.click("[data-testid=approve]")
    assert "培养方案已批准。" in univ.locator(".sg-messages").inner_text()
    assert univ.locator("[data-testid=programme-status]").inner_text() == "已批准"
    univ_ctx.close()

    # when academic affairs offer its subject course, taught by the demo teacher at the university
    academic.goto("/teaching/")
    academic.click("[data-testid=new-offering]")
    course = academic.locator("#id_course option").evaluate_all(
        "(opts, title) => opts.find(o => o.textContent.includes('ZY900') && o.textContent.includes(title)).value",
        title)
    academic.locator("#id_course").select_option(course)
    teacher = academic.locator("#id_teacher option").evaluate_all(
        "opts => opts.find(o => o.textContent.includes('(teacher)') || o.textContent.trim() === 'teacher').value")
    academic.locator("#id_teacher").select_option(teacher)
    today = dt.date.today()
    academic.locator("#id_starts_on").fill(today.isoformat())
    academic.locator("#id_ends_on").fill((today + dt.timedelta(days=120)).isoformat())
    academic.locator("#id_schedule").fill("周六 09:00–12:00")
    academic.locator("#id_activity_id").fill(f"https://lms.example.edu.cn/course/zy900-{stamp}")
    academic.screenshot(path=str(screenshots / "registrar-offering-new.png"), full_page=True)
    academic.click("[data-testid=save-offering]")
    academic.wait_for_url(re.compile(r".*/teaching/offerings/\d+/enrolments/$"))
    enrol_url = academic.url

    # then "select all on this page" picks every listed student, and two are enrolled
    boxes = academic.locator("input.sg-pick")
    assert boxes.count() >= 2
    academic.check("[data-testid=select-page]")
    assert academic.locator("#picked-count").inner_text() == str(boxes.count())
    academic.uncheck("[data-testid=select-page]")
    assert academic.locator("#picked-count").inner_text() == "0"
    numbers = [boxes.nth(i).evaluate("b => b.closest('tr').dataset.testid.replace('candidate-', '')") for i in (0, 1)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    academic.click("[data-testid=enrol]")
    assert "已为 2 名学生选课。" in academic.locator(".sg-messages").inner_text()
    assert academic.locator("[data-testid=enrolled-count]").inner_text() == "2"
    for number in numbers:
        assert academic.locator(f"[data-testid=enrolled-{number}]").is_visible()
    academic.screenshot(path=str(screenshots / "registrar-enrolments.png"), full_page=True)

    # and the same pages read well at a phone's width
    phone_ctx = _context(browser, live_server_url, phone=True)
    phone = _page(phone_ctx)
    login(phone, "academic", demo_logins["academic"]["password"])
    pages = [(programme_url, "programme"), (enrol_url, "enrolments"), ("/teaching/offerings/new/", "offering")]
    for url, name in pages:
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(screenshots / f"registrar-{name}-phone.png"), full_page=True)
    phone_ctx.close()
    academic_ctx.close()
