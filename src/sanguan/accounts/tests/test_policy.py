"""The whole role × action × scope table, one line per action, to be read line by line.

Columns: SYS system admin, NAT national regulator, PROV province regulator, UADM university
administrator, ACAD academic staff, TEACH teacher, CTR learning-centre staff, STU student.
"in" is an object inside each member's own scope (their province, university, centre, own
records); "out" is one in another province, university and centre, owned by someone else.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from sanguan.accounts import policy
from sanguan.accounts.models import Role
from sanguan.core.errors import PermissionDenied

COLUMNS = ["SYS", "NAT", "PROV", "UADM", "ACAD", "TEACH", "CTR", "STU"]
ROLE_OF = {
    "SYS": Role.SYSTEM_ADMIN, "NAT": Role.NATIONAL_REGULATOR, "PROV": Role.PROVINCE_REGULATOR,
    "UADM": Role.UNIVERSITY_ADMIN, "ACAD": Role.ACADEMIC_STAFF, "TEACH": Role.TEACHER,
    "CTR": Role.CENTRE_STAFF, "STU": Role.STUDENT,
}

# action                                 in scope:  SYS NAT PROV UADM ACAD TEACH CTR STU   out of scope: SYS NAT PROV UADM ACAD TEACH CTR STU
TABLE = """
institutions.view                                  Y   Y   Y    Y    Y    Y     Y   -                  Y   Y   -    -    -    -     -   -
institutions.manage_university                     Y   -   -    -    -    -     -   -                  Y   -   -    -    -    -     -   -
institutions.manage_centre                         Y   -   -    Y    -    -     -   -                  Y   -   -    -    -    -     -   -
institutions.disclose_centre                       -   -   -    Y    -    -     -   -                  -   -   -    -    -    -     -   -
institutions.submit_filing                         -   -   -    Y    -    -     -   -                  -   -   -    -    -    -     -   -
institutions.decide_filing                         -   -   Y    -    -    -     -   -                  -   -   -    -    -    -     -   -
institutions.manage_major                          Y   -   -    Y    -    -     -   -                  Y   -   -    -    -    -     -   -
accounts.manage_users                              Y   -   -    -    -    -     -   -                  Y   -   -    -    -    -     -   -
accounts.manage_university_users                   Y   -   -    Y    -    -     -   -                  Y   -   -    -    -    -     -   -
accounts.manage_own_tokens                         Y   Y   Y    Y    Y    Y     Y   Y                  Y   Y   -    -    -    -     -   -
audit.read_entries                                 Y   Y   Y    -    -    -     -   -                  Y   Y   -    -    -    -     -   -
compliance.view_findings                           Y   Y   Y    Y    Y    -     Y   -                  Y   Y   -    -    -    -     -   -
compliance.run                                     Y   Y   Y    Y    -    -     -   -                  Y   Y   -    -    -    -     -   -
compliance.start_rectifying                        -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
compliance.mark_rectified                          -   -   -    Y    -    -     -   -                  -   -   -    -    -    -     -   -
compliance.verify                                  -   Y   Y    -    -    -     -   -                  -   Y   -    -    -    -     -   -
compliance.reopen                                  -   Y   Y    -    -    -     -   -                  -   Y   -    -    -    -     -   -
sanctions.view                                     Y   Y   Y    Y    Y    -     -   -                  Y   Y   -    -    -    -     -   -
sanctions.issue                                    -   Y   Y    -    -    -     -   -                  -   Y   -    -    -    -     -   -
sanctions.lift                                     -   Y   Y    -    -    -     -   -                  -   Y   -    -    -    -     -   -
programmes.view                                    Y   Y   Y    Y    Y    Y     Y   -                  Y   Y   -    -    -    -     -   -
teaching.view                                      Y   Y   Y    Y    Y    Y     Y   -                  Y   Y   -    -    -    -     -   -
teaching.offering_manage                           -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
teaching.enrol                                     -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
teaching.session_manage                            -   -   -    -    Y    Y     Y   -                  -   -   -    -    -    -     -   -
teaching.attendance_record                         -   -   -    -    Y    Y     -   -                  -   -   -    -    -    -     -   -
teaching.check_in                                  -   -   -    -    -    -     -   Y                  -   -   -    -    -    -     -   -
teaching.live_manage                               -   -   -    -    Y    Y     -   -                  -   -   -    -    -    -     -   -
teaching.evaluate                                  -   -   -    -    -    -     -   Y                  -   -   -    -    -    -     -   -
teaching.evaluations_view                          Y   Y   Y    Y    Y    Y     -   -                  Y   Y   -    -    -    -     -   -
monitoring.view                                    Y   Y   Y    Y    Y    Y     Y   -                  Y   Y   -    -    -    -     -   -
monitoring.refresh                                 Y   -   -    Y    Y    -     -   -                  Y   -   -    -    -    -     -   -
warnings.configure                                 -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
warnings.raise                                     Y   -   -    Y    Y    Y     -   -                  Y   -   -    -    -    -     -   -
warnings.notify                                    -   -   -    Y    Y    Y     Y   -                  -   -   -    -    -    -     -   -
warnings.intervene                                 -   -   -    -    Y    Y     Y   -                  -   -   -    -    -    -     -   -
warnings.respond                                   -   -   -    -    -    -     -   Y                  -   -   -    -    -    -     -   -
warnings.close                                     -   -   -    -    Y    Y     -   -                  -   -   -    -    -    -     -   -
brushing.view                                      Y   Y   Y    Y    Y    -     -   -                  Y   Y   -    -    -    -     -   -
brushing.assess                                    Y   -   -    Y    Y    -     -   -                  Y   -   -    -    -    -     -   -
brushing.review                                    -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
programmes.define                                  -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
programmes.approve                                 -   -   -    Y    -    -     -   -                  -   -   -    -    -    -     -   -
admissions.view                                    Y   Y   Y    Y    Y    -     Y   -    Y   Y   -    -    -    -     -   -
admissions.view_personal                           -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.export_personal                         -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.plan_manage                             -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.plan_approve                            -   -   -    Y    -    -     -   -    -   -   -    -    -    -     -   -
admissions.fte_configure                           -   -   -    Y    -    -     -   -    -   -   -    -    -    -     -   -
admissions.fte_report                              Y   Y   Y    Y    Y    -     -   -    Y   Y   -    -    -    -     -   -
admissions.charter_manage                          -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.charter_approve                         -   -   -    Y    -    -     -   -    -   -   -    -    -    -     -   -
admissions.publicity_submit                        -   -   -    Y    Y    -     Y   -    -   -   -    -    -    -     -   -
admissions.publicity_approve                       -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.authorise_advertiser                    -   -   -    Y    -    -     -   -    -   -   -    -    -    -     -   -
admissions.announce                                -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.register_applicant                      -   -   -    Y    Y    -     Y   -    -   -   -    -    -    -     -   -
admissions.register_self                           -   -   -    -    -    -     -   Y    -   -   -    -    -    -     -   -
admissions.verify_qualification                    -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.exam_manage                             -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.record_score                            -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.moral_review                            -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.post_review                             -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.tuition_manage                          -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.import                                  -   -   -    Y    Y    -     -   -    -   -   -    -    -    -     -   -
admissions.decide                                  -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
exams.set_paper                                    -   -   -    -    Y    Y     -   -                  -   -   -    -    -    -     -   -
exams.grade                                        -   -   -    -    Y    Y     -   -                  -   -   -    -    -    -     -   -
theses.defend                                      -   -   -    -    Y    Y     -   -                  -   -   -    -    -    -     -   -
graduation.review                                  -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
degrees.review                                     -   -   -    Y    Y    -     -   -                  -   -   -    -    -    -     -   -
"""


def parse_table() -> dict[str, tuple[dict[str, bool], dict[str, bool]]]:
    rows = {}
    for line in TABLE.strip().splitlines():
        action, *cells = line.split()
        assert len(cells) == 2 * len(COLUMNS), f"row {action!r} has {len(cells)} cells"
        inside = {c: v == "Y" for c, v in zip(COLUMNS, cells[: len(COLUMNS)], strict=True)}
        outside = {c: v == "Y" for c, v in zip(COLUMNS, cells[len(COLUMNS):], strict=True)}
        rows[action] = (inside, outside)
    return rows


def test_table_covers_every_action_in_grants():
    # given the table and the grants
    # then neither has an action the other lacks
    assert set(parse_table()) == set(policy.grants())


@pytest.fixture
def scopes(every_role, university, other_university, centre, other_centre, province, other_province, student):
    inside = policy.Scope(
        provinces=frozenset({province.code}), university_id=university.pk, centre_id=centre.pk,
        owner_user_id=student.pk,
    )
    outside = policy.Scope(
        provinces=frozenset({other_province.code}), university_id=other_university.pk, centre_id=other_centre.pk,
        owner_user_id=-1,
    )
    return inside, outside


def test_every_role_action_and_scope_is_as_the_table_says(every_role, scopes):
    # given one member per role and an object inside and outside each member's scope
    inside, outside = scopes
    users = {col: every_role[ROLE_OF[col]] for col in COLUMNS}
    wrong = []
    # when each member asks for each action on each object
    for action, (want_in, want_out) in parse_table().items():
        for col in COLUMNS:
            got_in = policy.can(users[col], action, inside)
            got_out = policy.can(users[col], action, outside)
            if got_in != want_in[col]:
                wrong.append(f"{action} {col} in scope: table {want_in[col]}, policy {got_in}")
            if got_out != want_out[col]:
                wrong.append(f"{action} {col} out of scope: table {want_out[col]}, policy {got_out}")
    # then the policy answers exactly as the table says
    assert wrong == []


def test_reserved_duties_are_never_granted_to_centre_roles():
    for action in policy.RESERVED_DUTIES:
        assert not (policy.grants()[action] & policy.CENTRE_ROLES), action


def test_a_grant_of_a_reserved_duty_to_centre_staff_in_settings_is_refused(settings, centre_staff, centre):
    # given a configuration that tries to let centre staff admit students
    settings.SANGUAN_POLICY_EXTRA_GRANTS = {"admissions.decide": [Role.CENTRE_STAFF]}
    # when the policy is asked / then it refuses to run with that configuration
    with pytest.raises(ImproperlyConfigured, match="reserved duty"):
        policy.can(centre_staff, "admissions.decide", centre)


def test_centre_staff_cannot_perform_a_reserved_duty_even_if_the_table_is_altered(monkeypatch, centre_staff, centre):
    # given a grant table altered at run time to include centre staff
    altered = dict(policy.GRANTS)
    altered["exams.grade"] = altered["exams.grade"] | {Role.CENTRE_STAFF}
    monkeypatch.setattr(policy, "GRANTS", altered)
    # when / then the run-time guard still refuses
    assert policy.can(centre_staff, "exams.grade", centre) is False


def test_harmless_extra_grant_from_settings_applies(settings, teacher, centre):
    settings.SANGUAN_POLICY_EXTRA_GRANTS = {"compliance.view_findings": [Role.TEACHER]}
    assert policy.can(teacher, "compliance.view_findings", centre) is True


def test_require_raises_permission_denied_with_code(centre_staff, centre):
    with pytest.raises(PermissionDenied) as err:
        policy.require(centre_staff, "admissions.decide", centre)
    assert err.value.code == "PERMISSION_DENIED"
    assert err.value.status == 403
    assert err.value.extra == {"action": "admissions.decide"}


def test_unknown_action_is_a_programming_error(university_admin):
    with pytest.raises(ImproperlyConfigured):
        policy.can(university_admin, "admissions.teleport")


def test_anonymous_and_inactive_users_can_do_nothing(anonymous, university_admin, centre):
    assert policy.can(anonymous, "institutions.view", centre) is False
    university_admin.is_active = False
    university_admin._sanguan_memberships = None
    assert policy.can(university_admin, "institutions.view", centre) is False


def test_revoked_membership_grants_nothing(university_admin, centre):
    university_admin.memberships.update(is_active=False)
    assert policy.can(university_admin, "institutions.view", centre) is False


def test_province_regulator_sees_an_out_of_province_centre_hosted_in_its_province(
    other_province_regulator, university, other_province
):
    # given a centre of a Hubei university hosted in Guangdong
    from sanguan.institutions.models import LearningCentre

    hosted = LearningCentre.objects.create(university=university, code="GZ-1", name="广州教学点",
                                           host_province=other_province, address="广州")
    # then Guangdong's regulator may look at it, not at the university itself
    assert policy.can(other_province_regulator, "institutions.view", hosted) is True
    assert policy.can(other_province_regulator, "institutions.view", university) is False


def test_visible_q_builds_one_filter_per_scope_kind(every_role, centre, other_centre):
    # given the centre registry and a filter anchored by province, university and centre
    from sanguan.institutions.models import LearningCentre

    def visible(role):
        q = policy.visible_q(every_role[role], "institutions.view", province="host_province_id",
                             university="university_id", centre="pk")
        return set(LearningCentre.objects.filter(q).values_list("pk", flat=True))

    # then each role sees what its scope anchors, and a role without the action sees nothing
    assert visible(Role.NATIONAL_REGULATOR) == {centre.pk, other_centre.pk}
    assert visible(Role.PROVINCE_REGULATOR) == {centre.pk}
    assert visible(Role.UNIVERSITY_ADMIN) == {centre.pk}
    assert visible(Role.CENTRE_STAFF) == {centre.pk}
    assert visible(Role.STUDENT) == set()
    assert policy.visible_q(policy.SYSTEM, "institutions.view") == policy.EVERYTHING
