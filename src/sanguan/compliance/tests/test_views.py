from __future__ import annotations

import pytest
from django.urls import reverse

from sanguan.compliance.models import Finding
from sanguan.institutions.models import LearningCentre

from .conftest import run


@pytest.fixture
def two_articles_free(remote_centre, other_centre):
    """Findings under Art. 7 only (the only article with rules yet): one on the remote centre,
    two on the other university's centre."""
    run()


def test_findings_page_groups_by_article_in_chinese(client, national_regulator, two_articles_free):
    # given
    client.force_login(national_regulator)

    # when
    response = client.get(reverse("compliance:findings"))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "第七条 校外学习中心（校外教学点）" in html
    assert 'data-testid="article-7"' in html
    assert "共 3 个问题" in html
    assert "未在广东省取得有效备案即运行" in html
    assert 'data-testid="run-rules"' in html


def test_findings_page_filters_and_scopes(client, university_admin, two_articles_free):
    # given
    client.force_login(university_admin)

    # when
    mine = client.get(reverse("compliance:findings"))
    filtered = client.get(reverse("compliance:findings"), {"severity": "MEDIUM"})

    # then
    assert "共 1 个问题" in mine.content.decode()
    assert "没有与您相关的问题" in filtered.content.decode()


def test_findings_page_needs_login(client):
    response = client.get(reverse("compliance:findings"))
    assert response.status_code == 302


def test_finding_page_shows_evidence_history_and_the_steps_allowed(client, finding, university_admin, remote_centre):
    # given
    client.force_login(university_admin)

    # when
    response = client.get(reverse("compliance:finding", args=[finding.pk]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/institutions/centres/{remote_centre.pk}/"' in html
    assert "学习中心档案" in html
    assert "向广东省的备案" in html and "无记录" in html
    assert 'data-testid="step-start_rectifying"' in html
    assert 'data-testid="step-verify"' not in html
    assert "csrfmiddlewaretoken" in html


def test_finding_page_of_another_university_is_not_found(client, finding, other_university_admin):
    client.force_login(other_university_admin)
    assert client.get(reverse("compliance:finding", args=[finding.pk])).status_code == 404


def test_transition_form_moves_the_finding_and_records_the_note(client, finding, university_admin):
    # given
    client.force_login(university_admin)

    # when
    response = client.post(
        reverse("compliance:transition", args=[finding.pk, "start_rectifying"]),
        {"start_rectifying-note": "已启动补办备案"},
    )

    # then
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RECTIFYING
    assert finding.events.last().note == "已启动补办备案"
    page = client.get(response["Location"]).content.decode()
    assert "已完成：开始整改。" in page
    assert "已启动补办备案" in page


def test_refused_transition_shows_the_error_in_chinese_and_changes_nothing(client, finding, national_regulator):
    # given
    client.force_login(national_regulator)

    # when: a regulator tries a university's step
    forbidden = client.post(
        reverse("compliance:transition", args=[finding.pk, "start_rectifying"]), {"start_rectifying-note": "代为整改"}
    )
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.RECTIFYING)
    wrong_status = client.post(reverse("compliance:transition", args=[finding.pk, "verify"]), {"verify-note": "核验"})
    no_note = client.post(reverse("compliance:transition", args=[finding.pk, "verify"]), {"verify-note": ""})

    # then
    assert forbidden.status_code == 403
    assert wrong_status.status_code == 409
    assert "处于“整改中”状态的问题不能执行“核验整改”。" in wrong_status.content.decode()
    assert no_note.status_code == 400
    assert "请填写说明。" in no_note.content.decode()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RECTIFYING


def test_forged_transition_without_csrf_token_is_refused(finding, university_admin):
    # given
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(university_admin)

    # when
    response = client.post(
        reverse("compliance:transition", args=[finding.pk, "start_rectifying"]), {"start_rectifying-note": "伪造"}
    )

    # then
    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_run_button_runs_the_rules(client, national_regulator, remote_centre):
    # given
    client.force_login(national_regulator)

    # when
    response = client.post(reverse("compliance:run"))

    # then
    assert response.status_code == 302
    assert Finding.objects.count() == 1


def test_run_button_refused_for_centre_staff(client, centre_staff, remote_centre):
    client.force_login(centre_staff)
    client.post(reverse("compliance:run"))
    assert not Finding.objects.exists()


def test_rules_page_is_public_and_in_chinese(client, db):
    html = client.get(reverse("compliance:rules")).content.decode()
    assert "CENTRE-001" in html
    assert "跨省设置的学习中心未经备案即运行" in html


def test_findings_page_query_count_does_not_grow_with_findings(
    client, national_regulator, university, province, django_assert_max_num_queries
):
    # given
    for n in range(40):
        LearningCentre.objects.create(
            university=university,
            code=f"C{n}",
            name=f"教学点{n}",
            host_province=province,
            address="某地",
            status=LearningCentre.Status.OPERATING,
            kind=LearningCentre.Kind.PARTNER,
        )
    run()
    client.force_login(national_regulator)

    # when / then
    with django_assert_max_num_queries(12):
        assert client.get(reverse("compliance:findings")).status_code == 200


def test_admin_shows_findings_read_only(admin_client, finding):
    listing = admin_client.get("/admin/compliance/finding/")
    detail = admin_client.get(f"/admin/compliance/finding/{finding.pk}/change/")
    assert listing.status_code == 200
    assert detail.status_code == 200
    assert admin_client.post(f"/admin/compliance/finding/{finding.pk}/delete/").status_code == 403


def test_admin_shows_sanctions_read_only(admin_client, db):
    assert admin_client.get("/admin/supervision/sanction/").status_code == 200
    assert admin_client.get("/admin/supervision/sanction/add/").status_code == 403


def test_finding_page_warns_when_the_violation_is_detected_after_rectification(
    client, finding, university_admin, province_regulator
):
    # given
    from sanguan.compliance import services

    services.finding_start_rectifying(actor=university_admin, finding=finding, note="启动整改")
    services.finding_mark_rectified(actor=university_admin, finding=finding, note="已整改")
    run(rule_codes=["CENTRE-001"])
    client.force_login(province_regulator)

    # when
    html = client.get(reverse("compliance:finding", args=[finding.pk])).content.decode()

    # then
    assert 'data-testid="detected-after-rectification"' in html
    assert "标记已整改之后规则仍发现该问题" in html
