"""Compliance rules on learning centres and off-campus sites (Art. 7 of the notice).

Each check yields one detection per centre in breach; texts are English msgids translated
when the finding is read."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from sanguan.compliance.registry import Detection, Evidence, RuleContext, RuleScope, Severity, rule

from .models import CentreFiling, LearningCentre


def centre_url(centre: LearningCentre) -> str:
    return f"/institutions/centres/{centre.pk}/"


def _about(centre: LearningCentre, summary: str, evidence: list[Evidence], **params: str) -> Detection:
    return Detection(
        subject=centre,
        summary=summary,
        summary_params={"centre": centre.name, "code": centre.code, "university": centre.university.name, **params},
        evidence=(Evidence(label=gettext_noop("Centre record"), url=centre_url(centre)), *evidence),
        university_id=centre.university_id,
        centre_id=centre.pk,
        provinces=frozenset({centre.university.province_id, centre.host_province_id}),
    )


@rule(
    code="CENTRE-001",
    article=7,
    severity=Severity.HIGH,
    scope=RuleScope.CENTRE,
    title=_("Out-of-province centre operating without a filing"),
    description=_(
        "A learning centre outside the university's province may operate only with an accepted filing in force "
        "with the province where it is located."
    ),
)
def out_of_province_centre_without_filing(context: RuleContext) -> Iterator[Detection]:
    centres = (
        LearningCentre.objects.filter(status=LearningCentre.Status.OPERATING)
        .exclude(host_province_id=F("university__province_id"))
        .select_related("university", "host_province")
        .prefetch_related(Prefetch("filings", queryset=CentreFiling.objects.order_by("-cycle_year")))
    )
    for centre in centres:
        host_filings = [f for f in centre.filings.all() if f.province_id == centre.host_province_id]
        if any(f.is_in_force(context.today) for f in host_filings):
            continue
        evidence = [
            Evidence(
                label=gettext_noop("Filing {year} with {province}: {filed}, {decision}, valid until {valid_until}"),
                url=f"{centre_url(centre)}#filing-{f.pk}",
                params={
                    "year": f.cycle_year,
                    "province": centre.host_province.name,
                    "filed": str(f.get_filed_status_display()),
                    "decision": str(f.get_decision_display()),
                    "valid_until": f.valid_until.isoformat() if f.valid_until else "—",
                },
            )
            for f in host_filings
        ] or [
            Evidence(
                label=gettext_noop("Filings with {province}"),
                value=gettext_noop("none on record"),
                params={"province": centre.host_province.name},
            )
        ]
        yield _about(
            centre,
            gettext_noop(
                "Centre {centre} ({code}) of {university} operates outside the university's province without an "
                "accepted filing in force with {host_province}."
            ),
            evidence,
            host_province=centre.host_province.name,
        )


@rule(
    code="CENTRE-002",
    article=7,
    severity=Severity.MEDIUM,
    scope=RuleScope.CENTRE,
    title=_("Operating centre not publicly disclosed"),
    description=_("Every operating learning centre must be disclosed to the public by its university."),
)
def operating_centre_not_disclosed(context: RuleContext) -> Iterator[Detection]:
    centres = LearningCentre.objects.filter(status=LearningCentre.Status.OPERATING, is_disclosed=False).select_related(
        "university"
    )
    for centre in centres:
        yield _about(
            centre,
            gettext_noop("Centre {centre} ({code}) of {university} operates but is not publicly disclosed."),
            [
                Evidence(label=gettext_noop("Status"), value=str(centre.get_status_display())),
                Evidence(label=gettext_noop("Publicly disclosed"), value=gettext_noop("No")),
            ],
        )


@rule(
    code="CENTRE-003",
    article=7,
    severity=Severity.HIGH,
    scope=RuleScope.CENTRE,
    title=_("Partner centre without a signed agreement"),
    description=_(
        "A centre hosted by a partner organisation needs a signed cooperation agreement on file with the university."
    ),
)
def partner_centre_without_agreement(context: RuleContext) -> Iterator[Detection]:
    centres = (
        LearningCentre.objects.filter(kind=LearningCentre.Kind.PARTNER, agreement_signed_on__isnull=True)
        .exclude(status=LearningCentre.Status.CLOSED)
        .select_related("university")
    )
    for centre in centres:
        yield _about(
            centre,
            gettext_noop("Partner centre {centre} ({code}) of {university} has no signed agreement on file."),
            [
                Evidence(label=gettext_noop("Host organisation"), value=centre.host_org_name or "—"),
                Evidence(label=gettext_noop("Agreement signed on"), value=gettext_noop("none on record")),
            ],
        )
