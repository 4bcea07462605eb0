"""Shared fixtures: one university with a centre, and one user per role in that world.

A second university and centre in another province give every test an out-of-scope object."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.accounts.models import Membership, Role, User
from sanguan.institutions.models import LearningCentre, Level, Major, Province, Track, University

PASSWORD = "correct-horse-battery-staple"


def _reference_rows() -> None:
    from sanguan.institutions.models import Authority
    from sanguan.institutions.reference_data import load_provinces

    load_provinces(Province, Authority)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The rows migrations load (provinces, authorities) are there in every database test,
    even after a transactional test has flushed the tables."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    _reference_rows()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that care about hashing override this back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str, **anchor) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    Membership.objects.create(user=user, role=role, **anchor)
    return user


@pytest.fixture
def province(db) -> Province:
    _reference_rows()
    return Province.objects.get(code="42")  # 湖北


@pytest.fixture
def other_province(db) -> Province:
    _reference_rows()
    return Province.objects.get(code="44")  # 广东


@pytest.fixture
def university(province) -> University:
    return University.objects.create(
        name="江汉大学", institution_code="11072", institution_id="4142011072", province=province, is_pilot=True
    )


@pytest.fixture
def other_university(other_province) -> University:
    return University.objects.create(
        name="南海师范大学", institution_code="10574", institution_id="4144010574", province=other_province
    )


@pytest.fixture
def major(university) -> Major:
    return Major.objects.create(
        university=university, catalogue_code="080901", name="计算机科学与技术", level=Level.ASSOCIATE_TO_BACHELOR
    )


@pytest.fixture
def centre(university, province) -> LearningCentre:
    return LearningCentre.objects.create(
        university=university,
        track=Track.CONTINUING,
        code="JH-WH-01",
        name="江汉大学武汉洪山校外教学点",
        host_province=province,
        city="武汉市",
        kind=LearningCentre.Kind.OWN,
        address="武汉市洪山区珞喻路 100 号",
        status=LearningCentre.Status.OPERATING,
        is_disclosed=True,
        disclosed_on=dt.date(2025, 6, 30),
    )


@pytest.fixture
def other_centre(other_university, other_province) -> LearningCentre:
    return LearningCentre.objects.create(
        university=other_university,
        code="NH-GZ-01",
        name="南海师范大学广州天河校外教学点",
        host_province=other_province,
        address="广州市天河区中山大道 1 号",
        status=LearningCentre.Status.OPERATING,
    )


@pytest.fixture
def system_admin(db) -> User:
    _reference_rows()
    return make_user("sysadmin", Role.SYSTEM_ADMIN)


@pytest.fixture
def national_regulator(db) -> User:
    _reference_rows()
    return make_user("moe", Role.NATIONAL_REGULATOR)


@pytest.fixture
def province_regulator(province) -> User:
    return make_user("hubei", Role.PROVINCE_REGULATOR, province=province)


@pytest.fixture
def other_province_regulator(other_province) -> User:
    return make_user("guangdong", Role.PROVINCE_REGULATOR, province=other_province)


@pytest.fixture
def university_admin(university) -> User:
    return make_user("uadmin", Role.UNIVERSITY_ADMIN, university=university)


@pytest.fixture
def other_university_admin(other_university) -> User:
    return make_user("other-uadmin", Role.UNIVERSITY_ADMIN, university=other_university)


@pytest.fixture
def academic_staff(university) -> User:
    return make_user("academic", Role.ACADEMIC_STAFF, university=university)


@pytest.fixture
def teacher(university) -> User:
    return make_user("teacher", Role.TEACHER, university=university)


@pytest.fixture
def centre_staff(centre) -> User:
    return make_user("centre", Role.CENTRE_STAFF, university=centre.university, centre=centre)


@pytest.fixture
def student(university) -> User:
    return make_user("student", Role.STUDENT, university=university)


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def every_role(
    system_admin,
    national_regulator,
    province_regulator,
    university_admin,
    academic_staff,
    teacher,
    centre_staff,
    student,
) -> dict[str, User]:
    return {
        Role.SYSTEM_ADMIN: system_admin,
        Role.NATIONAL_REGULATOR: national_regulator,
        Role.PROVINCE_REGULATOR: province_regulator,
        Role.UNIVERSITY_ADMIN: university_admin,
        Role.ACADEMIC_STAFF: academic_staff,
        Role.TEACHER: teacher,
        Role.CENTRE_STAFF: centre_staff,
        Role.STUDENT: student,
    }
