"""Background entry points: ids in, service calls out."""

from __future__ import annotations

from celery import shared_task

from sanguan.accounts.policy import SYSTEM
from sanguan.institutions.models import University

from . import monitoring, signals_brushing


def monitor_university(university_id: int) -> dict[str, int]:
    """Refresh the engagement figures, raise the warnings the rules call for, recompute the
    刷课 evidence: what the periodic job does for one university."""
    university = University.objects.get(pk=university_id)
    enrolments = monitoring.engagement_refresh(actor=SYSTEM, university=university)
    raised = monitoring.warnings_raise(actor=SYSTEM, university=university)
    assessed = signals_brushing.brushing_assess(actor=SYSTEM, university=university)
    return {"enrolments": enrolments, "warnings_raised": len(raised), "students_assessed": len(assessed)}


@shared_task(name="teaching.monitor_university")
def monitor_university_task(university_id: int) -> dict[str, int]:
    return monitor_university(university_id)
