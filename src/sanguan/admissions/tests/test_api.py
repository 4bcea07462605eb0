"""The whole entrance-gate workflow through the API, and each refusal's exact answer."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.admissions.models import Applicant, StudentRecord

from .conftest import make_id

API = "/api/admissions"


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def test_workflow_from_centre_registration_to_admission(client, centre_staff, academic_staff, centre, plan,
                                                        session):
    # given centre staff who register an applicant at their centre
    client.force_login(centre_staff)
    reg = post(client, "/applicants", {"plan_id": plan.pk, "centre_id": centre.pk, "name": "张三",
                                       "id_number": make_id(5), "phone": "13912345678"})
    assert reg.status_code == 201, reg.content
    applicant = reg.json()["applicant"]
    # then they see the ID and phone masked
    assert applicant["id_number"] == "420102********0053"[:6] + "*" * 8 + make_id(5)[-4:]
    assert applicant["phone"] == "139****5678"
    assert applicant["channel"] == "CENTRE"
    aid = applicant["id"]
    q = post(client, f"/applicants/{aid}/qualification", {"kind": "ASSOCIATE", "institution_name": "武汉职业技术学院",
                                                          "graduated_on": "2012-07-01", "report_number": "ab12cd34ef"})
    assert q.status_code == 201, q.content
    # when the centre's staff member tries to admit / then refused
    refused = post(client, f"/applicants/{aid}/decision", {"admit": True})
    assert refused.status_code == 403 and refused.json()["code"] == "PERMISSION_DENIED"
    # when the university verifies, scores, reviews and admits
    client.force_login(academic_staff)
    assert post(client, f"/applicants/{aid}/qualification/verify", {"accepted": True}).status_code == 200
    assert post(client, f"/applicants/{aid}/scores", {"session_id": session.pk, "score": "201.5"}).status_code == 201
    assert post(client, f"/applicants/{aid}/moral-review", {"passed": True}).status_code == 200
    done = post(client, f"/applicants/{aid}/decision", {"admit": True})
    # then the applicant is admitted, and the university sees the full ID number
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "ADMITTED" and done.json()["id_number"] == make_id(5)
    assert StudentRecord.objects.filter(applicant_id=aid).exists()


def test_plan_full_answers_409_with_code(client, university_admin, ready, plan):
    client.force_login(university_admin)
    for n in (1, 2, 3):
        assert post(client, f"/applicants/{ready(n).pk}/decision", {"admit": True}).status_code == 200
    r = post(client, f"/applicants/{ready(4).pk}/decision", {"admit": True})
    assert r.status_code == 409 and r.json()["code"] == "PLAN_FULL"


def test_bad_id_number_answers_400(client, university_admin, plan):
    client.force_login(university_admin)
    r = post(client, "/applicants", {"plan_id": plan.pk, "name": "张三", "id_number": "110105194912310021"})
    assert r.status_code == 400
    assert r.json()["code"] == "ID_NUMBER_INVALID" and r.json()["extra"] == {"reason": "ID_NUMBER_CHECKSUM"}


def test_impossible_date_answers_422(client, university_admin, ready):
    client.force_login(university_admin)
    a = ready(1)
    r = post(client, f"/applicants/{a.pk}/qualification", {"kind": "ASSOCIATE", "institution_name": "x",
                                                           "graduated_on": "2012-02-30"})
    assert r.status_code == 422 and r.json()["code"] == "INVALID_INPUT"


def test_applicant_of_another_university_is_not_found(client, other_university_admin, ready):
    client.force_login(other_university_admin)
    r = post(client, f"/applicants/{ready(1).pk}/decision", {"admit": True})
    assert r.status_code == 404 and r.json()["code"] == "APPLICANT_NOT_FOUND"


@pytest.mark.parametrize("role", ["province_regulator", "national_regulator"])
def test_regulators_see_applicants_masked(request, client, role, ready):
    a = ready(1)
    client.force_login(request.getfixturevalue(role))
    r = client.get(f"{API}/applicants/{a.pk}")
    assert r.status_code == 200
    assert r.json()["id_number"] == a.masked_id_number and r.json()["phone"] == "138****8000"


def test_centre_staff_see_only_their_centre(client, centre_staff, ready, centre, plan):
    ready(1)  # registered without a centre
    client.force_login(centre_staff)
    assert client.get(f"{API}/applicants").json() == []


def test_applicant_list_has_a_query_budget(client, university_admin, ready, django_assert_max_num_queries):
    for n in range(1, 4):
        ready(n)
    client.force_login(university_admin)
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/applicants")
    assert len(r.json()) == 3


def test_unauthenticated_calls_are_refused(client, plan):
    r = post(client, "/applicants", {"plan_id": plan.pk, "name": "x", "id_number": make_id(1)})
    assert r.status_code == 401 and r.json()["code"] == "NOT_AUTHENTICATED"


def test_plan_over_capacity_through_the_api(client, university_admin, university, major):
    client.force_login(university_admin)
    r = post(client, "/plans", {"university_id": university.pk, "year": 2026, "major_id": major.pk, "quota": 500,
                                "teachers": 1})
    assert r.status_code == 201 and r.json()["capacity"] == 150
    pid = r.json()["id"]
    r = post(client, f"/plans/{pid}/submit", {})
    assert r.status_code == 400 and r.json()["code"] == "PLAN_JUSTIFICATION_REQUIRED"
    why = "学校新增专职教师二十名并扩建课程资源平台，已论证可承载。"
    r = post(client, f"/plans/{pid}/submit", {"justification": why})
    assert r.status_code == 200
    r = post(client, f"/plans/{pid}/approve")
    assert r.json()["status"] == "APPROVED" and r.json()["over_capacity_approved"] is True


def test_tuition_paid_to_an_agent_is_recorded_but_does_not_settle(client, university_admin, university, ready):
    university.tuition_account = "中国银行 4200 0000 1234"
    university.save()
    client.force_login(university_admin)
    a = ready(1)
    post(client, f"/applicants/{a.pk}/decision", {"admit": True})
    inv = post(client, f"/applicants/{a.pk}/invoices", {"amount": "3000", "academic_year": 2026})
    assert inv.status_code == 201 and inv.json()["payee_account"] == university.tuition_account
    iid = inv.json()["id"]
    agent = post(client, f"/invoices/{iid}/payments", {"amount": "3000", "channel": "CASH", "collector": "AGENT",
                                                       "paid_on": "2026-09-02"})
    assert agent.status_code == 201 and agent.json()["is_forbidden_channel"] is True
    wrong = post(client, f"/invoices/{iid}/payments", {"amount": "3000", "channel": "BANK_TRANSFER",
                                                       "collector": "UNIVERSITY", "payee_account": "6222 9999",
                                                       "paid_on": "2026-09-02"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "PAYMENT_INVALID"
    ok = post(client, f"/invoices/{iid}/payments", {"amount": "3000", "channel": "BANK_TRANSFER",
                                                    "collector": "UNIVERSITY",
                                                    "payee_account": university.tuition_account,
                                                    "paid_on": "2026-09-02"})
    assert ok.status_code == 201
    from sanguan.admissions.models import Invoice

    assert Invoice.objects.get(pk=iid).status == "PAID"


def test_invoice_needs_a_university_account(client, university_admin, ready):
    client.force_login(university_admin)
    a = ready(1)
    post(client, f"/applicants/{a.pk}/decision", {"admit": True})
    r = post(client, f"/applicants/{a.pk}/invoices", {"amount": "3000", "academic_year": 2026})
    assert r.status_code == 400 and r.json()["code"] == "NO_TUITION_ACCOUNT"


@pytest.mark.parametrize("role", ["centre_staff", "teacher", "student", "province_regulator"])
def test_tuition_is_refused_to_other_roles(request, client, role, university_admin, university, ready):
    university.tuition_account = "4200"
    university.save()
    a = ready(1)
    client.force_login(university_admin)
    post(client, f"/applicants/{a.pk}/decision", {"admit": True})
    client.force_login(request.getfixturevalue(role))
    r = post(client, f"/applicants/{a.pk}/invoices", {"amount": "3000", "academic_year": 2026})
    assert r.status_code in (403, 404)
    assert r.json()["code"] in ("PERMISSION_DENIED", "APPLICANT_NOT_FOUND")


def test_self_registration_through_the_api(client, student, plan):
    client.force_login(student)
    r = post(client, "/self-registrations", {"plan_id": plan.pk, "name": "李四", "id_number": make_id(9),
                                          "phone": "13700001111"})
    assert r.status_code == 201, r.content
    # the applicant sees their own data in full
    assert r.json()["applicant"]["id_number"] == make_id(9)
    assert Applicant.objects.get().channel == "SELF"


def test_post_review_through_the_api(client, university_admin, ready):
    client.force_login(university_admin)
    a = ready(1)
    post(client, f"/applicants/{a.pk}/decision", {"admit": True, "on": str(dt.date.today())})
    sid = StudentRecord.objects.get().pk
    r = post(client, f"/students/{sid}/post-review", {"passed": True})
    assert r.status_code == 200 and r.json()["post_review_done_on"] == str(dt.date.today())


def test_charter_publicity_and_announcement_workflow_through_the_api(client, university_admin, centre_staff,
                                                                    university, centre):
    from .test_publicity import CLEAN_AD, COMPLETE

    client.force_login(university_admin)
    # charter: a missing section refuses approval, completing it lets it through to the portal
    c = post(client, "/charters", {"university_id": university.pk, "year": 2026, "title": "章程",
                                   "sections": {"institution": "江汉大学"}})
    assert c.status_code == 201 and "anti_fraud" in c.json()["missing"]
    cid = c.json()["id"]
    r = post(client, f"/charters/{cid}/approve")
    assert r.status_code == 400 and r.json()["code"] == "CHARTER_SECTIONS_MISSING"
    r = client.patch(f"{API}/charters/{cid}", {"sections": COMPLETE}, content_type="application/json")
    assert r.status_code == 200 and r.json()["missing"] == []
    assert post(client, f"/charters/{cid}/approve").json()["status"] == "APPROVED"
    assert post(client, f"/charters/{cid}/publish").json()["status"] == "PUBLISHED"
    assert [x["id"] for x in client.get(f"{API}/public/charters").json()] == [cid]
    # authorisation, then the centre's material is approved and verifiable
    a = post(client, "/authorisations", {"centre_id": centre.pk, "reference": "授权〔2026〕1号",
                                         "valid_from": "2026-01-01", "valid_until": "2099-12-31"})
    assert a.status_code == 201
    client.force_login(centre_staff)
    m = post(client, "/publicity", {"university_id": university.pk, "centre_id": centre.pk, "title": "招生",
                                    "text": CLEAN_AD, "channel": "公众号"})
    assert m.status_code == 201 and m.json()["lint_hits"] == []
    refused = post(client, f"/publicity/{m.json()['id']}/decision", {"approve": True})
    assert refused.status_code == 403
    client.force_login(university_admin)
    d = post(client, f"/publicity/{m.json()['id']}/decision", {"approve": True})
    assert d.status_code == 200 and d.json()["status"] == "APPROVED"
    assert client.get(f"{API}/public/verify/{d.json()['verification_code']}").json()["valid"] is True
    n = post(client, "/announcements", {"university_id": university.pk, "title": "声明", "body": "谨防受骗"})
    assert n.status_code == 201


def test_exam_setup_and_batch_admission_through_the_api(client, university_admin, university, major, plan):
    client.force_login(university_admin)
    s = post(client, "/exam-sessions", {"university_id": university.pk, "year": 2026, "kind": "ADULT_ENTRANCE",
                                        "name": "成考", "held_on": "2025-10-18"})
    assert s.status_code == 201
    sid = s.json()["id"]
    bad = post(client, f"/exam-sessions/{sid}/pass-lines", {"level": major.level, "min_score": "999"})
    assert bad.status_code == 400 and bad.json()["code"] == "EXAM_INVALID"
    assert post(client, f"/exam-sessions/{sid}/pass-lines", {"level": major.level,
                                                              "min_score": "150"}).status_code == 201
    ids = []
    for n in (1, 2):
        reg = post(client, "/applicants", {"plan_id": plan.pk, "name": f"考生{n}", "id_number": make_id(n)})
        aid = reg.json()["applicant"]["id"]
        post(client, f"/applicants/{aid}/qualification", {"kind": "ASSOCIATE", "institution_name": "某学院",
                                                          "graduated_on": "2012-07-01", "report_number": "ABCD1234"})
        post(client, f"/applicants/{aid}/qualification/verify", {"accepted": True})
        post(client, f"/applicants/{aid}/scores", {"session_id": sid, "score": "200"})
        post(client, f"/applicants/{aid}/moral-review", {"passed": True})
        ids.append(aid)
    r = post(client, "/decisions/batch", {"applicant_ids": ids, "on": "2026-09-01"})
    assert r.status_code == 200 and len(r.json()) == 2
    assert {x["enrolled_on"] for x in r.json()} == {"2026-09-01"}
    again = post(client, "/decisions/batch", {"applicant_ids": ids})
    assert again.status_code == 400 and again.json()["code"] == "BATCH_REFUSED"


def test_capacity_rule_and_fte_through_the_api(client, university_admin, academic_staff, university):
    client.force_login(university_admin)
    r = client.put(f"{API}/universities/{university.pk}/capacity-rule",
                   {"students_per_teacher": 100, "students_per_seat": None, "students_per_course": None},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["students_per_teacher"] == 100
    r = client.put(f"{API}/universities/{university.pk}/fte-config", {"online_weight": "0.10"},
                   content_type="application/json")
    assert r.status_code == 200
    assert client.get(f"{API}/universities/{university.pk}/fte-report").json()["uncounted_tracks"] == ["CONTINUING"]
    client.force_login(academic_staff)
    r = client.put(f"{API}/universities/{university.pk}/capacity-rule", {"students_per_teacher": 1},
                   content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "PERMISSION_DENIED"


def test_lists_are_scoped_to_the_viewer(client, university_admin, other_university_admin, centre_staff, ready,
                                        university, session, django_assert_max_num_queries):
    from sanguan.admissions import services
    from sanguan.admissions.tests.test_publicity import COMPLETE

    services.admission_decide(actor=university_admin, applicant=ready(1), admit=True)
    services.charter_create(actor=university_admin, university=university, year=2026, title="草稿", sections=COMPLETE)
    client.force_login(university_admin)
    with django_assert_max_num_queries(6):
        assert len(client.get(f"{API}/students").json()) == 1
    assert [c["title"] for c in client.get(f"{API}/charters").json()] == ["草稿"]
    assert len(client.get(f"{API}/exam-sessions?university_id={university.pk}").json()) == 1
    client.force_login(other_university_admin)
    assert client.get(f"{API}/students").json() == []
    assert client.get(f"{API}/charters").json() == []  # a draft is not public
    assert client.get(f"{API}/exam-sessions?university_id={university.pk}").json() == []
