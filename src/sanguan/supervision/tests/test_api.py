from __future__ import annotations

import datetime as dt

import pytest

from sanguan.audit.models import AuditEvent
from sanguan.supervision import services
from sanguan.supervision.models import Sanction

URL = "/api/supervision/sanctions"


def body(university, **kwargs):
    data = {
        "university_id": university.pk,
        "kind": "ENROLMENT_LIMITED",
        "starts_on": "2026-03-01",
        "ends_on": "2026-12-31",
        "limit": 100,
        "reason": "超出招生计划",
    }
    data.update(kwargs)
    return data


def test_province_regulator_issues_and_lifts_through_the_api(client, province_regulator, university, major):
    # given
    client.force_login(province_regulator)

    # when
    created = client.post(URL, body(university, major_id=major.pk), content_type="application/json")
    lifted = client.post(f"{URL}/{created.json()['id']}/lift", {"reason": "整改到位"}, content_type="application/json")

    # then
    assert created.status_code == 201, created.content
    assert created.json()["limit"] == 100
    assert created.json()["major_id"] == major.pk
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["lifted_by_id"] == province_regulator.pk
    assert [e.action for e in AuditEvent.objects.order_by("leaf_index")] == ["sanctions.issued", "sanctions.lifted"]


@pytest.mark.parametrize("role", ["other_province_regulator", "university_admin", "centre_staff", "student"])
def test_issue_through_the_api_refused_for_other_roles(request, client, role, university):
    # given
    client.force_login(request.getfixturevalue(role))

    # when
    response = client.post(URL, body(university), content_type="application/json")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"
    assert not Sanction.objects.exists()


def test_issue_through_the_api_needs_authentication(client, university):
    response = client.post(URL, body(university), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_issue_through_the_api_reports_bad_input_precisely(client, national_regulator, university):
    # given
    client.force_login(national_regulator)

    # when
    no_limit = client.post(URL, body(university, limit=None), content_type="application/json")
    bad_kind = client.post(URL, body(university, kind="EXPULSION"), content_type="application/json")
    no_university = client.post(URL, body(university, university_id=999999), content_type="application/json")

    # then
    assert (no_limit.status_code, no_limit.json()["code"]) == (400, "SANCTION_LIMIT_REQUIRED")
    assert (bad_kind.status_code, bad_kind.json()["code"]) == (422, "INVALID_INPUT")
    assert (no_university.status_code, no_university.json()["code"]) == (404, "UNIVERSITY_NOT_FOUND")
    assert not Sanction.objects.exists()


def test_lift_of_a_sanction_out_of_sight_is_not_found(client, national_regulator, other_province_regulator, university):
    # given
    sanction = services.sanction_issue(
        actor=national_regulator,
        university=university,
        kind=Sanction.Kind.PUBLIC_REPRIMAND,
        starts_on=dt.date(2026, 3, 1),
        reason="通报批评",
    )
    client.force_login(other_province_regulator)

    # when
    response = client.post(f"{URL}/{sanction.pk}/lift", {"reason": "越权"}, content_type="application/json")

    # then
    assert (response.status_code, response.json()["code"]) == (404, "SANCTION_NOT_FOUND")
    sanction.refresh_from_db()
    assert not sanction.is_lifted


def test_sanction_list_is_scoped_and_within_its_query_budget(
    client,
    national_regulator,
    university_admin,
    other_university_admin,
    university,
    other_university,
    django_assert_max_num_queries,
):
    # given
    for target in (university, university, other_university):
        services.sanction_issue(
            actor=national_regulator,
            university=target,
            kind=Sanction.Kind.PUBLIC_REPRIMAND,
            starts_on=dt.date(2026, 3, 1),
            reason="通报批评",
        )
    client.force_login(university_admin)

    # when
    with django_assert_max_num_queries(6):
        response = client.get(URL)

    # then
    assert response.status_code == 200
    assert {row["university_id"] for row in response.json()} == {university.pk}
    assert len(response.json()) == 2
