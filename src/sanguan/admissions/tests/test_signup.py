"""Public sign-up: a member of the public opens an applicant account at a university with a
published charter, is logged in, applies, and sees only their own application."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sanguan.accounts.models import Membership, Role, ScopeKind, User
from sanguan.admissions import selectors, services
from sanguan.admissions.models import Applicant
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError
from sanguan.supervision.models import Sanction

from .conftest import make_id
from .test_publicity import COMPLETE
from .test_views import register_data

URL = "/admissions/public/signup/"
GOOD_PASSWORD = "Kx9-mountain-river-72"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def charter(university_admin, university):
    c = services.charter_create(actor=university_admin, university=university, year=timezone.localdate().year,
                                title="招生章程", sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    return services.charter_publish(actor=university_admin, charter=c)


def signup_data(university, **over):
    data = {"university": university.pk, "username": "zhangsan2026", "display_name": "张三",
            "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    data.update(over)
    return data


def _nothing_created(before_users: int, before_events: int) -> bool:
    return User.objects.count() == before_users and AuditEvent.objects.count() == before_events


# ------------------------------------------------------------------ happy path


def test_public_signs_up_is_logged_in_and_lands_on_self_registration(client, charter, university, plan):
    # given the public admissions page links to the sign-up form, which lists the university
    assert URL in client.get("/admissions/public/").content.decode()
    page = client.get(URL)
    assert page.status_code == 200 and university.name in page.content.decode()
    # when a member of the public signs up
    r = client.post(URL, signup_data(university))
    # then they are logged in and sent to the self-registration page
    assert r.status_code == 302 and r["Location"] == "/admissions/"
    landing = client.get(r["Location"])
    assert landing.status_code == 200
    assert landing.wsgi_request.user.username == "zhangsan2026"
    assert "/admissions/register/self/" in landing.content.decode()
    user = User.objects.get(username="zhangsan2026")
    assert user.check_password(GOOD_PASSWORD) and user.display_name == "张三"
    m = Membership.objects.get(user=user)
    assert (m.role, m.university_id, m.scope_kind, m.is_active) == (Role.STUDENT, university.pk, ScopeKind.SELF, True)


def test_signup_is_audited_with_ids_only_and_the_system_as_actor(charter, university):
    # when
    account = services.applicant_account_create(university=university, username="lisi01", password=GOOD_PASSWORD,
                                                display_name="李四")
    # then
    actions = list(AuditEvent.objects.order_by("leaf_index").values_list("action", flat=True))
    assert actions[-3:] == ["accounts.user_created", "accounts.membership_granted",
                            "admissions.applicant_account_created"]
    event = AuditEvent.objects.get(action="admissions.applicant_account_created")
    assert event.actor_id is None
    assert event.data == {"user": account.user.pk, "university": university.pk, "membership": account.membership.pk}
    assert "李四" not in str(event.data)


def test_new_account_applies_and_sees_only_its_own_application(client, charter, university, plan,
                                                                 university_admin):
    # given someone else's application at the same university
    other = services.applicant_register(
        actor=university_admin, plan=plan,
        person=services.PersonInput(name="王五", id_number=make_id(9), phone="13800138000"),
    ).applicant
    # when the public signs up and applies through the self-registration form
    client.post(URL, signup_data(university))
    r = client.post("/admissions/register/self/", register_data(plan, n=5))
    # then the application is theirs and the only one they can see
    mine = Applicant.objects.get(channel="SELF")
    assert r.status_code == 302 and r["Location"] == f"/admissions/applicants/{mine.pk}/"
    user = User.objects.get(username="zhangsan2026")
    assert mine.user == user
    assert list(selectors.applicants_visible_to(user=user)) == [mine]
    assert client.get(f"/admissions/applicants/{mine.pk}/").status_code == 200
    assert client.get(f"/admissions/applicants/{other.pk}/").status_code == 404
    assert "王五" not in client.get("/admissions/").content.decode()


# ------------------------------------------------------------------ refusals


def test_signup_without_a_published_charter_is_refused(client, university_admin, university):
    # given a charter only approved, not published
    c = services.charter_create(actor=university_admin, university=university, year=timezone.localdate().year,
                                title="章程", sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    users, events = User.objects.count(), AuditEvent.objects.count()
    # when
    r = client.post(URL, signup_data(university))
    # then
    assert r.status_code == 400
    form = r.context["form"]
    assert "admissions charter" in form.errors["university"][0] or "招生章程" in form.errors["university"][0]
    assert _nothing_created(users, events)


def test_signup_with_only_an_old_charter_is_refused(university_admin, university):
    c = services.charter_create(actor=university_admin, university=university, year=timezone.localdate().year - 1,
                                title="旧章程", sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    services.charter_publish(actor=university_admin, charter=c)
    with pytest.raises(ApplicationError) as err:
        services.applicant_account_create(university=university, username="old01", password=GOOD_PASSWORD)
    assert err.value.code == "CHARTER_NOT_FOUND"
    assert not User.objects.filter(username="old01").exists()


def test_signup_under_an_enrollment_suspension_is_refused(client, charter, university, national_regulator):
    # given a university-wide suspension in force
    Sanction.objects.create(kind=Sanction.Kind.ENROLMENT_SUSPENDED, university=university,
                            starts_on=timezone.localdate() - dt.timedelta(days=1), reason="教学过程缺失",
                            issued_by=national_regulator)
    users, events = User.objects.count(), AuditEvent.objects.count()
    # when
    r = client.post(URL, signup_data(university))
    # then
    assert r.status_code == 400
    assert r.context["form"].errors["university"]
    assert _nothing_created(users, events)
    with pytest.raises(ApplicationError) as err:
        services.applicant_account_create(university=university, username="x12345", password=GOOD_PASSWORD)
    assert err.value.code == "ENROLLMENT_SUSPENDED"


def test_signup_with_a_taken_username_shows_the_error_next_to_the_field(client, charter, university, student):
    users, events = User.objects.count(), AuditEvent.objects.count()
    r = client.post(URL, signup_data(university, username="STUDENT"))
    assert r.status_code == 409
    assert r.context["form"].errors["username"] == ["该用户名已被使用。"]  # in the page's language
    assert _nothing_created(users, events)
    assert not r.wsgi_request.user.is_authenticated


def test_signup_with_a_weak_password_shows_the_reasons_and_creates_nothing(client, charter, university):
    users, events = User.objects.count(), AuditEvent.objects.count()
    r = client.post(URL, signup_data(university, password="12345678", password2="12345678"))
    assert r.status_code == 400
    assert len(r.context["form"].errors["password"]) >= 2  # "too weak" and the validators' reasons
    assert _nothing_created(users, events)
    assert not Membership.objects.filter(role=Role.STUDENT).exists()


def test_signup_with_differing_passwords_creates_nothing(client, charter, university):
    users, events = User.objects.count(), AuditEvent.objects.count()
    r = client.post(URL, signup_data(university, password2=GOOD_PASSWORD + "x"))
    assert r.status_code == 400 and r.context["form"].errors["password2"]
    assert _nothing_created(users, events)


def test_signup_for_an_unknown_university_creates_nothing(client, charter, university):
    users, events = User.objects.count(), AuditEvent.objects.count()
    r = client.post(URL, signup_data(university) | {"university": 999999})
    assert r.status_code == 400 and r.context["form"].errors["university"]
    assert _nothing_created(users, events)


def test_failure_after_the_user_is_written_leaves_nothing_half_created(charter, university):
    # given the database refuses the membership row after the user row was written
    from django.db import DatabaseError, connection

    table = Membership._meta.db_table

    def refuse_membership(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            raise DatabaseError("refused for the test")
        return execute(sql, params, many, context)

    users, events = User.objects.count(), AuditEvent.objects.count()
    # when
    with connection.execute_wrapper(refuse_membership), pytest.raises(DatabaseError):
        services.applicant_account_create(university=university, username="half01", password=GOOD_PASSWORD)
    # then the user and its audit event are rolled back
    assert _nothing_created(users, events)
    assert not User.objects.filter(username="half01").exists()


def test_signup_form_needs_a_csrf_token(charter, university):
    strict = Client(enforce_csrf_checks=True)
    r = strict.post(URL, signup_data(university))
    assert r.status_code == 403
    assert not User.objects.filter(username="zhangsan2026").exists()


def test_signups_from_one_address_are_throttled_per_hour(client, charter, university, settings):
    settings.SANGUAN_SIGNUPS_PER_IP_PER_HOUR = 2
    for n in (1, 2):
        Client().post(URL, signup_data(university, username=f"user{n}xx"))
    r = Client().post(URL, signup_data(university, username="user3xx"))
    assert r.status_code == 429
    assert not User.objects.filter(username="user3xx").exists()
    other = Client(REMOTE_ADDR="10.0.0.9").post(URL, signup_data(university, username="user4xx"))
    assert other.status_code == 302


def test_logged_in_user_is_sent_to_admissions_instead(client, student, charter):
    client.force_login(student)
    r = client.get(URL)
    assert r.status_code == 302 and r["Location"] == "/admissions/"
