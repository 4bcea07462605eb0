from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _


def render_param(value: Any) -> Any:
    """A parameter in the reader's language: a ``{"msgid": ..., "context": ...}`` mapping is a
    translatable term (a choice's label); anything else is data (a course name, a student
    number) and is shown as stored, so a name that happens to be a msgid stays a name."""
    if isinstance(value, dict) and isinstance(value.get("msgid"), str):
        context = value.get("context")
        return pgettext(context, value["msgid"]) if context else gettext(value["msgid"])
    return value


def render(msgid: str, params: dict[str, Any]) -> str:
    """Translate a stored msgid and fill in its parameters; a parameter missing from the
    stored row leaves the message untranslated-but-readable rather than failing the page."""
    translated = {k: render_param(v) for k, v in (params if isinstance(params, dict) else {}).items()}
    try:
        return gettext(msgid).format(**translated)
    except (KeyError, IndexError, ValueError):
        return gettext(msgid)


class Notification(models.Model):
    """One message to one person: shown in their inbox, and mailed when they have an address.

    ``title`` and ``body`` are English msgids with ``{name}`` placeholders filled from
    ``params`` when read, so each reader sees their own language. ``link`` is a path inside
    the site (never another host)."""

    class EmailStatus(models.TextChoices):
        PENDING = "PENDING", _("Waiting to be sent")
        SENT = "SENT", _("Sent")
        FAILED = "FAILED", _("Sending failed")
        NO_ADDRESS = "NO_ADDRESS", _("No e-mail address")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)  # sends tried, failed ones included

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_inbox"),
            # The navbar badge counts these on every page.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notif_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def rendered_title(self) -> str:
        return render(self.title, self.params)

    def rendered_body(self) -> str:
        return render(self.body, self.params)
