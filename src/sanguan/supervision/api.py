"""Sanctions over HTTP: list, issue, lift. Translates HTTP to selectors and services only."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from sanguan.api import AUTH
from sanguan.core.errors import NotFound
from sanguan.institutions.models import Major, University

from . import selectors, services
from .errors import SupervisionErrorCode as Code
from .models import Sanction

router = Router(auth=AUTH, tags=["supervision"])


class SanctionOut(Schema):
    id: int
    kind: str
    university_id: int
    major_id: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    limit: int | None
    reason: str
    authority_id: int | None
    issued_by_id: int
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lifted_by_id: int | None
    lift_reason: str
    in_force_today: bool

    @staticmethod
    def resolve_in_force_today(obj: Sanction) -> bool:
        return obj.is_in_force(timezone.localdate())


class SanctionIn(Schema):
    university_id: int
    major_id: int | None = None
    kind: Sanction.Kind
    starts_on: dt.date
    ends_on: dt.date | None = None
    limit: int | None = None
    reason: str


class LiftIn(Schema):
    reason: str


@router.get("/sanctions", response=list[SanctionOut])
def sanction_list(
    request: HttpRequest,
    university_id: int | None = None,
    kind: Sanction.Kind | None = None,
    in_force_on: dt.date | None = None,
):
    filters = {"university_id": university_id, "kind": kind, "in_force_on": in_force_on}
    return list(selectors.sanctions_visible_to(user=request.user, filters=filters))


@router.post("/sanctions", response={201: SanctionOut})
def sanction_issue(request: HttpRequest, payload: SanctionIn):
    university = University.objects.filter(pk=payload.university_id).first()
    if university is None:
        raise NotFound(Code.UNIVERSITY_NOT_FOUND, _("No such university."))
    major = None
    if payload.major_id is not None:
        major = Major.objects.filter(pk=payload.major_id).first()
        if major is None:
            raise NotFound(Code.MAJOR_NOT_FOUND, _("No such major."))
    sanction = services.sanction_issue(
        actor=request.user,
        university=university,
        major=major,
        kind=payload.kind,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        limit=payload.limit,
        reason=payload.reason,
    )
    return Status(201, sanction)


@router.post("/sanctions/{sanction_id}/lift", response=SanctionOut)
def sanction_lift(request: HttpRequest, sanction_id: int, payload: LiftIn):
    sanction = selectors.sanctions_visible_to(user=request.user).filter(pk=sanction_id).first()
    if sanction is None:
        raise NotFound(Code.SANCTION_NOT_FOUND, _("No such sanction."))
    return services.sanction_lift(actor=request.user, sanction=sanction, reason=payload.reason)
