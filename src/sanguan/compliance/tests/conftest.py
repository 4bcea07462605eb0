from __future__ import annotations

import datetime as dt

import pytest

from sanguan.compliance import services
from sanguan.compliance.models import Finding
from sanguan.institutions.models import LearningCentre

TODAY = dt.date(2026, 5, 10)


@pytest.fixture
def remote_centre(university, other_province) -> LearningCentre:
    """An operating, disclosed, university-owned centre in another province, with no filing there."""
    return LearningCentre.objects.create(
        university=university,
        code="JH-GZ-01",
        name="江汉大学广州天河校外教学点",
        host_province=other_province,
        city="广州市",
        kind=LearningCentre.Kind.OWN,
        address="广州市天河区体育西路 1 号",
        status=LearningCentre.Status.OPERATING,
        is_disclosed=True,
        disclosed_on=dt.date(2025, 6, 30),
    )


def run(**kwargs):
    kwargs.setdefault("today", TODAY)
    return services.compliance_run(**kwargs)


@pytest.fixture
def finding(remote_centre) -> Finding:
    """An open CENTRE-001 finding on the remote centre (visible in provinces 42 and 44)."""
    run(rule_codes=["CENTRE-001"])
    return Finding.objects.get(rule_code="CENTRE-001")
