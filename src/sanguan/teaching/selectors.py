"""Reads of teaching data, each scoped to the viewer, and the dashboards' figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.core.errors import NotFound
from sanguan.institutions.models import LearningCentre, University

from . import config
from .errors import TeachingErrorCode as Code
from .models import (
    BrushingAssessment,
    EarlyWarning,
    Engagement,
    Enrolment,
    Evaluation,
    FaceToFaceSession,
    Offering,
    TrainingProgramme,
)


def _scope_q(user: Any, action: str, *, university: str, centre: str | None, province: str | None) -> Q | None:
    """A filter for the rows the user may see under ``action``; ``None`` means everything."""
    provinces = [f"{province}__province_id"] + ([f"{centre}__host_province_id"] if centre else []) if province else None
    q = policy.visible_q(
        user, action, province=provinces, university=f"{university}_id", centre=f"{centre}_id" if centre else None
    )
    return None if q == policy.EVERYTHING else q


def _filtered(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


def programmes_visible_to(*, user: Any) -> QuerySet[TrainingProgramme]:
    q = _scope_q(user, "programmes.view", university="university", centre=None, province="university")
    if q is not None:
        # Centre staff see their university's programmes.
        centre_unis = [m.university_id for m in policy.memberships_for(user, "programmes.view") if m.centre_id]
        if centre_unis:
            q |= Q(university_id__in=centre_unis)
    return _filtered(TrainingProgramme.objects.select_related("university", "major"), q)


def programme_for(*, user: Any, pk: int) -> TrainingProgramme:
    p = programmes_visible_to(user=user).filter(pk=pk).first()
    if p is None:
        raise NotFound(Code.NOT_FOUND, _("No such programme."))
    return p


def offerings_visible_to(*, user: Any) -> QuerySet[Offering]:
    q = _scope_q(user, "teaching.view", university="university", centre="centre", province="university")
    return _filtered(
        Offering.objects.select_related("course__programme", "university", "centre", "teacher"), q
    ).order_by("-starts_on", "pk")


def offering_for(*, user: Any, pk: int) -> Offering:
    o = offerings_visible_to(user=user).filter(pk=pk).first()
    if o is None:
        raise NotFound(Code.NOT_FOUND, _("No such course offering."))
    return o


def session_for(*, user: Any, pk: int) -> FaceToFaceSession:
    s = FaceToFaceSession.objects.select_related("offering").filter(pk=pk).first()
    if s is None:
        raise NotFound(Code.NOT_FOUND, _("No such session."))
    if policy.can(user, "teaching.view", s):
        return s
    # A student sees the sessions of the offerings they are enrolled in.
    if Enrolment.objects.filter(offering_id=s.offering_id, student__user=user).exists() and policy.memberships_for(
        user, "teaching.check_in"
    ):
        return s
    raise NotFound(Code.NOT_FOUND, _("No such session."))


def sessions_for_student(*, user: Any) -> QuerySet[FaceToFaceSession]:
    return (
        FaceToFaceSession.objects.filter(offering__enrolments__student__user=user)
        .select_related("offering__course")
        .order_by("starts_at")
    )


def offerings_of_student(*, user: Any) -> QuerySet[Offering]:
    if not policy.memberships_for(user, "teaching.evaluate"):
        return Offering.objects.none()
    return Offering.objects.filter(enrolments__student__user=user).select_related("course").order_by("-starts_on")


def sessions_to_record(*, user: Any) -> QuerySet[FaceToFaceSession]:
    """Sessions of the user's own offerings that have started and have no attendance yet."""
    from django.utils import timezone

    if not policy.memberships_for(user, "teaching.attendance_record"):
        return FaceToFaceSession.objects.none()
    return (
        FaceToFaceSession.objects.filter(
            offering__teacher=user, status=FaceToFaceSession.Status.SCHEDULED, starts_at__lte=timezone.now()
        )
        .select_related("offering__course", "offering__centre")
        .order_by("-starts_at")
    )


def warnings_visible_to(*, user: Any) -> QuerySet[EarlyWarning]:
    q = _scope_q(
        user,
        "monitoring.view",
        university="enrolment__offering__university",
        centre="enrolment__offering__centre",
        province="enrolment__offering__university",
    )
    qs = EarlyWarning.objects.select_related("enrolment__student", "enrolment__offering__course")
    if q is None:
        return qs
    own = Q(enrolment__student__user=user) if policy.memberships_for(user, "warnings.respond") else Q(pk__in=[])
    return qs.filter(q | own)


