"""Every write to the institution registry: universities, majors, centres and their filings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.audit import services as audit
from sanguan.codes.errors import CodeError
from sanguan.codes.validators import (
    validate_catalogue_code,
    validate_institution_code,
    validate_institution_id,
    validate_province_code,
    validate_uscc,
)
from sanguan.core.errors import ApplicationError, Conflict

from .errors import InstitutionsErrorCode
from .models import CentreFiling, LearningCentre, Level, Major, Province, Track, University


def _code(fn, *args, **kwargs):
    """A code validator's result, its ``CodeError`` turned into an ``ApplicationError``."""
    try:
        return fn(*args, **kwargs)
    except CodeError as exc:
        raise ApplicationError(
            InstitutionsErrorCode.INVALID_CODE, exc.message, {"field_code": exc.code, **exc.extra}
        ) from None


def _province(code: str) -> Province:
    two = _code(validate_province_code, code)
    try:
        return Province.objects.get(code=two)
    except Province.DoesNotExist:
        raise ApplicationError(InstitutionsErrorCode.UNKNOWN_PROVINCE, _("Unknown province.")) from None


def _required(**fields: str) -> None:
    for name, value in fields.items():
        if not (value or "").strip():
            raise ApplicationError(InstitutionsErrorCode.FIELD_REQUIRED, _("This field is required."), {"field": name})


def filing_validity_years() -> int:
    return int(getattr(settings, "SANGUAN_FILING_VALIDITY_YEARS", 3))


@transaction.atomic
def university_create(
    *,
    actor: Any,
    name: str,
    institution_code: str,
    institution_id: str,
    province_code: str,
    is_pilot: bool = False,
    website: str = "",
    tuition_account: str = "",
) -> University:
    """Register a university; the 10-digit identifier must end with the school code and name its province."""
    policy.require(actor, "institutions.manage_university")
    _required(name=name)
    province = _province(province_code)
    code = _code(validate_institution_code, institution_code)
    ident = _code(validate_institution_id, institution_id, institution_code=code, province_code=province.code)
    clash = (
        University.objects.filter(name=name.strip())
        | University.objects.filter(institution_code=code)
        | University.objects.filter(institution_id=ident)
    )
    if clash.exists():
        raise Conflict(
            InstitutionsErrorCode.DUPLICATE_UNIVERSITY,
            _("A university with this name, school code or identifier already exists."),
        )
    university = University.objects.create(
        name=name.strip(),
        institution_code=code,
        institution_id=ident,
        province=province,
        is_pilot=is_pilot,
        website=website.strip(),
        tuition_account=tuition_account.strip(),
    )
    audit.record(
        actor=actor,
        action="institutions.university_created",
        target=university,
        data={"institution_code": code, "province": province.code},
    )
    return university


@transaction.atomic
def major_create(
    *, actor: Any, university: University, catalogue_code: str, name: str, level: str, track: str = Track.CONTINUING
) -> Major:
    policy.require(actor, "institutions.manage_major", university)
    _required(name=name)
    if level not in Level.values:
        raise ApplicationError(InstitutionsErrorCode.INVALID_VALUE, _("Unknown level."), {"field": "level"})
    if track not in Track.values:
        raise ApplicationError(InstitutionsErrorCode.INVALID_VALUE, _("Unknown track."), {"field": "track"})
    code = _code(validate_catalogue_code, catalogue_code, level=level)
    if Major.objects.filter(university=university, catalogue_code=code, level=level, track=track).exists():
        raise Conflict(InstitutionsErrorCode.DUPLICATE_MAJOR, _("This major is already registered at this level."))
    major = Major.objects.create(
        university=university, catalogue_code=code, name=name.strip(), level=level, track=track
    )
    audit.record(
        actor=actor,
        action="institutions.major_created",
        target=major,
        data={"university": university.pk, "catalogue_code": code, "level": level},
    )
    return major


