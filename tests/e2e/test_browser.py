"""Every demo role logs in and sees its own home; the public lookup answers; the language switch works."""

from __future__ import annotations

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

# username -> texts its home must show (its scope label and what only that role sees)
HOMES: dict[str, list[str]] = {
    "admin": ["三关平台 · 系统管理", "打开管理后台"],
    "moe": ["中华人民共和国教育部 · 国家监管", "与您相关的合规问题"],
    "hubei": ["湖北省教育厅 · 省级监管", "位于本省的学习中心", "来自外省高校"],
    "univ": ["楚天大学 · 学校管理", "与您相关的合规问题", "计算机科学与技术"],
    "academic": ["楚天大学 · 教务管理", "与您相关的合规问题"],
    "teacher": ["楚天大学 · 教学", "开设专业"],
    "centre": ["· 学习中心工作", "您的学习中心", "未存档已签署的合作协议"],
    "student": ["楚天大学 · 学生"],
}


@pytest.mark.parametrize("username", list(HOMES))
def test_each_demo_role_logs_in_and_sees_its_home(page, demo_logins, screenshots, username):
    # given
    creds = demo_logins[username]
    # when
    login(page, username, creds["password"])
    # then
    body = page.locator("main").inner_text()
    for text in HOMES[username]:
        assert text in body, f"{username}: {text!r} not on the home page"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    page.screenshot(path=str(screenshots / f"home-{username}.png"), full_page=True)


def test_regulators_and_university_see_the_planted_findings(page, demo_logins):
    # given the national regulator
    login(page, "moe", demo_logins["moe"]["password"])
    # then the three planted rules show on the home page
    rules = set(page.locator("[data-testid=finding]").evaluate_all("rows => rows.map(r => r.dataset.rule)"))
    assert len(rules) >= 3, rules


def test_teacher_and_student_see_no_findings_section(page, demo_logins):
    login(page, "student", demo_logins["student"]["password"])
    assert page.locator("[data-testid=findings]").count() == 0


def test_wrong_password_is_refused_in_chinese(page):
    page.goto("/accounts/login/")
    page.fill("#id_username", "univ")
    page.fill("#id_password", "not-the-password")
    page.click("form[action='/accounts/login/'] button[type=submit]")
    assert "请输入一个正确的" in page.locator("#login-errors").inner_text()


def test_repeated_failures_show_the_chinese_lockout_page(page, screenshots):
    # given a username that fails again and again from this address
    for _ in range(6):
        page.goto("/accounts/login/")
        page.fill("#id_username", "intruder")
        page.fill("#id_password", "guess-guess-guess")
        page.click("form[action='/accounts/login/'] button[type=submit]")
    # then
    locked = page.locator("[data-testid=locked-out]")
    assert "账户已暂时锁定" in locked.inner_text()
    page.screenshot(path=str(screenshots / "locked-out.png"), full_page=True)


def test_logout_returns_to_the_public_portal(page, demo_logins):
    login(page, "teacher", demo_logins["teacher"]["password"])
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert page.get_by_role("link", name="登录").is_visible()


def test_portal_lookup_answers_an_authorised_centre_with_its_disclosure_date(page, screenshots):
    # given a centre the university has disclosed, found through the public list
    page.goto("/universities/19042/")
    first = page.locator("[data-testid=centre-row]").first
    name = first.locator("td").first.locator("div").first.inner_text().strip()
    # when
    page.goto("/check/")
    page.fill("#id_university", "楚天大学")
    page.fill("#id_centre", name)
    page.get_by_role("button", name="查询").click()
    # then
    result = page.locator("[data-testid=check-result]")
    assert result.get_attribute("data-status") == "AUTHORISED"
    assert re.search(r"于 \d{4}-\d{2}-\d{2} 公示", result.inner_text())
    page.screenshot(path=str(screenshots / "check-authorised.png"), full_page=True)


def test_portal_lookup_warns_about_an_unknown_centre(page, screenshots):
    # given the lookup form on the portal's front page
    page.goto("/")
    page.fill("#id_university", "楚天大学")
    page.fill("#id_centre", "楚天大学深圳福田区学习中心")
    # when
    page.get_by_role("button", name="查询").click()
    # then
    result = page.locator("[data-testid=check-result]")
    assert result.get_attribute("data-status") == "NOT_FOUND"
    assert "不存在" in result.inner_text()
    assert "谨防" in result.inner_text()
    page.screenshot(path=str(screenshots / "check-unknown.png"), full_page=True)


