from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanguan.institutions.models import LearningCentre, University

from .registry import Severity, article_title, get_rule


def _render_param(value: Any) -> Any:
    """A parameter in the reader's language: a string is a msgid (a choice's label) or data
    (names, dates: gettext leaves them unchanged); a ``{"msgid": ..., "params": {...}}`` mapping
    is a nested message, such as an intake's year and season (see ``registry.message``)."""
    if isinstance(value, str) and value:
        return gettext(value)
    if isinstance(value, dict) and isinstance(value.get("msgid"), str):
        return _render(value["msgid"], value.get("params") or {})
    return value


def _render(msgid: str, params: dict[str, Any]) -> str:
    """Translate a stored msgid and its parameters (rules store English msgids, such as a
    choice's label, and the data that fills them; see ``_render_param``)."""
    if not isinstance(params, dict):
        params = {}
    translated = {k: _render_param(v) for k, v in params.items()}
    try:
        return gettext(msgid).format(**translated)
    except (KeyError, IndexError, ValueError):
        return gettext(msgid)


class Finding(models.Model):
    """A violation found by a rule, about one subject row, with evidence and a lifecycle.

    At most one finding per rule and subject is active (not verified): a run that detects
    the violation again updates it. A violation no longer detected is flagged
    (``no_longer_detected_at``), never closed by the runner: people verify rectification.
    """

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        RECTIFYING = "RECTIFYING", _("Rectifying")
        RECTIFIED = "RECTIFIED", _("Rectified")
        VERIFIED = "VERIFIED", _("Verified")

    rule_code = models.CharField(_("rule"), max_length=32, db_index=True)
    article = models.PositiveSmallIntegerField(_("article"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    university = models.ForeignKey(
        University,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compliance_findings",
        verbose_name=_("university"),
    )
    centre = models.ForeignKey(
        LearningCentre,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compliance_findings",
        verbose_name=_("learning centre"),
    )
    # Invariant: the supervising provinces' codes, comma-delimited on both ends (",42,44,"),
    # so that a province regulator's scope is one ``contains`` lookup on any database.
    province_codes = models.CharField(max_length=200, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=300)
    summary_params = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    first_detected_at = models.DateTimeField(_("first detected at"))
    last_detected_at = models.DateTimeField(_("last detected at"))
    no_longer_detected_at = models.DateTimeField(_("no longer detected since"), null=True, blank=True)

    class Meta:
        ordering = ["article", "rule_code", "-first_detected_at", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["status", "article"], name="finding_status_article"),
            models.Index(fields=["subject_type", "subject_id"], name="finding_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "subject_type", "subject_id"],
                condition=~models.Q(status="VERIFIED"),
                name="one_active_finding_per_rule_and_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} #{self.pk}"

    @property
    def provinces(self) -> list[str]:
        return [code for code in self.province_codes.split(",") if code]

    @staticmethod
    def encode_provinces(codes: Any) -> str:
        codes = sorted({str(c) for c in codes if c})
        return f",{','.join(codes)}," if codes else ""

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language."""
        return _render(self.summary, self.summary_params)

    @property
    def evidence_items(self) -> list[dict[str, str]]:
        """Evidence with labels and values in the reader's language."""
        return [
            {
                "label": _render(item.get("label", ""), item.get("params", {})),
                "url": item.get("url", ""),
                "value": gettext(item["value"]) if item.get("value") else "",
            }
            for item in self.evidence
        ]

    @property
    def rule(self):
        return get_rule(self.rule_code)

    @property
    def article_title(self) -> str:
        return article_title(self.article)

    @property
    def is_still_detected(self) -> bool:
        return self.no_longer_detected_at is None

    @property
    def detected_after_rectification(self) -> bool:
        """Marked rectified, yet the rules detected the violation again since."""
        return (
            self.status == self.Status.RECTIFIED
            and self.is_still_detected
            and self.last_detected_at > self.status_changed_at
        )


class FindingEvent(models.Model):
    """The finding's history: detections by the runner and transitions by people."""

    class Kind(models.TextChoices):
        DETECTED = "DETECTED", _("Detected")
        NO_LONGER_DETECTED = "NO_LONGER_DETECTED", _("No longer detected")
        DETECTED_AGAIN = "DETECTED_AGAIN", _("Detected again")
        TRANSITION = "TRANSITION", _("Status changed")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Finding.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Finding.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")

    def __str__(self) -> str:
        return f"{self.finding} {self.kind}"
