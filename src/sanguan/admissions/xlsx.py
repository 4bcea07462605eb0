"""Bulk work with the xlsx files an admissions office uses: downloadable templates, imports
of applicants and exam scores (all rows or none, with a row-by-row report), and exports
of personal data to the roles that may hold it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanguan.accounts import policy
from sanguan.audit import services as audit
from sanguan.codes.errors import CodeError
from sanguan.codes.validators import validate_resident_id
from sanguan.institutions.models import LearningCentre, Level, University

from . import services
from .errors import AdmissionsError
from .errors import AdmissionsErrorCode as E
from .models import Applicant, EnrollmentPlan, ExamScore, ExamSession, ImportBatch, PriorQualification, Season

log = logging.getLogger(__name__)


class _Stages:
    """Stage timings of a long import, logged at DEBUG (the benchmark prints them)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.t = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        log.debug("%s: %s %.2f s", self.what, stage, now - self.t)
        self.t = now


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000
MAX_REPORTED_ERRORS = 1000

APPLICANT_COLUMNS = ["姓名", "身份证号码", "手机号码", "专业代码", "层次", "学习中心代码",
                     "前置学历类别", "前置学历毕业院校", "前置学历毕业日期", "学信网验证码"]
SCORE_COLUMNS = ["身份证号码", "准考证号", "成绩"]

LEVELS = {"专升本": Level.ASSOCIATE_TO_BACHELOR, "高起本": Level.HS_TO_BACHELOR, "高起专": Level.HS_TO_ASSOCIATE,
          **{v: v for v in Level.values}}
KINDS = {"高中": "HIGH_SCHOOL", "中专": "HIGH_SCHOOL", "高中/中专": "HIGH_SCHOOL", "专科": "ASSOCIATE",
         "本科": "BACHELOR", **{v: v for v in PriorQualification.Kind.values}}


@dataclass
class ImportReport:
    created: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAX_UNCOMPRESSED = 512 * 1024 * 1024


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + (ord(ch.upper()) - 64)
        else:
            break
    return n - 1


class _Refused(ValueError):
    """A DTD or an entity in a workbook part: never legitimate in xlsx, refused outright."""


def _local(name: str) -> str:
    return name if ":" not in name else name.rsplit(":", 1)[-1]


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


COLUMN_LETTERS = [_letters(i) for i in range(64)]


