"""Every change to sanctions: issue and lift. Each checks policy, validates, writes and
appends its audit event in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.accounts.models import Role
from sanguan.audit import services as audit
from sanguan.core.errors import ApplicationError, Conflict
from sanguan.institutions.models import Authority, Major, University

from .errors import SupervisionErrorCode as Code
from .models import Sanction


def _issuing_authority(actor: Any, university: University) -> Authority | None:
    """The department in whose name ``actor`` acts: the province's own when the actor regulates
    the university's province, else the Ministry."""
    memberships = policy.memberships_for(actor, "sanctions.issue")
    for m in memberships:
        if m.role == Role.PROVINCE_REGULATOR and m.province_id == university.province_id:
            return m.authority or Authority.objects.filter(province_id=m.province_id).first()
    for m in memberships:
        if m.role == Role.NATIONAL_REGULATOR:
            return m.authority or Authority.objects.filter(kind=Authority.Kind.MINISTRY).first()
    return None


def _validate(
    *,
    university: University,
    major: Major | None,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    limit: int | None,
    reason: str,
) -> None:
    if kind not in Sanction.Kind.values:
        raise ApplicationError(Code.SANCTION_INVALID_KIND, _("Unknown kind of sanction."), {"kind": kind})
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError(
            Code.SANCTION_INVALID_PERIOD,
            _("The sanction cannot end ({ends_on}) before it starts ({starts_on}).").format(
                ends_on=ends_on.isoformat(), starts_on=starts_on.isoformat()
            ),
        )
    if kind == Sanction.Kind.ENROLMENT_LIMITED:
        if limit is None:
            raise ApplicationError(
                Code.SANCTION_LIMIT_REQUIRED, _("An enrolment limitation needs the maximum number of new admissions.")
            )
        if limit < 1:
            raise ApplicationError(
                Code.SANCTION_LIMIT_INVALID,
                _("The admission limit must be at least 1; suspend enrolment to admit nobody."),
                {"limit": limit},
            )
    elif limit is not None:
        raise ApplicationError(
            Code.SANCTION_LIMIT_NOT_ALLOWED, _("Only an enrolment limitation carries an admission limit.")
        )
    if major is not None and major.university_id != university.pk:
        raise ApplicationError(
            Code.SANCTION_MAJOR_NOT_OF_UNIVERSITY,
            _("The major does not belong to this university."),
            {"major_id": major.pk, "university_id": university.pk},
        )
    if not reason.strip():
        raise ApplicationError(Code.SANCTION_REASON_REQUIRED, _("Give the reason for the sanction."))


@transaction.atomic
def sanction_issue(
    *,
    actor: Any,
    university: University,
    major: Major | None = None,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    limit: int | None = None,
    reason: str,
) -> Sanction:
    """Issue a sanction (Art. 18) on a university, or on one of its majors.

    A national regulator may sanction any university; a province regulator only the
    universities of its province."""
    policy.require(actor, "sanctions.issue", Sanction(university=university, major=major))
    _validate(
        university=university,
        major=major,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        limit=limit,
        reason=reason,
    )
    sanction = Sanction.objects.create(
        kind=kind,
        university=university,
        major=major,
        starts_on=starts_on,
        ends_on=ends_on,
        limit=limit,
        reason=reason.strip(),
        authority=_issuing_authority(actor, university),
        issued_by=actor,
    )
    audit.record(
        actor=actor,
        action="sanctions.issued",
        target=sanction,
        data={
            "sanction_id": sanction.pk,
            "university_id": university.pk,
            "major_id": major.pk if major is not None else None,
            "kind": kind,
        },
    )
    return sanction


@transaction.atomic
def sanction_lift(*, actor: Any, sanction: Sanction, reason: str) -> Sanction:
    """Lift a sanction before its end; it stays on record with who lifted it, when and why."""
    policy.require(actor, "sanctions.lift", sanction)
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if sanction.is_lifted:
        raise Conflict(Code.SANCTION_ALREADY_LIFTED, _("This sanction has already been lifted."))
    if not reason.strip():
        raise ApplicationError(Code.SANCTION_REASON_REQUIRED, _("Give the reason for lifting the sanction."))
    sanction.lifted_at = timezone.now()
    sanction.lifted_by = actor
    sanction.lift_reason = reason.strip()
    sanction.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="sanctions.lifted",
        target=sanction,
        data={"sanction_id": sanction.pk, "university_id": sanction.university_id},
    )
    return sanction
