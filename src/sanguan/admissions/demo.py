"""Demo data of the entrance gate, made through the services: plans, an exam session, a
published charter, publicity, applicants through centres and the office, admissions and
tuition. Planted violations, one of each compliance rule:

* found on data the services accept: publicity in use before approval (ADM-005), a fee
  collected by a centre (ADM-006), the same person applying to two universities (ADM-007),
  students admitted months ago without the post-admission review (ADM-002);
* found on data the services refuse, so written as a migration from an older system
  would write it (a legacy import): a plan filled past its quota (ADM-001), a student
  without a verified prior qualification (ADM-003) or a passing score (ADM-004), and an
  approved plan above capacity without approval (ADM-008).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sanguan.codes.validators import id_check_char
from sanguan.core.errors import ApplicationError
from sanguan.institutions.models import Level, Track

from . import services
from .models import (
    Applicant,
    EnrollmentPlan,
    ExamSession,
    Payment,
    PriorQualification,
    Season,
    StudentRecord,
)

REGIONS = ["420102", "420106", "420111", "420302", "440106", "440305", "110105", "510104", "330106", "320102",
           "360426", "610113"]
SCHOOLS = ["武汉职业技术学院", "湖北职业技术学院", "长江职业学院", "广州番禺职业技术学院", "深圳职业技术大学"]

HONEST_AD = (
    "{u} {y} 年高等学历继续教育招生。入学条件：参加全国成人高考并达到录取分数线；专升本须具有国家承认的专科及以上学历。"
    "最低修业年限：专升本 2.5 年。学费标准：每学年 3000 元，学费由学校统一收取，只缴入学校账户，"
    "任何机构和个人不得代收。"
    "报名途径：登录学校招生网站 https://cj.example.edu.cn 或到学校授权的校外教学点现场确认。"
    "毕业条件：修完人才培养方案规定的全部课程并成绩合格者颁发毕业证书。"
)
BAD_AD = "学历提升，免考包过，三个月拿证，考不过退款！学费交给我们统一代缴学费。"


def _id_number(rng: random.Random, used: set[str]) -> str:
    while True:
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 20))
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        if body not in used:
            used.add(body)
            return body + id_check_char(body)


def seed(*, rng: random.Random, scale: int, ctx: dict[str, Any]) -> None:
    today: dt.date = ctx["today"]
    fake = ctx["faker"]
    users = ctx["users"]
    used: set[str] = set()
    year = today.year if today.month < 9 else today.year + 1
    intake_past = (today.year - 1, Season.AUTUMN)  # admitted last autumn: post-review due long ago
    universities = ctx["universities"][: 1 + min(scale, 2)]
    duplicate_person: dict[str, str] = {}
    for u_index, university in enumerate(universities):
        admin = ctx["university_admins"][university.pk]
        majors = [m for m in ctx["majors"] if m.university_id == university.pk and m.track == Track.CONTINUING
                  and m.level == Level.ASSOCIATE_TO_BACHELOR][:3]
        if not majors:
            continue
        centres = [c for c in ctx["centres"] if c.university_id == university.pk
                   and c.status == c.Status.OPERATING][:3]
        for y, season in ((intake_past[0], intake_past[1]), (year, Season.AUTUMN)):
            session = services.exam_session_create(
                actor=admin, university=university, year=y, season=season, kind=ExamSession.Kind.ADULT_ENTRANCE,
                name=f"{y} 年全国成人高考", held_on=dt.date(y - 1, 10, 20))
            services.pass_line_set(actor=admin, session=session, level=Level.ASSOCIATE_TO_BACHELOR,
                                   min_score=Decimal("150"))
            for i, major in enumerate(majors):
                quota = 12 * scale + 6 * i
                plan = services.plan_create(
                    actor=admin, university=university, year=y, season=season, major=major, quota=quota,
                    teachers=2 + i, centre_seats=40 * scale, course_resources=6)
                over = plan.is_over_capacity
                services.plan_submit(actor=admin, plan=plan, justification=(
                    "本专业新增专职教师 6 名、课程资源 12 门已于本年度到位，经学校继续教育工作委员会论证可承载。"
                    if over else None))
                services.plan_approve(actor=admin, plan=plan)
                _applicants(rng=rng, fake=fake, admin=admin, plan=plan, session=session, centres=centres,
                            centre_user=users.get("centre"), used=used, today=today,
                            admit=(y, season) == intake_past, n=8 * scale + 2 * i)
        # one person applies to the first two universities in this year's intake (ADM-007)
        plan_now = EnrollmentPlan.objects.filter(university=university, year=year).order_by("pk").first()
        if plan_now is not None:
            number = duplicate_person.setdefault("id", _id_number(rng, used))
            services.applicant_register(actor=admin, plan=plan_now,
                                        person=services.PersonInput(name=duplicate_person.setdefault(
                                            "name", fake.name()), id_number=number, phone="13900000000"))
        _charter_and_publicity(university=university, admin=admin, centres=centres, year=year, today=today,
                               centre_user=users.get("centre") if u_index == 0 else None)
    _legacy_import_violations(universities[0], ctx["university_admins"][universities[0].pk], used, today)


def _applicants(*, rng, fake, admin, plan, session, centres, centre_user, used, today, admit: bool, n: int) -> None:
    centre_of_user = None
    if centre_user is not None:
        from sanguan.accounts import policy

        centre_of_user = next((m.centre for m in policy.memberships_of(centre_user) if m.centre_id), None)
    admitted_on = dt.date(plan.year, 9, 1) if plan.year < today.year else today
    for k in range(n):
        via_centre = (centre_of_user is not None and centre_of_user.university_id == plan.university_id
                      and centre_of_user.status == centre_of_user.Status.OPERATING and k % 3 == 0)
        actor = centre_user if via_centre else admin
        centre = centre_of_user if via_centre else (centres[k % len(centres)] if centres and k % 2 else None)
        person = services.PersonInput(name=fake.name(), id_number=_id_number(rng, used),
                                      phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}")
        a = services.applicant_register(actor=actor, plan=plan, person=person, centre=centre).applicant
        q = services.qualification_declare(
            actor=actor, applicant=a, kind=PriorQualification.Kind.ASSOCIATE, institution_name=rng.choice(SCHOOLS),
            graduated_on=dt.date(a.birth_date.year + 21, 7, 1), report_number=f"{rng.randrange(16**12):012X}")
        if k % 7 == 6:
            continue  # still waiting for verification
        services.qualification_verify(actor=admin, qualification=q, accepted=k % 11 != 10)
        services.score_record(actor=admin, applicant=a, session=session, score=str(120 + rng.randrange(200)),
                              candidate_number=f"{plan.year}{rng.randrange(10**8):08d}")
        services.moral_review_record(actor=admin, applicant=a, passed=True)
        if not admit:
            continue
        a.refresh_from_db()
        try:
            services.admission_decide(actor=admin, applicant=a, admit=True, on=admitted_on)
        except ApplicationError:  # not qualified (score below the line, qualification rejected): stays registered
            continue
        record = StudentRecord.objects.get(applicant=a)
        if k % 4 == 0:  # the others are left for the post-admission review finding (ADM-002)
            services.post_review_record(actor=admin, record=record, passed=True,
                                        on=min(today, admitted_on + dt.timedelta(days=30)))
        if k % 5 == 0 and plan.university.tuition_account:
            invoice = services.invoice_issue(actor=admin, applicant=a, amount="3000", academic_year=plan.year)
            collector = Payment.Collector.CENTRE if k == 5 else Payment.Collector.UNIVERSITY
            services.payment_record(
                actor=admin, invoice=invoice, amount="3000", channel=Payment.Channel.BANK_TRANSFER,
                collector=collector, paid_on=admitted_on + dt.timedelta(days=3),
                payee_account=plan.university.tuition_account if collector == Payment.Collector.UNIVERSITY else "")


def _charter_and_publicity(*, university, admin, centres, year, today, centre_user) -> None:
    sections = {
        "institution": f"{university.name}（学校代码 {university.institution_code}）",
        "majors_levels": "见本章程附表：各专业及层次（专升本）。",
        "requirements": "专升本须具有国家承认的专科及以上学历，并参加当年全国成人高考。",
        "entrance_exam": "参加全国成人高考，按省级招生考试机构公布的分数线择优录取。",
        "fees": "每学年 3000 元，只缴入学校账户，学校从不委托任何机构或个人代收学费。",
        "centres": "、".join(c.name for c in centres) or "无",
        "anti_fraud": "学校从未委托任何中介机构或个人招生，谨防上当受骗。",
        "contacts": "继续教育学院招生办公室，电话 027-00000000。",
    }
    charter = services.charter_create(actor=admin, university=university, year=year,
                                      title=f"{university.name} {year} 年高等学历继续教育招生章程", sections=sections)
    services.charter_approve(actor=admin, charter=charter)
    services.charter_publish(actor=admin, charter=charter)
    services.announcement_publish(actor=admin, university=university,
                                  title=f"关于不法机构冒用{university.name}名义招生的郑重声明",
                                  body="近期有机构冒用我校名义发布“免考包过”等虚假招生信息。我校从未委托任何中介机构招生，"
                                       "请通过学校招生网站核实广告验证码。")
    honest = services.publicity_submit(actor=admin, university=university, title=f"{year} 年招生简章",
                                       text=HONEST_AD.format(u=university.name, y=year), channel="学校官网")
    services.publicity_decide(actor=admin, material=honest, approve=True)
    if centre_user is not None:
        from sanguan.accounts import policy

        centre = next((m.centre for m in policy.memberships_of(centre_user) if m.centre_id), None)
        if centre is not None and centre.university_id == university.pk:
            services.authorisation_grant(actor=admin, centre=centre, reference=f"继教授权〔{year}〕1号",
                                         valid_from=dt.date(year - 1, 1, 1), valid_until=dt.date(year, 12, 31))
            clean = services.publicity_submit(actor=centre_user, university=university, centre=centre,
                                              title="校外教学点招生宣传单", channel="微信公众号",
                                              text=HONEST_AD.format(u=university.name, y=year))
            services.publicity_decide(actor=admin, material=clean, approve=True)
            # in use before anybody approved it, and full of forbidden claims (ADM-005)
            services.publicity_submit(actor=centre_user, university=university, centre=centre, title="学历提升",
                                      text=BAD_AD, channel="朋友圈", in_use=True)


def _legacy_import_violations(university, admin, used: set[str], today: dt.date) -> None:
    """Rows as an old system's migration would leave them (the services refuse to write them)."""
    plan = EnrollmentPlan.objects.filter(university=university, admitted_count__gt=0).order_by("pk").first()
    if plan is None:
        return
    # ADM-008: an approved plan above capacity whose over-capacity approval is missing; its quota
    # cut to what it admitted, so that the extra record below lies beyond it (ADM-001)
    EnrollmentPlan.objects.filter(pk=plan.pk).update(quota=plan.admitted_count,
                                                     capacity=max(0, plan.admitted_count - 1),
                                                     over_capacity_approved=False)
    # ADM-001, ADM-003, ADM-004: one extra student on the full plan, never verified nor examined
    rid = _id_number(random.Random(len(used)), used)
    person, parsed, _w = services.check_person(services.PersonInput(name="历史迁移数据", id_number=rid), today=today)
    a = Applicant.objects.create(
        university=university, plan=plan, year=plan.year, season=plan.season, track=plan.track, level=plan.level,
        major_id=plan.major_id, name=person.name, id_number=person.id_number,
        id_digest=services.id_digest(person.id_number), birth_date=parsed.birth_date, sex=parsed.sex,
        channel=Applicant.Channel.IMPORT, registered_by=admin, status=Applicant.Status.ADMITTED,
        moral_review=Applicant.Review.PASSED)
    StudentRecord.objects.create(applicant=a, university=university, plan=plan, major_id=plan.major_id,
                                 track=plan.track, level=plan.level, student_number=f"LEGACY{plan.pk:06d}",
                                 enrolled_on=dt.date(plan.year, 9, 1), post_review_done_on=dt.date(plan.year, 9, 20),
                                 post_review_passed=True)
