"""The synthetic data generator: deterministic, valid codes, planted violations, demo logins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

from sanguan.accounts.models import Membership, Role, User
from sanguan.audit.models import AuditEvent
from sanguan.codes.validators import (
    validate_catalogue_code,
    validate_institution_id,
    validate_uscc,
)
from sanguan.demo.seeding import SeedRefused, load_logins, make_uscc, org_code_check_char, seed_database
from sanguan.institutions.models import CentreFiling, LearningCentre, Major, University

TODAY = dt.date(2026, 9, 1)


class _Rollback(Exception):
    pass


def _snapshot() -> dict:
    return {
        "universities": list(University.objects.order_by("pk").values_list("name", "institution_code", "institution_id",
                                                                           "province_id", "is_pilot")),
        "majors": list(Major.objects.order_by("pk").values_list("university__name", "catalogue_code", "level",
                                                                "track")),
        "centres": list(LearningCentre.objects.order_by("pk").values_list(
            "code", "name", "kind", "track", "host_province_id", "host_org_name", "host_org_uscc", "address",
            "status", "is_disclosed", "disclosed_on", "agreement_signed_on")),
        "filings": list(CentreFiling.objects.order_by("pk").values_list(
            "centre__code", "cycle_year", "filed_status", "decision", "submitted_on", "decided_on", "valid_until")),
        "users": list(User.objects.order_by("pk").values_list("username", "display_name")),
    }


def _seed_and_snapshot(seed: int) -> tuple[dict, list]:
    snap: dict = {}
    logins: list = []
    try:
        with transaction.atomic():
            result = seed_database(scale=1, seed=seed, today=TODAY, apps=False)
            snap.update(_snapshot())
            logins.extend(login.as_dict() for login in result.logins)
            raise _Rollback
    except _Rollback:
        pass
    return snap, logins


@pytest.mark.django_db
def test_seed_is_deterministic_for_a_seed_and_differs_between_seeds(settings, tmp_path):
    # given
    settings.DATA_DIR = tmp_path
    # when
    first, first_logins = _seed_and_snapshot(7)
    second, second_logins = _seed_and_snapshot(7)
    other, _ = _seed_and_snapshot(8)
    # then
    assert first == second
    assert first_logins == second_logins
    assert first["centres"] != other["centres"]


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return seed_database(scale=1, seed=7, today=TODAY, apps=False)


def test_seed_makes_valid_national_codes(seeded):
    # given the seeded world
    # when / then every code passes its validator
    for u in University.objects.all():
        assert validate_institution_id(u.institution_id, institution_code=u.institution_code,
                                       province_code=u.province_id) == u.institution_id
    for m in Major.objects.all():
        assert validate_catalogue_code(m.catalogue_code, level=m.level) == m.catalogue_code
    for c in LearningCentre.objects.all():
        assert validate_uscc(c.host_org_uscc) == c.host_org_uscc


def test_seed_scale_one_has_four_universities_with_centres_in_and_out_of_province(seeded):
    # then
    assert University.objects.count() == 4
    centres = list(LearningCentre.objects.select_related("university"))
    assert any(c.is_out_of_province for c in centres)
    assert any(not c.is_out_of_province for c in centres)
    assert {c.kind for c in centres} == {LearningCentre.Kind.OWN, LearningCentre.Kind.PARTNER}


def test_seed_plants_the_three_violations_at_the_demo_university(seeded):
    # given
    primary = University.objects.get(name="楚天大学")
    planted = seeded.planted
    # then: an out-of-province centre operating without an accepted filing
    unfiled = LearningCentre.objects.get(pk=planted["unfiled"][0])
    assert unfiled.university == primary and unfiled.is_out_of_province
    assert unfiled.status == LearningCentre.Status.OPERATING
    assert not any(f.is_in_force(TODAY) for f in unfiled.filings.all())
    # an operating centre never disclosed
    undisclosed = LearningCentre.objects.get(pk=planted["undisclosed"][0])
    assert undisclosed.university == primary
    assert undisclosed.status == LearningCentre.Status.OPERATING and not undisclosed.is_disclosed
    # a partner centre without an agreement
    no_agreement = LearningCentre.objects.get(pk=planted["no_agreement"][0])
    assert no_agreement.kind == LearningCentre.Kind.PARTNER and no_agreement.agreement_signed_on is None


def test_seed_leaves_every_other_operating_centre_compliant(seeded):
    # given
    planted = {pk for pks in seeded.planted.values() for pk in pks}
    # when
    others = LearningCentre.objects.exclude(pk__in=planted).filter(status=LearningCentre.Status.OPERATING)
    # then
    assert others.exists()
    for c in others:
        assert c.is_disclosed and c.disclosed_on <= TODAY
        assert any(f.is_in_force(TODAY) for f in c.filings.all()), c.code
        if c.kind == LearningCentre.Kind.PARTNER:
            assert c.agreement_signed_on is not None


def test_seed_makes_one_demo_login_per_role_that_authenticates(seeded, rf):
    # given
    logins = {login.username: login for login in load_logins()}
    expected = {
        "admin": Role.SYSTEM_ADMIN, "moe": Role.NATIONAL_REGULATOR, "hubei": Role.PROVINCE_REGULATOR,
        "univ": Role.UNIVERSITY_ADMIN, "academic": Role.ACADEMIC_STAFF, "teacher": Role.TEACHER,
        "centre": Role.CENTRE_STAFF, "student": Role.STUDENT,
    }
    # then
    assert set(logins) == set(expected)
    for username, role in expected.items():
        user = authenticate(rf.post("/accounts/login/"), username=username, password=logins[username].password)
        assert user is not None, username
        assert Membership.objects.filter(user=user, role=role, is_active=True).exists()
    assert User.objects.get(username="admin").is_staff
    hubei = Membership.objects.get(user__username="hubei")
    assert hubei.province_id == "42"


def test_seed_writes_audit_events_through_the_services(seeded):
    # then: every university, centre and filing left its event
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"institutions.university_created", "institutions.centre_created", "institutions.filing_decided",
            "accounts.membership_granted"} <= actions
    assert AuditEvent.objects.count() >= University.objects.count() + LearningCentre.objects.count()


def test_seed_refuses_a_database_that_already_has_universities(seeded):
    # when / then
    with pytest.raises(SeedRefused):
        seed_database(scale=1, seed=7, today=TODAY, apps=False)


def test_seed_command_prints_the_demo_logins(db, settings, tmp_path, capsys):
    # given
    settings.DATA_DIR = tmp_path
    # when
    call_command("seed", "--scale", "1", "--seed", "3", "--today", "2026-09-01")
    # then
    out = capsys.readouterr().out
    assert "Seeded 4 universities" in out
    for username in ("admin", "moe", "hubei", "univ", "academic", "teacher", "centre", "student"):
        assert f"  {username} " in out
    with pytest.raises(CommandError):
        call_command("seed", "--scale", "0")


def test_uscc_helper_makes_codes_with_the_gb_11714_organisation_check():
    # given python-stdnum's vector 91110000600037341L: organisation code 60003734-1
    assert org_code_check_char("60003734") == "1"
    # when
    import random

    code = make_uscc(random.Random(1), authority_type="91", division="420100")
    # then
    assert validate_uscc(code) == code and code.startswith("91420100")


def test_demo_command_seeds_once_runs_the_rules_and_prints_the_logins(db, settings, tmp_path, capsys, rf):
    # given an empty database
    settings.DATA_DIR = tmp_path
    # when
    call_command("demo", "--no-serve")
    first = capsys.readouterr().out
    call_command("demo", "--no-serve")
    second = capsys.readouterr().out
    # then the first run seeds and prints every login, the second reuses them
    assert "Seeding synthetic data (scale 1, seed 2019)" in first
    assert "not seeding again" in second
    assert University.objects.count() == 4
    for username in ("admin", "moe", "hubei", "univ", "academic", "teacher", "centre", "student"):
        assert f"  {username} " in first and f"  {username} " in second
    password = next(line.split()[1] for line in second.splitlines() if line.startswith("  univ "))
    assert authenticate(rf.post("/accounts/login/"), username="univ", password=password) is not None