@transaction.atomic
def centre_create(
    *,
    actor: Any,
    university: University,
    code: str,
    name: str,
    host_province_code: str,
    address: str,
    kind: str = LearningCentre.Kind.PARTNER,
    track: str = Track.CONTINUING,
    city: str = "",
    host_org_name: str = "",
    host_org_uscc: str = "",
    area_m2: int = 0,
    seats: int = 0,
    staff_count: int = 0,
    equipment: str = "",
) -> LearningCentre:
    """Register a learning centre / off-campus site. It starts PLANNED: it operates only when
    the university says so, and it is public only once disclosed."""
    policy.require(actor, "institutions.manage_centre", university)
    _required(code=code, name=name, address=address)
    if kind not in LearningCentre.Kind.values:
        raise ApplicationError(InstitutionsErrorCode.INVALID_VALUE, _("Unknown centre kind."), {"field": "kind"})
    if track not in Track.values:
        raise ApplicationError(InstitutionsErrorCode.INVALID_VALUE, _("Unknown track."), {"field": "track"})
    if kind == LearningCentre.Kind.PARTNER:
        _required(host_org_name=host_org_name, host_org_uscc=host_org_uscc)
    uscc = _code(validate_uscc, host_org_uscc) if host_org_uscc.strip() else ""
    for field, value in (("area_m2", area_m2), ("seats", seats), ("staff_count", staff_count)):
        if int(value) < 0:
            raise ApplicationError(
                InstitutionsErrorCode.INVALID_VALUE, _("This number cannot be negative."), {"field": field}
            )
    host = _province(host_province_code)
    if LearningCentre.objects.filter(university=university, code=code.strip()).exists():
        raise Conflict(
            InstitutionsErrorCode.DUPLICATE_CENTRE, _("This university already has a centre with this code.")
        )
    try:
        with transaction.atomic():
            centre = LearningCentre.objects.create(
                university=university,
                code=code.strip(),
                name=name.strip(),
                host_province=host,
                city=city.strip(),
                kind=kind,
                track=track,
                host_org_name=host_org_name.strip(),
                host_org_uscc=uscc,
                address=address.strip(),
                area_m2=area_m2,
                seats=seats,
                staff_count=staff_count,
                equipment=equipment,
            )
    except IntegrityError:
        raise Conflict(
            InstitutionsErrorCode.DUPLICATE_CENTRE, _("This university already has a centre with this code.")
        ) from None
    audit.record(
        actor=actor,
        action="institutions.centre_created",
        target=centre,
        data={"university": university.pk, "host_province": host.code, "kind": kind, "track": track},
    )
    return centre


@transaction.atomic
def centre_set_status(*, actor: Any, centre: LearningCentre, status: str) -> LearningCentre:
    policy.require(actor, "institutions.manage_centre", centre)
    if status not in LearningCentre.Status.values:
        raise ApplicationError(InstitutionsErrorCode.INVALID_VALUE, _("Unknown centre status."), {"field": "status"})
    centre = LearningCentre.objects.select_for_update().get(pk=centre.pk)
    previous = centre.status
    centre.status = status
    centre.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action="institutions.centre_status_changed", target=centre, data={"from": previous, "to": status}
    )
    return centre


@transaction.atomic
def centre_disclose(*, actor: Any, centre: LearningCentre, on: dt.date | None = None) -> LearningCentre:
    """Publish the centre on the public portal (Art. 7: conditions disclosed to the public)."""
    policy.require(actor, "institutions.disclose_centre", centre)
    centre = LearningCentre.objects.select_for_update().get(pk=centre.pk)
    if centre.status == LearningCentre.Status.CLOSED:
        raise ApplicationError(InstitutionsErrorCode.CENTRE_CLOSED, _("A closed centre cannot be disclosed."))
    centre.is_disclosed = True
    centre.disclosed_on = on or timezone.localdate()
    centre.save(update_fields=["is_disclosed", "disclosed_on", "updated_at"])
    audit.record(
        actor=actor, action="institutions.centre_disclosed", target=centre, data={"on": centre.disclosed_on.isoformat()}
    )
    return centre