def test_portal_lookup_warns_about_an_undisclosed_centre(page, planted, screenshots):
    # given the centre the university operates without disclosing it (a planted violation)
    centre = planted["undisclosed"][0]
    # when
    page.goto("/check/")
    page.fill("#id_university", centre["university"])
    page.fill("#id_centre", centre["name"])
    page.get_by_role("button", name="查询").click()
    # then
    result = page.locator("[data-testid=check-result]")
    assert result.get_attribute("data-status") == "NOT_DISCLOSED"
    assert "未公示" in result.inner_text()
    assert "谨防冒用学校名义的机构" in result.inner_text()
    page.screenshot(path=str(screenshots / "check-undisclosed.png"), full_page=True)


def test_university_home_leads_to_the_planted_findings(page, demo_logins, planted):
    # given the university administrator of the university where the violations were planted
    login(page, "univ", demo_logins["univ"]["password"])
    # when the Art. 7 count on the home page is followed
    count = page.locator("[data-testid=findings-by-article] [data-article='7']")
    assert int(count.inner_text()) >= 3
    page.locator("[data-testid=findings-by-article] li", has=page.locator("[data-article='7']")).get_by_role(
        "link").click()
    # then each planted centre appears among the Art. 7 findings
    body = page.locator("main").inner_text()
    for kind in ("unfiled", "undisclosed", "no_agreement"):
        assert planted[kind][0]["name"] in body, kind


def test_centre_search_filters_as_you_type(page, screenshots):
    page.goto("/centres/")
    total = page.locator("[data-testid=centre-row]").count()
    page.fill("[data-testid=centre-search]", "武汉")
    page.wait_for_function(f"document.querySelectorAll('[data-testid=centre-row]').length < {total}")
    rows = page.locator("[data-testid=centre-row]")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "武汉" in text
    page.screenshot(path=str(screenshots / "centres-search.png"), full_page=True)


def test_language_switch_to_english_and_back(page, screenshots):
    # given the portal in its default language
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "公示" in page.locator("main").inner_text()
    # when
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    # then
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Is this learning centre really authorised?" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots / "portal-en.png"), full_page=True)
    # and back
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_keyboard_reaches_the_lookup_and_submits_it(page):
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    page.focus("#id_university")
    page.keyboard.type("19042")
    page.keyboard.press("Tab")
    page.keyboard.type("不存在的教学点")
    page.keyboard.press("Enter")
    page.wait_for_url("**/check/**")
    assert page.locator("[data-testid=check-result]").get_attribute("data-status") == "NOT_FOUND"


def test_phone_width_layout_has_no_horizontal_scroll(phone, demo_logins, screenshots):
    # given a phone-sized window
    for path in ("/", "/universities/19042/", "/check/?university=19042&centre=x"):
        phone.goto(path)
        # then the page fits the width
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (path, overflow)
        phone.screenshot(path=str(screenshots / f"phone{path.replace('/', '_').split('?')[0]}.png"), full_page=True)
    # and the navigation opens from its toggle
    phone.get_by_role("button", name="切换导航").click()
    phone.get_by_role("link", name="登录").click()
    phone.wait_for_url("**/accounts/login/")
    login(phone, "hubei", demo_logins["hubei"]["password"])
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    phone.screenshot(path=str(screenshots / "phone-home-hubei.png"), full_page=True)


def test_no_page_loads_anything_from_outside_the_server(page, demo_logins, live_server_url):
    # given every request the browser makes is recorded
    outside: list[str] = []
    local = (live_server_url, "data:", "blob:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    # when the public pages, a home page and the API docs are opened
    for path in ("/", "/universities/", "/centres/", "/check/?university=19042&centre=x", "/api/docs"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    login(page, "univ", demo_logins["univ"]["password"])
    page.wait_for_load_state("networkidle")
    # then nothing came from a CDN or any other host
    assert outside == []
    # and the vendored assets are served
    for asset in ("/static/vendor/bootstrap/css/bootstrap.min.css", "/static/vendor/htmx/htmx.min.js",
                  "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
                  "/static/vendor/echarts/echarts.min.js"):
        assert page.request.get(asset).ok, asset


@pytest.mark.parametrize("width", [1200, 1280, 1440])
def test_the_busiest_navigation_fits_desktop_widths_in_english(browser, live_server_url, demo_logins, width):
    # given the system administrator, who has the most links, in English
    context = browser.new_context(base_url=live_server_url, viewport={"width": width, "height": 800})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server_url}])
    page = context.new_page()
    # when
    login(page, "admin", demo_logins["admin"]["password"])
    # then
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    context.close()
