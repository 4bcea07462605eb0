from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanguan.core.models import TimeStampedModel
from sanguan.institutions.models import Authority, Major, University


class Sanction(TimeStampedModel):
    """A sanction of Art. 18 on a university, or on one of its majors.

    In force on a day from ``starts_on`` to ``ends_on`` (open-ended when empty), until it is
    lifted. Rows are never deleted: lifting records who, when and why."""

    class Kind(models.TextChoices):
        # "sanction" context: the notice's terms (责令限期整改 / 通报批评 / 限制招生 / 暂停招生),
        # which differ from a centre's status "Enrolment suspended" (停止招生).
        RECTIFICATION_ORDER = "RECTIFICATION_ORDER", pgettext_lazy("sanction", "Rectification order")
        PUBLIC_REPRIMAND = "PUBLIC_REPRIMAND", pgettext_lazy("sanction", "Public reprimand")
        ENROLMENT_LIMITED = "ENROLMENT_LIMITED", pgettext_lazy("sanction", "Enrolment limited")
        ENROLMENT_SUSPENDED = "ENROLMENT_SUSPENDED", pgettext_lazy("sanction", "Enrolment suspended")

    RESTRICTIVE_KINDS = (Kind.ENROLMENT_LIMITED, Kind.ENROLMENT_SUSPENDED)

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    university = models.ForeignKey(
        University, on_delete=models.PROTECT, related_name="sanctions", verbose_name=_("university")
    )
    major = models.ForeignKey(
        Major, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions", verbose_name=_("major")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    limit = models.PositiveIntegerField(_("admission limit"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanctions",
        verbose_name=_("issuing authority"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sanctions_issued",
        verbose_name=_("issued by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanctions_lifted",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [models.Index(fields=["university", "starts_on"], name="sanction_university_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="sanction_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="ENROLMENT_LIMITED") & models.Q(limit__isnull=False))
                | (~models.Q(kind="ENROLMENT_LIMITED") & models.Q(limit__isnull=True)),
                name="sanction_limit_iff_limited",
            ),
        ]

    def __str__(self) -> str:
        target = self.major or self.university
        return f"{self.get_kind_display()} · {target}"

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None

    def is_in_force(self, day: dt.date) -> bool:
        if self.starts_on > day:
            return False
        if self.ends_on is not None and self.ends_on < day:
            return False
        return self.lifted_at is None or timezone.localdate(self.lifted_at) > day
