"""Institutions API: the registry, scoped to the caller; writes go through services."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from sanguan.api import AUTH
from sanguan.core.errors import NotFound

from . import selectors, services
from .errors import InstitutionsErrorCode
from .models import CentreFiling, LearningCentre, University

router = Router(tags=["institutions"], auth=AUTH)


class UniversityOut(Schema):
    id: int
    name: str
    institution_code: str
    institution_id: str
    province: str
    is_pilot: bool

    @staticmethod
    def resolve_province(obj: University) -> str:
        return obj.province_id


class UniversityIn(Schema):
    name: str
    institution_code: str
    institution_id: str
    province_code: str
    is_pilot: bool = False
    website: str = ""


class CentreOut(Schema):
    id: int
    university_id: int
    code: str
    name: str
    track: str
    kind: str
    host_province: str
    city: str
    address: str
    status: str
    is_disclosed: bool
    disclosed_on: dt.date | None
    agreement_signed_on: dt.date | None

    @staticmethod
    def resolve_host_province(obj: LearningCentre) -> str:
        return obj.host_province_id


class CentreIn(Schema):
    code: str
    name: str
    host_province_code: str
    address: str
    kind: str = LearningCentre.Kind.PARTNER
    track: str = "CONTINUING"
    city: str = ""
    host_org_name: str = ""
    host_org_uscc: str = ""
    area_m2: int = 0
    seats: int = 0
    staff_count: int = 0
    equipment: str = ""


class StatusIn(Schema):
    status: str


class DiscloseIn(Schema):
    on: dt.date | None = None


class FilingIn(Schema):
    cycle_year: int
    filed_status: str


class FilingDecisionIn(Schema):
    accept: bool


class FilingOut(Schema):
    id: int
    centre_id: int
    province: str
    cycle_year: int
    filed_status: str
    decision: str
    submitted_on: dt.date
    decided_on: dt.date | None
    valid_until: dt.date | None

    @staticmethod
    def resolve_province(obj: CentreFiling) -> str:
        return obj.province_id


def _university(request: HttpRequest, pk: int) -> University:
    university = selectors.universities_visible_to(user=request.user).filter(pk=pk).first()
    if university is None:
        raise NotFound(InstitutionsErrorCode.INVALID_VALUE, "No such university.")
    return university


def _centre(request: HttpRequest, pk: int) -> LearningCentre:
    centre = selectors.centres_visible_to(user=request.user).filter(pk=pk).first()
    if centre is None:
        raise NotFound(InstitutionsErrorCode.INVALID_VALUE, "No such centre.")
    return centre


@router.get("/universities", response=list[UniversityOut])
def list_universities(request: HttpRequest):
    return list(selectors.universities_visible_to(user=request.user))


@router.post("/universities", response={201: UniversityOut})
def create_university(request: HttpRequest, payload: UniversityIn):
    return 201, services.university_create(actor=request.user, **payload.dict())


@router.get("/centres", response=list[CentreOut])
def list_centres(request: HttpRequest, university_id: int | None = None):
    university = _university(request, university_id) if university_id else None
    return list(selectors.centres_visible_to(user=request.user, university=university))


@router.post("/universities/{university_id}/centres", response={201: CentreOut})
def create_centre(request: HttpRequest, university_id: int, payload: CentreIn):
    university = _university(request, university_id)
    return 201, services.centre_create(actor=request.user, university=university, **payload.dict())


@router.post("/centres/{centre_id}/status", response=CentreOut)
def set_centre_status(request: HttpRequest, centre_id: int, payload: StatusIn):
    return services.centre_set_status(actor=request.user, centre=_centre(request, centre_id), status=payload.status)


@router.post("/centres/{centre_id}/disclose", response=CentreOut)
def disclose_centre(request: HttpRequest, centre_id: int, payload: DiscloseIn):
    return services.centre_disclose(actor=request.user, centre=_centre(request, centre_id), on=payload.on)


@router.post("/centres/{centre_id}/filings", response={201: FilingOut})
def submit_filing(request: HttpRequest, centre_id: int, payload: FilingIn):
    filing = services.filing_submit(actor=request.user, centre=_centre(request, centre_id), **payload.dict())
    return 201, filing


@router.post("/filings/{filing_id}/decision", response=FilingOut)
def decide_filing(request: HttpRequest, filing_id: int, payload: FilingDecisionIn):
    filing = CentreFiling.objects.select_related("centre__university").filter(pk=filing_id).first()
    if filing is None or not selectors.centres_visible_to(user=request.user).filter(pk=filing.centre_id).exists():
        raise NotFound(InstitutionsErrorCode.INVALID_VALUE, "No such filing.")
    return services.filing_decide(actor=request.user, filing=filing, accept=payload.accept)