class _Streaming:
    """A pyexpat parser with callbacks and no element tree (three times faster than
    ElementTree at 50,000 rows); DOCTYPEs and entities are refused, so no expansion or
    external fetch can happen."""

    CHUNK = 1 << 16

    def __init__(self) -> None:
        from xml.parsers import expat

        p = expat.ParserCreate()
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._refuse
        p.EntityDeclHandler = self._refuse
        p.ExternalEntityRefHandler = self._refuse
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.text
        p.buffer_text = True
        self.parser = p
        self.out: list[Any] = []

    @staticmethod
    def _refuse(*_args: Any) -> None:
        raise _Refused("DTD or entity in a workbook part")

    def feed(self, stream) -> Iterator[list[Any]]:
        while chunk := stream.read(self.CHUNK):
            self.parser.Parse(chunk, False)
            if self.out:
                batch, self.out = self.out, []
                yield batch
        self.parser.Parse(b"", True)
        if self.out:
            yield self.out

    def start(self, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...


class _SharedStrings(_Streaming):
    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []
        self.buf: list[str] = []
        self.capture = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        n = _local(name)
        if n == "si":
            self.buf = []
        elif n == "rPh":
            self.phonetic += 1
        elif n == "t" and not self.phonetic:
            self.capture = True

    def end(self, name: str) -> None:
        n = _local(name)
        if n == "t":
            self.capture = False
        elif n == "rPh":
            self.phonetic -= 1
        elif n == "si":
            self.strings.append("".join(self.buf))

    def text(self, data: str) -> None:
        if self.capture:
            self.buf.append(data)


class _SheetReader(_Streaming):
    def __init__(self, shared: list[str]) -> None:
        super().__init__()
        self.shared = shared
        self.row_number = 0
        self.values: list[Any] = []
        self.ref: str | None = None
        self.kind: str | None = None
        self.buf: list[str] = []
        self.has_value = False
        self.capture = False

    def rows(self, stream) -> Iterator[tuple[int, list[Any]]]:
        for batch in self.feed(stream):
            yield from batch

    def start(self, name: str, attrs: dict[str, str]) -> None:
        n = _local(name)
        if n == "c":
            self.ref, self.kind = attrs.get("r"), attrs.get("t")
            self.buf, self.has_value = [], False
        elif n in ("v", "t"):
            self.capture = self.has_value = True
        elif n == "row":
            self.row_number = int(attrs.get("r") or self.row_number + 1)
            self.values = []

    def end(self, name: str) -> None:
        n = _local(name)
        if n in ("v", "t"):
            self.capture = False
        elif n == "c":
            value: Any = "".join(self.buf) if self.has_value else None
            if self.kind == "s" and value:
                value = self.shared[int(value)]
            index = len(self.values)
            ref = self.ref
            expected = COLUMN_LETTERS[index] if index < 64 else ""
            if ref and not (expected and ref.startswith(expected) and ref[len(expected)].isdigit()):
                index = _column_index(ref)
            while len(self.values) < index:
                self.values.append(None)
            self.values.append(value)
        elif n == "row":
            self.out.append((self.row_number, self.values))

    def text(self, data: str) -> None:
        if self.capture:
            self.buf.append(data)


def _sheet_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """The first worksheet's rows as ``(row number, values)``, read straight from the XML.

    Several times faster than openpyxl's read-only mode, which matters at 50,000 rows.
    Values are strings (numbers as written in the file) or None. DTDs and entities are
    refused in every part; the uncompressed size is capped against zip bombs."""
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
        if any(i.file_size > MAX_UNCOMPRESSED for i in z.infolist()):
            raise AdmissionsError(E.IMPORT_MALFORMED, _("The file is too large once uncompressed."))
        sheet = "xl/worksheets/sheet1.xml"
        if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
            rid = None
            for _ev, el in iterparse(z.open("xl/workbook.xml")):
                if el.tag == _NS + "sheet":
                    rid = el.get(_REL_NS + "id")
                    break
            for _ev, el in iterparse(z.open("xl/_rels/workbook.xml.rels")):
                if el.tag.endswith("Relationship") and el.get("Id") == rid:
                    target = el.get("Target", "")
                    sheet = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    break
        if sheet not in names:
            raise KeyError(sheet)
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            reader = _SharedStrings()
            for _batch in reader.feed(z.open("xl/sharedStrings.xml")):
                pass
            shared = reader.strings
        yield from _SheetReader(shared).rows(z.open(sheet))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, ParseError, DefusedXmlException,
            ExpatError) as exc:
        raise AdmissionsError(E.IMPORT_MALFORMED, _("The file is not a readable xlsx workbook."),
                              {"reason": type(exc).__name__}) from None


def _rows(data: bytes, columns: list[str]) -> Iterator[tuple[int, list[Any]]]:
    """Rows as lists of cell values (row numbers as Excel shows them), after the header."""
    it = _sheet_rows(data)
    first = next(it, None)
    header = [str(c).strip() if c is not None else "" for c in (first[1] if first else [])]
    if header[: len(columns)] != columns:
        raise AdmissionsError(
            E.IMPORT_MALFORMED,
            _("The first row must be the template's header: {columns}").format(columns=" | ".join(columns)),
            {"expected": columns, "found": header[: len(columns)]},
        )
    count = 0
    for n, row in it:
        count += 1
        if count > MAX_ROWS:
            raise AdmissionsError(E.IMPORT_MALFORMED, _("Too many rows (at most {n}).").format(n=MAX_ROWS))
        cells = list(row[: len(columns)]) + [None] * (len(columns) - len(row))
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        yield n, cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if text.replace(".", "", 1).isdigit() and 1 <= float(text) < 80000:
        # a date cell: Excel stores the days since 1899-12-30
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))
    try:
        return dt.date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        return None


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: int, column: str, code: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append({"row": row, "column": column, "code": code, "message": str(message)})

    def raise_if_any(self, total: int) -> None:
        if self.count:
            raise AdmissionsError(
                E.IMPORT_ROWS_INVALID,
                _("{n} problems in {total} rows; nothing was imported.").format(n=self.count, total=total),
                {"errors": self.items, "error_count": self.count},
            )


