"""Demo sanctions: a public reprimand and an enrolment limitation on one major, issued by the
Ministry through the service (so they are audited). Never on the primary university, where
the demo admits students."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from .models import Sanction
from .services import sanction_issue


def seed(*, rng: random.Random, scale: int, ctx: dict[str, Any]) -> None:
    ministry = ctx["users"].get("moe")
    others = [u for u in ctx["universities"] if u.pk != ctx["primary_university"].pk]
    if ministry is None or len(others) < 2:
        return
    today: dt.date = ctx["today"]
    reprimanded, limited = rng.sample(others, 2)
    sanction_issue(
        actor=ministry,
        university=reprimanded,
        kind=Sanction.Kind.PUBLIC_REPRIMAND,
        starts_on=today - dt.timedelta(days=30),
        reason="年度检查发现校外教学点管理不规范，予以通报批评。",
    )
    major = next((m for m in ctx["majors"] if m.university_id == limited.pk), None)
    sanction_issue(
        actor=ministry,
        university=limited,
        major=major,
        kind=Sanction.Kind.ENROLMENT_LIMITED,
        starts_on=today,
        ends_on=today + dt.timedelta(days=365),
        limit=30,
        reason="超计划招生，下一年度限制该专业招生人数。",
    )
