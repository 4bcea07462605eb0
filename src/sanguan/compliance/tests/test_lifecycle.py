from __future__ import annotations

import pytest
from django.utils import timezone

from sanguan.audit.models import AuditEvent
from sanguan.compliance import services
from sanguan.compliance.models import Finding, FindingEvent
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied


def at_status(finding: Finding, status: str) -> Finding:
    Finding.objects.filter(pk=finding.pk).update(status=status, status_changed_at=timezone.now())
    finding.refresh_from_db()
    return finding


def test_full_lifecycle_is_recorded_and_audited(finding, university_admin, academic_staff, province_regulator):
    # given
    Finding.objects.filter(pk=finding.pk).update(no_longer_detected_at=timezone.now())

    # when
    services.finding_start_rectifying(actor=academic_staff, finding=finding, note="启动整改")
    services.finding_mark_rectified(actor=university_admin, finding=finding, note="已向广东省补办备案")
    services.finding_verify(actor=province_regulator, finding=finding, note="备案已通过")

    # then
    finding.refresh_from_db()
    assert finding.status == Finding.Status.VERIFIED
    steps = [(e.from_status, e.to_status, e.actor, e.note) for e in finding.events.filter(kind="TRANSITION")]
    assert steps == [
        ("OPEN", "RECTIFYING", academic_staff, "启动整改"),
        ("RECTIFYING", "RECTIFIED", university_admin, "已向广东省补办备案"),
        ("RECTIFIED", "VERIFIED", province_regulator, "备案已通过"),
    ]
    events = AuditEvent.objects.filter(
        target_type="compliance.finding",
        action__in=[
            "compliance.finding_rectifying",
            "compliance.finding_rectified",
            "compliance.finding_verified",
        ],
    ).order_by("leaf_index")
    assert [e.action for e in events] == [
        "compliance.finding_rectifying",
        "compliance.finding_rectified",
        "compliance.finding_verified",
    ]
    assert events[2].data == {"finding_id": finding.pk, "from": "RECTIFIED", "to": "VERIFIED"}


@pytest.mark.parametrize("status", ["RECTIFIED", "VERIFIED"])
def test_regulator_reopens_rectified_or_verified_finding(finding, other_province_regulator, status):
    # given: the host province (44) supervises the remote centre as well
    at_status(finding, status)

    # when
    services.finding_reopen(actor=other_province_regulator, finding=finding, note="复查仍未备案")

    # then
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    assert AuditEvent.objects.filter(action="compliance.finding_reopened", target_id=str(finding.pk)).exists()


FORBIDDEN = [
    (
        "start_rectifying",
        "OPEN",
        [
            "national_regulator",
            "province_regulator",
            "teacher",
            "centre_staff",
            "student",
            "other_university_admin",
            "system_admin",
        ],
    ),
    (
        "mark_rectified",
        "RECTIFYING",
        ["academic_staff", "province_regulator", "centre_staff", "student", "other_university_admin"],
    ),
    ("verify", "RECTIFIED", ["university_admin", "academic_staff", "centre_staff", "system_admin", "student"]),
    ("reopen", "VERIFIED", ["university_admin", "centre_staff", "system_admin", "student"]),
]


@pytest.mark.parametrize(("transition", "status", "role"), [(t, s, r) for t, s, roles in FORBIDDEN for r in roles])
def test_transition_refused_for_roles_without_the_power_here(request, finding, transition, status, role):
    # given
    at_status(finding, status)
    actor = request.getfixturevalue(role)

    # when
    with pytest.raises(PermissionDenied) as exc:
        services.finding_transition(actor=actor, finding=finding, transition=transition, note="越权")

    # then
    assert exc.value.code == "PERMISSION_DENIED"
    finding.refresh_from_db()
    assert finding.status == status
    assert not finding.events.filter(kind=FindingEvent.Kind.TRANSITION).exists()


def test_province_regulator_of_an_unrelated_province_cannot_verify(finding, university):
    # given
    from sanguan.conftest import make_user
    from sanguan.institutions.models import Province

    beijing = make_user("beijing", "PROVINCE_REGULATOR", province=Province.objects.get(code="11"))
    at_status(finding, "RECTIFIED")

    # when / then
    with pytest.raises(PermissionDenied):
        services.finding_verify(actor=beijing, finding=finding, note="越权核查")


@pytest.mark.parametrize(
    ("transition", "status", "actor"),
    [
        ("mark_rectified", "OPEN", "university_admin"),
        ("verify", "OPEN", "national_regulator"),
        ("verify", "RECTIFYING", "national_regulator"),
        ("reopen", "OPEN", "national_regulator"),
        ("reopen", "RECTIFYING", "national_regulator"),
        ("start_rectifying", "RECTIFIED", "university_admin"),
        ("start_rectifying", "VERIFIED", "university_admin"),
        ("verify", "VERIFIED", "national_regulator"),
    ],
)
def test_transition_refused_from_the_wrong_status(request, finding, transition, status, actor):
    # given
    at_status(finding, status)

    # when
    with pytest.raises(Conflict) as exc:
        services.finding_transition(
            actor=request.getfixturevalue(actor), finding=finding, transition=transition, note="说明"
        )

    # then
    assert exc.value.code == "INVALID_TRANSITION"
    assert exc.value.extra == {"from": status, "transition": transition}
    finding.refresh_from_db()
    assert finding.status == status


def test_transition_needs_a_note(finding, university_admin):
    with pytest.raises(ApplicationError) as exc:
        services.finding_start_rectifying(actor=university_admin, finding=finding, note="  ")
    assert exc.value.code == "NOTE_REQUIRED"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN


def test_unknown_transition_is_refused(finding, university_admin):
    with pytest.raises(ApplicationError) as exc:
        services.finding_transition(actor=university_admin, finding=finding, transition="close", note="关闭")
    assert exc.value.code == "UNKNOWN_TRANSITION"


def test_verification_refused_while_the_violation_is_still_detected(finding, university_admin, province_regulator):
    # given
    from .conftest import run

    services.finding_start_rectifying(actor=university_admin, finding=finding, note="启动整改")
    services.finding_mark_rectified(actor=university_admin, finding=finding, note="已整改")
    run(rule_codes=["CENTRE-001"])  # still operating without a filing

    # when
    with pytest.raises(Conflict) as exc:
        services.finding_verify(actor=province_regulator, finding=finding, note="核查")

    # then
    assert exc.value.code == "STILL_DETECTED"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RECTIFIED


def test_reopening_a_verified_finding_refused_when_a_newer_one_tracks_the_violation(finding, national_regulator):
    # given
    from .conftest import run

    at_status(finding, "VERIFIED")
    run(rule_codes=["CENTRE-001"])
    newer = Finding.objects.exclude(pk=finding.pk).get()

    # when
    with pytest.raises(Conflict) as exc:
        services.finding_reopen(actor=national_regulator, finding=finding, note="重新打开")

    # then
    assert exc.value.code == "ACTIVE_FINDING_EXISTS"
    assert exc.value.extra == {"finding_id": newer.pk}
