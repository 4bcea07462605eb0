from __future__ import annotations

import datetime as dt

import pytest

from sanguan.audit.models import AuditEvent
from sanguan.compliance.models import Finding, FindingEvent
from sanguan.core.errors import ApplicationError, PermissionDenied
from sanguan.institutions.models import CentreFiling

from .conftest import run


def file_accepted(centre, province, *, year=2026):
    return CentreFiling.objects.create(
        centre=centre,
        province=province,
        cycle_year=year,
        filed_status=CentreFiling.Filed.NEW,
        decision=CentreFiling.Decision.ACCEPTED,
        submitted_on=dt.date(year, 1, 20),
        decided_on=dt.date(year, 4, 30),
        valid_until=dt.date(year + 3, 4, 29),
    )


def test_run_opens_a_finding_with_scope_and_evidence_and_audits_it(remote_centre, university):
    # when
    summary = run(rule_codes=["CENTRE-001"])

    # then
    assert (summary.detected, summary.opened, summary.redetected, summary.no_longer_detected) == (1, 1, 0, 0)
    assert summary.errors == {}
    finding = Finding.objects.get()
    assert finding.status == Finding.Status.OPEN
    assert (finding.rule_code, finding.article, finding.severity) == ("CENTRE-001", 7, "HIGH")
    assert finding.subject_type.model == "learningcentre"
    assert finding.subject_id == str(remote_centre.pk)
    assert (finding.university_id, finding.centre_id) == (university.pk, remote_centre.pk)
    assert finding.provinces == ["42", "44"]
    assert finding.evidence[0] == {"label": "Centre record", "url": f"/institutions/centres/{remote_centre.pk}/"}
    assert [e.kind for e in finding.events.all()] == [FindingEvent.Kind.DETECTED]
    opened = AuditEvent.objects.get(action="compliance.finding_opened")
    assert opened.target_id == str(finding.pk)
    assert opened.actor_id is None
    assert opened.data == {"finding_id": finding.pk, "rule": "CENTRE-001"}
    assert AuditEvent.objects.filter(action="compliance.ran").count() == 1


def test_second_run_does_not_duplicate_an_open_finding(remote_centre):
    # given
    run()
    first = Finding.objects.get()

    # when
    summary = run()

    # then
    assert (summary.opened, summary.redetected) == (0, 1)
    finding = Finding.objects.get()
    assert finding.pk == first.pk
    assert finding.last_detected_at > first.last_detected_at
    assert AuditEvent.objects.filter(action="compliance.finding_opened").count() == 1


def test_violation_no_longer_detected_is_flagged_not_closed(remote_centre, other_province):
    # given
    run()
    file_accepted(remote_centre, other_province)

    # when
    summary = run()
    again = run()

    # then
    assert summary.no_longer_detected == 1
    assert again.no_longer_detected == 0  # flagged once, not on every run
    finding = Finding.objects.get()
    assert finding.status == Finding.Status.OPEN
    assert finding.no_longer_detected_at is not None
    assert [e.kind for e in finding.events.all()] == [FindingEvent.Kind.DETECTED, FindingEvent.Kind.NO_LONGER_DETECTED]
    assert AuditEvent.objects.filter(action="compliance.finding_no_longer_detected").count() == 1


def test_violation_detected_again_clears_the_flag_on_the_same_finding(remote_centre, other_province):
    # given
    run()
    filing = file_accepted(remote_centre, other_province)
    run()
    CentreFiling.objects.filter(pk=filing.pk).update(decision=CentreFiling.Decision.REJECTED)

    # when
    summary = run()

    # then
    assert (summary.opened, summary.redetected) == (0, 1)
    finding = Finding.objects.get()
    assert finding.no_longer_detected_at is None
    assert finding.events.last().kind == FindingEvent.Kind.DETECTED_AGAIN


def test_violation_recurring_after_verification_opens_a_new_finding(
    remote_centre, university_admin, province_regulator
):
    # given
    from sanguan.compliance import services

    run()
    old = Finding.objects.get()
    services.finding_start_rectifying(actor=university_admin, finding=old, note="补办备案")
    services.finding_mark_rectified(actor=university_admin, finding=old, note="已提交备案材料")
    Finding.objects.filter(pk=old.pk).update(no_longer_detected_at=old.last_detected_at)
    services.finding_verify(actor=province_regulator, finding=old, note="现场核查通过")

    # when
    summary = run()

    # then
    assert summary.opened == 1
    assert Finding.objects.filter(status=Finding.Status.VERIFIED).get().pk == old.pk
    assert Finding.objects.filter(status=Finding.Status.OPEN).count() == 1


def test_run_refuses_an_unknown_rule(db):
    with pytest.raises(ApplicationError) as exc:
        run(rule_codes=["CENTRE-999"])
    assert exc.value.code == "UNKNOWN_RULE"
    assert exc.value.extra == {"rule": "CENTRE-999"}


@pytest.mark.parametrize("role", ["teacher", "centre_staff", "student", "academic_staff"])
def test_run_refused_for_roles_that_may_not_run_rules(request, role, remote_centre):
    with pytest.raises(PermissionDenied):
        run(actor=request.getfixturevalue(role))
    assert not Finding.objects.exists()


def test_run_by_a_regulator_is_audited_in_their_name(national_regulator, remote_centre):
    # when
    run(actor=national_regulator)

    # then
    assert AuditEvent.objects.get(action="compliance.ran").actor_id == national_regulator.pk


def test_a_failing_rule_is_reported_and_the_others_still_run(remote_centre):
    # given: a rule of this test's own that breaks
    from sanguan.compliance import registry

    def broken(context):
        raise RuntimeError("boom")

    registry.register(
        registry.Rule(
            code="TEST-BROKEN", article=14, severity="LOW", scope="NATIONAL", title="t", description="d", check=broken
        )
    )
    try:
        # when
        summary = run()
    finally:
        registry.unregister("TEST-BROKEN")

    # then
    assert summary.errors == {"TEST-BROKEN": "RuntimeError: boom"}
    assert summary.opened == 1
    assert Finding.objects.get().rule_code == "CENTRE-001"


def test_run_summary_lists_every_registered_rule_in_article_order(remote_centre):
    from sanguan.compliance import registry

    summary = run()
    assert summary.started_at <= summary.finished_at
    assert summary.as_dict()["rules"] == [r.code for r in registry.all_rules()]
    assert {"CENTRE-001", "CENTRE-002", "CENTRE-003"} <= set(summary.rules)


def test_background_task_runs_the_rules_and_returns_the_summary(remote_centre, national_regulator):
    # given
    from sanguan.compliance.tasks import compliance_run_task

    # when (eager in the embedded default)
    summary = compliance_run_task.delay(actor_id=national_regulator.pk, rule_codes=["CENTRE-001"]).get()

    # then
    assert (summary["rules"], summary["opened"]) == (["CENTRE-001"], 1)
    assert AuditEvent.objects.get(action="compliance.ran").actor_id == national_regulator.pk