@transaction.atomic
def import_applicants(*, actor: Any, university: University, year: int, season: str, data: bytes) -> ImportReport:
    """Import applicants (with their declared prior qualification) for one intake.

    Every row is checked first; any problem refuses the whole file with the list of problems."""
    policy.require(actor, "admissions.import", university)
    stage = _Stages("import_applicants")
    if season not in Season.values:
        raise AdmissionsError(E.IMPORT_MALFORMED, _("Unknown intake season."))
    plans = {
        (p.major.catalogue_code, p.level, p.centre.code if p.centre else ""): p
        for p in EnrollmentPlan.objects.select_related("major", "centre").filter(
            university=university, year=year, season=season, status=EnrollmentPlan.Status.APPROVED)
    }
    centres = {c.code: c for c in LearningCentre.objects.filter(university=university)}
    today = timezone.localdate()
    errors = _Errors()
    # Plain dicts, not model instances: at 50,000 rows the instances cost more than the insert.
    prepared: list[tuple[int, dict[str, Any], dict[str, Any] | None]] = []
    seen: dict[str, int] = {}
    warnings: list[dict[str, Any]] = []
    total = 0
    for n, cells in _rows(data, APPLICANT_COLUMNS):
        total += 1
        name, id_number, phone, major_code, level_text, centre_code, kind_text, school, grad, report = [
            _text(c) for c in cells[:10]]
        grad_date = _date(cells[8])
        try:
            person, rid, person_warnings = services.check_person(
                services.PersonInput(name=name, id_number=id_number, phone=phone), today=today)
        except AdmissionsError as exc:
            column = {"NAME_REQUIRED": "姓名", "ID_NUMBER_INVALID": "身份证号码"}.get(exc.code, "手机号码")
            errors.add(n, column, exc.code, exc.message)
            continue
        warnings.extend({"row": n, **w} for w in person_warnings)
        level = LEVELS.get(level_text)
        centre = centres.get(centre_code) if centre_code else None
        if centre_code and centre is None:
            errors.add(n, "学习中心代码", "CENTRE_NOT_FOUND", _("Unknown centre code."))
            continue
        plan = plans.get((major_code, level, centre_code)) or plans.get((major_code, level, ""))
        if plan is None:
            errors.add(n, "专业代码", "PLAN_NOT_FOUND", _("No approved plan for this major, level and centre."))
            continue
        digest = services.id_digest(person.id_number)
        if digest in seen:
            errors.add(n, "身份证号码", "APPLICANT_DUPLICATE",
                       _("The same ID number is already on row {row}.").format(row=seen[digest]))
            continue
        seen[digest] = n
        qualification = None
        if kind_text or school or grad:
            kind = KINDS.get(kind_text)
            if kind is None or kind not in services.QUALIFYING_KINDS[plan.level]:
                errors.add(n, "前置学历类别", "QUALIFICATION_INVALID",
                           _("This qualification does not qualify for the level applied for."))
                continue
            if not school:
                errors.add(n, "前置学历毕业院校", "QUALIFICATION_INVALID", _("The awarding institution is required."))
                continue
            if grad_date is None or grad_date > today or grad_date <= rid.birth_date:
                errors.add(n, "前置学历毕业日期", "DATE_INVALID", _("The graduation date is impossible."))
                continue
            qualification = {"kind": kind, "institution_name": school, "graduated_on": grad_date,
                             "report_number": report.replace(" ", "").upper()[:32]}
        prepared.append((n, {
            "university_id": university.pk, "plan_id": plan.pk, "year": year, "season": season, "track": plan.track,
            "level": plan.level, "major_id": plan.major_id, "centre_id": centre.pk if centre else plan.centre_id,
            "name": person.name, "id_number": person.id_number, "id_digest": digest,
            "id_region_known": rid.region_known, "birth_date": rid.birth_date, "sex": rid.sex, "phone": person.phone,
            "channel": Applicant.Channel.IMPORT, "registered_by_id": actor.pk,
        }, qualification))
    if total == 0:
        raise AdmissionsError(E.IMPORT_MALFORMED, _("The file has no data rows."))
    stage("read and check rows")
    digests = list(seen)
    existing_here: set[str] = set()
    elsewhere: dict[str, list[int]] = {}
    for i in range(0, len(digests), 5000):
        chunk = digests[i:i + 5000]
        for pk, uni, dig in Applicant.objects.filter(year=year, season=season, id_digest__in=chunk).values_list(
                "pk", "university_id", "id_digest"):
            if uni == university.pk:
                existing_here.add(dig)
            else:
                elsewhere.setdefault(dig, []).append(pk)
    for n, a, _q in prepared:
        if a["id_digest"] in existing_here:
            errors.add(n, "身份证号码", "APPLICANT_DUPLICATE",
                       _("This person has already applied to this university for this intake."))
    errors.raise_if_any(total)
    stage("duplicate checks")
    for _n, a, _q in prepared:
        a["duplicate_flag"] = a["id_digest"] in elsewhere
    _insert_rows(Applicant, [a for _n, a, _q in prepared])
    ids = dict(Applicant.objects.filter(university=university, year=year, season=season)
               .values_list("id_digest", "pk"))
    for _n, a, _q in prepared:
        a["id"] = ids[a["id_digest"]]
    stage("insert applicants")
    dup_ids = [pk for pks in elsewhere.values() for pk in pks]
    for i in range(0, len(dup_ids), 5000):
        Applicant.objects.filter(pk__in=dup_ids[i:i + 5000]).update(duplicate_flag=True)
    _insert_rows(PriorQualification, [{"applicant_id": a["id"], **q} for _n, a, q in prepared if q])
    stage("insert qualifications")
    _audit_batch(actor=actor, university=university, kind=ImportBatch.Kind.APPLICANTS, data=data,
                 ids=[a["id"] for _n, a, _q in prepared], extra={"year": year, "season": season,
                                                                 "duplicates_elsewhere": len(dup_ids)})
    stage("audit")
    warnings.extend({"row": n, "code": "DUPLICATE_ELSEWHERE"} for n, a, _q in prepared if a["duplicate_flag"])
    return ImportReport(created=len(prepared), warnings=warnings[:MAX_REPORTED_ERRORS])


