"""Reads of supervision data, each scoped to the viewer; and the enrolment restriction that
the admissions services enforce."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sanguan.accounts import policy
from sanguan.accounts.models import ScopeKind
from sanguan.institutions.models import Major, University

from .models import Sanction


@dataclass(frozen=True)
class EnrollmentRestriction:
    """What the sanctions in force allow a university (or one of its majors) to admit.

    ``suspended``: nobody may be admitted. ``limit``: the smallest admission limit in force
    (``None`` when no limit applies); it counts admissions in the limiting sanction's period.
    ``sanctions``: the restrictive sanctions in force (limitations and suspensions), oldest first.
    """

    suspended: bool = False
    limit: int | None = None
    sanctions: list[Sanction] = field(default_factory=list)

    @property
    def is_restricted(self) -> bool:
        return self.suspended or self.limit is not None


def _in_force_on(day: dt.date) -> Q:
    return (
        Q(starts_on__lte=day)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        & (Q(lifted_at__isnull=True) | Q(lifted_at__date__gt=day))
    )


def sanctions_in_force(*, university: University, major: Major | None = None, on: dt.date) -> QuerySet[Sanction]:
    """Sanctions in force on ``on`` for the university as a whole and, when ``major`` is given,
    for that major. A sanction on another major never applies."""
    target = Q(major__isnull=True)
    if major is not None:
        target |= Q(major=major)
    return (
        Sanction.objects.filter(university=university)
        .filter(target)
        .filter(_in_force_on(on))
        .order_by("starts_on", "pk")
    )


def enrollment_restriction(*, university: University, major: Major | None = None, on: dt.date) -> EnrollmentRestriction:
    """The restriction on admissions to ``university`` (and ``major``) on day ``on``."""
    restrictive = list(
        sanctions_in_force(university=university, major=major, on=on).filter(kind__in=Sanction.RESTRICTIVE_KINDS)
    )
    limits = [s.limit for s in restrictive if s.kind == Sanction.Kind.ENROLMENT_LIMITED and s.limit is not None]
    return EnrollmentRestriction(
        suspended=any(s.kind == Sanction.Kind.ENROLMENT_SUSPENDED for s in restrictive),
        limit=min(limits) if limits else None,
        sanctions=restrictive,
    )


def _visibility(user: Any, action: str) -> Q | None:
    """The rows ``user`` may see through ``action``; ``None`` for none at all."""
    condition = policy.visible_q(user, action, province="university__province_id", university="university_id")
    return None if condition == policy.NOTHING else condition


def sanctions_visible_to(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Sanction]:
    """Sanctions the user may see: all for national roles, the province's universities for a
    province regulator, their own university for university roles; nothing for others.

    ``filters``: ``university_id``, ``kind``, ``in_force_on`` (a date)."""
    condition = _visibility(user, "sanctions.view")
    if condition is None:
        return Sanction.objects.none()
    qs = Sanction.objects.filter(condition).select_related("university", "major", "authority", "issued_by", "lifted_by")
    filters = filters or {}
    if filters.get("university_id") is not None:
        qs = qs.filter(university_id=filters["university_id"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("in_force_on") is not None:
        qs = qs.filter(_in_force_on(filters["in_force_on"]))
    return qs


def universities_sanctionable_by(*, user: Any) -> QuerySet[University]:
    """The universities ``user`` may sanction (the issue form's choices)."""
    condition: Q | None = None
    for m in policy.memberships_for(user, "sanctions.issue"):
        if m.scope_kind == ScopeKind.NATIONAL:
            return University.objects.all()
        if m.scope_kind == ScopeKind.PROVINCE:
            part = Q(province_id=m.province_id)
            condition = part if condition is None else condition | part
    if condition is None:
        return University.objects.none()
    return University.objects.filter(condition)


def sanction_status(sanction: Sanction, day: dt.date) -> str:
    """``lifted``, ``upcoming``, ``ended`` or ``in_force`` on ``day``."""
    if sanction.is_lifted and timezone.localdate(sanction.lifted_at) <= day:
        return "lifted"
    if sanction.starts_on > day:
        return "upcoming"
    if sanction.ends_on is not None and sanction.ends_on < day:
        return "ended"
    return "in_force"
