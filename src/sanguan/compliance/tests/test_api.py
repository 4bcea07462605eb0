from __future__ import annotations

import pytest

from sanguan.compliance.models import Finding
from sanguan.institutions.models import LearningCentre

from .conftest import run

URL = "/api/compliance"


def test_finding_list_with_filters_and_query_budget(
    client, national_regulator, university, other_university, province, django_assert_max_num_queries
):
    # given: twelve undisclosed partner centres without agreements (CENTRE-002 and -003), six of
    # them hosted outside their university's province without a filing (CENTRE-001)
    for n in range(6):
        for owner in (university, other_university):
            LearningCentre.objects.create(
                university=owner,
                code=f"C{n}",
                name=f"教学点{n}",
                host_province=province,
                address="某地",
                status=LearningCentre.Status.OPERATING,
                kind=LearningCentre.Kind.PARTNER,
            )
    run()
    client.force_login(national_regulator)

    # when
    with django_assert_max_num_queries(6):
        everything = client.get(f"{URL}/findings", {"limit": 100})
    medium = client.get(f"{URL}/findings", {"severity": "MEDIUM", "article": 7, "status": "OPEN"})
    by_rule = client.get(f"{URL}/findings", {"rule": "CENTRE-003"})

    # then
    assert everything.status_code == 200
    assert everything.json()["count"] == 30
    row = everything.json()["items"][0]
    assert set(row) >= {"id", "rule", "article", "severity", "status", "summary", "evidence", "provinces"}
    assert row["evidence"][0]["url"].startswith("/institutions/centres/")
    assert medium.json()["count"] == 12
    assert {r["rule"] for r in by_rule.json()["items"]} == {"CENTRE-003"}


def test_finding_list_rejects_an_unknown_severity(client, national_regulator):
    client.force_login(national_regulator)
    response = client.get(f"{URL}/findings", {"severity": "APOCALYPTIC"})
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_INPUT")


def test_finding_list_needs_authentication(client):
    assert client.get(f"{URL}/findings").status_code == 401


def test_lifecycle_through_the_api(client, finding, university_admin, province_regulator):
    # given
    client.force_login(university_admin)

    # when
    started = client.post(
        f"{URL}/findings/{finding.pk}/start_rectifying", {"note": "启动整改"}, content_type="application/json"
    )
    rectified = client.post(
        f"{URL}/findings/{finding.pk}/mark_rectified", {"note": "已补办"}, content_type="application/json"
    )
    refused = client.post(f"{URL}/findings/{finding.pk}/verify", {"note": "自己核查"}, content_type="application/json")

    # then
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "RECTIFYING"
    assert started.json()["transitions"] == ["mark_rectified"]
    assert rectified.json()["status"] == "RECTIFIED"
    assert [h["to_status"] for h in rectified.json()["history"]] == ["OPEN", "RECTIFYING", "RECTIFIED"]
    assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED")


def test_transition_errors_through_the_api(client, finding, university_admin, other_university_admin):
    # given
    client.force_login(university_admin)

    # when
    wrong_step = client.post(
        f"{URL}/findings/{finding.pk}/mark_rectified", {"note": "跳步"}, content_type="application/json"
    )
    unknown = client.post(f"{URL}/findings/{finding.pk}/close", {"note": "关闭"}, content_type="application/json")
    no_note = client.post(
        f"{URL}/findings/{finding.pk}/start_rectifying", {"note": ""}, content_type="application/json"
    )
    client.force_login(other_university_admin)
    not_theirs = client.post(
        f"{URL}/findings/{finding.pk}/start_rectifying", {"note": "越权"}, content_type="application/json"
    )

    # then
    assert (wrong_step.status_code, wrong_step.json()["code"]) == (409, "INVALID_TRANSITION")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "UNKNOWN_TRANSITION")
    assert (no_note.status_code, no_note.json()["code"]) == (400, "NOTE_REQUIRED")
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (404, "FINDING_NOT_FOUND")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_rules_are_listed_with_article_and_severity(client, student):
    client.force_login(student)
    response = client.get(f"{URL}/rules")
    assert response.status_code == 200
    rows = [(r["code"], r["article"], r["severity"]) for r in response.json()]
    assert [row for row in rows if row[0].startswith("CENTRE-")] == [
        ("CENTRE-001", 7, "HIGH"),
        ("CENTRE-002", 7, "MEDIUM"),
        ("CENTRE-003", 7, "HIGH"),
    ]
    assert [row[1] for row in rows] == sorted(row[1] for row in rows)  # in article order


@pytest.mark.parametrize(("role", "status"), [("national_regulator", 200), ("university_admin", 200), ("student", 403)])
def test_run_through_the_api(request, client, remote_centre, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.post(f"{URL}/runs", {"rules": ["CENTRE-001"]}, content_type="application/json")
    assert response.status_code == status
    assert Finding.objects.count() == (1 if status == 200 else 0)
