"""The synthetic data generator: deterministic for a seed, written through the services so
that every object of record has its audit event.

Each run makes the same world for the same ``(scale, seed, today)``: one random generator
seeded with ``seed`` drives every choice, and Faker (zh_CN) is seeded from it. Dates follow
``today`` (filings must be in force on the day the demo runs).

The world: ``4 × scale`` universities; the first, 楚天大学 in 湖北, is where the demo users
work. Each university has majors from the national catalogues and learning centres in and
out of its province, filed with the host province and disclosed. A few violations are
planted on purpose so that the compliance rules find something:

* an out-of-province centre operating without an accepted filing (its filing was rejected);
* an operating centre that was never publicly disclosed;
* a partner centre with no signed agreement on file.

Other apps add their own data through ``sanguan.<app>.demo.seed(rng=, scale=, ctx=)``,
called in dependency order after the institutions and accounts are in place.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from faker import Faker

from sanguan.accounts import policy
from sanguan.accounts import services as accounts
from sanguan.accounts.models import Role, User
from sanguan.codes.validators import uscc_check_char
from sanguan.institutions import services as institutions
from sanguan.institutions.models import Authority, CentreFiling, LearningCentre, Major, Province, Track, University

from . import data

# Apps that may contribute demo data, in the order of the student's path.
APP_ORDER: tuple[str, ...] = (
    "admissions",
    "teaching",
    "records",
    "exams",
    "theses",
    "graduation",
    "governance",
    "supervision",
    "compliance",
)

LOGINS_FILE = "demo-logins.json"
PLANTED_FILE = "demo-planted.json"
CENTRE_VIOLATIONS = ("unfiled", "undisclosed", "no_agreement")
# Demo accounts' e-mail addresses: a reserved domain (RFC 2606), so nothing can reach a real
# mailbox; in the embedded default the messages land as files in $SANGUAN_DATA_DIR/mail.
DEMO_MAIL_DOMAIN = "demo.sanguan.example"
DEMO_USERNAMES = ("admin", "moe", "hubei", "univ", "academic", "teacher", "centre", "student")


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    sees: str  # what this login shows, for the printout (English; printed as is)

    def as_dict(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password, "role": self.role, "sees": self.sees}


@dataclass
class SeedResult:
    universities: list[University] = field(default_factory=list)
    centres: list[LearningCentre] = field(default_factory=list)
    majors: list[Major] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    planted: dict[str, list[int]] = field(default_factory=dict)


# ------------------------------------------------------------------ code helpers


def org_code_check_char(first8: str) -> str:
    """GB 11714 organisation code check character (positions 9-17 of a credit code)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(rng: random.Random, *, authority_type: str, division: str) -> str:
    """A well-formed GB 32100 unified social credit code for a synthetic organisation."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org = body + org_code_check_char(body)
    first17 = authority_type + division + org
    return first17 + uscc_check_char(first17)


def make_password(rng: random.Random) -> str:
    s = data.SYLLABLES
    return f"{rng.choice(s)}{rng.choice(s)}-{rng.randint(1000, 9999)}-{rng.choice(s)}{rng.choice(s)}"


# ------------------------------------------------------------------ the generator


class Seeder:
    def __init__(self, *, scale: int, seed: int, today: dt.date, log: Callable[[str], None] = lambda _m: None,
                 apps: bool = True):
        self.with_apps = apps
        self.scale = max(1, int(scale))
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.log = log
        self.result = SeedResult()
        self.admin: User | None = None
        self.university_admins: dict[int, User] = {}
        self.regulators: dict[str, User] = {}
        self.users: dict[str, User] = {}
        # Drawn first, so a demo login's password depends on the seed alone.
        self.demo_passwords = {name: make_password(self.rng) for name in DEMO_USERNAMES}
        # The filing cycle whose provincial decisions (by 30 April) are already out.
        self.cycle = today.year if (today.month, today.day) > (4, 30) else today.year - 1

    # -- users -------------------------------------------------------------

    def _user(self, username: str, *, password: str | None = None, display_name: str = "") -> User:
        user = accounts.user_create(
            actor=self.admin,
            username=username,
            password=password or self.demo_passwords.get(username) or make_password(self.rng),
            display_name=display_name or self.fake.name(),
            email=f"{username}@{DEMO_MAIL_DOMAIN}",
            check_password=False,
        )
        self.users[username] = user
        return user

    def _bootstrap_admin(self, password: str) -> User:
        """The first system administrator. No user exists yet to act, so the policy's
        system actor creates it (the same path as an operator's ``createsuperuser``)."""
        system = policy.SYSTEM
        user = accounts.user_create(actor=system, username="admin", password=password, display_name="系统管理员",
                                    email=f"admin@{DEMO_MAIL_DOMAIN}", check_password=False)
        accounts.membership_grant(actor=system, user=user, role=Role.SYSTEM_ADMIN)
        if not user.is_superuser:
            # Django's admin site shows models by Django permissions; the system administrator
            # manages everything there.
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
            user.refresh_from_db()
        self.users["admin"] = user
        return user

    def regulator_for(self, province_code: str) -> User:
        """The province regulator acting for a host province (one per province, created on need)."""
        if province_code not in self.regulators:
            province = Province.objects.get(code=province_code)
            username = "hubei" if province_code == "42" else f"prov-{province_code}"
            user = self._user(username, display_name=self.fake.name())
            accounts.membership_grant(actor=self.admin, user=user, role=Role.PROVINCE_REGULATOR, province=province)
            self.regulators[province_code] = user
        return self.regulators[province_code]

    # -- institutions ------------------------------------------------------

    def _university_rows(self) -> list[tuple[str, str, str]]:
        wanted = 4 * self.scale
        rows = list(data.UNIVERSITIES[:wanted])
        n = 0
        while len(rows) < wanted:
            place, prov = data.PLACES[n % len(data.PLACES)]
            fieldname = data.FIELDS[(n // len(data.PLACES)) % len(data.FIELDS)]
            rows.append((f"{place}{fieldname}", prov, f"18{n:03d}"))
            n += 1
        return rows

    def universities(self) -> None:
        for i, (name, prov, code) in enumerate(self._university_rows()):
            university = institutions.university_create(
                actor=self.admin,
                name=name,
                institution_code=code,
                institution_id=f"41{prov}0{code}",
                province_code=prov,
                is_pilot=i % 2 == 0,
                website=f"https://jxjy.u{code}.edu.cn/",
                tuition_account=f"{self.rng.randint(10**15, 10**16 - 1)}",
            )
            self.result.universities.append(university)
            admin_name = "univ" if i == 0 else f"u{code}-admin"
            uadmin = self._user(admin_name)
            accounts.membership_grant(actor=self.admin, user=uadmin, role=Role.UNIVERSITY_ADMIN, university=university)
            self.university_admins[university.pk] = uadmin
            self.majors(university)

    def majors(self, university: University) -> None:
        actor = self.university_admins[university.pk]
        chosen = self.rng.sample(data.MAJORS, k=min(len(data.MAJORS), 5 + self.rng.randint(0, 3)))
        if university == self.result.universities[0]:
            # The demo university always teaches the two majors the tour mentions.
            for must in (data.MAJORS[0], data.MAJORS[8]):
                if must not in chosen:
                    chosen.append(must)
        for code, name, level in sorted(chosen):
            self.result.majors.append(
                institutions.major_create(actor=actor, university=university, catalogue_code=code, name=name,
                                          level=level, track=Track.CONTINUING)
            )
            if university.is_pilot and level != "HS_TO_ASSOCIATE" and self.rng.random() < 0.5:
                self.result.majors.append(
                    institutions.major_create(actor=actor, university=university, catalogue_code=code, name=name,
                                              level=level, track=Track.LEGACY_ONLINE)
                )

    def _host(self, province_code: str, kind: str, university: University) -> dict[str, Any]:
        cities = data.CITIES.get(province_code) or data.CITIES["42"]
        # A university's own site sits in its provincial capital; partners anywhere.
        city, division, districts = cities[0] if kind == LearningCentre.Kind.OWN else self.rng.choice(cities)
        district = self.rng.choice(districts)
        address = f"{city}{district}{self.rng.choice(data.ROADS)}{self.rng.randint(1, 399)}号"
        if kind == LearningCentre.Kind.OWN:
            host_name, authority = university.name, "12"
        else:
            pattern, authority = self.rng.choice(data.HOST_PATTERNS)
            host_name = pattern.format(city=city, district=district, short=city.removesuffix("市"))
        return {
            "city": city,
            "district": district,
            "address": address,
            "host_org_name": host_name,
            "host_org_uscc": make_uscc(self.rng, authority_type=authority, division=division),
        }

    def centres(self, university: University, *, primary: bool) -> None:
        uprov = university.province_id
        out_of_province = [p for p in data.CITIES if p != uprov]
        plan: list[tuple[str, str, str]] = []  # (province, kind, track)
        plan.append((uprov, LearningCentre.Kind.OWN, Track.CONTINUING))
        n_in = 2 + self.rng.randint(0, 2)
        n_out = 1 + self.rng.randint(0, 2)
        plan += [(uprov, LearningCentre.Kind.PARTNER, Track.CONTINUING) for _ in range(n_in)]
        plan += [(self.rng.choice(out_of_province), LearningCentre.Kind.PARTNER, Track.CONTINUING)
                 for _ in range(n_out)]
        if university.is_pilot:
            plan.append((self.rng.choice(out_of_province), LearningCentre.Kind.PARTNER, Track.LEGACY_ONLINE))
        if primary:
            # The planted out-of-province centre and a Guangdong site for the tour.
            plan.append(("44", LearningCentre.Kind.PARTNER, Track.CONTINUING))
        elif uprov != "42" and university == self.result.universities[1]:
            # A site in 湖北 of a university from elsewhere: the Hubei regulator's cross-province case.
            plan.append(("42", LearningCentre.Kind.PARTNER, Track.CONTINUING))
        used: set[tuple[str, str]] = set()
        for seq, (prov, kind, track) in enumerate(plan, start=1):
            # One site per university per city and district where the tables allow it.
            for _attempt in range(6):
                host = self._host(prov, kind, university)
                if (host["city"], host["district"]) not in used:
                    break
            used.add((host["city"], host["district"]))
            label = "学习中心" if track == Track.LEGACY_ONLINE else "校外教学点"
            name = f"{university.name}{host['city'].removesuffix('市')}{host['district']}{label}"
            if LearningCentre.objects.filter(university=university, name=name).exists():
                name = f"{university.name}{host['city'].removesuffix('市')}{host['district']}第{seq}{label}"
            centre = institutions.centre_create(
                actor=self.university_admins[university.pk],
                university=university,
                code=f"{university.institution_code}-{prov}{seq:02d}",
                name=name,
                host_province_code=prov,
                address=host["address"],
                kind=kind,
                track=track,
                city=host["city"],
                host_org_name=host["host_org_name"],
                host_org_uscc=host["host_org_uscc"],
                area_m2=self.rng.randrange(300, 3000, 10),
                seats=self.rng.randrange(60, 600, 10),
                staff_count=self.rng.randint(4, 30),
                equipment=self.rng.choice(["多媒体教室 4 间，机房 1 间（60 台）", "多媒体教室 2 间，录播室 1 间",
                                           "机房 2 间（120 台），图书资料室 1 间", "多媒体教室 6 间，考场监控系统"]),
            )
            self.result.centres.append(centre)

    def _file(self, centre: LearningCentre, *, cycle: int, accept: bool | None, filed_status: str) -> CentreFiling:
        uadmin = self.university_admins[centre.university_id]
        filing = institutions.filing_submit(
            actor=uadmin, centre=centre, cycle_year=cycle, filed_status=filed_status,
            submitted_on=dt.date(cycle, 1, self.rng.randint(5, 31)),
        )
        if accept is not None:
            decided = min(dt.date(cycle, 4, self.rng.randint(1, 30)), self.today)
            filing = institutions.filing_decide(
                actor=self.regulator_for(centre.host_province_id), filing=filing, accept=accept, decided_on=decided
            )
        return filing

    def _agreement(self, centre: LearningCentre, *, year: int) -> None:
        signed = min(dt.date(year, self.rng.randint(9, 12), self.rng.randint(1, 28)), self.today)
        institutions.centre_record_agreement(
            actor=self.university_admins[centre.university_id], centre=centre, signed_on=signed,
            reference=f"{centre.university.institution_code}-XY-{signed.year}-{self.rng.randint(1, 999):03d}",
        )

    def lifecycle(self, centre: LearningCentre, *, violation: str | None = None) -> LearningCentre:
        """File, approve, open, disclose and sign for a centre, or leave out the one step
        that ``violation`` plants."""
        uadmin = self.university_admins[centre.university_id]
        legacy = centre.track == Track.LEGACY_ONLINE
        # Filings: sites filed in one of the last three cycles, still in force today.
        cycle = self.cycle - self.rng.randint(0, 2)
        if violation == "unfiled":
            self._file(centre, cycle=self.cycle, accept=False, filed_status=CentreFiling.Filed.NEW)
        else:
            filed_status = CentreFiling.Filed.ENROLMENT_SUSPENDED if legacy else (
                CentreFiling.Filed.NEW if cycle == self.cycle else CentreFiling.Filed.RETAINED)
            if legacy:
                # Legacy learning centres are filed as enrolment-suspended sites that still
                # serve their current students; their earlier filing is what lets them operate.
                self._file(centre, cycle=cycle - 1, accept=True, filed_status=CentreFiling.Filed.RETAINED)
                if cycle - 1 != self.cycle:
                    self._file(centre, cycle=self.cycle, accept=True, filed_status=filed_status)
            else:
                self._file(centre, cycle=cycle, accept=True, filed_status=filed_status)
        if centre.kind == LearningCentre.Kind.PARTNER and violation != "no_agreement":
            self._agreement(centre, year=cycle - 1)
        status = LearningCentre.Status.ENROLMENT_SUSPENDED if legacy else LearningCentre.Status.OPERATING
        centre = institutions.centre_set_status(actor=uadmin, centre=centre, status=status)
        if violation != "undisclosed":
            disclosed_on = min(dt.date(cycle, 6, 30), self.today)
            centre = institutions.centre_disclose(actor=uadmin, centre=centre, on=disclosed_on)
        return centre

    def plant_and_run_lifecycles(self) -> None:
        primary = self.result.universities[0]
        planted: dict[str, list[int]] = {"unfiled": [], "undisclosed": [], "no_agreement": []}
        mine = [c for c in self.result.centres if c.university_id == primary.pk]
        in_prov_partners = [c for c in mine if not c.is_out_of_province and c.kind == LearningCentre.Kind.PARTNER]
        out_prov = [c for c in mine if c.is_out_of_province and c.track == Track.CONTINUING]
        choice: dict[int, str] = {
            out_prov[-1].pk: "unfiled",  # the Guangdong site added for the primary university
            in_prov_partners[-1].pk: "undisclosed",
            in_prov_partners[0].pk: "no_agreement",
        }
        # One more of each at larger scales, at other universities.
        others = [c for c in self.result.centres if c.university_id != primary.pk and c.track == Track.CONTINUING]
        for kind in ("unfiled", "undisclosed", "no_agreement"):
            for _ in range(self.scale - 1):
                pool = [c for c in others if c.pk not in choice and c.kind == LearningCentre.Kind.PARTNER
                        and (kind != "unfiled" or c.is_out_of_province)]
                if pool:
                    choice[self.rng.choice(pool).pk] = kind
        # A few centres still being set up: planned, neither filed nor disclosed (no violation).
        planned = [c for c in others if c.pk not in choice]
        planned_ids = {c.pk for c in self.rng.sample(planned, k=min(len(planned), self.scale))}
        for centre in self.result.centres:
            if centre.pk in planned_ids:
                if centre.kind == LearningCentre.Kind.PARTNER:
                    self._agreement(centre, year=self.cycle)
                continue
            violation = choice.get(centre.pk)
            if violation:
                planted[violation].append(centre.pk)
            self.lifecycle(centre, violation=violation)
        self.result.planted = planted
        self.result.centres = list(LearningCentre.objects.filter(pk__in=[c.pk for c in self.result.centres]))

    # -- the demo users -----------------------------------------------------

    def demo_users(self) -> None:
        primary = self.result.universities[0]
        centre = LearningCentre.objects.get(pk=self.result.planted["no_agreement"][0])
        self.regulator_for("42")  # normally already made while deciding Hubei's filings
        moe = self._user("moe")
        accounts.membership_grant(actor=self.admin, user=moe, role=Role.NATIONAL_REGULATOR)
        specs = [
            ("academic", Role.ACADEMIC_STAFF, {"university": primary}),
            ("teacher", Role.TEACHER, {"university": primary}),
            ("centre", Role.CENTRE_STAFF, {"centre": centre}),
            ("student", Role.STUDENT, {"university": primary}),
        ]
        for username, role, anchor in specs:
            user = self._user(username)
            accounts.membership_grant(actor=self.admin, user=user, role=role, **anchor)
        pw = self.demo_passwords
        ministry = Authority.objects.filter(kind=Authority.Kind.MINISTRY).first()
        self.result.logins = [
            DemoLogin("admin", pw["admin"], "System administrator",
                      "everything; Django admin at /admin/"),
            DemoLogin("moe", pw["moe"], "National regulator",
                      f"all universities and centres, every finding ({ministry or 'MOE'})"),
            DemoLogin("hubei", pw["hubei"], "Province regulator",
                      "湖北: its universities and the centres hosted there, their findings"),
            DemoLogin("univ", pw["univ"], "University administrator",
                      f"{primary.name}: its centres, filings and findings"),
            DemoLogin("academic", pw["academic"], "Academic staff", f"{primary.name}: teaching and findings"),
            DemoLogin("teacher", pw["teacher"], "Teacher", f"{primary.name}: own teaching"),
            DemoLogin("centre", pw["centre"], "Learning-centre staff", f"{centre.name}: its own findings"),
            DemoLogin("student", pw["student"], "Student", f"{primary.name}: own records"),
        ]

    # -- other apps ---------------------------------------------------------

    def context(self) -> dict[str, Any]:
        primary = self.result.universities[0]
        return {
            "today": self.today,
            "cycle": self.cycle,
            "scale": self.scale,
            "faker": self.fake,
            "system_admin": self.admin,
            "users": self.users,
            "universities": self.result.universities,
            "primary_university": primary,
            "centres": self.result.centres,
            # Current-track majors first: the legacy online track admits nobody any more.
            "majors": sorted(self.result.majors, key=lambda m: m.track != Track.CONTINUING),
            "university_admins": self.university_admins,
            "province_regulators": self.regulators,
            "planted": self.result.planted,
            "logins": self.result.logins,  # apps may append DemoLogin entries of their own
            "make_password": make_password,
            "DemoLogin": DemoLogin,
        }

    def other_apps(self) -> None:
        ctx = self.context()
        for label in APP_ORDER:
            if not apps.is_installed(f"sanguan.{label}"):
                continue
            try:
                module = importlib.import_module(f"sanguan.{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"sanguan.{label}.demo":
                    raise
                continue
            seed_fn = getattr(module, "seed", None)
            if seed_fn is None:
                continue
            started = time.monotonic()
            # Each app gets its own generator so that one app's data does not shift another's.
            seed_fn(rng=random.Random(f"{self.seed}:{label}"), scale=self.scale, ctx=ctx)
            self.log(f"  {label}: {time.monotonic() - started:.1f} s")

    # -- everything ---------------------------------------------------------

    def run(self) -> SeedResult:
        # One transaction: a failure anywhere leaves the database empty, ready for another try.
        with transaction.atomic():
            self.admin = self._bootstrap_admin(self.demo_passwords["admin"])
            self.log("universities and majors …")
            self.universities()
            self.log("learning centres …")
            for i, university in enumerate(self.result.universities):
                self.centres(university, primary=i == 0)
            self.log("filings, agreements and disclosures …")
            self.plant_and_run_lifecycles()
            self.log("demo users …")
            self.demo_users()
            if self.with_apps:
                self.log("other apps …")
                self.other_apps()
        return self.result


def seed_database(*, scale: int = 1, seed: int = 2019, today: dt.date | None = None,
                  log: Callable[[str], None] = lambda _m: None, apps: bool = True) -> SeedResult:
    """Fill an empty database with the synthetic world; refuses if any university exists.

    ``apps=False`` makes only the institutions and the demo users (the other apps' ``demo.seed``
    are skipped): for tests that need the registry and not the whole world."""
    if University.objects.exists():
        raise SeedRefused("The database already holds universities; seed an empty database.")
    from django.utils import timezone

    result = Seeder(scale=scale, seed=seed, today=today or timezone.localdate(), log=log, apps=apps).run()
    save_logins(result.logins)
    save_planted(result.planted)
    return result


class SeedRefused(Exception):
    pass


def logins_path() -> Path:
    return Path(settings.DATA_DIR) / LOGINS_FILE


def save_logins(logins: list[DemoLogin]) -> None:
    path = logins_path()
    path.write_text(json.dumps([login.as_dict() for login in logins], ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)


def load_logins() -> list[DemoLogin]:
    path = logins_path()
    if not path.exists():
        return []
    return [DemoLogin(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


def save_planted(planted: dict[str, list[int]]) -> None:
    """The centres with planted violations, by kind, for the tour and the browser tests."""
    rows = {
        kind: [
            {"university": c.university.name, "code": c.code, "name": c.name}
            for c in LearningCentre.objects.filter(pk__in=planted.get(kind, [])).select_related("university")
        ]
        for kind in CENTRE_VIOLATIONS
    }
    path = Path(settings.DATA_DIR) / PLANTED_FILE
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
