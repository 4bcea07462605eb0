"""The Art. 7 compliance rules on learning centres (``institutions/rules.py``)."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.compliance import registry
from sanguan.compliance.registry import RuleContext
from sanguan.institutions.models import CentreFiling, LearningCentre

TODAY = dt.date(2026, 5, 10)


def detected(code: str) -> list:
    rule = registry.get_rule(code)
    return list(rule.check(RuleContext(today=TODAY, now=dt.datetime(2026, 5, 10, 9, tzinfo=dt.UTC))))


@pytest.fixture
def remote(university, other_province) -> LearningCentre:
    return LearningCentre.objects.create(
        university=university,
        code="JH-GZ-01",
        name="江汉大学广州校外教学点",
        host_province=other_province,
        kind=LearningCentre.Kind.OWN,
        address="广州市",
        status=LearningCentre.Status.OPERATING,
        is_disclosed=True,
    )


def filing(centre, province, **kwargs) -> CentreFiling:
    values = {
        "cycle_year": 2025,
        "filed_status": CentreFiling.Filed.NEW,
        "decision": CentreFiling.Decision.ACCEPTED,
        "submitted_on": dt.date(2025, 1, 20),
        "decided_on": dt.date(2025, 4, 30),
        "valid_until": dt.date(2028, 4, 29),
    }
    values.update(kwargs)
    return CentreFiling.objects.create(centre=centre, province=province, **values)


def test_the_three_rules_are_registered_under_article_7():
    rules = {r.code: r for r in registry.all_rules() if r.code.startswith("CENTRE-")}
    assert {code: (r.article, r.severity) for code, r in rules.items()} == {
        "CENTRE-001": (7, "HIGH"),
        "CENTRE-002": (7, "MEDIUM"),
        "CENTRE-003": (7, "HIGH"),
    }


def test_out_of_province_centre_without_filing_is_detected_with_evidence(remote, university, other_province):
    # when
    [detection] = detected("CENTRE-001")

    # then
    assert detection.subject == remote
    assert detection.university_id == university.pk
    assert detection.centre_id == remote.pk
    assert detection.provinces == frozenset({"42", "44"})
    assert detection.evidence[0].url == f"/institutions/centres/{remote.pk}/"
    assert detection.evidence[1].label == "Filings with {province}"
    assert detection.summary_params["host_province"] == other_province.name


def test_accepted_filing_in_force_with_the_host_province_satisfies_the_rule(remote, other_province):
    filing(remote, other_province)
    assert detected("CENTRE-001") == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"decision": CentreFiling.Decision.PENDING, "decided_on": None},
        {"decision": CentreFiling.Decision.REJECTED},
        {"valid_until": dt.date(2026, 5, 9)},  # expired the day before
        {"filed_status": CentreFiling.Filed.REVOKED},
        {"decided_on": dt.date(2026, 5, 11)},  # accepted only tomorrow
    ],
)
def test_filing_not_in_force_does_not_satisfy_the_rule_and_is_shown_as_evidence(remote, other_province, kwargs):
    # given
    row = filing(remote, other_province, **kwargs)

    # when
    [detection] = detected("CENTRE-001")

    # then
    assert detection.evidence[1].url == f"/institutions/centres/{remote.pk}/#filing-{row.pk}"
    assert detection.evidence[1].params["year"] == 2025


def test_filing_with_the_wrong_province_does_not_satisfy_the_rule(remote, province):
    filing(remote, province)  # filed with the university's own province, not the host
    assert [d.subject for d in detected("CENTRE-001")] == [remote]


def test_in_province_and_non_operating_centres_need_no_host_filing(centre, remote):
    LearningCentre.objects.filter(pk=remote.pk).update(status=LearningCentre.Status.PLANNED)
    assert detected("CENTRE-001") == []


def test_operating_centre_not_disclosed_is_detected(centre):
    # given
    LearningCentre.objects.filter(pk=centre.pk).update(is_disclosed=False, disclosed_on=None)

    # when
    [detection] = detected("CENTRE-002")

    # then
    assert detection.subject == centre
    assert detection.provinces == frozenset({"42"})


def test_disclosed_or_planned_centres_pass_the_disclosure_rule(centre, university, province):
    LearningCentre.objects.create(
        university=university,
        code="PLAN",
        name="筹建中",
        host_province=province,
        address="武汉",
        status=LearningCentre.Status.PLANNED,
    )
    assert detected("CENTRE-002") == []


def test_partner_centre_without_agreement_is_detected_unless_closed(university, province):
    # given
    partner = LearningCentre.objects.create(
        university=university,
        code="P1",
        name="合作教学点",
        host_province=province,
        address="武汉",
        kind=LearningCentre.Kind.PARTNER,
        host_org_name="某职业学院",
        status=LearningCentre.Status.OPERATING,
    )
    LearningCentre.objects.create(
        university=university,
        code="P2",
        name="已关闭合作点",
        host_province=province,
        address="武汉",
        kind=LearningCentre.Kind.PARTNER,
        status=LearningCentre.Status.CLOSED,
    )
    LearningCentre.objects.create(
        university=university,
        code="P3",
        name="已签协议合作点",
        host_province=province,
        address="武汉",
        kind=LearningCentre.Kind.PARTNER,
        status=LearningCentre.Status.OPERATING,
        agreement_signed_on=dt.date(2024, 9, 1),
    )

    # when
    [detection] = detected("CENTRE-003")

    # then
    assert detection.subject == partner
    assert detection.evidence[1].value == "某职业学院"


def test_own_centres_need_no_partner_agreement(centre):
    assert detected("CENTRE-003") == []
