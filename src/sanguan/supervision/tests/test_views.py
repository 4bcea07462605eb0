from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sanguan.supervision import services
from sanguan.supervision.models import Sanction


def form(university, **kwargs):
    data = {
        "university": university.pk,
        "major": "",
        "kind": "ENROLMENT_SUSPENDED",
        "starts_on": "2026-03-01",
        "ends_on": "",
        "limit": "",
        "reason": "招生严重违规",
    }
    data.update(kwargs)
    return data


def test_regulator_issues_a_sanction_from_the_page(client, province_regulator, university):
    # given
    client.force_login(province_regulator)

    # when
    response = client.post(reverse("supervision:issue"), form(university))

    # then
    assert response.status_code == 302
    sanction = Sanction.objects.get()
    assert (sanction.kind, sanction.issued_by) == ("ENROLMENT_SUSPENDED", province_regulator)
    page = client.get(reverse("supervision:index")).content.decode()
    assert "暂停招生" in page
    assert "招生严重违规" in page


def test_issue_page_shows_the_service_error_in_chinese(client, national_regulator, university):
    # given
    client.force_login(national_regulator)

    # when
    response = client.post(reverse("supervision:issue"), form(university, kind="ENROLMENT_LIMITED"))

    # then
    assert response.status_code == 400
    assert "限制招生须写明期间内最多录取的新生人数。" in response.content.decode()
    assert not Sanction.objects.exists()


def test_province_regulator_cannot_pick_a_university_of_another_province(client, province_regulator, other_university):
    # given
    client.force_login(province_regulator)

    # when
    response = client.post(reverse("supervision:issue"), form(other_university))

    # then
    assert response.status_code == 400
    assert not Sanction.objects.exists()


@pytest.mark.parametrize("role", ["university_admin", "centre_staff", "student", "system_admin"])
def test_issue_from_the_page_refused_for_other_roles(request, client, role, university):
    # given
    client.force_login(request.getfixturevalue(role))

    # when
    page = client.get(reverse("supervision:index"))
    response = client.post(reverse("supervision:issue"), form(university))

    # then
    assert 'data-testid="issue-form"' not in page.content.decode()
    assert response.status_code in (400, 403)
    assert not Sanction.objects.exists()


def test_regulator_lifts_a_sanction_from_the_page(client, national_regulator, university_admin, university):
    # given
    sanction = services.sanction_issue(
        actor=national_regulator,
        university=university,
        kind=Sanction.Kind.PUBLIC_REPRIMAND,
        starts_on=dt.date(2026, 3, 1),
        reason="通报批评",
    )
    client.force_login(university_admin)
    assert "Lift" not in client.get(reverse("supervision:index")).content.decode()
    client.post(reverse("supervision:lift", args=[sanction.pk]), {"reason": "自行解除"})
    sanction.refresh_from_db()
    assert not sanction.is_lifted
    client.force_login(national_regulator)

    # when
    response = client.post(reverse("supervision:lift", args=[sanction.pk]), {"reason": "整改到位"})

    # then
    assert response.status_code == 302
    sanction.refresh_from_db()
    assert sanction.lift_reason == "整改到位"


def test_sanctions_page_is_scoped(client, national_regulator, other_university_admin, university):
    # given
    services.sanction_issue(
        actor=national_regulator,
        university=university,
        kind=Sanction.Kind.PUBLIC_REPRIMAND,
        starts_on=dt.date(2026, 3, 1),
        reason="通报批评甲校",
    )
    client.force_login(other_university_admin)

    # when
    html = client.get(reverse("supervision:index")).content.decode()

    # then
    assert "通报批评甲校" not in html


def test_issue_form_offers_today_as_an_iso_date_for_the_date_picker(client, national_regulator):
    # given
    from django.utils import timezone

    client.force_login(national_regulator)

    # when
    html = client.get(reverse("supervision:index")).content.decode()

    # then
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_sanctions_page_query_count_does_not_grow_with_sanctions(
    client, national_regulator, university, django_assert_max_num_queries
):
    # given
    for n in range(30):
        services.sanction_issue(
            actor=national_regulator,
            university=university,
            kind=Sanction.Kind.PUBLIC_REPRIMAND,
            starts_on=dt.date(2026, 3, 1),
            reason=f"通报批评 {n}",
        )
    client.force_login(national_regulator)

    # when / then
    with django_assert_max_num_queries(10):
        assert client.get(reverse("supervision:index")).status_code == 200
