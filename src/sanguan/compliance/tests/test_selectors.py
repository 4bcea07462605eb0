from __future__ import annotations

import pytest

from sanguan.compliance.models import Finding
from sanguan.compliance.selectors import findings_visible_to, transitions_available
from sanguan.conftest import make_user
from sanguan.institutions.models import LearningCentre, Province

from .conftest import run


@pytest.fixture
def findings(remote_centre, centre, other_centre):
    """CENTRE-001 on the remote centre (provinces 42 and 44); CENTRE-002 and CENTRE-003 on the
    other university's centre (province 44 only); nothing on ``centre``."""
    run()
    return {f.rule_code + ":" + f.subject_id: f for f in Finding.objects.all()}


def visible(user) -> set[str]:
    return {f"{f.rule_code}:{f.subject_id}" for f in findings_visible_to(user=user)}


def test_findings_are_scoped_per_role(
    findings,
    remote_centre,
    other_centre,
    centre,
    national_regulator,
    system_admin,
    province_regulator,
    other_province_regulator,
    university_admin,
    academic_staff,
    other_university_admin,
    teacher,
    centre_staff,
    student,
):
    # given
    remote = f"CENTRE-001:{remote_centre.pk}"
    others = {f"CENTRE-002:{other_centre.pk}", f"CENTRE-003:{other_centre.pk}"}
    remote_staff = make_user("remote-staff", "CENTRE_STAFF", university=remote_centre.university, centre=remote_centre)
    beijing = make_user("beijing", "PROVINCE_REGULATOR", province=Province.objects.get(code="11"))

    # then
    assert set(findings) == {remote, *others}
    assert visible(national_regulator) == {remote, *others}
    assert visible(system_admin) == {remote, *others}
    assert visible(province_regulator) == {remote}  # the university's province
    assert visible(other_province_regulator) == {remote, *others}  # the host province
    assert visible(beijing) == set()
    assert visible(university_admin) == {remote}
    assert visible(academic_staff) == {remote}
    assert visible(other_university_admin) == others
    assert visible(remote_staff) == {remote}
    assert visible(centre_staff) == set()  # their centre has no finding
    assert visible(teacher) == set()
    assert visible(student) == set()


def test_findings_filters(findings, national_regulator):
    assert {f.rule_code for f in findings_visible_to(user=national_regulator, filters={"severity": "MEDIUM"})} == {
        "CENTRE-002"
    }
    assert findings_visible_to(user=national_regulator, filters={"rule": "CENTRE-003"}).count() == 1
    assert findings_visible_to(user=national_regulator, filters={"article": 7}).count() == 3
    assert findings_visible_to(user=national_regulator, filters={"article": 8}).count() == 0
    assert findings_visible_to(user=national_regulator, filters={"status": "RECTIFYING"}).count() == 0
    assert findings_visible_to(user=national_regulator, filters={"status": "", "rule": None}).count() == 3


def test_transitions_available_follow_role_and_status(finding, university_admin, province_regulator, centre_staff):
    assert [t.name for t in transitions_available(user=university_admin, finding=finding)] == ["start_rectifying"]
    assert transitions_available(user=province_regulator, finding=finding) == []
    assert transitions_available(user=centre_staff, finding=finding) == []
    Finding.objects.filter(pk=finding.pk).update(status="RECTIFIED")
    finding.refresh_from_db()
    assert [t.name for t in transitions_available(user=province_regulator, finding=finding)] == ["verify", "reopen"]


def test_closed_centre_keeps_its_findings_visible_to_its_staff(finding, remote_centre):
    # given
    staff = make_user("remote-staff", "CENTRE_STAFF", university=remote_centre.university, centre=remote_centre)
    LearningCentre.objects.filter(pk=remote_centre.pk).update(status=LearningCentre.Status.CLOSED)

    # then
    assert list(findings_visible_to(user=staff)) == [finding]