def warning_for(*, user: Any, pk: int) -> EarlyWarning:
    w = warnings_visible_to(user=user).filter(pk=pk).first()
    if w is None:
        raise NotFound(Code.NOT_FOUND, _("No such warning."))
    return w


def brushing_visible_to(*, user: Any) -> QuerySet[BrushingAssessment]:
    q = _scope_q(user, "brushing.view", university="university", centre="centre", province="university")
    return _filtered(BrushingAssessment.objects.select_related("student", "university", "centre"), q)


def brushing_for(*, user: Any, pk: int) -> BrushingAssessment:
    a = brushing_visible_to(user=user).filter(pk=pk).first()
    if a is None:
        raise NotFound(Code.NOT_FOUND, _("No such assessment."))
    return a


def evaluation_summary(*, user: Any, offering: Offering) -> dict[str, Any]:
    """Averages per criterion; individual evaluations are never shown."""
    policy.require(user, "teaching.evaluations_view", offering)
    rows = list(Evaluation.objects.filter(offering=offering).values_list("scores", flat=True))
    if not rows:
        return {"count": 0, "means": {}}
    return {
        "count": len(rows),
        "means": {c: round(sum(r[c] for r in rows) / len(rows), 2) for c in Evaluation.CRITERIA},
    }


# ------------------------------------------------------------------ dashboards


def _share(held: Decimal, total: Decimal) -> float:
    return float((held / total).quantize(Decimal("0.0001"))) if total else 0.0


def _figures(offerings: list[Offering], *, user: Any, group_by: str) -> dict[str, Any]:
    """The dashboard's figures over ``offerings``, grouped per centre or per offering."""
    ids = [o.pk for o in offerings]
    held_by_offering: dict[int, Decimal] = defaultdict(Decimal)
    for s in FaceToFaceSession.objects.filter(offering_id__in=ids, status=FaceToFaceSession.Status.HELD).only(
        "offering_id", "starts_at", "ends_at"
    ):
        held_by_offering[s.offering_id] += s.hours
    groups: dict[str, dict[str, Any]] = {}
    for o in offerings:
        if group_by == "centre":
            key = str(o.centre.name if o.centre_id else _("University (no centre)"))
            url = f"/teaching/dashboard/centre/{o.centre_id}/" if o.centre_id else ""
        else:
            key = f"{o.course.code} {o.course.name} · {o.term}"
            url = f"/teaching/dashboard/offering/{o.pk}/"
        g = groups.setdefault(
            key, {"name": key, "url": url, "total": Decimal(0), "planned": Decimal(0), "held": Decimal(0)}
        )
        g["total"] += o.course.total_hours
        g["planned"] += o.course.hours_face_to_face
        g["held"] += held_by_offering[o.pk]
    total = sum((g["total"] for g in groups.values()), Decimal(0))
    planned = sum((g["planned"] for g in groups.values()), Decimal(0))
    held = sum((g["held"] for g in groups.values()), Decimal(0))
    eng = Engagement.objects.filter(enrolment__offering_id__in=ids)
    agg = eng.aggregate(
        n=Count("pk"), tot=Avg("time_on_task_seconds"), days=Avg("active_days"), progress=Avg("progress")
    )
    progress_bins = Counter(min(9, int(p * 10)) for p in eng.values_list("progress", flat=True))
    warnings = Counter(EarlyWarning.objects.filter(enrolment__offering_id__in=ids).values_list("status", flat=True))
    warning_kinds = Counter(EarlyWarning.objects.filter(enrolment__offering_id__in=ids).values_list("kind", flat=True))
    data: dict[str, Any] = {
        "offerings": len(offerings),
        "enrolments": Enrolment.objects.filter(offering_id__in=ids).count(),
        "face_to_face": {
            "minimum": float(config.min_face_to_face_share()),
            "planned_share": _share(planned, total),
            "delivered_share": _share(held, total),
            "held_hours": float(held),
            "total_hours": float(total),
            "groups": [
                {
                    "name": g["name"],
                    "url": g["url"],
                    "planned_share": _share(g["planned"], g["total"]),
                    "delivered_share": _share(g["held"], g["total"]),
                }
                for g in sorted(groups.values(), key=lambda g: g["name"])
            ],
        },
        "engagement": {
            "measured": agg["n"] or 0,
            "mean_time_on_task_minutes": round((agg["tot"] or 0) / 60, 1),
            "mean_active_days": round(agg["days"] or 0, 1),
            "mean_progress": round(float(agg["progress"] or 0), 3),
            "progress_histogram": [progress_bins.get(i, 0) for i in range(10)],
        },
        "warnings": {
            "by_status": {s.value: warnings.get(s.value, 0) for s in EarlyWarning.Status},
            "by_status_label": {str(s.label): warnings.get(s.value, 0) for s in EarlyWarning.Status},
            "by_kind": dict(warning_kinds),
        },
    }
    if policy.memberships_for(user, "brushing.view"):
        students = Enrolment.objects.filter(offering_id__in=ids).values("student_id")
        scores = list(BrushingAssessment.objects.filter(student_id__in=students).values_list("score", "status"))
        high = Decimal(str(config.get("BRUSHING_HIGH_SCORE")))
        bins = Counter(min(9, int(s * 10)) for s, _st in scores)
        data["brushing"] = {
            "assessed": len(scores),
            "high": sum(1 for s, _st in scores if s >= high),
            "high_unreviewed": sum(1 for s, st in scores if s >= high and st == BrushingAssessment.Status.UNREVIEWED),
            "confirmed": sum(1 for _s, st in scores if st == BrushingAssessment.Status.CONFIRMED),
            "histogram": [bins.get(i, 0) for i in range(10)],
        }
    return data


