from __future__ import annotations

from django.utils import timezone

from .models import ApiToken, User


def user_for_api_token(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token as used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
