from __future__ import annotations

import datetime as dt

import pytest

from sanguan.accounts import policy
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied
from sanguan.institutions import services
from sanguan.institutions.models import CentreFiling, LearningCentre, University

PARTNER = {
    "code": "JH-SZ-02",
    "name": "江汉大学深圳南山校外教学点",
    "host_province_code": "44",
    "address": "深圳市南山区科技园 8 号",
    "kind": LearningCentre.Kind.PARTNER,
    "host_org_name": "深圳南山职业培训学校",
    "host_org_uscc": "91110000600037341L",
}


def test_university_create_records_an_audit_event(system_admin):
    # given a system administrator
    before = AuditEvent.objects.count()
    # when a university is registered
    uni = services.university_create(actor=system_admin, name="北京大学", institution_code="10001",
                                      institution_id="4111010001", province_code="11", is_pilot=True)
    # then it exists with its codes and the change is in the audit log
    assert University.objects.get(pk=uni.pk).institution_id == "4111010001"
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize("role", ["national_regulator", "province_regulator", "university_admin", "centre_staff",
                                  "teacher", "student"])
def test_university_create_forbidden_roles(request, role, db):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.university_create(actor=actor, name="北京大学", institution_code="10001",
                                   institution_id="4111010001", province_code="11")
    assert not University.objects.filter(institution_code="10001").exists()


@pytest.mark.parametrize(
    ("code", "ident", "province", "field_code"),
    [
        ("10001", "4111010002", "11", "INSTITUTION_ID_MISMATCH"),
        ("10001", "4111010001", "42", "INSTITUTION_ID_MISMATCH"),
        ("1001", "4111010001", "11", "INSTITUTION_CODE"),
        ("10001", "41110100", "11", "INSTITUTION_ID"),
    ],
)
def test_university_create_rejects_bad_codes(system_admin, code, ident, province, field_code):
    with pytest.raises(ApplicationError) as err:
        services.university_create(actor=system_admin, name="某大学", institution_code=code, institution_id=ident,
                                   province_code=province)
    assert err.value.code == "INVALID_CODE"
    assert err.value.extra["field_code"] == field_code
    assert not University.objects.filter(name="某大学").exists()


def test_university_create_refuses_duplicates(system_admin, university):
    with pytest.raises(Conflict) as err:
        services.university_create(actor=system_admin, name="另一所大学", institution_code=university.institution_code,
                                   institution_id=university.institution_id, province_code="42")
    assert err.value.code == "DUPLICATE_UNIVERSITY"


def test_centre_create_by_university_admin(university_admin, university):
    centre = services.centre_create(actor=university_admin, university=university, **PARTNER)
    assert centre.status == LearningCentre.Status.PLANNED
    assert centre.is_out_of_province
    assert not centre.is_disclosed


@pytest.mark.parametrize("role", ["centre_staff", "province_regulator", "national_regulator", "teacher",
                                  "academic_staff", "student", "other_university_admin"])
def test_centre_create_forbidden_roles(request, role, university):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.centre_create(actor=actor, university=university, **PARTNER)
    assert not LearningCentre.objects.filter(code=PARTNER["code"]).exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"host_org_uscc": "91110000600037341M"}, "INVALID_CODE"),
        ({"host_org_uscc": ""}, "FIELD_REQUIRED"),
        ({"host_province_code": "66"}, "INVALID_CODE"),
        ({"address": "  "}, "FIELD_REQUIRED"),
        ({"kind": "FRANCHISE"}, "INVALID_VALUE"),
        ({"seats": -1}, "INVALID_VALUE"),
    ],
)
def test_centre_create_rejects_bad_input(university_admin, university, change, code):
    with pytest.raises(ApplicationError) as err:
        services.centre_create(actor=university_admin, university=university, **{**PARTNER, **change})
    assert err.value.code == code
    assert not LearningCentre.objects.filter(code=PARTNER["code"]).exists()


def test_centre_codes_are_unique_per_university(university_admin, university, centre):
    with pytest.raises(Conflict):
        services.centre_create(actor=university_admin, university=university, **{**PARTNER, "code": centre.code})


def test_disclose_sets_the_date(university_admin, centre):
    centre.is_disclosed = False
    centre.save()
    done = services.centre_disclose(actor=university_admin, centre=centre, on=dt.date(2026, 3, 1))
    assert done.is_disclosed and done.disclosed_on == dt.date(2026, 3, 1)


def test_centre_staff_cannot_disclose_their_own_centre(centre_staff, centre):
    with pytest.raises(PermissionDenied):
        services.centre_disclose(actor=centre_staff, centre=centre)


def test_filing_accepted_by_the_host_province_is_valid_three_years(
    university_admin, university, other_province_regulator
):
    # given a Hubei university's site hosted in Guangdong, filed for 2026
    site = services.centre_create(actor=university_admin, university=university, **PARTNER)
    filing = services.filing_submit(actor=university_admin, centre=site, cycle_year=2026,
                                    filed_status=CentreFiling.Filed.NEW, submitted_on=dt.date(2026, 1, 20))
    assert filing.province_id == "44"
    # when Guangdong accepts it
    decided = services.filing_decide(actor=other_province_regulator, filing=filing, accept=True,
                                     decided_on=dt.date(2026, 4, 28))
    # then it is in force for three years
    assert decided.valid_until == dt.date(2029, 4, 27)
    assert decided.is_in_force(dt.date(2027, 1, 1))
    assert not decided.is_in_force(dt.date(2029, 4, 28))


def test_the_universitys_own_province_cannot_decide_an_out_of_province_filing(university_admin, university,
                                                                              province_regulator):
    site = services.centre_create(actor=university_admin, university=university, **PARTNER)
    filing = services.filing_submit(actor=university_admin, centre=site, cycle_year=2026, filed_status="NEW")
    with pytest.raises(PermissionDenied):
        services.filing_decide(actor=province_regulator, filing=filing, accept=True)
    filing.refresh_from_db()
    assert filing.decision == CentreFiling.Decision.PENDING


def test_a_filing_is_decided_once(university_admin, centre, province_regulator):
    filing = services.filing_submit(actor=university_admin, centre=centre, cycle_year=2026, filed_status="RETAINED")
    services.filing_decide(actor=province_regulator, filing=filing, accept=False)
    with pytest.raises(Conflict) as err:
        services.filing_decide(actor=province_regulator, filing=filing, accept=True)
    assert err.value.code == "FILING_ALREADY_DECIDED"


def test_filing_rejects_bad_status_and_duplicates(university_admin, centre):
    with pytest.raises(ApplicationError) as err:
        services.filing_submit(actor=university_admin, centre=centre, cycle_year=2026, filed_status="MAYBE")
    assert err.value.code == "INVALID_VALUE"
    services.filing_submit(actor=university_admin, centre=centre, cycle_year=2026, filed_status="NEW")
    with pytest.raises(Conflict):
        services.filing_submit(actor=university_admin, centre=centre, cycle_year=2026, filed_status="NEW")


def test_major_create_validates_catalogue_code_for_level(university_admin, university):
    major = services.major_create(actor=university_admin, university=university, catalogue_code="120203k",
                                  name="会计学", level="ASSOCIATE_TO_BACHELOR")
    assert major.catalogue_code == "120203K"
    with pytest.raises(ApplicationError) as err:
        services.major_create(actor=university_admin, university=university, catalogue_code="120203K",
                              name="会计", level="HS_TO_ASSOCIATE")
    assert err.value.code == "INVALID_CODE"


def test_system_actor_passes_policy(university):
    centre = services.centre_create(actor=policy.SYSTEM, university=university, **PARTNER)
    assert centre.pk
