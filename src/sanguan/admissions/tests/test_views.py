"""Pages: the admissions office, centre staff, applicants, and the public pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanguan.admissions import services
from sanguan.admissions.models import Applicant, PriorQualification, StudentRecord

from .conftest import make_id
from .test_publicity import CLEAN_AD, COMPLETE


def register_data(plan, n=5, **over):
    data = {"plan": plan.pk, "name": "张三", "id_number": make_id(n), "phone": "13912345678",
            "qualification_kind": "ASSOCIATE", "institution_name": "武汉职业技术学院", "graduated_on": "2012-07-01",
            "report_number": "AB12CD34EF"}
    data.update(over)
    return data


@pytest.mark.parametrize("role", ["university_admin", "academic_staff", "centre_staff", "student",
                                  "province_regulator", "national_regulator", "teacher", "system_admin"])
def test_index_renders_for_every_role(request, client, role, plan, centre):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/admissions/").status_code == 200


def test_centre_staff_register_through_the_page_and_see_masked_data(client, centre_staff, plan, centre):
    client.force_login(centre_staff)
    r = client.post("/admissions/register/", register_data(plan))
    a = Applicant.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/admissions/applicants/{a.pk}/"
    assert a.channel == "CENTRE" and a.centre == centre
    assert PriorQualification.objects.get(applicant=a).status == "PENDING"
    page = client.get(r["Location"]).content.decode()
    assert a.masked_id_number in page and a.id_number not in page
    assert 'data-testid="decide-form"' not in page


def test_registration_with_bad_id_shows_the_error_and_writes_nothing(client, centre_staff, plan, centre):
    client.force_login(centre_staff)
    r = client.post("/admissions/register/", register_data(plan, id_number="110105194912310021"))
    assert r.status_code == 400
    assert "check character" in r.content.decode() or "校验" in r.content.decode()
    assert not Applicant.objects.exists()


def test_registration_with_impossible_graduation_date_writes_nothing(client, centre_staff, plan, centre):
    client.force_login(centre_staff)
    r = client.post("/admissions/register/", register_data(plan, graduated_on="1970-01-01"))
    assert r.status_code == 400 and not Applicant.objects.exists()


def test_centre_staff_posting_a_decision_is_refused(client, centre_staff, ready, centre, plan):
    a = ready(1)
    Applicant.objects.filter(pk=a.pk).update(centre=centre)
    client.force_login(centre_staff)
    r = client.post(f"/admissions/applicants/{a.pk}/decide/", {"admit": "1"})
    assert r.status_code == 403
    assert not StudentRecord.objects.exists()


def test_office_admits_through_the_page(client, academic_staff, ready):
    a = ready(1)
    client.force_login(academic_staff)
    r = client.post(f"/admissions/applicants/{a.pk}/decide/", {"admit": "1"})
    assert r.status_code == 302
    page = client.get(f"/admissions/applicants/{a.pk}/").content.decode()
    assert StudentRecord.objects.get(applicant=a).student_number in page


def test_plan_full_shows_the_message(client, university_admin, ready):
    client.force_login(university_admin)
    for n in (1, 2, 3):
        client.post(f"/admissions/applicants/{ready(n).pk}/decide/", {"admit": "1"})
    r = client.post(f"/admissions/applicants/{ready(4).pk}/decide/", {"admit": "1"})
    assert r.status_code == 409 and 'data-testid="action-error"' in r.content.decode()


def test_other_university_cannot_open_the_applicant(client, other_university_admin, ready):
    client.force_login(other_university_admin)
    assert client.get(f"/admissions/applicants/{ready(1).pk}/").status_code == 404


def test_export_page_is_refused_to_province(client, province_regulator, university):
    client.force_login(province_regulator)
    assert client.get("/admissions/export/applicants.xlsx").status_code == 404


def test_public_pages_need_no_login(client, university_admin, university, centre_staff, centre):
    c = services.charter_create(actor=university_admin, university=university, year=2026, title="2026 招生章程",
                                sections=COMPLETE)
    services.charter_approve(actor=university_admin, charter=c)
    services.charter_publish(actor=university_admin, charter=c)
    services.announcement_publish(actor=university_admin, university=university, title="关于冒用我校名义招生的声明",
                                  body="我校从未委托中介。")
    assert "2026 招生章程" in client.get("/admissions/public/").content.decode()
    assert "学校从未委托任何中介机构招生" in client.get(f"/admissions/public/charters/{c.pk}/").content.decode()
    r = client.get("/admissions/public/verify/?code=NOSUCHCODE")
    assert (r.status_code == 200 and "Do not pay" in r.content.decode()) or "不要" in r.content.decode()


def test_public_verify_confirms_an_approved_material(client, university_admin, university):
    m = services.publicity_submit(actor=university_admin, university=university, title="招生简章", text=CLEAN_AD,
                                  channel="官网")
    m = services.publicity_decide(actor=university_admin, material=m, approve=True)
    page = client.get(f"/admissions/public/verify/?code={m.verification_code}").content.decode()
    assert "招生简章" in page and university.name in page


def test_centre_submits_publicity_through_the_page(client, centre_staff, centre):
    client.force_login(centre_staff)
    r = client.post("/admissions/publicity/new/",
                    {"title": "报名啦", "text": "免考包过，三个月拿证", "channel": "朋友圈"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "免考包过" in page


def test_bulk_page_reports_rows(client, university_admin, plan):
    import io

    import openpyxl

    from sanguan.admissions import xlsx

    wb = openpyxl.Workbook()
    wb.active.append(xlsx.APPLICANT_COLUMNS)
    wb.active.append(["张三", "123", "", "080901", "专升本", "", "专科", "某校", "2012-07-01", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "a.xlsx"
    client.force_login(university_admin)
    r = client.post("/admissions/bulk/", {"kind": "applicants", "year": 2026, "season": "AUTUMN", "file": buf})
    assert r.status_code == 400 and 'data-testid="import-errors"' in r.content.decode()


def office_post(client, what, **data):
    return client.post("/admissions/office/", {"what": what, **data})


def test_office_drafts_approves_and_publishes_a_charter(client, university_admin, university):
    client.force_login(university_admin)
    sections = {f"section_{k}": v for k, v in COMPLETE.items()}
    assert office_post(client, "charter", year=2026, title="2026 招生章程", **sections).status_code == 302
    from sanguan.admissions.models import AdmissionsCharter

    c = AdmissionsCharter.objects.get()
    client.post(f"/admissions/charters/{c.pk}/approve/")
    client.post(f"/admissions/charters/{c.pk}/publish/")
    c.refresh_from_db()
    assert c.status == "PUBLISHED"


def test_office_refuses_to_approve_an_incomplete_charter(client, university_admin, university):
    client.force_login(university_admin)
    office_post(client, "charter", year=2026, title="章程", section_institution="江汉大学")
    from sanguan.admissions.models import AdmissionsCharter

    c = AdmissionsCharter.objects.get()
    r = client.post(f"/admissions/charters/{c.pk}/approve/", follow=True)
    c.refresh_from_db()
    assert c.status == "DRAFT" and r.status_code == 200


def test_office_sets_exams_authorisations_announcements_and_weights(client, university_admin, university, centre):
    client.force_login(university_admin)
    assert office_post(client, "session", year=2026, season="AUTUMN", kind="ADULT_ENTRANCE", name="成考",
                       held_on="2025-10-18", max_score="450").status_code == 302
    from sanguan.admissions.models import AdvertiserAuthorisation, Announcement, ExamSession, FteConfig

    s = ExamSession.objects.get()
    assert office_post(client, "pass_line", session=s.pk, level="ASSOCIATE_TO_BACHELOR",
                       min_score="150").status_code == 302
    assert office_post(client, "authorisation", centre=centre.pk, reference="授权〔2026〕1号",
                       valid_from="2026-01-01", valid_until="2026-12-31").status_code == 302
    assert office_post(client, "announcement", title="声明", body="我校从未委托中介。").status_code == 302
    assert office_post(client, "fte", online_weight="", continuing_weight="0.3").status_code == 302
    assert s.pass_lines.count() == 1 and AdvertiserAuthorisation.objects.count() == 1
    assert Announcement.objects.count() == 1 and FteConfig.objects.get().continuing_weight == Decimal("0.3")
    assert 'data-testid="fte"' in client.get("/admissions/office/").content.decode()


def test_office_shows_refusals_next_to_the_form(client, university_admin, centre):
    client.force_login(university_admin)
    r = office_post(client, "authorisation", centre=centre.pk, reference="x", valid_from="2026-02-01",
                    valid_until="2026-01-01")
    assert r.status_code == 400


@pytest.mark.parametrize("role", ["centre_staff", "student", "teacher"])
def test_office_page_is_not_for_other_roles(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/admissions/office/").status_code == 404


def test_fte_weights_are_refused_to_academic_staff(client, academic_staff, university):
    client.force_login(academic_staff)
    r = office_post(client, "fte", online_weight="0.1", continuing_weight="")
    assert r.status_code == 403


def test_tuition_through_the_applicant_page(client, university_admin, university, ready):
    university.tuition_account = "4200 0000"
    university.save()
    a = ready(1)
    client.force_login(university_admin)
    client.post(f"/admissions/applicants/{a.pk}/decide/", {"admit": "1"})
    assert client.post(f"/admissions/applicants/{a.pk}/tuition/invoice/",
                       {"amount": "3000", "academic_year": 2026}).status_code == 302
    r = client.post(f"/admissions/applicants/{a.pk}/tuition/payment/",
                    {"amount": "3000", "channel": "CASH", "collector": "AGENT", "paid_on": "2026-09-02"})
    assert r.status_code == 302
    page = client.get(f"/admissions/applicants/{a.pk}/").content.decode()
    assert "text-danger" in page


def test_batch_admission_from_the_plan_page(client, university_admin, ready, plan, session):
    # given two qualified applicants and one whose score is below the line
    ready(1)
    ready(2)
    low = ready(3)
    services.score_record(actor=university_admin, applicant=low, session=session, score="100")
    client.force_login(university_admin)
    assert "2 " in client.get(f"/admissions/plans/{plan.pk}/").content.decode()
    # when the office admits all who qualify
    client.post(f"/admissions/plans/{plan.pk}/admit/")
    # then exactly the two are admitted
    assert StudentRecord.objects.count() == 2
    low.refresh_from_db()
    assert low.status == "REGISTERED"


def test_batch_admission_is_refused_to_centre_staff(client, centre_staff, ready, plan):
    ready(1)
    client.force_login(centre_staff)
    client.post(f"/admissions/plans/{plan.pk}/admit/")
    assert not StudentRecord.objects.exists()


def test_post_review_from_the_applicant_page(client, university_admin, ready):
    a = ready(1)
    client.force_login(university_admin)
    client.post(f"/admissions/applicants/{a.pk}/decide/", {"admit": "1"})
    assert client.post(f"/admissions/applicants/{a.pk}/post-review/", {"passed": "1"}).status_code == 302
    assert StudentRecord.objects.get(applicant=a).post_review_passed is True


def test_plans_and_publicity_lists_have_query_budgets(client, university_admin, plan, django_assert_max_num_queries):
    client.force_login(university_admin)
    with django_assert_max_num_queries(6):
        assert client.get("/api/admissions/plans").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/api/admissions/publicity").status_code == 200


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from sanguan.admissions.models import PriorQualification

    monkeypatch.setattr(PriorQualification._meta.get_field("evidence"), "storage",
                        FileSystemStorage(location=tmp_path, base_url=None))
    return tmp_path


def test_evidence_is_stored_privately_and_handed_out_after_a_check(client, centre_staff, university_admin,
                                                                   province_regulator, plan, centre,
                                                                   private_files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # given centre staff who register an applicant with a scanned certificate
    client.force_login(centre_staff)
    scan = SimpleUploadedFile("diploma.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    client.post("/admissions/register/", {**register_data(plan), "evidence": scan})
    a = Applicant.objects.get()
    assert list(private_files.rglob("diploma*.pdf"))
    # when the university opens it / then it gets the file
    client.force_login(university_admin)
    r = client.get(f"/admissions/applicants/{a.pk}/evidence/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 scan"
    # when a province regulator (who sees the applicant masked) asks / then not found
    client.force_login(province_regulator)
    assert client.get(f"/admissions/applicants/{a.pk}/evidence/").status_code == 404


def test_applicant_registers_themselves_and_sees_their_status(client, student, plan):
    client.force_login(student)
    r = client.post("/admissions/register/self/", register_data(plan, n=8))
    a = Applicant.objects.get()
    assert r.status_code == 302 and a.channel == "SELF" and a.user == student
    page = client.get("/admissions/").content.decode()
    # their own application, with their own number in full
    assert a.id_number in page and 'data-testid="applicant-status"' in page


def test_applicant_list_shows_the_qualification_status_in_words(client, academic_staff, ready):
    from django.utils import translation

    # given an applicant whose prior qualification was verified
    applicant = ready(1)
    assert applicant.qualification.status == PriorQualification.Status.VERIFIED
    client.force_login(academic_staff)
    # when the office opens the list (Chinese by default)
    page = client.get("/admissions/").content.decode()
    # then the status reads as words, not as the stored code
    with translation.override("zh-hans"):
        label = str(PriorQualification.Status.VERIFIED.label)
    assert label in page
    assert ">VERIFIED<" not in page
