from __future__ import annotations

from decimal import Decimal

import pytest

from sanguan.accounts.models import Role
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, Conflict, PermissionDenied
from sanguan.institutions.models import Level, Major
from sanguan.teaching import services
from sanguan.teaching.models import TrainingProgramme

from .conftest import BACHELOR_POLITICAL, add_courses


def test_university_admin_creates_a_draft_version_and_it_is_audited(major, university_admin):
    # when
    p = services.programme_create(actor=university_admin, major=major, title="计科专升本", first_intake_year=2026)

    # then
    assert (p.version, p.status, p.level, p.track) == (1, "DRAFT", major.level, major.track)
    event = AuditEvent.objects.get(action="programmes.created")
    assert event.data == {"programme_id": p.pk, "major_id": major.pk, "version": 1, "copied_from_id": None}


@pytest.mark.parametrize(
    "role",
    [
        Role.SYSTEM_ADMIN,
        Role.NATIONAL_REGULATOR,
        Role.PROVINCE_REGULATOR,
        Role.TEACHER,
        Role.CENTRE_STAFF,
        Role.STUDENT,
    ],
)
def test_programme_create_is_refused_to_roles_without_programmes_define(role, every_role, major):
    # when / then
    with pytest.raises(PermissionDenied) as exc:
        services.programme_create(actor=every_role[role], major=major, title="x", first_intake_year=2026)
    assert exc.value.code == "PERMISSION_DENIED"


def test_programme_create_is_refused_for_another_universitys_major(other_university_admin, major):
    with pytest.raises(PermissionDenied):
        services.programme_create(actor=other_university_admin, major=major, title="x", first_intake_year=2026)


@pytest.mark.parametrize(
    ("title", "year", "code"),
    [("", 2026, "PROGRAMME_TITLE_REQUIRED"), ("计科", 1999, "PROGRAMME_INTAKE_YEAR_INVALID")],
)
def test_programme_create_refuses_bad_input(major, university_admin, title, year, code):
    with pytest.raises(ApplicationError) as exc:
        services.programme_create(actor=university_admin, major=major, title=title, first_intake_year=year)
    assert exc.value.code == code


def test_approval_supersedes_the_previous_version_and_a_copy_keeps_the_courses(approved_programme, university_admin):
    # given version 1 approved and a copy as version 2
    v2 = services.programme_create(
        actor=university_admin,
        major=approved_programme.major,
        title="v2",
        first_intake_year=2027,
        copy_from=approved_programme,
    )
    assert v2.version == 2
    assert v2.courses.count() == approved_programme.courses.count()

    # when
    services.programme_approve(actor=university_admin, programme=v2)

    # then
    approved_programme.refresh_from_db()
    assert approved_programme.status == "SUPERSEDED"
    assert TrainingProgramme.objects.get(pk=v2.pk).status == "APPROVED"
    event = AuditEvent.objects.filter(action="programmes.approved").last()
    assert event.data["superseded_ids"] == [approved_programme.pk]


def test_face_to_face_share_is_computed_from_hours(programme):
    # 5 political courses: 150 h online, 30 h face-to-face; CS101: 40 online, 60 f2f, 20 practice
    hours = programme.hours()
    assert hours == {
        "online": Decimal("190"),
        "face_to_face": Decimal("90"),
        "practice": Decimal("20"),
        "total": Decimal("300"),
    }
    assert programme.face_to_face_share() == Decimal("0.3000")


@pytest.fixture
def thin_programme(major, university_admin):
    """Face-to-face 50 h of 300 h: 16.67 %."""
    p = services.programme_create(actor=university_admin, major=major, title="x", first_intake_year=2026)
    add_courses(p, f2f_share_hours=(80, 20))
    return p


def test_approval_is_refused_when_a_required_political_course_is_missing(major, university_admin):
    # given a bachelor-level programme without 习近平新时代中国特色社会主义思想概论
    p = services.programme_create(actor=university_admin, major=major, title="x", first_intake_year=2026)
    add_courses(p, political=BACHELOR_POLITICAL[:-1])

    # when / then
    with pytest.raises(ApplicationError) as exc:
        services.programme_approve(actor=university_admin, programme=p)
    assert exc.value.code == "PROGRAMME_MISSING_POLITICAL_COURSES"
    assert exc.value.extra["missing"] == ["XI_THOUGHT"]
    assert "习近平新时代中国特色社会主义思想概论" in exc.value.message
    p.refresh_from_db()
    assert p.status == "DRAFT"


def test_approval_is_refused_when_face_to_face_share_is_below_the_configured_minimum(thin_programme, university_admin):
    # given the default minimum of 20 % and a programme at 16.67 %
    with pytest.raises(ApplicationError) as exc:
        services.programme_approve(actor=university_admin, programme=thin_programme)
    assert exc.value.code == "PROGRAMME_FACE_TO_FACE_SHARE_TOO_LOW"
    assert exc.value.extra == {
        "share": "0.1667",
        "minimum": "0.20",
        "problems": ["PROGRAMME_FACE_TO_FACE_SHARE_TOO_LOW"],
    }


