"""Charters, publicity (linter, approval, written authorisation, verification codes), announcements."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.accounts.models import Role
from sanguan.admissions import linter, services
from sanguan.admissions.models import AdmissionsCharter, PublicityMaterial
from sanguan.core.errors import ApplicationError, PermissionDenied

COMPLETE = {
    "institution": "江汉大学（学校代码 11072）",
    "majors_levels": "计算机科学与技术（专升本）",
    "requirements": "具有国民教育系列专科及以上学历",
    "entrance_exam": "参加全国成人高考",
    "fees": "学费 3000 元/学年，只缴入学校账户",
    "centres": "武汉洪山校外教学点",
    "anti_fraud": "学校从未委托任何中介机构招生",
    "contacts": "027-00000000",
}

CLEAN_AD = (
    "江汉大学 2026 年高等学历继续教育招生。入学条件：具有专科及以上学历，参加成人高考。最低修业年限 2.5 年。"
    "学费标准 3000 元/学年，学费由学校统一收取，只缴入学校账户。报名途径：本校招生网站 https://cj.example.edu.cn 。"
    "毕业条件：修完全部课程、成绩合格者颁发毕业证书。"
)


# ------------------------------------------------------------------ linter


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("本中心快速取证", "FAST_CERTIFICATE"),
        ("免 考 包 过，名额有限", "NO_EXAM_GUARANTEED"),
        ("ＦＵＬＬ免考包过", "NO_EXAM_GUARANTEED"),  # full-width neighbours
        ("免考包過", "NO_EXAM_GUARANTEED"),  # traditional character
        ("考不過退款", "REFUND_IF_FAIL"),
        ("无需学习，轻松毕业", "NO_STUDY"),
        ("無需上課", "NO_CLASSES"),
        ("保·过", "GUARANTEED_PASS"),
        ("１００％通过", "GUARANTEED_PASS"),
        ("免试入学", "NO_ENTRANCE_EXAM"),
        ("零基础包拿证", "GUARANTEED_CERTIFICATE"),
        ("内部指标，先到先得", "INSIDE_QUOTA"),
        ("3个月拿证", "SHORT_STUDY"),
        ("半年即可毕业", "SHORT_STUDY"),
        ("学费交给我们统一代缴学费", "AGENT_FEES"),
    ],
)
def test_linter_finds_forbidden_claims_however_written(text, code):
    hits, _missing = linter.scan(text)
    assert code in {h.code for h in hits}
    assert all(h.explanation for h in hits)


def test_linter_accepts_an_honest_advertisement():
    hits, missing = linter.scan(CLEAN_AD)
    assert hits == [] and missing == []


def test_linter_lists_missing_facts():
    _hits, missing = linter.scan("欢迎报读江汉大学")
    assert [m.code for m in missing] == ["ADMISSION_REQUIREMENTS", "MIN_STUDY_YEARS", "FEES_AND_PAYMENT",
                                         "HOW_TO_APPLY", "ADMISSIONS_WEBSITE", "CERTIFICATE_CONDITIONS"]


# ------------------------------------------------------------------ charter


def test_charter_goes_from_draft_to_published(university_admin, university):
    c = services.charter_create(actor=university_admin, university=university, year=2026, title="2026 招生章程",
                                sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    c = services.charter_publish(actor=university_admin, charter=c)
    assert c.status == AdmissionsCharter.Status.PUBLISHED and c.published_at is not None


def test_charter_with_a_missing_section_cannot_be_published(university_admin, university):
    # given an approved charter whose anti-fraud section was later emptied (data repaired by hand)
    c = services.charter_create(actor=university_admin, university=university, year=2026, title="章程",
                                sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    AdmissionsCharter.objects.filter(pk=c.pk).update(sections={**COMPLETE, "anti_fraud": " "})
    # when it is published / then refused, naming the section
    with pytest.raises(ApplicationError) as err:
        services.charter_publish(actor=university_admin, charter=c)
    assert err.value.code == "CHARTER_SECTIONS_MISSING" and err.value.extra == {"missing": ["anti_fraud"]}
    c.refresh_from_db()
    assert c.status == AdmissionsCharter.Status.APPROVED


def test_charter_approval_lists_every_missing_section(university_admin, university):
    c = services.charter_create(actor=university_admin, university=university, year=2026, title="章程",
                                sections={"institution": "江汉大学"})
    with pytest.raises(ApplicationError) as err:
        services.charter_approve(actor=university_admin, charter=c)
    assert err.value.extra["missing"] == ["majors_levels", "requirements", "entrance_exam", "fees", "centres",
                                          "anti_fraud", "contacts"]


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.UNIVERSITY_ADMIN])
def test_charter_publish_is_refused_to_other_roles(role, every_role, university_admin, university):
    c = services.charter_create(actor=university_admin, university=university, year=2026, title="章程",
                                sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    with pytest.raises(PermissionDenied):
        services.charter_publish(actor=every_role[role], charter=c)


# ------------------------------------------------------------------ publicity


def test_centre_material_needs_written_authorisation_then_gets_a_code(client, centre_staff, university_admin,
                                                                      university, centre):
    # given a clean advertisement submitted by the centre
    m = services.publicity_submit(actor=centre_staff, university=university, centre=centre, title="招生简章",
                                  text=CLEAN_AD, channel="微信公众号")
    assert m.lint_hits == [] and m.lint_missing == []
    # when the university approves without a written authorisation / then refused
    with pytest.raises(ApplicationError) as err:
        services.publicity_decide(actor=university_admin, material=m, approve=True)
    assert err.value.code == "PUBLICITY_NOT_AUTHORISED"
    # when the authorisation is granted and the material approved
    services.authorisation_grant(actor=university_admin, centre=centre, reference="江大继教〔2026〕3号",
                                 valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2099, 12, 31))
    m = services.publicity_decide(actor=university_admin, material=m, approve=True)
    # then it has a verification code that the public can check
    assert m.status == PublicityMaterial.Status.APPROVED and len(m.verification_code) == 10
    r = client.get(f"/api/admissions/public/verify/{m.verification_code.lower()}")
    assert r.json()["valid"] is True and r.json()["centre"] == centre.name
    assert client.get("/api/admissions/public/verify/NOPE000000").json() == {
        "valid": False, "title": "", "university": "", "centre": "", "channel": "", "approved_at": None}


def test_material_with_hits_cannot_be_approved(university_admin, university):
    m = services.publicity_submit(actor=university_admin, university=university, title="招生",
                                  text=CLEAN_AD + "免考包过！", channel="网站")
    with pytest.raises(ApplicationError) as err:
        services.publicity_decide(actor=university_admin, material=m, approve=True)
    assert err.value.code == "PUBLICITY_HAS_HITS" and "NO_EXAM_GUARANTEED" in err.value.extra["hits"]


def test_centre_staff_cannot_submit_for_another_centre(centre_staff, university, other_centre):
    with pytest.raises(PermissionDenied):
        services.publicity_submit(actor=centre_staff, university=other_centre.university, centre=other_centre,
                                  title="x", text="y", channel="z")


@pytest.mark.parametrize("role", ["centre_staff", "teacher", "student", "province_regulator"])
def test_publicity_approval_is_refused_to_other_roles(request, role, university_admin, university):
    m = services.publicity_submit(actor=university_admin, university=university, title="招生", text=CLEAN_AD,
                                  channel="网站")
    with pytest.raises(PermissionDenied):
        services.publicity_decide(actor=request.getfixturevalue(role), material=m, approve=True)


def test_authorisation_with_impossible_dates_is_refused(university_admin, centre):
    with pytest.raises(ApplicationError) as err:
        services.authorisation_grant(actor=university_admin, centre=centre, reference="x",
                                     valid_from=dt.date(2026, 2, 1), valid_until=dt.date(2026, 1, 1))
    assert err.value.code == "DATE_INVALID"


def test_announcement_is_published_on_the_portal(client, academic_staff, university, centre_staff):
    services.announcement_publish(actor=academic_staff, university=university,
                                  title="关于不法机构冒用我校名义招生的声明", body="我校从未委托任何中介机构招生。")
    assert client.get("/api/admissions/public/announcements").json()[0]["kind"] == "IMPOSTOR"
    with pytest.raises(PermissionDenied):
        services.announcement_publish(actor=centre_staff, university=university, title="x", body="y")
