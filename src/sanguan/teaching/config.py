"""Configurable numbers and lists of the teaching side, with today's defaults.

Everything here is read at call time from ``settings.SANGUAN_TEACHING`` (a dict whose keys
override the defaults below), never at import, so a deployment or a test can change it.

Required ideological-political courses (思想政治理论课), per level
--------------------------------------------------------------------
Source relied on, and how sure it is:

* 中共中央宣传部、教育部《关于进一步加强和改进高等学校思想政治理论课的意见》(the "05 方案",
  2005) set the bachelor set (马克思主义基本原理概论, 毛泽东思想和中国特色社会主义理论体系
  概论, 中国近现代史纲要, 思想道德修养与法律基础, 形势与政策) and the associate subset
  (毛泽东思想和中国特色社会主义理论体系概论, 思想道德修养与法律基础, 形势与政策).
* 思想道德修养与法律基础 was renamed 思想道德与法治 in the 2021 edition of the textbooks.
* 习近平新时代中国特色社会主义思想概论 became a compulsory course for undergraduates from
  autumn 2023.

These facts are recalled, not taken from ``reference/regulatory-brief.md`` (which has no
entry on political courses): **a configurable assumption, confidence [C], to verify against
the current MOE documents before relying on it.** 形势与政策 is left out of the default
because continuing-education programmes commonly fold it into the others; add it by
configuration where a university requires it. The list applies to both tracks.

Face-to-face share
------------------
The notice (Art. 5) asks for "适当比例的面授教学" without a number. The default minimum of
20 % of a programme's total hours is **an assumption**, configurable per deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from sanguan.institutions.models import Level


@dataclass(frozen=True)
class PoliticalCourse:
    code: str
    name: str


POLITICAL_COURSES: dict[str, PoliticalCourse] = {
    c.code: c
    for c in (
        PoliticalCourse("MORALITY_AND_LAW", "思想道德与法治"),
        PoliticalCourse("MODERN_HISTORY", "中国近现代史纲要"),
        PoliticalCourse("MARXISM_PRINCIPLES", "马克思主义基本原理"),
        PoliticalCourse("MAO_AND_SOCIALISM", "毛泽东思想和中国特色社会主义理论体系概论"),
        PoliticalCourse("XI_THOUGHT", "习近平新时代中国特色社会主义思想概论"),
        PoliticalCourse("SITUATION_AND_POLICY", "形势与政策"),
    )
}

_BACHELOR = ("MORALITY_AND_LAW", "MODERN_HISTORY", "MARXISM_PRINCIPLES", "MAO_AND_SOCIALISM", "XI_THOUGHT")
_ASSOCIATE = ("MORALITY_AND_LAW", "MAO_AND_SOCIALISM", "XI_THOUGHT")

DEFAULTS: dict[str, Any] = {
    # level -> codes of POLITICAL_COURSES a programme of that level must contain
    "REQUIRED_POLITICAL_COURSES": {
        Level.HS_TO_BACHELOR: _BACHELOR,
        Level.ASSOCIATE_TO_BACHELOR: _BACHELOR,
        Level.HS_TO_ASSOCIATE: _ASSOCIATE,
    },
    "MIN_FACE_TO_FACE_SHARE": "0.20",
    # Check-in window: opens this many minutes before a session starts, closes at its end.
    "CHECKIN_OPENS_MINUTES_BEFORE": 15,
    # Rotating room code: period in seconds, and how many previous periods are still accepted.
    "ROOM_CODE_PERIOD_SECONDS": 30,
    "ROOM_CODE_GRACE_PERIODS": 1,
    # Time on task: a gap between two events longer than this is idle time, not learning.
    "IDLE_CAP_SECONDS": 600,
    # A single statement's result.duration counts for at most this long.
    "MAX_STATEMENT_SECONDS": 3600,
    # Scheduled monitoring re-reads statements stored this long before its previous run, so a
    # transaction that committed late is not skipped (see monitoring.engagement_update).
    "MONITORING_REPLAY_SECONDS": 300,
    # Early-warning defaults, used where a university has configured no rule of a kind.
    "WARNING_DEFAULTS": {
        "INACTIVE_DAYS": 14,  # 41号令 Art. 30: two consecutive weeks away from teaching activities
        "LOW_PROGRESS": "0.30",
        "LOW_TIME_ON_TASK_MINUTES": 120,
        "LOW_ATTENDANCE": "0.50",
    },
    # Follow-up deadlines that the compliance rules check (days).
    "WARNING_NOTIFY_WITHIN_DAYS": 7,
    "WARNING_FOLLOW_UP_WITHIN_DAYS": 21,
    "BRUSHING_REVIEW_WITHIN_DAYS": 14,
    "BRUSHING_HIGH_SCORE": "0.70",
    # An offering that has run this many days with enrolled students must have learning records.
    "OFFERING_RECORDS_GRACE_DAYS": 14,
}


def get(key: str) -> Any:
    overrides = getattr(settings, "SANGUAN_TEACHING", None) or {}
    if key in overrides:
        return overrides[key]
    return DEFAULTS[key]


def required_political_courses(level: str) -> tuple[str, ...]:
    return tuple(get("REQUIRED_POLITICAL_COURSES").get(level, ()))


def min_face_to_face_share() -> Decimal:
    return Decimal(str(get("MIN_FACE_TO_FACE_SHARE")))


def warning_default(kind: str) -> Any:
    return get("WARNING_DEFAULTS")[kind]
