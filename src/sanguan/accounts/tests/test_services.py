from __future__ import annotations

import pytest

from sanguan.accounts import services
from sanguan.accounts.models import ApiToken, Membership, Role, User
from sanguan.accounts.selectors import user_for_api_token
from sanguan.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied


def test_system_admin_creates_a_user_and_grants_a_province_role(system_admin, province):
    user = services.user_create(actor=system_admin, username="hb-inspector", password="Qz8!hubei-inspect",
                                display_name="王检查")
    m = services.membership_grant(actor=system_admin, user=user, role=Role.PROVINCE_REGULATOR, province=province)
    assert m.scope_kind == "PROVINCE"
    assert User.objects.get(username="hb-inspector").check_password("Qz8!hubei-inspect")


def test_passwords_are_hashed_with_argon2(system_admin, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.user_create(actor=system_admin, username="argon", password="Qz8!argon-two-id")
    assert user.password.startswith("argon2$")


@pytest.mark.parametrize(("username", "password", "code"), [
    ("ab", "Qz8!long-enough", "USERNAME_INVALID"),
    ("有中文", "Qz8!long-enough", "USERNAME_INVALID"),
    ("weakling", "12345678", "PASSWORD_WEAK"),
])
def test_user_create_rejects_bad_input(system_admin, username, password, code):
    with pytest.raises(ApplicationError) as err:
        services.user_create(actor=system_admin, username=username, password=password)
    assert err.value.code == code
    assert not User.objects.filter(username=username).exists()


def test_user_create_keeps_an_email_address_and_refuses_a_malformed_one(system_admin):
    user = services.user_create(actor=system_admin, username="mailer", password="Qz8!long-enough",
                                email=" teacher@jhun.edu.cn ")
    assert User.objects.get(pk=user.pk).email == "teacher@jhun.edu.cn"
    with pytest.raises(ApplicationError) as err:
        services.user_create(actor=system_admin, username="nomail", password="Qz8!long-enough", email="not an address")
    assert err.value.code == "EMAIL_INVALID"
    assert not User.objects.filter(username="nomail").exists()


def test_usernames_are_unique_ignoring_case(system_admin):
    services.user_create(actor=system_admin, username="Li.Ming", password="Qz8!long-enough")
    with pytest.raises(Conflict):
        services.user_create(actor=system_admin, username="li.ming", password="Qz8!long-enough")


@pytest.mark.parametrize("role", ["teacher", "centre_staff", "student", "province_regulator"])
def test_user_create_forbidden_roles(request, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.user_create(actor=actor, username="someone", password="Qz8!long-enough")


def test_university_admin_grants_teacher_in_own_university_only(university_admin, university, other_university):
    user = services.user_create(actor=university_admin, username="new-teacher", password="Qz8!long-enough")
    services.membership_grant(actor=university_admin, user=user, role=Role.TEACHER, university=university)
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=university_admin, user=user, role=Role.TEACHER, university=other_university)
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=university_admin, user=user, role=Role.NATIONAL_REGULATOR)


def test_university_admin_cannot_make_another_university_admin(university_admin, university):
    user = services.user_create(actor=university_admin, username="would-be-admin", password="Qz8!long-enough")
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=university_admin, user=user, role=Role.UNIVERSITY_ADMIN, university=university)


@pytest.mark.parametrize(("role", "anchor", "ok"), [
    (Role.PROVINCE_REGULATOR, {}, False),
    (Role.NATIONAL_REGULATOR, {"province": "p"}, False),
    (Role.TEACHER, {}, False),
    (Role.CENTRE_STAFF, {"university": "u"}, False),
    (Role.CENTRE_STAFF, {"centre": "c"}, True),
])
def test_membership_anchor_must_match_role(system_admin, province, university, centre, role, anchor, ok):
    objs = {"p": province, "u": university, "c": centre}
    user = services.user_create(actor=system_admin, username="anchored", password="Qz8!long-enough")
    kwargs = {k: objs[v] for k, v in anchor.items()}
    if ok:
        m = services.membership_grant(actor=system_admin, user=user, role=role, **kwargs)
        assert m.university_id == centre.university_id
    else:
        with pytest.raises(ApplicationError) as err:
            services.membership_grant(actor=system_admin, user=user, role=role, **kwargs)
        assert err.value.code == "MEMBERSHIP_ANCHOR"
        assert not Membership.objects.filter(user=user).exists()


def test_duplicate_membership_refused(system_admin, university_admin, university):
    with pytest.raises(Conflict):
        services.membership_grant(actor=system_admin, user=university_admin, role=Role.UNIVERSITY_ADMIN,
                                  university=university)


def test_api_token_round_trip_and_revocation(teacher):
    token, raw = services.api_token_create(actor=teacher, name="grading script")
    assert raw.startswith("sg_") and raw not in token.digest
    assert user_for_api_token(raw) == teacher
    services.api_token_revoke(actor=teacher, token_id=token.pk)
    assert user_for_api_token(raw) is None
    with pytest.raises(NotFound):
        services.api_token_revoke(actor=teacher, token_id=token.pk)


def test_api_token_needs_a_name(teacher):
    with pytest.raises(ApplicationError) as err:
        services.api_token_create(actor=teacher, name="  ")
    assert err.value.code == "TOKEN_NAME_REQUIRED"
    assert not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(teacher, student):
    token, _ = services.api_token_create(actor=teacher, name="mine")
    with pytest.raises(NotFound):
        services.api_token_revoke(actor=student, token_id=token.pk)
