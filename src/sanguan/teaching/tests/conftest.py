"""Teaching fixtures: an approved programme, an offering at the centre with enrolled students,
and a helper that stores xAPI statements through the records app's service."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from sanguan.accounts.models import Role
from sanguan.accounts.policy import SYSTEM
from sanguan.admissions.models import Applicant, EnrollmentPlan, StudentRecord
from sanguan.conftest import make_user
from sanguan.records import services as records
from sanguan.teaching import services
from sanguan.teaching.config import POLITICAL_COURSES
from sanguan.teaching.models import TrainingProgramme
from sanguan.teaching.monitoring import EXT_DEVICE, EXT_IP, EXT_TIME_FROM, EXT_TIME_TO, account_home_page

BACHELOR_POLITICAL = ["MORALITY_AND_LAW", "MODERN_HISTORY", "MARXISM_PRINCIPLES", "MAO_AND_SOCIALISM", "XI_THOUGHT"]
TERM_START = dt.date(2026, 9, 1)
TERM_END = dt.date(2027, 1, 15)


def make_student(university, *, centre=None, major, number: str, user=None) -> StudentRecord:
    plan, _ = EnrollmentPlan.objects.get_or_create(
        university=university,
        year=2026,
        season="AUTUMN",
        major=major,
        centre=centre,
        defaults={"level": major.level, "track": major.track, "quota": 1000},
    )
    applicant = Applicant.objects.create(
        university=university,
        plan=plan,
        year=2026,
        season="AUTUMN",
        track=major.track,
        level=major.level,
        major=major,
        centre=centre,
        name="学生" + number[-3:],
        id_number="11010519491231002X",
        id_digest=uuid.uuid4().hex,
        birth_date=dt.date(1990, 1, 1),
        sex="2",
        channel="UNIVERSITY",
        status="ADMITTED",
        user=user,
    )
    return StudentRecord.objects.create(
        applicant=applicant,
        university=university,
        plan=plan,
        major=major,
        centre=centre,
        track=major.track,
        level=major.level,
        student_number=number,
        enrolled_on=dt.date(2026, 9, 1),
        user=user,
    )


def add_courses(programme: TrainingProgramme, *, political=BACHELOR_POLITICAL, f2f_share_hours=(40, 60)) -> None:
    """Political courses (online 30 h, face-to-face 6 h each) and one subject course."""
    for i, code in enumerate(political):
        services.programme_course_add(
            actor=SYSTEM,
            programme=programme,
            code=f"SZ{i + 1:02d}",
            name=POLITICAL_COURSES[code].name,
            credits=2,
            hours_online=30,
            hours_face_to_face=6,
            political_code=code,
        )
    online, f2f = f2f_share_hours
    services.programme_course_add(
        actor=SYSTEM,
        programme=programme,
        code="CS101",
        name="程序设计基础",
        credits=4,
        hours_online=online,
        hours_face_to_face=f2f,
        hours_practice=20,
    )


@pytest.fixture
def programme(major, university_admin) -> TrainingProgramme:
    p = services.programme_create(
        actor=university_admin, major=major, title="计算机科学与技术（专升本）", first_intake_year=2026
    )
    add_courses(p)
    return p


@pytest.fixture
def approved_programme(programme, university_admin) -> TrainingProgramme:
    return services.programme_approve(actor=university_admin, programme=programme)


@pytest.fixture
def offering(approved_programme, teacher, centre, academic_staff):
    course = approved_programme.courses.get(code="CS101")
    return services.offering_create(
        actor=academic_staff,
        course=course,
        term="2026-AUTUMN",
        teacher=teacher,
        centre=centre,
        starts_on=TERM_START,
        ends_on=TERM_END,
        activity_id="https://lms.example.edu.cn/course/cs101-2026a",
        unit_count=4,
    )


@pytest.fixture
def students(university, centre, major, student):
    """Three students of the centre; the first is the ``student`` fixture user."""
    others = [make_user(f"stu{i}", Role.STUDENT, university=university) for i in (2, 3)]
    users = [student, *others]
    return [
        make_student(university, centre=centre, major=major, number=f"2026420{i:05d}", user=u)
        for i, u in enumerate(users, start=1)
    ]


@pytest.fixture
def enrolled(offering, students, academic_staff):
    services.enrolment_add(actor=academic_staff, offering=offering, students=students)
    return students


@pytest.fixture
def lrs_client(university):
    return records.lrs_client_create(name="test LMS", university=university).client


def statement(
    university,
    number: str,
    at: dt.datetime,
    *,
    verb="http://adlnet.gov/expapi/verbs/experienced",
    object_id: str,
    duration: str | None = None,
    device: str = "",
    ip: str = "",
    video: tuple[float, float] | None = None,
    score: float | None = None,
    parent: str | None = None,
) -> dict:
    s: dict = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": account_home_page(university), "name": number}},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": object_id},
        "timestamp": at.isoformat(),
    }
    result: dict = {}
    if duration:
        result["duration"] = duration
    if video:
        result["extensions"] = {EXT_TIME_FROM: video[0], EXT_TIME_TO: video[1]}
    if score is not None:
        result["score"] = {"scaled": score}
    if result:
        s["result"] = result
    ctx: dict = {}
    if device or ip:
        ctx["extensions"] = {k: v for k, v in ((EXT_DEVICE, device), (EXT_IP, ip)) if v}
    if parent:
        ctx["contextActivities"] = {"parent": [{"id": parent}]}
    if ctx:
        s["context"] = ctx
    return s


@pytest.fixture
def store(lrs_client):
    def _store(statements: list[dict]) -> None:
        for i in range(0, len(statements), 200):
            records.statements_store(client=lrs_client, statements=statements[i : i + 200])

    return _store


def aware(y, m, d, h=0, mi=0, s=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, h, mi, s))


ZERO = Decimal("0")
