"""Sign-in, sign-out, the lockout page and the role-aware home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanguan.conftest import PASSWORD
from sanguan.institutions.models import LearningCentre

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "登录三关平台" in html and "用户名" in html


def test_login_with_the_right_password_goes_home(client, university_admin):
    # when
    response = client.post(reverse("accounts:login"), {"username": "uadmin", "password": PASSWORD})
    # then
    assert response.status_code == 302 and response.url == reverse("home")


def test_login_with_a_wrong_password_stays_with_an_error(client, university_admin):
    # when
    response = client.post(reverse("accounts:login"), {"username": "uadmin", "password": "wrong-password-1"})
    # then
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_with_a_chinese_page(client, settings, university_admin):
    # given
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        client.post(reverse("accounts:login"), {"username": "uadmin", "password": "wrong-password-1"})
    # when the limit is reached, even the right password is refused
    client.post(reverse("accounts:login"), {"username": "uadmin", "password": "wrong-password-1"})
    response = client.post(reverse("accounts:login"), {"username": "uadmin", "password": PASSWORD})
    # then
    assert response.status_code == 429
    html = response.content.decode()
    assert "账户已暂时锁定" in html and "分钟后再试" in html
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client, university_admin):
    # given
    client.force_login(university_admin)
    # when a link (GET) is followed, nobody is signed out
    assert client.get(reverse("accounts:logout")).status_code == 405
    # when posted
    response = client.post(reverse("accounts:logout"))
    # then
    assert response.status_code == 302 and response.url == reverse("portal:index")
    assert "_auth_user_id" not in client.session


def test_logout_with_a_forged_form_is_refused(university_admin):
    from django.test import Client

    # given a client that enforces CSRF checks
    client = Client(enforce_csrf_checks=True)
    client.force_login(university_admin)
    # when
    response = client.post(reverse("accounts:logout"))
    # then
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_home_needs_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("fixture", "scope_label"),
    [
        ("system_admin", "三关平台 · 系统管理"),
        ("national_regulator", "中华人民共和国教育部 · 国家监管"),
        ("province_regulator", "湖北省教育厅 · 省级监管"),
        ("university_admin", "江汉大学 · 学校管理"),
        ("academic_staff", "江汉大学 · 教务管理"),
        ("teacher", "江汉大学 · 教学"),
        ("centre_staff", "江汉大学武汉洪山校外教学点 · 学习中心工作"),
        ("student", "江汉大学 · 学生"),
    ],
)
def test_home_shows_each_role_its_scope(client, request, fixture, scope_label):
    # given
    client.force_login(request.getfixturevalue(fixture))
    # when
    html = client.get(reverse("home")).content.decode()
    # then
    assert scope_label in html


def test_home_counts_only_the_centres_in_scope(client, province_regulator, centre, other_centre):
    # given a Hubei regulator; one centre in Hubei and one in Guangdong
    client.force_login(province_regulator)
    # when
    response = client.get(reverse("home"))
    # then
    stats = {s.testid: s.value for s in response.context["stats"]}
    assert stats["stat-centres"] == 1
    assert stats["stat-universities"] == 1
    assert stats["stat-hosted"] == 1


def test_home_of_centre_staff_shows_its_own_centre(client, centre_staff, centre):
    client.force_login(centre_staff)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="my-centre"' in html and "JH-WH-01" in html


def test_home_of_a_teacher_has_no_findings_section(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("home"))
    assert response.context["findings_available"] is False


def test_home_shows_a_user_without_role_what_to_do(client, db):
    from sanguan.accounts.models import User

    user = User.objects.create_user(username="nobody", password=PASSWORD)
    client.force_login(user)
    assert "尚未分配角色" in client.get(reverse("home")).content.decode()


def test_language_switch_sets_english(client):
    # when
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    # then
    assert "Is this learning centre really authorised?" in response.content.decode()


def test_system_admin_reaches_the_django_admin_and_others_do_not(client, system_admin, university_admin):
    # given
    from sanguan.accounts.models import User

    User.objects.filter(pk=system_admin.pk).update(is_staff=True, is_superuser=True)
    # when / then
    client.force_login(system_admin)
    assert client.get("/admin/institutions/learningcentre/").status_code == 200
    client.force_login(university_admin)
    assert client.get("/admin/institutions/learningcentre/").status_code == 302


def test_admin_shows_registry_rows_read_only(client, system_admin, centre):
    from sanguan.accounts.models import User

    User.objects.filter(pk=system_admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(system_admin)
    # the change form exists only to look at; posting is refused
    url = f"/admin/institutions/learningcentre/{centre.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "changed"}).status_code == 403
    centre.refresh_from_db()
    assert centre.name != "changed"


def _nav(html: str) -> str:
    return html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]


def test_navigation_follows_the_role(client, university_admin, teacher):
    # given a university administrator
    client.force_login(university_admin)
    nav = _nav(client.get(reverse("home")).content.decode())
    # then the findings link is there
    assert reverse("compliance:findings") in nav and "管理后台" not in nav
    # given a teacher, who may not see findings
    client.force_login(teacher)
    nav = _nav(client.get(reverse("home")).content.decode())
    assert reverse("compliance:findings") not in nav
    assert reverse("home") in nav


def test_navigation_for_the_public_has_only_the_registry(client, db):
    nav = _nav(client.get(reverse("portal:index")).content.decode())
    assert reverse("home") not in nav
    assert "公示查询" in nav


def test_a_system_admin_without_django_permissions_still_sees_the_registry(client, system_admin, centre):
    # given a system administrator as granted by the services: staff, not superuser
    from sanguan.accounts.models import User

    User.objects.filter(pk=system_admin.pk).update(is_staff=True, is_superuser=False)
    client.force_login(system_admin)
    # then
    response = client.get("/admin/institutions/learningcentre/")
    assert response.status_code == 200 and centre.name in response.content.decode()


def test_staff_without_the_system_admin_role_sees_nothing_in_the_admin(client, national_regulator, centre):
    from sanguan.accounts.models import User

    User.objects.filter(pk=national_regulator.pk).update(is_staff=True)
    client.force_login(national_regulator)
    assert client.get("/admin/institutions/learningcentre/").status_code == 403


@pytest.mark.parametrize("fixture", ["national_regulator", "province_regulator", "university_admin", "centre_staff"])
def test_home_query_budget(client, request, centre, other_centre, django_assert_max_num_queries, fixture):
    # given many centres in scope
    for i in range(20):
        LearningCentre.objects.create(university=centre.university, code=f"JH-Q-{i:02d}", name=f"江汉大学第{i}教学点",
                                      host_province=centre.host_province, address="武汉")
    client.force_login(request.getfixturevalue(fixture))
    # then the home page costs a fixed number of queries, whatever the number of centres
    with django_assert_max_num_queries(20):
        assert client.get(reverse("home")).status_code == 200
