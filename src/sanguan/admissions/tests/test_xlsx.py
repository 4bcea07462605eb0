"""Bulk import and export: all rows or none, a row-by-row report, personal data only to those who may."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
import pytest

from sanguan.admissions import services, xlsx
from sanguan.admissions.models import Applicant, ExamScore, PriorQualification
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, PermissionDenied

from .conftest import make_id


def book(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_sheet(data: bytes, sheet: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return out.getvalue()


def applicant_row(n, **over):
    row = {"姓名": f"考生{n}", "身份证号码": make_id(n), "手机号码": "13800138000", "专业代码": "080901",
           "层次": "专升本", "学习中心代码": "", "前置学历类别": "专科", "前置学历毕业院校": "武汉职业技术学院",
           "前置学历毕业日期": "2012-07-01", "学信网验证码": "AB12CD34EF"}
    row.update(over)
    return [row[c] for c in xlsx.APPLICANT_COLUMNS]


def test_import_creates_applicants_with_qualifications(university_admin, university, plan, centre):
    # given a template-shaped file of three applicants, one through the centre
    data = book(xlsx.APPLICANT_COLUMNS, [applicant_row(1), applicant_row(2), applicant_row(3, 学习中心代码="JH-WH-01")])
    # when it is imported
    report = xlsx.import_applicants(actor=university_admin, university=university, year=2026, season="AUTUMN",
                                    data=data)
    # then all three exist, with pending qualifications, audited without personal data
    assert report.created == 3
    assert Applicant.objects.filter(channel="IMPORT").count() == 3
    assert PriorQualification.objects.filter(status="PENDING").count() == 3
    assert Applicant.objects.get(id_number=make_id(3)).centre.code == "JH-WH-01"
    leaves = repr(list(AuditEvent.objects.values_list("data", "leaf_input")))
    event = AuditEvent.objects.get(action="admissions.applicants_imported")
    assert event.data["count"] == 3 and event.data["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert make_id(1) not in leaves and "考生1" not in leaves


def test_import_with_one_bad_row_imports_nothing_and_reports_each_row(university_admin, university, plan, centre):
    # given one good row, a bad check digit, a 30 February birth date, an impossible graduation date, a repeat
    bad_check = make_id(2)[:17] + ("0" if make_id(2)[17] != "0" else "1")
    body = "42010219900230003"
    from sanguan.codes.validators import id_check_char

    rows = [applicant_row(1), applicant_row(2, 身份证号码=bad_check),
            applicant_row(3, 身份证号码=body + id_check_char(body)),
            applicant_row(4, 前置学历毕业日期="2099-01-01"), applicant_row(1), applicant_row(5, 专业代码="999999")]
    # when it is imported
    with pytest.raises(ApplicationError) as err:
        xlsx.import_applicants(actor=university_admin, university=university, year=2026, season="AUTUMN",
                               data=book(xlsx.APPLICANT_COLUMNS, rows))
    # then nothing is written and every problem is listed by row and column
    assert err.value.code == "IMPORT_ROWS_INVALID"
    assert [(e["row"], e["column"], e["code"]) for e in err.value.extra["errors"]] == [
        (3, "身份证号码", "ID_NUMBER_INVALID"),
        (4, "身份证号码", "ID_NUMBER_INVALID"),
        (5, "前置学历毕业日期", "DATE_INVALID"),
        (6, "身份证号码", "APPLICANT_DUPLICATE"),
        (7, "专业代码", "PLAN_NOT_FOUND"),
    ]
    assert not Applicant.objects.exists() and not AuditEvent.objects.filter(
        action="admissions.applicants_imported").exists()


@pytest.mark.parametrize(
    "data",
    [b"not a workbook", b"PK\x03\x04broken zip", book(["name", "id"], [["x", "y"]]), book(xlsx.APPLICANT_COLUMNS, []),
     "entity-bomb"],
)
def test_malformed_files_are_refused(data, university_admin, university, plan):
    if data == "entity-bomb":
        data = with_sheet(book(xlsx.APPLICANT_COLUMNS, [applicant_row(1)]),
                          b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
                          b"<worksheet><sheetData><row r='1'><c t='inlineStr'><is><t>&b;</t></is></c></row>"
                          b"</sheetData></worksheet>")
    with pytest.raises(ApplicationError) as err:
        xlsx.import_applicants(actor=university_admin, university=university, year=2026, season="AUTUMN", data=data)
    assert err.value.code == "IMPORT_MALFORMED"


@pytest.mark.parametrize("role", ["centre_staff", "teacher", "student", "province_regulator", "national_regulator"])
def test_import_is_refused_to_other_roles(request, role, university, plan):
    with pytest.raises(PermissionDenied):
        xlsx.import_applicants(actor=request.getfixturevalue(role), university=university, year=2026,
                               season="AUTUMN", data=book(xlsx.APPLICANT_COLUMNS, [applicant_row(1)]))


def test_score_import_records_and_refuses_whole_batches(university_admin, university, plan, session):
    # given two registered applicants
    for n in (1, 2):
        services.applicant_register(actor=university_admin, plan=plan,
                                    person=services.PersonInput(name=f"考生{n}", id_number=make_id(n)))
    # when a score sheet with an out-of-range score is imported / then nothing is recorded
    with pytest.raises(ApplicationError) as err:
        xlsx.import_scores(actor=university_admin, session=session,
                           data=book(xlsx.SCORE_COLUMNS, [[make_id(1), "A1", 200], [make_id(2), "A2", 999],
                                                          [make_id(7), "A7", 100]]))
    assert [(e["row"], e["code"]) for e in err.value.extra["errors"]] == [(3, "SCORE_INVALID"),
                                                                        (4, "APPLICANT_NOT_FOUND")]
    assert not ExamScore.objects.exists()
    # when a clean sheet is imported / then both scores are recorded
    report = xlsx.import_scores(actor=university_admin, session=session,
                                data=book(xlsx.SCORE_COLUMNS, [[make_id(1), "A1", 200], [make_id(2), "A2", 120.5]]))
    assert report.created == 2 and ExamScore.objects.count() == 2


def test_templates_have_the_header(client):
    r = client.get("/api/admissions/templates/applicants.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in ws[1]] == xlsx.APPLICANT_COLUMNS


def test_export_holds_full_numbers_for_the_university(client, university_admin, university, ready):
    a = ready(1)
    client.force_login(university_admin)
    r = client.get(f"/api/admissions/exports/applicants.xlsx?university_id={university.pk}")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert list(ws.iter_rows(values_only=True))[1][2] == a.id_number
    assert AuditEvent.objects.filter(action="admissions.applicants_exported").count() == 1


@pytest.mark.parametrize("role", ["centre_staff", "teacher", "province_regulator", "national_regulator", "student"])
def test_export_is_refused_to_roles_that_may_not_hold_personal_data(request, client, role, university, ready):
    ready(1)
    client.force_login(request.getfixturevalue(role))
    r = client.get(f"/api/admissions/exports/applicants.xlsx?university_id={university.pk}")
    assert r.status_code == 403 and r.json()["code"] == "PERMISSION_DENIED"


def test_import_through_the_api_reports_rows(client, university_admin, university, plan):
    client.force_login(university_admin)
    data = book(xlsx.APPLICANT_COLUMNS, [applicant_row(1), applicant_row(2, 身份证号码="123")])
    r = client.post("/api/admissions/imports/applicants",
                    {"university_id": university.pk, "year": 2026, "season": "AUTUMN",
                     "file": io.BytesIO(data)})
    assert r.status_code == 400 and r.json()["code"] == "IMPORT_ROWS_INVALID"
    assert r.json()["extra"]["errors"][0]["row"] == 3


def test_reader_keeps_columns_of_sparse_rows_and_shared_strings():
    # given a row with empty cells in the middle (omitted in the file) and a date cell
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["h1", "h2", "h3", "h4"])
    ws.cell(row=2, column=1, value="甲")
    ws.cell(row=2, column=4, value="丁")
    ws.cell(row=3, column=28, value=7)
    buf = io.BytesIO()
    wb.save(buf)
    # when it is read
    rows = list(xlsx._sheet_rows(buf.getvalue()))
    # then each value stays in its column
    assert rows[1] == (2, ["甲", None, None, "丁"])
    assert rows[2][0] == 3 and len(rows[2][1]) == 28 and rows[2][1][27] == "7"
    assert xlsx._date("45000") == dt.date(2023, 3, 15)
