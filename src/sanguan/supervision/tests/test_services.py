from __future__ import annotations

import datetime as dt

import pytest

from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied
from sanguan.institutions.models import Authority, Level, Major
from sanguan.supervision import services
from sanguan.supervision.models import Sanction

START = dt.date(2026, 3, 1)


def issue(actor, university, **kwargs):
    params = {"kind": Sanction.Kind.RECTIFICATION_ORDER, "starts_on": START, "reason": "年报数据不实"}
    params.update(kwargs)
    return services.sanction_issue(actor=actor, university=university, **params)


def test_national_regulator_issues_sanction_in_the_ministry_name_and_it_is_audited(national_regulator, university):
    # when
    sanction = issue(national_regulator, university, kind=Sanction.Kind.PUBLIC_REPRIMAND, ends_on=dt.date(2026, 9, 1))

    # then
    sanction.refresh_from_db()
    assert sanction.kind == Sanction.Kind.PUBLIC_REPRIMAND
    assert sanction.issued_by == national_regulator
    assert sanction.authority.kind == Authority.Kind.MINISTRY
    event = AuditEvent.objects.get(action="sanctions.issued")
    assert event.target_type == "supervision.sanction"
    assert event.target_id == str(sanction.pk)
    assert event.actor_id == national_regulator.pk
    assert event.data == {
        "sanction_id": sanction.pk,
        "university_id": university.pk,
        "major_id": None,
        "kind": "PUBLIC_REPRIMAND",
    }


def test_province_regulator_issues_limitation_on_a_major_of_its_province(province_regulator, university, major):
    # when
    sanction = issue(
        province_regulator,
        university,
        major=major,
        kind=Sanction.Kind.ENROLMENT_LIMITED,
        limit=50,
    )

    # then
    assert sanction.major == major
    assert sanction.limit == 50
    assert sanction.authority.province_id == university.province_id


@pytest.mark.parametrize(
    "role",
    [
        "other_province_regulator",
        "system_admin",
        "university_admin",
        "academic_staff",
        "teacher",
        "centre_staff",
        "student",
    ],
)
def test_sanction_issue_refused_for_roles_without_the_power_here(request, role, university):
    # given
    actor = request.getfixturevalue(role)

    # when
    with pytest.raises(PermissionDenied) as exc:
        issue(actor, university)

    # then
    assert exc.value.code == "PERMISSION_DENIED"
    assert not Sanction.objects.exists()
    assert not AuditEvent.objects.filter(action="sanctions.issued").exists()


def test_sanction_issue_refused_for_anonymous(anonymous, university):
    with pytest.raises(PermissionDenied):
        issue(anonymous, university)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ends_on": START - dt.timedelta(days=1)}, "SANCTION_INVALID_PERIOD"),
        ({"kind": Sanction.Kind.ENROLMENT_LIMITED}, "SANCTION_LIMIT_REQUIRED"),
        ({"kind": Sanction.Kind.ENROLMENT_LIMITED, "limit": 0}, "SANCTION_LIMIT_INVALID"),
        ({"kind": Sanction.Kind.ENROLMENT_SUSPENDED, "limit": 10}, "SANCTION_LIMIT_NOT_ALLOWED"),
        ({"kind": "EXPULSION"}, "SANCTION_INVALID_KIND"),
        ({"reason": "   "}, "SANCTION_REASON_REQUIRED"),
    ],
)
def test_sanction_issue_refuses_bad_input(national_regulator, university, kwargs, code):
    # when
    with pytest.raises(ApplicationError) as exc:
        issue(national_regulator, university, **kwargs)

    # then
    assert exc.value.code == code
    assert not Sanction.objects.exists()


def test_sanction_issue_refuses_major_of_another_university(national_regulator, university, other_university):
    # given
    foreign_major = Major.objects.create(
        university=other_university, catalogue_code="050201", name="英语", level=Level.HS_TO_ASSOCIATE
    )

    # when
    with pytest.raises(ApplicationError) as exc:
        issue(national_regulator, university, major=foreign_major)

    # then
    assert exc.value.code == "SANCTION_MAJOR_NOT_OF_UNIVERSITY"
    assert not Sanction.objects.exists()


def test_sanction_lift_records_who_when_and_why(national_regulator, province_regulator, university):
    # given
    sanction = issue(national_regulator, university, kind=Sanction.Kind.ENROLMENT_SUSPENDED)

    # when
    services.sanction_lift(actor=province_regulator, sanction=sanction, reason="整改到位")

    # then
    sanction.refresh_from_db()
    assert sanction.is_lifted
    assert sanction.lifted_by == province_regulator
    assert sanction.lift_reason == "整改到位"
    event = AuditEvent.objects.get(action="sanctions.lifted")
    assert event.target_id == str(sanction.pk)
    assert event.data == {"sanction_id": sanction.pk, "university_id": university.pk}


def test_sanction_lift_refuses_already_lifted(national_regulator, university):
    # given
    sanction = issue(national_regulator, university)
    services.sanction_lift(actor=national_regulator, sanction=sanction, reason="整改到位")

    # when
    with pytest.raises(Conflict) as exc:
        services.sanction_lift(actor=national_regulator, sanction=sanction, reason="再次解除")

    # then
    assert exc.value.code == "SANCTION_ALREADY_LIFTED"
    assert AuditEvent.objects.filter(action="sanctions.lifted").count() == 1


def test_sanction_lift_requires_a_reason(national_regulator, university):
    # given
    sanction = issue(national_regulator, university)

    # when
    with pytest.raises(ApplicationError) as exc:
        services.sanction_lift(actor=national_regulator, sanction=sanction, reason="")

    # then
    assert exc.value.code == "SANCTION_REASON_REQUIRED"
    sanction.refresh_from_db()
    assert not sanction.is_lifted


@pytest.mark.parametrize(
    "role",
    ["other_province_regulator", "system_admin", "university_admin", "academic_staff", "centre_staff", "student"],
)
def test_sanction_lift_refused_for_roles_without_the_power_here(request, role, national_regulator, university):
    # given
    sanction = issue(national_regulator, university)
    actor = request.getfixturevalue(role)

    # when
    with pytest.raises(PermissionDenied):
        services.sanction_lift(actor=actor, sanction=sanction, reason="越权解除")

    # then
    sanction.refresh_from_db()
    assert not sanction.is_lifted