def university_dashboard(*, user: Any, university: University) -> dict[str, Any]:
    policy.require(user, "monitoring.view", university)
    offerings = list(Offering.objects.filter(university=university).select_related("course", "centre").order_by("pk"))
    return _figures(offerings, user=user, group_by="centre")


def centre_dashboard(*, user: Any, centre: LearningCentre) -> dict[str, Any]:
    policy.require(user, "monitoring.view", centre)
    offerings = list(Offering.objects.filter(centre=centre).select_related("course", "centre").order_by("pk"))
    return _figures(offerings, user=user, group_by="offering")


def offering_dashboard(*, user: Any, offering: Offering) -> dict[str, Any]:
    policy.require(user, "monitoring.view", offering)
    data = _figures([offering], user=user, group_by="offering")
    data["students"] = [
        {
            "number": e.enrolment.student.student_number,
            "active_days": e.active_days,
            "time_on_task_minutes": round(e.time_on_task_seconds / 60),
            "progress": float(e.progress),
            "assessment_events": e.assessment_events,
            "attended": e.sessions_attended,
            "held": e.sessions_held,
            "last_activity_at": e.last_activity_at.isoformat() if e.last_activity_at else None,
        }
        for e in Engagement.objects.filter(enrolment__offering=offering)
        .select_related("enrolment__student")
        .order_by("enrolment__student__student_number")
    ]
    return data


def universities_visible_to(*, user: Any) -> QuerySet[University]:
    memberships = policy.memberships_for(user, "monitoring.view")
    if any(m.scope_kind == "NATIONAL" for m in memberships):
        return University.objects.all()
    ids = {m.university_id for m in memberships if m.university_id and not m.centre_id}
    provinces = {m.province_id for m in memberships if m.scope_kind == "PROVINCE"}
    return University.objects.filter(Q(pk__in=ids) | Q(province_id__in=provinces))


def centres_visible_to(*, user: Any) -> QuerySet[LearningCentre]:
    memberships = policy.memberships_for(user, "monitoring.view")
    if any(m.scope_kind == "NATIONAL" for m in memberships):
        return LearningCentre.objects.all()
    q = Q(pk__in=[])
    for m in memberships:
        if m.scope_kind == "PROVINCE":
            q |= Q(host_province_id=m.province_id) | Q(university__province_id=m.province_id)
        elif m.scope_kind == "UNIVERSITY":
            q |= Q(university_id=m.university_id)
        elif m.scope_kind == "CENTRE":
            q |= Q(pk=m.centre_id)
    return LearningCentre.objects.filter(q)
