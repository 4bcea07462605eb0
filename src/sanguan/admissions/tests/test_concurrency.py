"""The gate holds under load: parallel admissions never exceed the plan or a sanction's limit.

PostgreSQL only (row locks; SQLite serialises writers and proves nothing here)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from sanguan.admissions import services
from sanguan.admissions.models import Applicant, EnrollmentPlan, StudentRecord
from sanguan.core.errors import ApplicationError
from sanguan.supervision.models import Sanction

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKERS = 12


def _hammer(actor, applicants, on=None) -> tuple[list[int], list[str]]:
    barrier = threading.Barrier(len(applicants))
    admitted: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def work(a: Applicant) -> None:
        try:
            barrier.wait()
            services.admission_decide(actor=actor, applicant=a, admit=True, on=on)
            with lock:
                admitted.append(a.pk)
        except ApplicationError as exc:
            with lock:
                refused.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(a,)) for a in applicants]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return admitted, refused


def test_parallel_admissions_never_exceed_the_plan(university_admin, plan, ready):
    # given a plan of 3 seats and 12 applicants who all qualify
    applicants = [ready(n) for n in range(1, WORKERS + 1)]
    # when 12 workers try to admit them at the same moment
    admitted, refused = _hammer(university_admin, applicants)
    # then exactly 3 are admitted and 9 are refused as plan full
    assert len(admitted) == 3
    assert sorted(set(refused)) == ["PLAN_FULL"] and len(refused) == WORKERS - 3
    plan.refresh_from_db()
    assert plan.admitted_count == 3 == StudentRecord.objects.filter(plan=plan).count()
    assert len(set(StudentRecord.objects.values_list("student_number", flat=True))) == 3


def test_parallel_admissions_across_plans_respect_a_sanction_limit(university_admin, national_regulator,
                                                                   university, plan, ready):
    # given two plans with room for 9 and a limitation to 4 admissions for the university
    from sanguan.institutions.models import Level, Major

    other = Major.objects.create(university=university, catalogue_code="120203K", name="会计学",
                                 level=Level.ASSOCIATE_TO_BACHELOR)
    p = services.plan_create(actor=university_admin, university=university, year=2026, major=other, quota=6,
                             teachers=1)
    services.plan_submit(actor=university_admin, plan=p)
    plans = [plan, services.plan_approve(actor=university_admin, plan=p)]
    Sanction.objects.create(kind=Sanction.Kind.ENROLMENT_LIMITED, limit=4, university=university,
                            starts_on=dt.date(2026, 1, 1), reason="生师比不达标", issued_by=national_regulator)
    applicants = [ready(n, target_plan=plans[n % 2]) for n in range(1, WORKERS + 1)]
    # when 12 workers admit at once
    admitted, refused = _hammer(university_admin, applicants, on=dt.date(2026, 9, 1))
    # then only 4 get in
    assert len(admitted) == 4
    assert set(refused) == {"ENROLLMENT_LIMIT_REACHED"}
    assert StudentRecord.objects.count() == 4
    assert sum(EnrollmentPlan.objects.values_list("admitted_count", flat=True)) == 4
