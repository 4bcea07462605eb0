from __future__ import annotations

from enum import Enum


class NotificationsErrorCode(Enum):
    NOT_FOUND = "NOTIFICATION_NOT_FOUND"
    LINK_INVALID = "NOTIFICATION_LINK_INVALID"
    KIND_REQUIRED = "NOTIFICATION_KIND_REQUIRED"
