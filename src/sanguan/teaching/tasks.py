"""Background entry points: ids in, service calls out.

Celery beat runs ``teaching.monitor_all`` every ``SANGUAN_MONITOR_INTERVAL_SECONDS`` (see
``settings.CELERY_BEAT_SCHEDULE``); it queues one ``teaching.monitor_university`` per
university, so universities are monitored in parallel by the workers and one that fails does
not hold up the others."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from sanguan.accounts.policy import SYSTEM
from sanguan.institutions.models import University

from . import monitoring, signals_brushing
from .models import Offering

logger = logging.getLogger(__name__)


def monitor_university(university_id: int, *, full: bool = True) -> dict[str, int]:
    """Refresh the engagement figures, raise the warnings the rules call for, recompute the
    刷课 evidence: what the periodic job does for one university.

    ``full=False`` (the scheduled job) brings the figures up to date from the watermark and
    recomputes the 刷课 evidence only when some student's figures were read again: the
    evidence compares students with each other (shared devices and addresses), so it is
    recomputed over the whole university, and skipped when nothing arrived."""
    university = University.objects.get(pk=university_id)
    update = monitoring.engagement_update(actor=SYSTEM, university=university, full=full)
    raised = monitoring.warnings_raise(actor=SYSTEM, university=university)
    assessed = (
        len(signals_brushing.brushing_assess(actor=SYSTEM, university=university))
        if update.full or update.students
        else 0
    )
    return {
        "enrolments": update.enrolments,
        "students_read": update.students,
        "statements_read": update.statements_read,
        "warnings_raised": len(raised),
        "students_assessed": assessed,
    }


def universities_to_monitor() -> list[int]:
    return sorted(set(Offering.objects.values_list("university_id", flat=True)))


@shared_task(name="teaching.monitor_university")
def monitor_university_task(university_id: int, full: bool = False) -> dict[str, int]:
    return monitor_university(university_id, full=full)


@shared_task(name="teaching.monitor_all")
def monitor_all_task(full: bool = False) -> dict[str, Any]:
    """Queue the monitoring of every university that has offerings. With a broker each runs
    in a worker; in the embedded default (eager) each runs here, and a failure is logged and
    the next university still runs."""
    queued, failed = [], []
    for pk in universities_to_monitor():
        try:
            monitor_university_task.delay(pk, full=full)
        except Exception:
            logger.exception("teaching monitoring failed for university %s", pk)
            failed.append(pk)
        else:
            queued.append(pk)
    return {"queued": queued, "failed": failed}
