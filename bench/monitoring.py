"""Monitoring and anti-刷课 evidence over many learning records, synthetic and seeded.

Times the three in-process stages that ``engagement_refresh`` and ``brushing_assess`` run
after reading the statements from the database: parsing stored statement JSON into events,
the engagement figures per (offering, student), and the 刷课 signals per student over the
whole population. Defaults: 2,000 students × 3 offerings × 100 statements = 600,000
statements, with a ring of 20 accounts run by one machine. Prints the best of ``--repeat``
runs per stage, in seconds and statements per second.

    DJANGO_SETTINGS_MODULE=sanguan.settings .venv/bin/python bench/monitoring.py \\
        [--students 2000] [--offerings 3] [--per 100] [--repeat 3]

``--incremental`` measures the scheduled job instead, end to end on a database: it stores
``students x offerings x per`` statements (default 10,000 x 2 x 50 = 1,000,000) with the
university's enrolments, runs the first (full) ``engagement_update``, then stores 1 % more
and times the incremental run against a full one, in two shapes: the new statements come
from 1 % of the students (an hour of a few students studying: the usual case), or one each
from as many random students (the worst case: almost every student must be read again).
On PostgreSQL it drops and recreates the database named in ``DATABASE_URL`` and prints the
plan of the query that finds the students with new statements; without ``DATABASE_URL`` it
uses a fresh SQLite file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sg_monbench .venv/bin/python bench/monitoring.py \\
        --incremental [--students 10000] [--offerings 2] [--per 50] [--new-share 0.01]
    .venv/bin/python bench/monitoring.py --incremental
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
if "--incremental" in sys.argv:
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        from _postgres import recreate_database

        recreate_database(os.environ["DATABASE_URL"])
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["SANGUAN_DATA_DIR"] = tempfile.mkdtemp(prefix="sg-monbench-")
import django

django.setup()

from sanguan.teaching import monitoring, signals_brushing  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
HOME = "https://jxjy.example.edu.cn/"


class FakeOffering:
    def __init__(self, pk: int):
        self.pk = pk
        self.activity_id = f"https://lms.example.edu.cn/course/{pk}"


def statements(students: int, offerings: int, per: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    start = dt.datetime(2026, 9, 1, tzinfo=TZ)
    out = []
    for s in range(students):
        number = f"2026{s:08d}"
        bot = s < 20
        device = "farm-pc" if bot else f"dev-{s}"
        ip = "183.62.10.5" if bot else f"58.{s % 250}.{s // 250 % 250}.{s % 200 + 1}"
        for o in range(offerings):
            t = start + dt.timedelta(days=o, hours=rng.randint(0, 23) if bot else rng.choice([19, 20, 21]))
            for k in range(per):
                t += dt.timedelta(seconds=60 if bot else rng.choice([30, 90, 240, 600, 3600, 86400]))
                length = 30 if bot else rng.randint(60, 900)
                pos = float(k * 60)
                st = {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "actor": {"account": {"homePage": HOME, "name": number}},
                    "verb": {
                        "id": monitoring.VERB_COMPLETED if k % 10 == 9 else "https://w3id.org/xapi/video/verbs/paused"
                    },
                    "object": {"id": f"https://lms.example.edu.cn/course/{o}/unit/{k // 10}"},
                    "timestamp": t.isoformat(),
                    "result": {
                        "duration": f"PT{length}S",
                        "extensions": {
                            monitoring.EXT_TIME_FROM: pos,
                            monitoring.EXT_TIME_TO: pos + (240 if bot else length),
                        },
                    },
                    "context": {"extensions": {monitoring.EXT_DEVICE: device, monitoring.EXT_IP: ip}},
                }
                out.append((st["id"], json.dumps(st, separators=(",", ":"))))
    return out


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=2000)
    ap.add_argument("--offerings", type=int, default=3)
    ap.add_argument("--per", type=int, default=100, help="statements per student and offering")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--incremental", action="store_true", help="time the scheduled job on a database (see above)")
    ap.add_argument("--new-share", type=float, default=0.01, help="new statements, as a share of those stored")
    args = ap.parse_args()
    if args.incremental:
        incremental(args)
        return

    rows = statements(args.students, args.offerings, args.per, args.seed)
    n = len(rows)
    offerings = [FakeOffering(o) for o in range(args.offerings)]
    print(f"{n:,} statements: {args.students:,} students x {args.offerings} offerings x {args.per}")

    t_parse, events = best(lambda: [monitoring.event_from_statement(sid, full) for sid, full in rows], args.repeat)
    print(f"parse JSON -> events     {t_parse:8.3f} s  {n / t_parse:12,.0f} statements/s")

    t_eng, figures = best(lambda: monitoring.compute_engagement(offerings, events, tz=TZ), args.repeat)
    print(f"engagement figures       {t_eng:8.3f} s  {n / t_eng:12,.0f} statements/s  ({len(figures):,} enrolments)")

    by_student: dict[str, list] = defaultdict(list)
    for e in events:
        by_student[e.student_number].append(e)
    for evs in by_student.values():
        evs.sort(key=lambda e: e.at)
    lookup = signals_brushing._offering_lookup(offerings)  # type: ignore[arg-type]
    t_sig, signals = best(
        lambda: signals_brushing.signals_for_population(by_student, tz=TZ, offering_of=lookup), args.repeat
    )
    scores = {k: signals_brushing.combine(v) for k, v in signals.items()}
    high = sorted(k for k, v in scores.items() if v >= 0.7)
    print(f"刷课 signals              {t_sig:8.3f} s  {n / t_sig:12,.0f} statements/s")
    print(
        f"students with score >= 0.7: {len(high)} (planted ring: 20); "
        f"false positives: {sum(1 for k in high if int(k[4:]) >= 20)}"
    )


# ------------------------------------------------------------------ the scheduled job, on a database


def incremental(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from sanguan.accounts.policy import SYSTEM
    from sanguan.teaching.monitoring import account_home_page, engagement_update

    # The bench's own defaults for this case: 10,000 x 2 x 50 = 1,000,000 statements.
    students = args.students if "--students" in sys.argv else 10_000
    n_offerings = args.offerings if "--offerings" in sys.argv else 2
    per = args.per if "--per" in sys.argv else 50
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    university, offerings, numbers = _population(students, n_offerings)
    home = account_home_page(university)
    print(
        f"{connection.vendor}: migrate and {students:,} students x {n_offerings} offerings "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    rng = random.Random(args.seed)
    start = dt.datetime(2026, 9, 7, tzinfo=TZ)

    def rows(who: list[str], each: int) -> Iterator[tuple]:
        for number in who:
            for o in offerings:
                t = start + dt.timedelta(hours=rng.randint(0, 24 * 60))
                for k in range(each):
                    t += dt.timedelta(seconds=rng.choice([30, 90, 240, 600, 3600]))
                    yield _statement_row(university, home, number, o.activity_id, t, k, rng)

    t0 = time.perf_counter()
    total = _insert(rows(numbers, per))
    print(f"stored {total:,} statements in {time.perf_counter() - t0:.1f} s")
    _analyze()

    clock = [dt.datetime.now(dt.UTC)]

    def run(label: str, *, full: bool) -> float:
        # Each run an hour after the previous one, as beat runs them: past the replay window,
        # so only the id range finds what is new.
        clock[0] += dt.timedelta(hours=1)
        t = time.perf_counter()
        r = engagement_update(actor=SYSTEM, university=university, full=full, now=clock[0])
        took = time.perf_counter() - t
        print(
            f"{label:<44} {took:8.2f} s  read {r.statements_read:>9,} statements of {r.students:>6,} "
            f"students, wrote {r.enrolments:,} enrolments"
        )
        return took

    t_full = run("first run (full)", full=True)
    new = round(total * args.new_share)
    run("incremental, nothing new", full=False)

    few = numbers[: max(1, round(len(numbers) * args.new_share))]
    _insert(rows(few, max(1, new // (len(few) * n_offerings))))
    _analyze()
    if connection.vendor == "postgresql":
        _explain(university)
    t_inc = run(f"incremental, {new:,} new from {len(few):,} students", full=False)

    spread = rng.sample(numbers, min(len(numbers), new // n_offerings))
    _insert(rows(spread, 1))
    t_worst = run(f"incremental, {new:,} new from {len(spread):,} students", full=False)
    t_full2 = run("full, for comparison", full=True)
    print(
        f"full {t_full:.1f} / {t_full2:.1f} s; incremental with {args.new_share:.0%} new: {t_inc:.2f} s from "
        f"{len(few):,} students ({t_full2 / t_inc:.0f}x faster), {t_worst:.1f} s from {len(spread):,} students"
    )


def _population(students: int, n_offerings: int):
    """A university with ``n_offerings`` offerings, each with all ``students`` enrolled."""
    from django.contrib.auth import get_user_model

    from sanguan.admissions.models import Applicant, EnrollmentPlan, StudentRecord
    from sanguan.institutions.models import Level, Major, Province, Track, University
    from sanguan.teaching.models import Enrolment, Offering, ProgrammeCourse, TrainingProgramme

    province = Province.objects.order_by("pk").first()
    university = University.objects.create(
        name="基准大学",
        institution_code="19999",
        institution_id="4142019999",
        province=province,
        website="https://jxjy.example.edu.cn/",
    )
    major = Major.objects.create(
        university=university, catalogue_code="080901", name="计算机科学与技术", level=Level.ASSOCIATE_TO_BACHELOR
    )
    programme = TrainingProgramme.objects.create(
        university=university,
        major=major,
        level=major.level,
        track=Track.CONTINUING,
        version=1,
        title="基准",
        first_intake_year=2026,
        status=TrainingProgramme.Status.APPROVED,
    )
    teacher = get_user_model().objects.create(username="bench-teacher")
    offerings = []
    for o in range(n_offerings):
        course = ProgrammeCourse.objects.create(programme=programme, code=f"B{o:03d}", name=f"课程{o}", credits=2)
        offerings.append(
            Offering.objects.create(
                course=course,
                university=university,
                term="2026-AUTUMN",
                teacher=teacher,
                starts_on=dt.date(2026, 9, 1),
                ends_on=dt.date(2027, 1, 15),
                activity_id=f"https://lms.example.edu.cn/course/{o}",
                unit_count=10,
            )
        )
    plan = EnrollmentPlan.objects.create(
        university=university,
        year=2026,
        season="AUTUMN",
        major=major,
        level=major.level,
        track=major.track,
        quota=students,
    )
    numbers = [f"2026{s:08d}" for s in range(students)]
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                university=university,
                plan=plan,
                year=2026,
                season="AUTUMN",
                track=major.track,
                level=major.level,
                major=major,
                name="学生",
                id_number="11010519491231002X",
                id_digest=uuid.uuid4().hex,
                birth_date=dt.date(1990, 1, 1),
                sex="2",
                channel="UNIVERSITY",
                status="ADMITTED",
            )
            for _ in numbers
        ],
        batch_size=2000,
    )
    records = StudentRecord.objects.bulk_create(
        [
            StudentRecord(
                applicant=a,
                university=university,
                plan=plan,
                major=major,
                track=major.track,
                level=major.level,
                student_number=n,
                enrolled_on=dt.date(2026, 9, 1),
            )
            for a, n in zip(applicants, numbers, strict=True)
        ],
        batch_size=2000,
    )
    Enrolment.objects.bulk_create(
        [Enrolment(offering=o, student=r) for o in offerings for r in records], batch_size=5000
    )
    return university, offerings, numbers


COLUMNS = (
    "statement_id",
    "stored",
    "university_id",
    "client_id",
    "verb_id",
    "actor_ifi",
    "actor_home_page",
    "actor_name",
    "object_type",
    "object_ifi",
    "voided",
    "is_voiding",
    "has_attachments",
    "full",
)


def _statement_row(
    university, home: str, number: str, activity_id: str, t: dt.datetime, k: int, rng: random.Random
) -> tuple:
    """One ``records.Statement`` row as the LRS stores it (the columns monitoring reads)."""
    sid = str(uuid.UUID(int=rng.getrandbits(128)))
    verb = monitoring.VERB_COMPLETED if k % 10 == 9 else "https://w3id.org/xapi/video/verbs/paused"
    obj = f"{activity_id}/unit/{k // 10}"
    full = {
        "id": sid,
        "actor": {"account": {"homePage": home, "name": number}},
        "verb": {"id": verb},
        "object": {"id": obj},
        "timestamp": t.isoformat(),
        "result": {"duration": f"PT{rng.randint(60, 900)}S"},
        "context": {"extensions": {monitoring.EXT_DEVICE: f"dev-{number}", monitoring.EXT_IP: "58.1.2.3"}},
    }
    ifi = "acct:" + json.dumps([home, number])
    return (sid, t, university.pk, 1, verb, ifi, home, number, "Activity", obj, False, False, False, json.dumps(full))


def _insert(rows: Iterator[tuple]) -> int:
    """Bulk load (COPY on PostgreSQL, executemany on SQLite), 20,000 rows a transaction."""
    from django.db import connection, transaction

    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    n, chunk = 0, []

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY records_statement ({cols}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(COLUMNS))
                cur.executemany(f"INSERT INTO records_statement ({cols}) VALUES ({marks})", chunk)  # noqa: S608

    for row in rows:
        chunk.append(row)
        if len(chunk) == 20_000:
            flush()
            n += len(chunk)
            chunk = []
    if chunk:
        flush()
        n += len(chunk)
    return n


def _analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum keeps them in production."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE records_statement")


def _explain(university) -> None:

    from sanguan.records.models import Statement
    from sanguan.teaching.models import MonitoringWatermark

    mark = MonitoringWatermark.objects.get(university=university)
    top = Statement.objects.order_by("-pk").values_list("pk", flat=True).first()
    window = monitoring._replay_window()
    pages = monitoring._home_pages(university)
    queries = {
        "new ids": Statement.objects.filter(pk__gt=mark.statement_id, pk__lte=top, actor_home_page__in=pages),
        "late commits": Statement.objects.filter(
            stored__gte=mark.ran_at - window,
            stored__lte=mark.ran_at + window,
            pk__lte=mark.statement_id,
            actor_home_page__in=pages,
        ),
    }
    for label, q in queries.items():
        print(f"plan of the query for {label}:")
        for line in q.values_list("actor_name", flat=True).distinct().explain(analyze=True).splitlines():
            print("   ", line)


if __name__ == "__main__":
    main()
