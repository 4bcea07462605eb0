"""Reads: a person sees only their own notifications; anybody else's are "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanguan.core.errors import NotFound

from .errors import NotificationsErrorCode as Code
from .models import Notification


def notifications_of(*, user: Any) -> QuerySet[Notification]:
    """The user's notifications, newest first (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(*, user: Any) -> int:
    """One COUNT over the partial index of unread rows."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def access_notification(user: Any, pk: Any, *, for_update: bool = False) -> Notification:
    """The user's notification ``pk``; missing and somebody else's are the same "not found"."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    qs = notifications_of(user=user)
    if for_update:
        qs = qs.select_for_update()
    row = qs.filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise NotFound(Code.NOT_FOUND, _("No such notification."))
    return row
