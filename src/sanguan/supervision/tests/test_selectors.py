from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanguan.institutions.models import Level, Major
from sanguan.supervision import services
from sanguan.supervision.models import Sanction
from sanguan.supervision.selectors import EnrollmentRestriction, enrollment_restriction, sanctions_visible_to

DAY = dt.date(2026, 5, 10)


def issue(actor, university, **kwargs):
    params = {"kind": Sanction.Kind.ENROLMENT_LIMITED, "starts_on": dt.date(2026, 3, 1), "reason": "超计划招生"}
    params.update(kwargs)
    return services.sanction_issue(actor=actor, university=university, **params)


@pytest.fixture
def second_major(university) -> Major:
    return Major.objects.create(
        university=university, catalogue_code="120203", name="会计学", level=Level.HS_TO_BACHELOR
    )


def test_no_sanction_means_no_restriction(university, major):
    assert enrollment_restriction(university=university, major=major, on=DAY) == EnrollmentRestriction(
        suspended=False, limit=None, sanctions=[]
    )


def test_restriction_takes_the_smallest_limit_of_university_wide_and_major_sanctions(
    national_regulator, university, major
):
    # given
    wide = issue(national_regulator, university, limit=300)
    narrow = issue(national_regulator, university, major=major, limit=40)

    # when
    for_major = enrollment_restriction(university=university, major=major, on=DAY)
    for_university = enrollment_restriction(university=university, on=DAY)

    # then
    assert for_major.limit == 40
    assert not for_major.suspended
    assert for_major.sanctions == [wide, narrow]
    assert for_university.limit == 300
    assert for_university.sanctions == [wide]


def test_sanction_on_another_major_does_not_restrict(national_regulator, university, major, second_major):
    # given
    issue(national_regulator, university, major=second_major, kind=Sanction.Kind.ENROLMENT_SUSPENDED, limit=None)

    # when
    restriction = enrollment_restriction(university=university, major=major, on=DAY)

    # then
    assert not restriction.is_restricted


def test_university_wide_suspension_suspends_every_major(national_regulator, university, major):
    # given
    issue(national_regulator, university, kind=Sanction.Kind.ENROLMENT_SUSPENDED, limit=None)
    issue(national_regulator, university, major=major, limit=10)

    # when
    restriction = enrollment_restriction(university=university, major=major, on=DAY)

    # then
    assert restriction.suspended
    assert restriction.limit == 10


def test_reprimands_and_rectification_orders_do_not_restrict_enrolment(national_regulator, university):
    # given
    issue(national_regulator, university, kind=Sanction.Kind.PUBLIC_REPRIMAND, limit=None)
    issue(national_regulator, university, kind=Sanction.Kind.RECTIFICATION_ORDER, limit=None)

    # then
    assert enrollment_restriction(university=university, on=DAY) == EnrollmentRestriction()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "in_force"),
    [
        (dt.date(2026, 5, 10), None, True),  # starts that day
        (dt.date(2026, 5, 11), None, False),  # not yet
        (dt.date(2026, 1, 1), dt.date(2026, 5, 10), True),  # ends that day
        (dt.date(2026, 1, 1), dt.date(2026, 5, 9), False),  # over
    ],
)
def test_restriction_follows_the_sanction_period(national_regulator, university, starts_on, ends_on, in_force):
    # given
    issue(national_regulator, university, starts_on=starts_on, ends_on=ends_on, limit=5)

    # when
    restriction = enrollment_restriction(university=university, on=DAY)

    # then
    assert restriction.is_restricted is in_force


def test_lifted_sanction_no_longer_restricts_but_did_before_it_was_lifted(national_regulator, university):
    # given
    sanction = issue(national_regulator, university, kind=Sanction.Kind.ENROLMENT_SUSPENDED, limit=None)
    services.sanction_lift(actor=national_regulator, sanction=sanction, reason="整改到位")
    today = timezone.localdate()

    # then
    assert not enrollment_restriction(university=university, on=today).suspended
    assert enrollment_restriction(university=university, on=today - dt.timedelta(days=1)).suspended is (
        sanction.starts_on <= today - dt.timedelta(days=1)
    )


def test_sanctions_visible_by_role(
    national_regulator,
    province_regulator,
    other_province_regulator,
    university_admin,
    other_university_admin,
    academic_staff,
    teacher,
    centre_staff,
    student,
    system_admin,
    university,
):
    # given
    sanction = issue(national_regulator, university, kind=Sanction.Kind.PUBLIC_REPRIMAND, limit=None)

    # then
    for user in (national_regulator, system_admin, province_regulator, university_admin, academic_staff):
        assert list(sanctions_visible_to(user=user)) == [sanction], user
    for user in (other_province_regulator, other_university_admin, teacher, centre_staff, student):
        assert list(sanctions_visible_to(user=user)) == [], user
