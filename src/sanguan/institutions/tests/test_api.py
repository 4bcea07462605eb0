from __future__ import annotations

import pytest
from django.test import Client

from sanguan.accounts import services as accounts
from sanguan.institutions.models import LearningCentre


@pytest.fixture
def api_as():
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client
    return login


def test_token_authentication(university_admin, centre):
    _, raw = accounts.api_token_create(actor=university_admin, name="script")
    res = Client().get("/api/institutions/centres", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert res.status_code == 200
    assert [c["code"] for c in res.json()] == [centre.code]


def test_no_credentials_is_401_with_the_error_shape(db):
    res = Client().get("/api/institutions/centres")
    assert res.status_code == 401
    assert res.json()["code"] == "NOT_AUTHENTICATED"


def test_centre_list_is_scoped(api_as, centre_staff, centre, other_centre, national_regulator):
    assert [c["id"] for c in api_as(centre_staff).get("/api/institutions/centres").json()] == [centre.pk]
    ids = {c["id"] for c in api_as(national_regulator).get("/api/institutions/centres").json()}
    assert ids == {centre.pk, other_centre.pk}


def test_centre_list_query_budget(api_as, national_regulator, university, django_assert_max_num_queries):
    for i in range(20):
        LearningCentre.objects.create(university=university, code=f"C{i}", name=f"中心{i}", host_province_id="42",
                                      address="武汉")
    client = api_as(national_regulator)
    with django_assert_max_num_queries(6):
        res = client.get("/api/institutions/centres")
    assert len(res.json()) == 20


def test_create_centre_bad_code_answers_400_with_code(api_as, university_admin, university):
    res = api_as(university_admin).post(
        f"/api/institutions/universities/{university.pk}/centres",
        {"code": "X1", "name": "某中心", "host_province_code": "42", "address": "武汉", "kind": "PARTNER",
         "host_org_name": "某公司", "host_org_uscc": "91110000600037341M"},
        content_type="application/json",
    )
    assert res.status_code == 400
    body = res.json()
    assert body["code"] == "INVALID_CODE" and body["extra"]["field_code"] == "USCC_CHECKSUM"


def test_centre_staff_cannot_create_centres_through_the_api(api_as, centre_staff, university):
    res = api_as(centre_staff).post(
        f"/api/institutions/universities/{university.pk}/centres",
        {"code": "X1", "name": "某中心", "host_province_code": "42", "address": "武汉", "kind": "OWN"},
        content_type="application/json",
    )
    assert res.status_code == 403
    assert res.json()["code"] == "PERMISSION_DENIED"


def test_malformed_body_is_422(api_as, university_admin, university):
    res = api_as(university_admin).post(f"/api/institutions/universities/{university.pk}/centres", {"code": 1},
                                        content_type="application/json")
    assert res.status_code == 422
    assert res.json()["code"] == "INVALID_INPUT"


def test_openapi_document_is_served(db):
    res = Client().get("/api/openapi.json")
    assert res.status_code == 200
    assert "/api/institutions/centres" in res.json()["paths"]