@transaction.atomic
def centre_record_agreement(
    *, actor: Any, centre: LearningCentre, signed_on: dt.date, reference: str
) -> LearningCentre:
    """The signed agreement with a partner host organisation."""
    policy.require(actor, "institutions.manage_centre", centre)
    _required(reference=reference)
    if signed_on > timezone.localdate():
        raise ApplicationError(
            InstitutionsErrorCode.INVALID_VALUE, _("The signing date is in the future."), {"field": "signed_on"}
        )
    centre = LearningCentre.objects.select_for_update().get(pk=centre.pk)
    centre.agreement_signed_on = signed_on
    centre.agreement_reference = reference.strip()
    centre.save(update_fields=["agreement_signed_on", "agreement_reference", "updated_at"])
    audit.record(
        actor=actor,
        action="institutions.centre_agreement_recorded",
        target=centre,
        data={"signed_on": signed_on.isoformat()},
    )
    return centre


@transaction.atomic
def filing_submit(
    *, actor: Any, centre: LearningCentre, cycle_year: int, filed_status: str, submitted_on: dt.date | None = None
) -> CentreFiling:
    """The university files the centre with the province where it is located."""
    policy.require(actor, "institutions.submit_filing", centre)
    if filed_status not in CentreFiling.Filed.values:
        raise ApplicationError(
            InstitutionsErrorCode.INVALID_VALUE, _("Unknown filing status."), {"field": "filed_status"}
        )
    if not 2000 <= int(cycle_year) <= 2100:
        raise ApplicationError(
            InstitutionsErrorCode.INVALID_VALUE, _("Implausible filing year."), {"field": "cycle_year"}
        )
    if CentreFiling.objects.filter(centre=centre, cycle_year=cycle_year).exists():
        raise Conflict(InstitutionsErrorCode.DUPLICATE_FILING, _("This centre is already filed for this cycle."))
    filing = CentreFiling.objects.create(
        centre=centre,
        province_id=centre.host_province_id,
        cycle_year=cycle_year,
        filed_status=filed_status,
        submitted_on=submitted_on or timezone.localdate(),
    )
    audit.record(
        actor=actor,
        action="institutions.filing_submitted",
        target=filing,
        data={"centre": centre.pk, "cycle_year": cycle_year, "filed_status": filed_status},
    )
    return filing


@transaction.atomic
def filing_decide(*, actor: Any, filing: CentreFiling, accept: bool, decided_on: dt.date | None = None) -> CentreFiling:
    """The host province accepts or rejects a filing; an accepted one is valid three years
    (``SANGUAN_FILING_VALIDITY_YEARS``)."""
    policy.require(actor, "institutions.decide_filing", policy.Scope(provinces=frozenset({filing.province_id})))
    filing = CentreFiling.objects.select_for_update().get(pk=filing.pk)
    if filing.decision != CentreFiling.Decision.PENDING:
        raise Conflict(InstitutionsErrorCode.FILING_ALREADY_DECIDED, _("This filing has already been decided."))
    day = decided_on or timezone.localdate()
    filing.decision = CentreFiling.Decision.ACCEPTED if accept else CentreFiling.Decision.REJECTED
    filing.decided_on = day
    if accept:
        try:
            filing.valid_until = day.replace(year=day.year + filing_validity_years()) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            filing.valid_until = day.replace(year=day.year + filing_validity_years(), day=28)
    filing.save(update_fields=["decision", "decided_on", "valid_until", "updated_at"])
    audit.record(
        actor=actor,
        action="institutions.filing_decided",
        target=filing,
        data={"accept": accept, "decided_on": day.isoformat()},
    )
    return filing
