from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanguan.core.models import TimeStampedModel


class Track(models.TextChoices):
    """Legacy online education (admitted up to spring 2022) or current higher continuing education."""

    LEGACY_ONLINE = "LEGACY_ONLINE", _("Online education (legacy)")
    CONTINUING = "CONTINUING", _("Higher continuing education")


class Level(models.TextChoices):
    HS_TO_ASSOCIATE = "HS_TO_ASSOCIATE", _("High school to associate (高起专)")
    HS_TO_BACHELOR = "HS_TO_BACHELOR", _("High school to bachelor (高起本)")
    ASSOCIATE_TO_BACHELOR = "ASSOCIATE_TO_BACHELOR", _("Associate to bachelor (专升本)")


class Province(models.Model):
    """A GB/T 2260 province-level division; ``code`` is its two leading digits."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=32)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name

    @property
    def division_code(self) -> str:
        return f"{self.code}0000"


class Authority(models.Model):
    """An education authority: the Ministry, a provincial department, or the XPCC's bureau
    (an organisation with no province code)."""

    class Kind(models.TextChoices):
        MINISTRY = "MINISTRY", _("Ministry of Education")
        PROVINCIAL = "PROVINCIAL", _("Provincial education department")
        XPCC = "XPCC", _("XPCC education bureau")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, unique=True)
    province = models.OneToOneField(Province, on_delete=models.PROTECT, null=True, blank=True, related_name="authority")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("education authority")
        verbose_name_plural = _("education authorities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="PROVINCIAL", province__isnull=False) | ~models.Q(kind="PROVINCIAL"),
                name="provincial_authority_has_province",
            )
        ]

    def __str__(self) -> str:
        return self.name


class University(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    institution_code = models.CharField(_("school code (学校代码)"), max_length=5, unique=True)
    institution_id = models.CharField(_("institution identifier (学校标识码)"), max_length=10, unique=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="universities", verbose_name=_("province")
    )
    is_pilot = models.BooleanField(_("online-education pilot university"), default=False)
    website = models.URLField(_("admissions website"), blank=True)
    tuition_account = models.CharField(_("university tuition account"), max_length=64, blank=True)

    class Meta:
        ordering = ["institution_code"]
        verbose_name = _("university")
        verbose_name_plural = _("universities")

    def __str__(self) -> str:
        return self.name


class Major(TimeStampedModel):
    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="majors")
    catalogue_code = models.CharField(_("catalogue code"), max_length=8)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, default=Track.CONTINUING)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["university", "catalogue_code", "level"]
        verbose_name = _("major")
        verbose_name_plural = _("majors")
        constraints = [
            models.UniqueConstraint(
                fields=["university", "catalogue_code", "level", "track"], name="unique_major_offering"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class LearningCentre(TimeStampedModel):
    """A learning centre (学习中心, legacy track) or off-campus teaching site (校外教学点): one model."""

    class Kind(models.TextChoices):
        OWN = "OWN", _("University-owned")
        PARTNER = "PARTNER", _("Partner-hosted")

    class Status(models.TextChoices):
        PLANNED = "PLANNED", _("Planned")
        OPERATING = "OPERATING", _("Operating")
        ENROLMENT_SUSPENDED = "ENROLMENT_SUSPENDED", _("Enrolment suspended")
        CLOSED = "CLOSED", _("Closed")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="centres")
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, default=Track.CONTINUING)
    code = models.CharField(_("centre code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    host_province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="hosted_centres")
    city = models.CharField(_("city"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PARTNER)
    host_org_name = models.CharField(_("host organisation"), max_length=100, blank=True)
    host_org_uscc = models.CharField(_("host organisation credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200)
    area_m2 = models.PositiveIntegerField(_("teaching area (m²)"), default=0)
    seats = models.PositiveIntegerField(_("seats"), default=0)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    equipment = models.TextField(_("equipment"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.PLANNED)
    is_disclosed = models.BooleanField(_("publicly disclosed"), default=False)
    disclosed_on = models.DateField(_("disclosed on"), null=True, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement_reference = models.CharField(_("agreement reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["university", "code"]
        verbose_name = _("learning centre / off-campus site")
        verbose_name_plural = _("learning centres / off-campus sites")
        constraints = [models.UniqueConstraint(fields=["university", "code"], name="unique_centre_code_per_university")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_out_of_province(self) -> bool:
        return self.host_province_id != self.university.province_id


class CentreFiling(TimeStampedModel):
    """A centre's annual filing (备案) with the province where it is located; valid three years."""

    class Filed(models.TextChoices):
        NEW = "NEW", _("New")
        RETAINED = "RETAINED", _("Retained")
        ENROLMENT_SUSPENDED = "ENROLMENT_SUSPENDED", _("Enrolment suspended")
        REVOKED = "REVOKED", _("Revoked")

    class Decision(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        ACCEPTED = "ACCEPTED", _("Accepted")
        REJECTED = "REJECTED", _("Rejected")

    centre = models.ForeignKey(LearningCentre, on_delete=models.PROTECT, related_name="filings")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="filings")
    cycle_year = models.PositiveSmallIntegerField(_("filing cycle"))
    filed_status = models.CharField(_("filed as"), max_length=24, choices=Filed.choices)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, default=Decision.PENDING)
    submitted_on = models.DateField(_("submitted on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-cycle_year", "centre"]
        verbose_name = _("centre filing")
        verbose_name_plural = _("centre filings")
        constraints = [models.UniqueConstraint(fields=["centre", "cycle_year"], name="one_filing_per_centre_and_cycle")]

    def __str__(self) -> str:
        return f"{self.centre} {self.cycle_year}"

    def is_in_force(self, day: dt.date) -> bool:
        return (
            self.decision == self.Decision.ACCEPTED
            and self.filed_status in (self.Filed.NEW, self.Filed.RETAINED)
            and self.valid_until is not None
            and self.decided_on is not None
            and self.decided_on <= day <= self.valid_until
        )
