"""The entrance gate at scale: import 50,000 applicants from xlsx, then admit 10,000 in one batch.

On a fresh PostgreSQL database (dropped, created and migrated), builds a university with
five approved plans and an exam session, writes an xlsx of ``--applicants`` rows in the
import template (valid, distinct ID numbers; not timed), then times:

1. ``xlsx.import_applicants`` of the whole file (parse, validate every row, duplicate
   checks, bulk insert of applicants and their prior qualifications, one audit event each);
2. ``xlsx.import_scores`` of ``--admit`` scores (for information);
3. after verifying those applicants' qualifications and reviews in bulk (not timed),
   ``services.admission_decide_batch`` of ``--admit`` applicants (plan locks, sanction check,
   student records, one audit event each).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_admbench .venv/bin/python bench/admissions.py \\
        [--applicants 50000] [--admit 10000] [--keep-db]

Goal (issue 3): each under 60 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time

from _postgres import recreate_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--admit", type=int, default=10_000)
    parser.add_argument("--keep-db", action="store_true", help="do not drop and recreate the database")
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sg_admbench")
    if not url.startswith("postgres"):
        sys.exit("this benchmark runs on PostgreSQL (DATABASE_URL=postgres://...)")
    os.environ.setdefault("SANGUAN_DATA_DIR", tempfile.mkdtemp(prefix="sg-admbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
    if not args.keep_db:
        recreate_database(url)

    import logging

    import django

    django.setup()
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("sanguan.admissions").setLevel(logging.DEBUG)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")

    import openpyxl
    from django.db import transaction

    from sanguan.accounts.models import Membership, Role, User
    from sanguan.admissions import services, xlsx
    from sanguan.admissions.models import Applicant, ExamSession, PriorQualification, StudentRecord
    from sanguan.codes.validators import id_check_char
    from sanguan.institutions.models import Level, Major, Province, University

    rng = random.Random(20261128)
    province = Province.objects.get(code="42")
    university = University.objects.create(name="江汉大学", institution_code="11072", institution_id="4142011072",
                                           province=province, is_pilot=True)
    admin = User.objects.create_user(username="bench-admin", password="x" * 12)
    Membership.objects.create(user=admin, role=Role.UNIVERSITY_ADMIN, university=university)
    majors = [
        Major.objects.create(university=university, catalogue_code=code, name=name, level=Level.ASSOCIATE_TO_BACHELOR)
        for code, name in [("080901", "计算机科学与技术"), ("120203K", "会计学"), ("120201K", "工商管理"),
                           ("030101K", "法学"), ("040106", "学前教育")]
    ]
    quota = args.applicants // len(majors) + 1
    for m in majors:
        plan = services.plan_create(actor=admin, university=university, year=2026, major=m, quota=quota,
                                    teachers=quota // 100 + 1, course_resources=quota // 50 + 1)
        services.plan_submit(actor=admin, plan=plan)
        services.plan_approve(actor=admin, plan=plan)
    session = services.exam_session_create(actor=admin, university=university, year=2026, season="AUTUMN",
                                           kind=ExamSession.Kind.ADULT_ENTRANCE, name="2026 成人高考",
                                           held_on=dt.date(2025, 10, 18))
    services.pass_line_set(actor=admin, session=session, level=Level.ASSOCIATE_TO_BACHELOR, min_score=150)

    # ---- the applicants file (not timed)
    t0 = time.perf_counter()
    regions = ["420102", "420106", "420111", "440106", "110105", "510104", "330106", "320102"]
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < args.applicants:
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 25))
        body = f"{rng.choice(regions)}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        if body in seen:
            continue
        seen.add(body)
        ids.append(body + id_check_char(body))
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(xlsx.APPLICANT_COLUMNS)
    for i, number in enumerate(ids):
        m = majors[i % len(majors)]
        ws.append([f"考生{i:05d}", number, f"13{rng.randrange(10**9):09d}", m.catalogue_code, "专升本", "",
                   "专科", "武汉职业技术学院", f"{2000 + i % 20}-07-01", f"{rng.randrange(16**12):012X}"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    print(f"built xlsx of {args.applicants} applicants: {len(data) / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")

    # ---- 1. import
    t0 = time.perf_counter()
    report = xlsx.import_applicants(actor=admin, university=university, year=2026, season="AUTUMN", data=data)
    import_s = time.perf_counter() - t0
    assert report.created == args.applicants == Applicant.objects.count()
    print(f"IMPORT {args.applicants} applicants from xlsx: {import_s:.1f} s ({args.applicants / import_s:.0f} rows/s)")

    # ---- 2. scores of those to admit
    chosen = ids[: args.admit]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(xlsx.SCORE_COLUMNS)
    for i, number in enumerate(chosen):
        ws.append([number, f"2026{i:08d}", 150 + rng.randrange(0, 200)])
    buf = io.BytesIO()
    wb.save(buf)
    t0 = time.perf_counter()
    xlsx.import_scores(actor=admin, session=session, data=buf.getvalue())
    print(f"import {args.admit} scores from xlsx: {time.perf_counter() - t0:.1f} s")

    # ---- 3. verification and review in bulk (not timed: staff work, one at a time in real life)
    applicant_ids = list(Applicant.objects.filter(id_digest__in=[services.id_digest(n) for n in chosen])
                         .values_list("pk", flat=True))
    with transaction.atomic():
        PriorQualification.objects.filter(applicant_id__in=applicant_ids).update(
            status=PriorQualification.Status.VERIFIED, method="staff_review", verified_by=admin)
        Applicant.objects.filter(pk__in=applicant_ids).update(moral_review=Applicant.Review.PASSED)

    t0 = time.perf_counter()
    records = services.admission_decide_batch(actor=admin, applicant_ids=applicant_ids, on=dt.date(2026, 9, 1))
    admit_s = time.perf_counter() - t0
    assert len(records) == args.admit == StudentRecord.objects.count()
    print(f"ADMIT {args.admit} applicants in one batch: {admit_s:.1f} s ({args.admit / admit_s:.0f} admissions/s)")
    ok = import_s < 60 and admit_s < 60
    print(f"goal (< 60 s each): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