def test_the_minimum_share_is_configuration(thin_programme, university_admin, settings):
    # given a lower minimum configured
    settings.SANGUAN_TEACHING = {"MIN_FACE_TO_FACE_SHARE": "0.15"}

    # when
    p = services.programme_approve(actor=university_admin, programme=thin_programme)

    # then
    assert p.status == "APPROVED"
    assert p.min_face_to_face_share == Decimal("0.15")


def test_associate_level_needs_only_the_associate_subset(university, university_admin, settings):
    settings.SANGUAN_TEACHING = {"MIN_FACE_TO_FACE_SHARE": "0.10"}
    major = Major.objects.create(
        university=university, catalogue_code="510201", name="计算机应用技术", level=Level.HS_TO_ASSOCIATE
    )
    p = services.programme_create(actor=university_admin, major=major, title="x", first_intake_year=2026)
    add_courses(p, political=["MORALITY_AND_LAW", "MAO_AND_SOCIALISM", "XI_THOUGHT"])
    assert services.programme_approve(actor=university_admin, programme=p).status == "APPROVED"


def test_empty_programme_cannot_be_approved(major, university_admin):
    p = services.programme_create(actor=university_admin, major=major, title="x", first_intake_year=2026)
    with pytest.raises(ApplicationError) as exc:
        services.programme_approve(actor=university_admin, programme=p)
    assert exc.value.code == "PROGRAMME_EMPTY"


@pytest.mark.parametrize("role", [Role.ACADEMIC_STAFF, Role.TEACHER, Role.CENTRE_STAFF, Role.PROVINCE_REGULATOR])
def test_only_a_university_admin_approves(role, every_role, programme, settings):
    settings.SANGUAN_TEACHING = {"MIN_FACE_TO_FACE_SHARE": "0.10"}
    with pytest.raises(PermissionDenied):
        services.programme_approve(actor=every_role[role], programme=programme)


def test_an_approved_programme_cannot_change(approved_programme, university_admin):
    with pytest.raises(Conflict) as exc:
        services.programme_course_add(
            actor=university_admin, programme=approved_programme, code="X1", name="x", credits=1, hours_online=10
        )
    assert exc.value.code == "PROGRAMME_NOT_DRAFT"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"code": "bad code!"}, "COURSE_CODE_INVALID"),
        ({"name": " "}, "COURSE_NAME_REQUIRED"),
        ({"credits": "abc"}, "COURSE_CREDITS_INVALID"),
        ({"credits": 31}, "COURSE_CREDITS_INVALID"),
        ({"hours_online": -1}, "COURSE_HOURS_INVALID"),
        ({"hours_online": "1.25"}, "COURSE_HOURS_INVALID"),
        ({"hours_online": 0}, "COURSE_HOURS_INVALID"),
        ({"political_code": "NOPE"}, "COURSE_POLITICAL_CODE_UNKNOWN"),
        ({"code": "CS101"}, "COURSE_CODE_TAKEN"),
    ],
)
def test_course_add_refuses_bad_input(programme, academic_staff, kwargs, code):
    params = {"code": "MA101", "name": "高等数学", "credits": 4, "hours_online": 40}
    params.update(kwargs)
    with pytest.raises(ApplicationError) as exc:
        services.programme_course_add(actor=academic_staff, programme=programme, **params)
    assert exc.value.code == code


def test_centre_staff_cannot_add_a_course(programme, centre_staff):
    with pytest.raises(PermissionDenied):
        services.programme_course_add(
            actor=centre_staff, programme=programme, code="MA101", name="x", credits=1, hours_online=1
        )


def test_course_remove_from_a_draft_is_audited(programme, academic_staff):
    course = programme.courses.get(code="CS101")
    services.programme_course_remove(actor=academic_staff, course=course)
    assert not programme.courses.filter(code="CS101").exists()
    assert AuditEvent.objects.filter(action="programmes.course_removed").count() == 1


def test_the_required_list_is_configuration(major, university_admin, settings):
    # given a deployment that also requires 形势与政策 for this level
    settings.SANGUAN_TEACHING = {
        "REQUIRED_POLITICAL_COURSES": {Level.ASSOCIATE_TO_BACHELOR: [*BACHELOR_POLITICAL, "SITUATION_AND_POLICY"]}
    }
    p = services.programme_create(actor=university_admin, major=major, title="x", first_intake_year=2026)
    add_courses(p)

    # when / then
    with pytest.raises(ApplicationError) as exc:
        services.programme_approve(actor=university_admin, programme=p)
    assert exc.value.extra["missing"] == ["SITUATION_AND_POLICY"]
