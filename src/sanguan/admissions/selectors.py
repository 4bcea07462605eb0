"""Reads of the entrance gate, each scoped to the viewer. Personal data (ID and phone
numbers) is masked unless the viewer may see it (``admissions.view_personal``) or it is
their own."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from sanguan.accounts import policy
from sanguan.institutions.models import Track, University

from .models import (
    AdmissionsCharter,
    Announcement,
    Applicant,
    EnrollmentPlan,
    FteConfig,
    PublicityMaterial,
    StudentRecord,
)


def _visibility(user: Any, action: str, *, centre_field: str | None = "centre_id", owner_field: str | None = None,
                province_fields: tuple[str, ...] = ("university__province_id",)) -> Q | None:
    condition = policy.visible_q(
        user, action, province=province_fields, university="university_id", centre=centre_field, owner=owner_field
    )
    return None if condition == policy.NOTHING else condition


def _or_own(condition: Q | None, user: Any) -> Q | None:
    """``condition`` or the user's own rows. An empty ``Q()`` means everything (national)."""
    if condition is not None and not condition:
        return condition
    if not getattr(user, "is_authenticated", False):
        return condition
    own = Q(user_id=user.pk)
    return own if condition is None else condition | own


def applicants_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Applicant]:
    """Applicants the user may see: national roles all, a province its universities and the
    centres it hosts, university roles their university, centre staff their centre, an
    applicant their own applications."""
    condition = _visibility(user, "admissions.view", province_fields=("university__province_id",
                                                                      "centre__host_province_id"))
    condition = _or_own(condition, user)
    if condition is None:
        return Applicant.objects.none()
    qs = Applicant.objects.filter(condition).select_related("university", "major", "centre", "plan")
    f = filters or {}
    for key in ("university_id", "plan_id", "centre_id", "status", "year", "season", "track", "level"):
        if f.get(key) not in (None, ""):
            qs = qs.filter(**{key: f[key]})
    if f.get("duplicate"):
        qs = qs.filter(duplicate_flag=True)
    return qs.order_by("pk")


def may_see_personal(user: Any, applicant: Applicant) -> bool:
    if applicant.user_id is not None and applicant.user_id == getattr(user, "pk", None):
        return True
    return policy.can(user, "admissions.view_personal", applicant)


def applicant_as_dict(applicant: Applicant, *, viewer: Any, personal: bool | None = None) -> dict[str, Any]:
    """The applicant as the viewer may see it (ID and phone masked unless allowed)."""
    show = may_see_personal(viewer, applicant) if personal is None else personal
    q = getattr(applicant, "qualification", None) if _has_qualification(applicant) else None
    return {
        "id": applicant.pk,
        "name": applicant.name,
        "id_number": applicant.id_number if show else applicant.masked_id_number,
        "phone": applicant.phone if show else applicant.masked_phone,
        "university_id": applicant.university_id,
        "plan_id": applicant.plan_id,
        "major_id": applicant.major_id,
        "centre_id": applicant.centre_id,
        "year": applicant.year,
        "season": applicant.season,
        "track": applicant.track,
        "level": applicant.level,
        "channel": applicant.channel,
        "status": applicant.status,
        "moral_review": applicant.moral_review,
        "qualification_status": q.status if q else None,
        "duplicate_flag": applicant.duplicate_flag,
        "id_region_known": applicant.id_region_known,
    }


def _has_qualification(applicant: Applicant) -> bool:
    try:
        applicant.qualification  # noqa: B018
    except Applicant.qualification.RelatedObjectDoesNotExist:
        return False
    return True


def plans_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[EnrollmentPlan]:
    condition = _visibility(user, "admissions.view")
    if condition is None:
        return EnrollmentPlan.objects.none()
    qs = EnrollmentPlan.objects.filter(condition).select_related("university", "major", "centre")
    f = filters or {}
    for key in ("university_id", "year", "season", "status"):
        if f.get(key) not in (None, ""):
            qs = qs.filter(**{key: f[key]})
    return qs.order_by("-year", "pk")


def plans_open_for_registration(*, university: University | None = None) -> QuerySet[EnrollmentPlan]:
    qs = EnrollmentPlan.objects.filter(status=EnrollmentPlan.Status.APPROVED).select_related("university", "major",
                                                                                            "centre")
    if university is not None:
        qs = qs.filter(university=university)
    return qs.order_by("university_id", "major__name")


