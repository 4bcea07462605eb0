"""Anti-刷课 evidence: signals with the events behind them, a score, and a human review."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from sanguan.accounts.models import Role
from sanguan.audit.models import AuditEvent
from sanguan.core.errors import ApplicationError, PermissionDenied
from sanguan.teaching import services, signals_brushing
from sanguan.teaching.models import BrushingAssessment

from .conftest import aware, make_student, statement

PLAYED = "https://w3id.org/xapi/video/verbs/paused"


@pytest.fixture
def ring(offering, enrolled, university, centre, major, academic_staff, store):
    """Four students run by one machine around the clock (one video segment a minute, 8x speed),
    and student 3 of ``enrolled`` learning like a person."""
    farm = [make_student(university, centre=centre, major=major, number=f"20264207{i:04d}") for i in range(3)]
    services.enrolment_add(actor=academic_staff, offering=offering, students=farm)
    bots = [enrolled[0], *farm]
    t = aware(2026, 10, 5, 0, 0)
    rows = []
    for k in range(24 * 60 // 4):  # one event every minute, rotating over the 4 students, all day
        s = bots[k % 4]
        at = t + dt.timedelta(minutes=k * 4 + (k % 4))
        rows.append(
            statement(
                university,
                s.student_number,
                at,
                verb=PLAYED,
                object_id=offering.activity_id + "/v/1",
                duration="PT30S",
                video=(k * 240.0, k * 240.0 + 240.0),
                device="farm-pc-01",
                ip="183.62.10.5",
            )
        )
    rng = random.Random(5)
    human = enrolled[2]
    at = aware(2026, 10, 5, 20, 0)
    for _ in range(40):
        at += dt.timedelta(seconds=rng.choice([20, 45, 90, 200, 400, 800]))
        rows.append(
            statement(
                university,
                human.student_number,
                at,
                verb=PLAYED,
                object_id=offering.activity_id + "/v/2",
                duration="PT1M",
                video=(0.0, 60.0),
                device="phone-human",
                ip="10.42.1.8",
            )
        )
    store(rows)
    return bots, human


def test_the_ring_gets_high_evidence_with_the_events_behind_it(ring, university, academic_staff):
    bots, human = ring

    # when
    saved = signals_brushing.brushing_assess(actor=academic_staff, university=university)

    # then
    by_student = {a.student_id: a for a in saved}
    bot = by_student[bots[0].pk]
    codes = {s["code"] for s in bot.signals}
    assert {"SHARED_DEVICE", "ROUND_THE_CLOCK", "VIDEO_TOO_FAST"} <= codes
    shared = next(s for s in bot.signals if s["code"] == "SHARED_DEVICE")
    assert shared["detail"] == {"students_on_it": 4, "device": "farm-pc-01"}
    assert len(shared["statement_ids"]) == 10
    fast = next(s for s in bot.signals if s["code"] == "VIDEO_TOO_FAST")
    assert fast["detail"]["fastest_speed"] == 8.0
    assert float(bot.score) >= 0.7
    assert bot.status == "UNREVIEWED" and bot.first_high_at is not None
    person = by_student[human.pk]
    assert person.signals == [] and person.score == 0
    event = AuditEvent.objects.get(action="brushing.assessed")
    assert sorted(event.data["high_ids"]) == sorted(by_student[b.pk].pk for b in bots)


def test_uniform_timing_is_detected_from_the_coefficient_of_variation():
    t = aware(2026, 10, 1)
    robot = [signals_brushing.Event(str(i), "n", t + dt.timedelta(seconds=60 * i), "v", "o") for i in range(40)]
    signal = signals_brushing._uniform_timing(robot)
    assert signal is not None and signal.strength == 1.0
    assert signal.detail == {"gaps": 39, "coefficient_of_variation": 0.0}


def test_parallel_courses_are_detected():
    t = aware(2026, 10, 1, 20)
    ev = [
        signals_brushing.Event("a", "n", t + dt.timedelta(minutes=30), "v", "https://x/c1/u", duration=1800),
        signals_brushing.Event("b", "n", t + dt.timedelta(minutes=30), "v", "https://x/c2/u", duration=1800),
    ]
    signal = signals_brushing._parallel(ev, lambda e: 1 if "/c1/" in e.object_id else 2)
    assert signal.detail == {"overlap_seconds": 1800}
    assert signal.statement_ids == ["a", "b"]


def test_device_hopping_needs_both_a_new_device_and_a_new_place():
    t = aware(2026, 10, 1, 20)
    E = signals_brushing.Event
    ev = [
        E("1", "n", t, "v", "o", device="d1", ip="10.1.0.1"),
        E("2", "n", t + dt.timedelta(minutes=2), "v", "o", device="d2", ip="10.1.0.2"),  # same place
        E("3", "n", t + dt.timedelta(minutes=4), "v", "o", device="d3", ip="59.42.0.1"),  # new device and place
    ]
    assert signals_brushing._hopping(ev).statement_ids == ["3"]


def test_score_combines_weighted_signals():
    S = signals_brushing.Signal
    assert signals_brushing.combine([]) == 0
    assert signals_brushing.combine([S("SHARED_DEVICE", 1.0)]) == pytest.approx(0.55)
    assert signals_brushing.combine([S("SHARED_DEVICE", 1.0), S("VIDEO_TOO_FAST", 1.0)]) == pytest.approx(
        1 - 0.45 * 0.55
    )


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CENTRE_STAFF, Role.STUDENT, Role.PROVINCE_REGULATOR])
def test_assess_is_refused_to_other_roles(role, every_role, university):
    with pytest.raises(PermissionDenied):
        signals_brushing.brushing_assess(actor=every_role[role], university=university)


def test_review_records_a_human_decision(ring, university, academic_staff, university_admin):
    bots, _human = ring
    signals_brushing.brushing_assess(actor=academic_staff, university=university)
    a = BrushingAssessment.objects.get(student=bots[0])

    reviewed = signals_brushing.brushing_review(
        actor=university_admin, assessment=a, decision="CONFIRMED", note="学习中心机房同一电脑代刷，已约谈"
    )

    assert (reviewed.status, reviewed.reviewed_by) == ("CONFIRMED", university_admin)
    assert AuditEvent.objects.get(action="brushing.reviewed").data == {
        "assessment_id": a.pk,
        "decision": "CONFIRMED",
        "score": str(a.score),
    }


@pytest.mark.parametrize(
    ("decision", "note", "code"),
    [("GUILTY", "x", "BRUSHING_DECISION_INVALID"), ("DISMISSED", " ", "BRUSHING_NOTE_REQUIRED")],
)
def test_review_refuses_bad_input(ring, university, academic_staff, decision, note, code):
    signals_brushing.brushing_assess(actor=academic_staff, university=university)
    a = BrushingAssessment.objects.first()
    with pytest.raises(ApplicationError) as exc:
        signals_brushing.brushing_review(actor=academic_staff, assessment=a, decision=decision, note=note)
    assert exc.value.code == code


@pytest.mark.parametrize("role", [Role.TEACHER, Role.CENTRE_STAFF, Role.NATIONAL_REGULATOR])
def test_review_is_refused_to_other_roles(role, every_role, ring, university, academic_staff):
    signals_brushing.brushing_assess(actor=academic_staff, university=university)
    a = BrushingAssessment.objects.first()
    with pytest.raises(PermissionDenied):
        signals_brushing.brushing_review(actor=every_role[role], assessment=a, decision="DISMISSED", note="x")
