"""Reads of the institution registry, each scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from sanguan.accounts import policy

from .models import CentreFiling, LearningCentre, University


def universities_visible_to(*, user: Any) -> QuerySet[University]:
    qs = University.objects.select_related("province").order_by("institution_code")
    q = policy.visible_q(
        user,
        "institutions.view",
        province=("province_id", "centres__host_province_id"),
        university="pk",
        centre=lambda m: Q(pk=m.university_id),  # centre staff see their university
    )
    return qs if q == policy.EVERYTHING else qs.filter(q).distinct()


def centres_visible_to(*, user: Any, university: University | None = None) -> QuerySet[LearningCentre]:
    qs = LearningCentre.objects.select_related("university", "host_province").order_by("university_id", "code")
    if university is not None:
        qs = qs.filter(university=university)
    q = policy.visible_q(
        user,
        "institutions.view",
        province=("university__province_id", "host_province_id"),
        university="university_id",
        centre="pk",
    )
    return qs.filter(q)


# ------------------------------------------------------------------ public registry (anonymous reads)
# The portal shows only what universities have disclosed; these reads take no viewer
# because everything they return is public by the university's own act of disclosure.


def _public_centres() -> QuerySet[LearningCentre]:
    return (
        LearningCentre.objects.filter(is_disclosed=True)
        .exclude(status=LearningCentre.Status.CLOSED)
        .select_related("university", "host_province")
    )


def universities_public(*, query: str = "") -> QuerySet[University]:
    """Universities with the number of centres they have disclosed (``disclosed_centres``)."""
    from django.db.models import Count

    qs = University.objects.select_related("province").annotate(
        disclosed_centres=Count(
            "centres",
            filter=Q(centres__is_disclosed=True) & ~Q(centres__status=LearningCentre.Status.CLOSED),
        )
    )
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(institution_code=query) | Q(province__name__icontains=query))
    return qs.order_by("province_id", "institution_code")


def university_public(*, code: str) -> University | None:
    """One university by its 5-digit school code."""
    return University.objects.select_related("province").filter(institution_code=(code or "").strip()).first()


def disclosed_centres(*, university: University | None = None, query: str = "") -> QuerySet[LearningCentre]:
    """Disclosed, not closed centres, searchable by name, code, city, address or province
    (each word of ``query`` must match one of them). Filings come prefetched, newest first."""
    from django.db.models import Prefetch

    qs = _public_centres().prefetch_related(
        Prefetch("filings", queryset=CentreFiling.objects.order_by("-cycle_year", "-pk"))
    )
    if university is not None:
        qs = qs.filter(university=university)
    for word in (query or "").split():
        qs = qs.filter(
            Q(name__icontains=word) | Q(code__iexact=word) | Q(city__icontains=word) | Q(address__icontains=word)
            | Q(host_province__name__icontains=word) | Q(university__name__icontains=word)
        )
    return qs.order_by("university__institution_code", "host_province_id", "code")


class Authorisation(StrEnum):
    AUTHORISED = "AUTHORISED"  # disclosed by the university
    NOT_DISCLOSED = "NOT_DISCLOSED"  # registered but not (or no longer) publicly disclosed
    NOT_FOUND = "NOT_FOUND"  # the university has no such centre
    UNKNOWN_UNIVERSITY = "UNKNOWN_UNIVERSITY"  # no such university
    AMBIGUOUS_UNIVERSITY = "AMBIGUOUS_UNIVERSITY"  # several universities match; be more precise
    AMBIGUOUS_CENTRE = "AMBIGUOUS_CENTRE"  # part of a name that several centres share


@dataclass(frozen=True)
class LookupResult:
    status: Authorisation
    university: University | None = None
    centre: LearningCentre | None = None
    filing_in_force: CentreFiling | None = None
    candidates: tuple[University, ...] = ()
    centre_candidates: tuple[LearningCentre, ...] = ()  # disclosed centres sharing the partial name
    disclosed_elsewhere: LearningCentre | None = None  # the name belongs to another university's centre

    @property
    def is_authorised(self) -> bool:
        return self.status == Authorisation.AUTHORISED

    @property
    def disclosed_on(self) -> dt.date | None:
        return self.centre.disclosed_on if self.centre is not None and self.is_authorised else None


def _find_university(query: str) -> tuple[University | None, tuple[University, ...]]:
    q = query.strip()
    exact = University.objects.filter(Q(name=q) | Q(institution_code=q) | Q(institution_id=q)).first()
    if exact is not None:
        return exact, ()
    matches = tuple(University.objects.filter(name__icontains=q).order_by("institution_code")[:6])
    if len(matches) == 1:
        return matches[0], ()
    return None, matches


def centre_authorisation(*, university_query: str, centre_query: str, today: dt.date | None = None) -> LookupResult:
    """Is the centre named (or coded) ``centre_query`` authorised by the university
    ``university_query`` (name, school code or identifier)? Authorised means publicly
    disclosed by that university and not closed; anything else is a warning to the public."""
    from django.utils import timezone

    today = today or timezone.localdate()
    university, candidates = _find_university(university_query or "")
    if university is None:
        status = Authorisation.AMBIGUOUS_UNIVERSITY if len(candidates) > 1 else Authorisation.UNKNOWN_UNIVERSITY
        return LookupResult(status=status, candidates=candidates)
    name = (centre_query or "").strip()
    centres = LearningCentre.objects.filter(university=university).select_related("university", "host_province")
    centre = centres.filter(code__iexact=name).first() or centres.filter(name=name).first()
    if centre is None and len(name) >= 4:
        # Part of a name answers only when it names one centre: "楚天大学" alone must not
        # come back "authorised" because some centre of 楚天大学 is.
        partial = list(centres.filter(name__icontains=name).order_by("code")[:7])
        if len(partial) == 1:
            centre = partial[0]
        elif partial:
            disclosed = tuple(c for c in partial if c.is_disclosed and c.status != LearningCentre.Status.CLOSED)
            return LookupResult(status=Authorisation.AMBIGUOUS_CENTRE, university=university,
                                centre_candidates=disclosed[:6])
    if centre is None:
        # A real centre named under the wrong university is a classic impostor's trick: say whose it is.
        elsewhere = _public_centres().filter(Q(name=name) | Q(code__iexact=name)).exclude(university=university).first()
        return LookupResult(status=Authorisation.NOT_FOUND, university=university, disclosed_elsewhere=elsewhere)
    if not centre.is_disclosed or centre.status == LearningCentre.Status.CLOSED:
        return LookupResult(status=Authorisation.NOT_DISCLOSED, university=university, centre=centre)
    in_force = next((f for f in centre.filings.order_by("-cycle_year") if f.is_in_force(today)), None)
    return LookupResult(status=Authorisation.AUTHORISED, university=university, centre=centre,
                        filing_in_force=in_force)
