"""Monitoring and anti-刷课 evidence over many learning records, synthetic and seeded.

Times the three in-process stages that ``engagement_refresh`` and ``brushing_assess`` run
after reading the statements from the database: parsing stored statement JSON into events,
the engagement figures per (offering, student), and the 刷课 signals per student over the
whole population. Defaults: 2,000 students × 3 offerings × 100 statements = 600,000
statements, with a ring of 20 accounts run by one machine. Prints the best of ``--repeat``
runs per stage, in seconds and statements per second.

    DJANGO_SETTINGS_MODULE=sanguan.settings .venv/bin/python bench/monitoring.py \\
        [--students 2000] [--offerings 3] [--per 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanguan.settings")
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
    args = ap.parse_args()

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


if __name__ == "__main__":
    main()
