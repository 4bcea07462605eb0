"""Demo data of the process gate, all through the services (so it is audited):

* approved training programmes of the primary university (and a draft v2 that lacks a
  required course, to show the refusal);
* offerings for the current term at two of its centres, taught by the demo ``teacher``;
* face-to-face sessions with roll calls (one centre holds far fewer than planned), one
  session under way now that nobody has recorded yet (the tour and the browser test);
* a term of xAPI learning records from the students, some of whom drift away;
* a planted 刷课 ring: one machine at one address learning for six students of one centre
  around the clock, at regular intervals, with video at eight times real speed;
* monitoring figures, early warnings at every stage of their loop, and 刷课 evidence.

Students are the admissions app's ``StudentRecord`` rows; when the admissions demo has not
admitted enough at a centre, they are admitted here through the admissions services.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from sanguan.accounts.policy import SYSTEM
from sanguan.admissions import services as admissions
from sanguan.admissions.models import Applicant, ExamSession, StudentRecord
from sanguan.institutions.models import LearningCentre, Level, Major, University
from sanguan.records import services as records

from . import monitoring, services, signals_brushing
from .config import POLITICAL_COURSES, required_political_courses
from .models import EarlyWarning, Offering, TrainingProgramme
from .monitoring import EXT_DEVICE, EXT_IP, EXT_TIME_FROM, EXT_TIME_TO, account_home_page

VERB = {
    "played": "https://w3id.org/xapi/video/verbs/paused",
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
}
SUBJECT_COURSES = [
    ("ZY101", "专业导论", 2, 24, 12, 0),
    ("ZY201", "专业核心课程（一）", 4, 40, 24, 8),
    ("ZY202", "专业核心课程（二）", 4, 40, 24, 8),
    ("SJ301", "综合实践", 3, 8, 8, 40),
]
STUDENTS_PER_CENTRE = 14
RING_SIZE = 6
UNITS = 8


def seed(*, rng: random.Random, scale: int, ctx: dict[str, Any]) -> None:
    university: University = ctx["primary_university"]
    today: dt.date = ctx["today"]
    now = timezone.now()
    uadmin = ctx["university_admins"][university.pk]
    teacher = ctx["users"].get("teacher")
    academic = ctx["users"].get("academic") or uadmin
    if teacher is None:
        return
    majors = [m for m in ctx["majors"] if m.university_id == university.pk and m.is_active][:2]
    centres = _centres(ctx, university)
    if not majors or not centres:
        return
    term_start = today - dt.timedelta(days=70)
    term_end = today + dt.timedelta(days=50)
    term = f"{term_start.year}-{'SPRING' if 2 <= term_start.month <= 7 else 'AUTUMN'}"

    with transaction.atomic():
        programmes = [_programme(uadmin, major, today.year) for major in majors]
        _draft_missing_course(uadmin, majors[0], programmes[0], today.year)

    offerings: list[Offering] = []
    for ci, centre in enumerate(centres):
        major = majors[ci % len(majors)]
        programme = programmes[ci % len(programmes)]
        with transaction.atomic():
            students = _students(
                ctx,
                rng,
                university,
                centre,
                major,
                STUDENTS_PER_CENTRE * scale,
                uadmin,
                self_user=ctx["users"].get("student") if ci == 0 else None,
            )
            courses = [c for c in programme.courses.all() if c.code in ("ZY201", "ZY202")] + [
                c for c in programme.courses.all() if c.political_code
            ][:1]
            for course in courses:
                o = services.offering_create(
                    actor=academic,
                    course=course,
                    term=term,
                    teacher=teacher,
                    centre=centre,
                    starts_on=term_start,
                    ends_on=term_end,
                    schedule="周六 09:00–12:00",
                    activity_id=f"https://lms.u{university.institution_code}.example.edu.cn/course/"
                    f"{course.code.lower()}-{term.lower()}-{centre.code.lower()}",
                    unit_count=UNITS,
                )
                services.enrolment_add(actor=academic, offering=o, students=students)
                offerings.append(o)
        # The second centre holds few of its sessions: the delivered share falls short.
        with transaction.atomic():
            for o in [x for x in offerings if x.centre_id == centre.pk]:
                _sessions(rng, o, teacher, students, now=now, sparse=ci == 1)

    with transaction.atomic():
        _previous_term(programmes[-1], centres[-1], teacher, academic, term_start)
        _current_session(offerings[0], teacher, now)
        for o in offerings[:2]:
            _live(rng, o, teacher, now)

    client = records.lrs_client_create(name="演示学习平台 (demo LMS)", university=university).client
    demo_student = ctx["users"].get("student")
    ring_centre = centres[-1]
    ring = _enrolled(offerings, ring_centre)[:RING_SIZE]
    batch: list[dict] = []
    for k, o in enumerate(offerings):
        for e in o.enrolments.select_related("student"):
            if e.student in ring:
                continue
            statements = _human_term(rng, university, e.student.student_number, o, k % 3, term_start, today)
            if demo_student is not None and e.student.user_id == demo_student.pk:
                statements = _drifted(statements, term_start)
            batch.extend(statements)
            if len(batch) >= 500:
                records.statements_store(client=client, statements=batch)
                batch = []
    batch.extend(_ring(rng, university, ring, [o for o in offerings if o.centre_id == ring_centre.pk], today))
    for i in range(0, len(batch), 500):
        records.statements_store(client=client, statements=batch[i : i + 500])

    monitoring.engagement_refresh(actor=SYSTEM, university=university, now=now)
    # Warnings raised ten days ago, taken through their loop to every stage; some sit past the
    # follow-up deadlines.
    with transaction.atomic():
        monitoring.warnings_raise(actor=SYSTEM, university=university, now=now - dt.timedelta(days=10))
        _walk_warnings(rng, teacher, now, skip_user=demo_student)
        _demo_student_warnings(teacher, demo_student, now)
    # Evidence first computed fifteen days ago and never reviewed: the rule finds it.
    signals_brushing.brushing_assess(actor=SYSTEM, university=university, now=now - dt.timedelta(days=15))
    ctx.setdefault("planted", {})["brushing_ring"] = [s.pk for s in ring]


def _centres(ctx: dict[str, Any], university: University) -> list[LearningCentre]:
    mine = [
        c for c in ctx["centres"] if c.university_id == university.pk and c.status == LearningCentre.Status.OPERATING
    ]
    demo_centre = ctx["users"].get("centre")
    first = None
    if demo_centre is not None:
        m = demo_centre.memberships.filter(centre__university=university).first()
        first = next((c for c in mine if m and c.pk == m.centre_id), None)
    ordered = ([first] if first else []) + [c for c in mine if c != first]
    return ordered[:2]


def _programme(actor: Any, major: Major, year: int) -> TrainingProgramme:
    p = services.programme_create(
        actor=actor,
        major=major,
        title=f"{major.name}（{major.get_level_display()}）人才培养方案",
        first_intake_year=year - 1,
    )
    for i, code in enumerate(required_political_courses(major.level)):
        services.programme_course_add(
            actor=actor,
            programme=p,
            code=f"SZ{i + 1:02d}",
            name=POLITICAL_COURSES[code].name,
            credits=3,
            hours_online=36,
            hours_face_to_face=12,
            term_no=1 + i % 4,
            political_code=code,
        )
    for code, name, credits, online, f2f, practice in SUBJECT_COURSES:
        services.programme_course_add(
            actor=actor,
            programme=p,
            code=code,
            name=name,
            credits=credits,
            hours_online=online,
            hours_face_to_face=f2f,
            hours_practice=practice,
            term_no=2,
        )
    return services.programme_approve(actor=actor, programme=p)


def _draft_missing_course(actor: Any, major: Major, approved: TrainingProgramme, year: int) -> None:
    draft = services.programme_create(
        actor=actor, major=major, title=approved.title + "（修订稿）", first_intake_year=year, copy_from=approved
    )
    for course in draft.courses.filter(political_code="XI_THOUGHT"):
        services.programme_course_remove(actor=actor, course=course)


# ------------------------------------------------------------------ students


def _students(
    ctx: dict[str, Any],
    rng: random.Random,
    university: University,
    centre: LearningCentre,
    major: Major,
    n: int,
    actor: Any,
    self_user: Any = None,
) -> list[StudentRecord]:
    have = list(
        StudentRecord.objects.filter(university=university, centre=centre, status=StudentRecord.Status.ENROLLED)[:n]
    )
    if len(have) >= n:
        return have
    return have + _admit(ctx, rng, university, centre, major, n - len(have), actor, self_user)


def _admit(
    ctx: dict[str, Any],
    rng: random.Random,
    university: University,
    centre: LearningCentre,
    major: Major,
    n: int,
    actor: Any,
    self_user: Any,
) -> list[StudentRecord]:
    """Admit ``n`` synthetic students through the admissions services (the whole gate)."""
    fake = ctx["faker"]
    year = ctx["today"].year - (1 if ctx["today"].month < 9 else 0)
    plan = admissions.plan_create(
        actor=actor,
        university=university,
        year=year,
        major=major,
        centre=centre,
        quota=n + 5,
        teachers=20,
        centre_seats=200,
        course_resources=30,
    )
    plan = admissions.plan_submit(actor=actor, plan=plan, justification="演示数据：教学过程模块所需的在读学生。")
    plan = admissions.plan_approve(actor=actor, plan=plan)
    exam = ExamSession.objects.filter(university=university, year=year, season=plan.season).first()
    if exam is None:
        exam = admissions.exam_session_create(
            actor=actor,
            university=university,
            year=year,
            season=plan.season,
            kind=ExamSession.Kind.ADULT_ENTRANCE,
            name=f"{year} 成人高考",
            held_on=dt.date(year, 1, 1) if year < ctx["today"].year else ctx["today"],
        )
    admissions.pass_line_set(actor=actor, session=exam, level=major.level, min_score=150, major=major)
    kind = "ASSOCIATE" if major.level == Level.ASSOCIATE_TO_BACHELOR else "HIGH_SCHOOL"
    applicants: list[Applicant] = []
    for i in range(n):
        person = admissions.PersonInput(name=fake.name(), id_number=_id_number(fake, rng))
        if i == 0 and self_user is not None and not StudentRecord.objects.filter(user=self_user).exists():
            reg = admissions.applicant_self_register(actor=self_user, plan=plan, person=person, centre=centre)
        else:
            reg = admissions.applicant_register(actor=actor, plan=plan, person=person, centre=centre)
        a = reg.applicant
        q = admissions.qualification_declare(
            actor=actor,
            applicant=a,
            kind=kind,
            institution_name="某职业技术学院" if kind == "ASSOCIATE" else "某中学",
            graduated_on=a.birth_date + dt.timedelta(days=365 * 19),
            report_number=f"DEMO{rng.randint(10**9, 10**10)}",
        )
        admissions.qualification_verify(actor=actor, qualification=q, accepted=True, note="学信网在线验证（演示）")
        admissions.score_record(actor=actor, applicant=a, session=exam, score=rng.randint(160, 300))
        admissions.moral_review_record(actor=actor, applicant=a, passed=True)
        applicants.append(a)
    return admissions.admission_decide_batch(actor=actor, applicant_ids=[a.pk for a in applicants], on=plan_day(ctx))


def plan_day(ctx: dict[str, Any]) -> dt.date:
    return ctx["today"] - dt.timedelta(days=80)


def _id_number(fake: Any, rng: random.Random) -> str:
    for _ in range(50):
        number = fake.ssn(min_age=20, max_age=45)
        if not Applicant.objects.filter(id_digest=admissions.id_digest(number)).exists():
            return number
    raise RuntimeError("no fresh synthetic ID number")


def _enrolled(offerings: list[Offering], centre: LearningCentre) -> list[StudentRecord]:
    seen: dict[int, StudentRecord] = {}
    for o in offerings:
        if o.centre_id != centre.pk:
            continue
        for e in o.enrolments.select_related("student").order_by("student__student_number"):
            seen.setdefault(e.student_id, e.student)
    return list(seen.values())


# ------------------------------------------------------------------ sessions


def _saturday_mornings(start: dt.date, end: dt.date) -> list[dt.datetime]:
    day = start + dt.timedelta(days=(5 - start.weekday()) % 7)
    out = []
    tz = timezone.get_current_timezone()
    while day <= end:
        out.append(dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz))
        day += dt.timedelta(days=14)
    return out


def _sessions(
    rng: random.Random, o: Offering, teacher: Any, students: list[StudentRecord], *, now: dt.datetime, sparse: bool
) -> None:
    network = f"10.{rng.randint(1, 250)}.{rng.randint(0, 250)}.0/24"
    for k, start in enumerate(_saturday_mornings(o.starts_on, o.ends_on)):
        s = services.session_schedule(
            actor=teacher,
            offering=o,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            room=f"{o.centre.name[-5:]} 多媒体教室 {101 + k % 3}",
            network_cidrs=network,
        )
        if start + dt.timedelta(hours=3) > now:
            continue
        if sparse and k % 3:
            services.session_cancel(actor=teacher, session=s)
            continue
        present = [st for st in students if rng.random() < 0.8]
        services.attendance_record(actor=teacher, session=s, present=present, at=start + dt.timedelta(minutes=10))


def _previous_term(
    programme: TrainingProgramme, centre: LearningCentre, teacher: Any, academic: Any, term_start: dt.date
) -> None:
    """Last term at the sparse centre: one session held of eight, and no learning records reported."""
    start, end = term_start - dt.timedelta(days=150), term_start - dt.timedelta(days=30)
    course = programme.courses.get(code="ZY101")
    o = services.offering_create(
        actor=academic,
        course=course,
        term=f"{start.year}-{'SPRING' if 2 <= start.month <= 7 else 'AUTUMN'}",
        teacher=teacher,
        centre=centre,
        starts_on=start,
        ends_on=end,
        activity_id=f"https://lms.u{programme.university.institution_code}.example.edu.cn/course/"
        f"{course.code.lower()}-prev-{centre.code.lower()}",
        unit_count=UNITS,
    )
    students = list(StudentRecord.objects.filter(centre=centre, teaching_enrolments__isnull=False).distinct())
    services.enrolment_add(actor=academic, offering=o, students=students)
    for k, at in enumerate(_saturday_mornings(start, end)[:8]):
        s = services.session_schedule(
            actor=teacher, offering=o, starts_at=at, ends_at=at + dt.timedelta(hours=3), room="多媒体教室 101"
        )
        if k == 0:
            services.attendance_record(actor=teacher, session=s, present=students, at=at)
        else:
            services.session_cancel(actor=teacher, session=s)


def _current_session(o: Offering, teacher: Any, now: dt.datetime) -> None:
    """A session under way now that nobody has recorded yet."""
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    local_day = timezone.localtime(start).date()
    if not (o.starts_on <= local_day <= o.ends_on):
        return
    services.session_schedule(
        actor=teacher,
        offering=o,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        room="现场面授 · 201",
        network_cidrs="10.250.1.0/24",
    )


def _live(rng: random.Random, o: Offering, teacher: Any, now: dt.datetime) -> None:
    start = now - dt.timedelta(days=rng.randint(10, 30), hours=2)
    live = services.live_session_schedule(
        actor=teacher,
        offering=o,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        topic="直播答疑",
        platform_url="https://live.example.edu.cn/room/1",
    )
    rows = [
        (e.student, rng.randint(20, 90), rng.randint(0, 6))
        for e in o.enrolments.select_related("student")
        if rng.random() < 0.6
    ]
    services.live_participation_record(actor=teacher, live=live, rows=rows)


# ------------------------------------------------------------------ learning records


def _stmt(
    university: University,
    number: str,
    at: dt.datetime,
    verb: str,
    object_id: str,
    *,
    duration: float = 0,
    device: str,
    ip: str,
    video: tuple[float, float] | None = None,
    score: float | None = None,
    parent: str | None = None,
) -> dict:
    s: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": account_home_page(university), "name": number}},
        "verb": {"id": VERB[verb], "display": {"zh-CN": verb}},
        "object": {"objectType": "Activity", "id": object_id},
        "timestamp": at.isoformat(),
        "context": {"extensions": {EXT_DEVICE: device, EXT_IP: ip}},
    }
    result: dict[str, Any] = {}
    if duration:
        result["duration"] = f"PT{int(duration)}S"
    if video:
        result["extensions"] = {EXT_TIME_FROM: video[0], EXT_TIME_TO: video[1]}
    if score is not None:
        result["score"] = {"scaled": score}
    if result:
        s["result"] = result
    if parent:
        s["context"]["contextActivities"] = {"parent": [{"id": parent}]}
    return s


def _human_term(
    rng: random.Random, university: University, number: str, o: Offering, slot: int, start: dt.date, today: dt.date
) -> list[dict]:
    """Evenings and weekends, irregular gaps, normal-speed video; a fifth of students drift away.

    A student keeps one phone and one home address for all courses and studies each course on
    its own days (``slot``), as people do."""
    out = []
    own = random.Random(number)
    device = f"dev-{uuid.UUID(int=own.getrandbits(128)).hex[:12]}"
    ip = f"{own.choice([58, 59, 113, 117, 183, 222])}.{own.randint(0, 255)}.{own.randint(0, 255)}.{own.randint(1, 254)}"
    drifts = rng.random() < 0.2
    stop = start + dt.timedelta(days=rng.randint(15, 40)) if drifts else today
    diligence = rng.uniform(0.15, 0.45)
    unit = 1
    tz = timezone.get_current_timezone()
    day = start
    while day < stop and day < today:
        if day.toordinal() % 3 == slot and rng.random() < diligence * 3:
            at = dt.datetime.combine(day, dt.time(rng.choice([7, 12, 19, 20, 21, 22]), rng.randint(0, 59)), tzinfo=tz)
            for _ in range(rng.randint(2, 5)):
                length = rng.randint(120, 900)
                at += dt.timedelta(seconds=length + rng.randint(5, 240))
                pos = rng.randint(0, 1800)
                out.append(
                    _stmt(
                        university,
                        number,
                        at,
                        "played",
                        f"{o.activity_id}/unit/{unit}/video",
                        duration=length,
                        device=device,
                        ip=ip,
                        video=(pos, pos + length * rng.choice([1, 1, 1.25, 1.5])),
                    )
                )
            if rng.random() < 0.5 and unit <= UNITS:
                at += dt.timedelta(minutes=rng.randint(2, 15))
                out.append(
                    _stmt(
                        university,
                        number,
                        at,
                        "answered",
                        f"{o.activity_id}/unit/{unit}/quiz",
                        duration=rng.randint(120, 600),
                        device=device,
                        ip=ip,
                        score=round(rng.uniform(0.4, 1), 2),
                    )
                )
                out.append(
                    _stmt(
                        university,
                        number,
                        at + dt.timedelta(seconds=5),
                        "completed",
                        f"{o.activity_id}/unit/{unit}",
                        device=device,
                        ip=ip,
                    )
                )
                unit += 1
        day += dt.timedelta(days=1)
    return out


def _ring(
    rng: random.Random, university: University, ring: list[StudentRecord], offerings: list[Offering], today: dt.date
) -> list[dict]:
    """One machine, one address, round the clock, one event a minute per account, video at 8x."""
    out = []
    tz = timezone.get_current_timezone()
    for d in range(6):
        day = today - dt.timedelta(days=30 - d * 4)
        t = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
        for k in range(24 * 60 // 2):
            student = ring[k % len(ring)]
            o = offerings[k % len(offerings)]
            at = t + dt.timedelta(seconds=120 * k + k % len(ring))
            unit = 1 + (k // 40) % UNITS
            pos = float(240 * (k % 20))
            verb = "completed" if k % 40 == 39 else "played"
            out.append(
                _stmt(
                    university,
                    student.student_number,
                    at,
                    verb,
                    f"{o.activity_id}/unit/{unit}/video",
                    duration=30,
                    device="farm-pc-01",
                    ip="183.62.10.5",
                    video=(pos, pos + 240),
                )
            )
    return out


def _walk_warnings(rng: random.Random, teacher: Any, now: dt.datetime, skip_user: Any = None) -> None:
    """Take the warnings through their loop to different stages; leave some untouched."""
    warnings = list(
        EarlyWarning.objects.filter(status=EarlyWarning.Status.RAISED)
        .exclude(enrolment__student__user=skip_user)
        .select_related("enrolment__student", "enrolment__offering")
    )
    rng.shuffle(warnings)
    for i, w in enumerate(warnings):
        stage = i % 4
        if stage == 0:
            continue  # never notified: past the one-week deadline
        monitoring.warning_notify(actor=teacher, warning=w, note="平台消息与短信", now=now - dt.timedelta(days=9))
        if stage == 1:
            continue
        monitoring.warning_intervene(
            actor=teacher, warning=w, note="辅导教师电话联系，制定补学计划", now=now - dt.timedelta(days=6)
        )
        if stage == 3:
            monitoring.warning_close(actor=teacher, warning=w, note="已恢复正常学习", now=now - dt.timedelta(days=2))


DRIFT_DAYS = 21


def _drifted(statements: list[dict], term_start: dt.date) -> list[dict]:
    """The demo student's records of a course, kept for the first three weeks only: they drift
    away from every course, so their warnings (and notifications) are there to see. Generated
    in full first, so every other student's data stays as the seed makes it."""
    cutoff = dt.datetime.combine(term_start + dt.timedelta(days=DRIFT_DAYS), dt.time(), tzinfo=dt.UTC)
    return [s for s in statements if dt.datetime.fromisoformat(s["timestamp"]) < cutoff]


def _demo_student_warnings(teacher: Any, student: Any, now: dt.datetime) -> None:
    """The demo student's own warnings: all but one notified nine days ago, so their inbox holds
    notifications, and the first of those answered; one left raised for the tour to notify."""
    if student is None:
        return
    warnings = list(
        EarlyWarning.objects.filter(enrolment__student__user=student, status=EarlyWarning.Status.RAISED)
        .select_related("enrolment__student", "enrolment__offering")
        .order_by("enrolment__offering__course__code", "kind")
    )
    for i, w in enumerate(warnings[1:]):
        monitoring.warning_notify(actor=teacher, warning=w, note="平台消息与短信", now=now - dt.timedelta(days=9))
        if i == 0:
            monitoring.warning_respond(
                actor=student, warning=w, note="最近工作忙，本周末起补学", now=now - dt.timedelta(days=8)
            )