@transaction.atomic
def import_scores(*, actor: Any, session: ExamSession, data: bytes) -> ImportReport:
    """Import (or correct) exam scores of one session, matched by ID number."""
    policy.require(actor, "admissions.import", session)
    policy.require(actor, "admissions.record_score", session)
    errors = _Errors()
    rows: list[tuple[int, str, str, Any]] = []
    for n, cells in _rows(data, SCORE_COLUMNS):
        rows.append((n, _text(cells[0]).upper(), _text(cells[1]), cells[2]))
    if not rows:
        raise AdmissionsError(E.IMPORT_MALFORMED, _("The file has no data rows."))
    digests: dict[str, int] = {}
    parsed = []
    for n, id_number, candidate, score in rows:
        try:
            id_number = validate_resident_id(id_number).number
        except CodeError as exc:
            errors.add(n, "身份证号码", "ID_NUMBER_INVALID", exc.message)
            continue
        digest = services.id_digest(id_number)
        if digest in digests:
            errors.add(n, "身份证号码", "APPLICANT_DUPLICATE",
                       _("The same ID number is already on row {row}.").format(row=digests[digest]))
            continue
        digests[digest] = n
        parsed.append((n, digest, candidate, score))
    applicants = {}
    keys = list(digests)
    for i in range(0, len(keys), 5000):
        for a in Applicant.objects.filter(university_id=session.university_id, year=session.year,
                                          season=session.season, id_digest__in=keys[i:i + 5000]):
            applicants[a.id_digest] = a
    existing = {s.applicant_id: s for s in ExamScore.objects.filter(session=session)}
    new, changed = [], []
    for n, digest, candidate, score in parsed:
        a = applicants.get(digest)
        if a is None:
            errors.add(n, "身份证号码", "APPLICANT_NOT_FOUND", _("No applicant with this ID number in this intake."))
            continue
        try:
            value = services.check_score(session, a, score)
        except AdmissionsError as exc:
            errors.add(n, "成绩", exc.code, exc.message)
            continue
        row = existing.get(a.pk)
        if row is None:
            new.append(ExamScore(applicant=a, session=session, score=value, candidate_number=candidate[:32],
                                 recorded_by=actor))
        else:
            row.score, row.candidate_number, row.recorded_by = value, candidate[:32], actor
            changed.append(row)
    errors.raise_if_any(len(rows))
    _insert(ExamScore, new)
    ExamScore.objects.bulk_update(changed, ["score", "candidate_number", "recorded_by"], batch_size=2000)
    _audit_batch(actor=actor, university=session.university, kind=ImportBatch.Kind.SCORES, data=data,
                 ids=sorted(s.applicant_id for s in [*new, *changed]),
                 extra={"session": session.pk, "created": len(new), "corrected": len(changed)})
    return ImportReport(created=len(new) + len(changed))