def publicity_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[PublicityMaterial]:
    condition = _visibility(user, "admissions.view")
    if condition is None:
        return PublicityMaterial.objects.none()
    qs = PublicityMaterial.objects.filter(condition).select_related("university", "centre")
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    return qs


def charters_visible_to(*, user: Any) -> QuerySet[AdmissionsCharter]:
    condition = _visibility(user, "admissions.view", centre_field=None)
    if condition is not None and not condition:
        return AdmissionsCharter.objects.all()
    published = Q(status=AdmissionsCharter.Status.PUBLISHED)
    return AdmissionsCharter.objects.filter(published if condition is None else condition | published)


def charters_published() -> QuerySet[AdmissionsCharter]:
    return AdmissionsCharter.objects.filter(status=AdmissionsCharter.Status.PUBLISHED).select_related("university")


def charter_year_range(on: dt.date) -> tuple[int, int]:
    """The intake years open on day ``on``: this year's and next year's (charters for the
    coming intake are published in the autumn before it)."""
    return on.year, on.year + 1


def universities_open_for_signup(*, on: dt.date) -> QuerySet[University]:
    """Universities with a published admissions charter for the current intake."""
    first, last = charter_year_range(on)
    return University.objects.filter(
        charters__status=AdmissionsCharter.Status.PUBLISHED, charters__year__gte=first, charters__year__lte=last
    ).distinct().order_by("name")


def announcements_published() -> QuerySet[Announcement]:
    return Announcement.objects.filter(published_at__isnull=False).select_related("university")


def publicity_verify(code: str) -> PublicityMaterial | None:
    """Public check of an advertisement's verification code: the approved material, or None."""
    code = "".join((code or "").split()).upper()
    if not code or len(code) > 16:
        return None
    return (
        PublicityMaterial.objects.select_related("university", "centre")
        .filter(verification_code=code, status=PublicityMaterial.Status.APPROVED)
        .first()
    )


def student_records_visible_to(*, user: Any) -> QuerySet[StudentRecord]:
    condition = _visibility(user, "admissions.view", province_fields=("university__province_id",
                                                                      "centre__host_province_id"))
    condition = _or_own(condition, user)
    if condition is None:
        return StudentRecord.objects.none()
    return StudentRecord.objects.filter(condition).select_related("university", "major", "centre")


def fte_report(*, user: Any, university: University) -> dict[str, Any]:
    """FTE students (折合在校生) of a university's enrolled students by track, with the
    configured weights; a track whose weight is unset is listed but not counted."""
    policy.require(user, "admissions.fte_report", university)
    config = FteConfig.objects.filter(university=university).first() or FteConfig(university=university)
    counts = Counter(
        dict(
            StudentRecord.objects.filter(university=university, status=StudentRecord.Status.ENROLLED)
            .values("track")
            .annotate(n=Count("pk"))
            .values_list("track", "n")
        )
    )
    rows = []
    total = Decimal("0")
    for track in Track.values:
        weight = config.weight_for(track)
        fte = None if weight is None else (Decimal(counts.get(track, 0)) * weight).quantize(Decimal("0.01"))
        if fte is not None:
            total += fte
        rows.append({"track": track, "students": counts.get(track, 0), "weight": weight, "fte": fte})
    return {"university_id": university.pk, "rows": rows, "fte_total": total.quantize(Decimal("0.01")),
            "uncounted_tracks": [r["track"] for r in rows if r["weight"] is None]}


def applicants_ready_for_admission(*, plan: EnrollmentPlan) -> list[int]:
    """Ids of the plan's registered applicants with a verified qualification, a passed review
    and a score at or above the applicable pass line (the services check all of it again)."""
    from collections import defaultdict

    from .models import ExamScore, PassLine, PriorQualification
    from .services import exam_passed

    candidates = list(
        Applicant.objects.filter(plan=plan, status=Applicant.Status.REGISTERED, moral_review=Applicant.Review.PASSED,
                                 qualification__status=PriorQualification.Status.VERIFIED).order_by("pk")
    )
    scores: dict[int, list[ExamScore]] = defaultdict(list)
    for row in ExamScore.objects.filter(applicant__in=candidates):
        scores[row.applicant_id].append(row)
    lines = list(PassLine.objects.filter(session_id__in={r.session_id for v in scores.values() for r in v}))
    return [a.pk for a in candidates if exam_passed(a, scores.get(a.pk, []), lines)]
