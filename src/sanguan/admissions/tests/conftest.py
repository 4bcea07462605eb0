"""Fixtures for the entrance gate: an approved plan, an exam session with a pass line, and
an applicant ready to be admitted (verified qualification, passing score, review passed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanguan.admissions import services
from sanguan.admissions.models import EnrollmentPlan, ExamSession, Season
from sanguan.codes.validators import id_check_char
from sanguan.institutions.models import Level


def make_id(n: int = 1, *, region: str = "420102", birth: str = "19900101") -> str:
    body = f"{region}{birth}{n % 1000:03d}"
    return body + id_check_char(body)


@pytest.fixture
def plan(university_admin, university, major) -> EnrollmentPlan:
    plan = services.plan_create(
        actor=university_admin, university=university, year=2026, season=Season.AUTUMN, major=major, quota=3,
        teachers=10, centre_seats=100, course_resources=20,
    )
    services.plan_submit(actor=university_admin, plan=plan)
    return services.plan_approve(actor=university_admin, plan=plan)


@pytest.fixture
def session(university_admin, university) -> ExamSession:
    s = services.exam_session_create(
        actor=university_admin, university=university, year=2026, season=Season.AUTUMN,
        kind=ExamSession.Kind.ADULT_ENTRANCE, name="2026 成人高考", held_on=dt.date(2025, 10, 18),
    )
    services.pass_line_set(actor=university_admin, session=s, level=Level.ASSOCIATE_TO_BACHELOR,
                           min_score=Decimal("150"))
    return s


@pytest.fixture
def ready(university_admin, plan, session):
    """A factory: an applicant who meets every condition for admission."""

    def make(n: int = 1, *, target_plan: EnrollmentPlan | None = None):
        reg = services.applicant_register(
            actor=university_admin, plan=target_plan or plan,
            person=services.PersonInput(name=f"考生{n}", id_number=make_id(n), phone="13800138000"),
        )
        a = reg.applicant
        q = services.qualification_declare(
            actor=university_admin, applicant=a, kind="ASSOCIATE", institution_name="武汉职业技术学院",
            graduated_on=dt.date(2012, 7, 1), report_number="A1B2C3D4E5F6",
        )
        services.qualification_verify(actor=university_admin, qualification=q, accepted=True)
        services.score_record(actor=university_admin, applicant=a, session=session, score="200")
        services.moral_review_record(actor=university_admin, applicant=a, passed=True)
        a.refresh_from_db()
        return a

    return make