def _insert_rows(model: type, rows: list[dict[str, Any]]) -> None:
    """Insert new rows given as ``{attname: value}`` (other fields take their defaults;
    timestamps are now): PostgreSQL COPY, ``bulk_create`` elsewhere."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        elif f.get_internal_type() in ("CharField", "TextField", "FileField"):
            defaults[f.attname] = ""
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**{**defaults, **row}) for row in rows], batch_size=2000)
        return
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {table} ({columns}) FROM STDIN"
    ) as copy:
        for row in rows:
            merged = {**defaults, **row}
            copy.write_row([merged[name] for name in names])


def _insert(model: type, objs: list) -> None:
    """Insert many new rows: PostgreSQL COPY (ten times fewer round trips and no per-row
    SQL), ``bulk_create`` elsewhere. Primary keys are set by the caller afterwards when the
    backend does not return them."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=2000)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _audit_batch(*, actor: Any, university: University, kind: str, data: bytes, ids: list[int],
                 extra: dict[str, Any]) -> ImportBatch:
    """One audit event per committed batch: the file's digest and a digest of the ids it
    created, never the rows themselves (an event per row costs more than the import)."""
    batch = ImportBatch.objects.create(university=university, kind=kind, status=ImportBatch.Status.COMMITTED,
                                       file_sha256=hashlib.sha256(data).hexdigest(), row_count=len(ids),
                                       uploaded_by=actor)
    audit.record(actor=actor, action=f"admissions.{kind.lower()}_imported", target=batch, data={
        "file_sha256": batch.file_sha256, "count": len(ids), "first_id": min(ids, default=None),
        "last_id": max(ids, default=None), "ids_sha256": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest(),
        **extra})
    return batch


def template(kind: str) -> bytes:
    """An empty import template with its header and a sheet of instructions."""
    import openpyxl

    columns = {"applicants": APPLICANT_COLUMNS, "scores": SCORE_COLUMNS}.get(kind)
    if columns is None:
        raise AdmissionsError(E.IMPORT_MALFORMED, _("Unknown template."), status=404)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(columns)
    for i in range(len(columns)):
        ws.cell(row=1, column=i + 1).number_format = "@"
    help_ws = wb.create_sheet("说明")
    notes = {
        "applicants": [
            "每行一名考生；第一行表头不可修改。整个文件全部通过校验才会导入，否则一条也不导入，并逐行列出问题。",
            "身份证号码：18 位，末位可为 X；请将单元格设为文本格式。",
            "层次：专升本 / 高起本 / 高起专。专业代码与层次须对应已批准的招生计划。",
            "学习中心代码：可空；填写时须为本校已登记的学习中心 / 校外教学点代码。",
            "前置学历类别：高中 / 中专 / 专科 / 本科；毕业日期格式 2015-07-01；学信网验证码可空。",
        ],
        "scores": [
            "每行一名考生的一次考试成绩；匹配本场考试所属学校与招生批次的考生。",
            "成绩须在 0 与本场考试满分之间。已录取或未录取的考生成绩不可再改。",
        ],
    }[kind]
    for line in notes:
        help_ws.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@transaction.atomic
def export_applicants(*, actor: Any, university: University, plan_id: int | None = None) -> bytes:
    """Applicants with full ID and phone numbers: only for roles that may export personal data.

    The export itself is audited (count and a digest of the ids, never the data)."""
    import openpyxl

    policy.require(actor, "admissions.export_personal", university)
    qs = Applicant.objects.filter(university=university).select_related("major", "centre").order_by("pk")
    if plan_id is not None:
        qs = qs.filter(plan_id=plan_id)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("考生")
    ws.append(["编号", "姓名", "身份证号码", "手机号码", "专业", "层次", "学习中心", "报名方式", "状态", "跨校重复"])
    ids = []
    for a in qs.iterator(chunk_size=2000):
        ids.append(a.pk)
        ws.append([a.pk, a.name, a.id_number, a.phone, a.major.name, a.get_level_display(),
                   a.centre.name if a.centre else "", a.get_channel_display(), a.get_status_display(),
                   "是" if a.duplicate_flag else ""])
    buf = io.BytesIO()
    wb.save(buf)
    audit.record(actor=actor, action="admissions.applicants_exported", target=university,
                 data={"count": len(ids), "ids_sha256": hashlib.sha256(repr(ids).encode()).hexdigest(),
                       "plan": plan_id})
    return buf.getvalue()
