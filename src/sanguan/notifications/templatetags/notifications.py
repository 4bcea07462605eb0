"""The navbar's unread badge: one COUNT query per page, for signed-in users only."""

from __future__ import annotations

from django import template

from sanguan.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)
