"""Reads of the institution registry, each scoped to the viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sanguan.accounts import policy
from sanguan.accounts.models import ScopeKind

from .models import LearningCentre, University


def _scope_filter(
    user: Any, action: str, *, university_field: str, centre_field: str | None, province_fields: tuple[str, ...]
) -> Q | None:
    """A Q matching the rows ``user`` may see through ``action``; None means everything."""
    q = Q(pk__in=[])
    for m in policy.memberships_for(user, action):
        kind = m.scope_kind
        if kind == ScopeKind.NATIONAL:
            return None
        if kind == ScopeKind.PROVINCE:
            for field in province_fields:
                q |= Q(**{field: m.province_id})
        elif kind == ScopeKind.UNIVERSITY or (kind == ScopeKind.CENTRE and centre_field is None):
            q |= Q(**{university_field: m.university_id})
        elif kind == ScopeKind.CENTRE:
            q |= Q(**{centre_field: m.centre_id})
    return q


def universities_visible_to(*, user: Any) -> QuerySet[University]:
    qs = University.objects.select_related("province").order_by("institution_code")
    if user is policy.SYSTEM:
        return qs
    q = _scope_filter(
        user,
        "institutions.view",
        university_field="pk",
        centre_field=None,
        province_fields=("province_id", "centres__host_province_id"),
    )
    return qs if q is None else qs.filter(q).distinct()


def centres_visible_to(*, user: Any, university: University | None = None) -> QuerySet[LearningCentre]:
    qs = LearningCentre.objects.select_related("university", "host_province").order_by("university_id", "code")
    if university is not None:
        qs = qs.filter(university=university)
    if user is policy.SYSTEM:
        return qs
    q = _scope_filter(
        user,
        "institutions.view",
        university_field="university_id",
        centre_field="pk",
        province_fields=("university__province_id", "host_province_id"),
    )
    return qs if q is None else qs.filter(q)
