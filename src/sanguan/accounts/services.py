"""Every write to users, memberships and API tokens."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanguan.audit import services as audit
from sanguan.core.errors import ApplicationError, Conflict, NotFound
from sanguan.institutions.models import LearningCentre, Province, University

from . import policy
from .errors import AccountsErrorCode
from .models import ROLE_SCOPE, ApiToken, Membership, Role, ScopeKind, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str, display_name: str = "", email: str = "", check_password: bool = True
) -> User:
    """A new account with no role; roles come with ``membership_grant``. ``email`` (optional)
    is where notifications are mailed."""
    policy.require(actor, "accounts.manage_university_users")
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ApplicationError(
            AccountsErrorCode.USERNAME_INVALID,
            _("A username has 3 to 150 letters, digits or the characters _ . @ + -."),
        )
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(AccountsErrorCode.USERNAME_TAKEN, _("This username is already taken."))
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(AccountsErrorCode.EMAIL_INVALID, _("This is not a valid e-mail address.")) from None
    user = User(username=username, display_name=display_name.strip(), email=email)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(
                AccountsErrorCode.PASSWORD_WEAK,
                _("The password is too weak."),
                {"reasons": [str(m) for m in exc.messages]},
            ) from None
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="accounts.user_created", target=user)
    return user


def _anchor_for(
    role: str, *, province: Province | None, university: University | None, centre: LearningCentre | None
) -> dict[str, Any]:
    kind = ROLE_SCOPE[role]
    if kind == ScopeKind.NATIONAL:
        if province or university or centre:
            raise ApplicationError(
                AccountsErrorCode.MEMBERSHIP_ANCHOR, _("A national role takes no province, university or centre.")
            )
        return {}
    if kind == ScopeKind.PROVINCE:
        if province is None or university or centre:
            raise ApplicationError(
                AccountsErrorCode.MEMBERSHIP_ANCHOR, _("A province regulator needs exactly one province.")
            )
        return {"province": province}
    if kind == ScopeKind.CENTRE:
        if centre is None:
            raise ApplicationError(AccountsErrorCode.MEMBERSHIP_ANCHOR, _("Learning-centre staff need a centre."))
        if university is not None and university.pk != centre.university_id:
            raise ApplicationError(
                AccountsErrorCode.MEMBERSHIP_ANCHOR, _("The centre does not belong to this university.")
            )
        return {"centre": centre, "university": centre.university}
    if university is None or province or centre:
        raise ApplicationError(AccountsErrorCode.MEMBERSHIP_ANCHOR, _("This role needs exactly one university."))
    return {"university": university}


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    province: Province | None = None,
    university: University | None = None,
    centre: LearningCentre | None = None,
) -> Membership:
    """Give ``user`` a role in a scope. University administrators may grant university and
    centre roles inside their own university; everything else needs a system administrator."""
    if role not in Role.values:
        raise ApplicationError(AccountsErrorCode.MEMBERSHIP_ANCHOR, _("Unknown role."), {"role": role})
    anchor = _anchor_for(role, province=province, university=university, centre=centre)
    if ROLE_SCOPE[role] in (ScopeKind.UNIVERSITY, ScopeKind.CENTRE, ScopeKind.SELF) and role != Role.UNIVERSITY_ADMIN:
        policy.require(actor, "accounts.manage_university_users", anchor.get("centre") or anchor["university"])
    else:
        policy.require(actor, "accounts.manage_users")
    if Membership.objects.filter(user=user, role=role, is_active=True, **anchor).exists():
        raise Conflict(AccountsErrorCode.MEMBERSHIP_DUPLICATE, _("The user already holds this role here."))
    membership = Membership.objects.create(user=user, role=role, **anchor)
    if role == Role.SYSTEM_ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit.record(
        actor=actor,
        action="accounts.membership_granted",
        target=membership,
        data={"user": user.pk, "role": role, **{k: v.pk for k, v in anchor.items()}},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> Membership:
    if membership.role in (Role.SYSTEM_ADMIN, Role.NATIONAL_REGULATOR, Role.PROVINCE_REGULATOR, Role.UNIVERSITY_ADMIN):
        policy.require(actor, "accounts.manage_users")
    else:
        policy.require(actor, "accounts.manage_university_users", membership.centre or membership.university)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(actor=actor, action="accounts.membership_revoked", target=membership)
    return membership


@transaction.atomic
def api_token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for the actor; the raw value is returned once and never stored."""
    policy.require(actor, "accounts.manage_own_tokens")
    name = (name or "").strip()
    if not name:
        raise ApplicationError(AccountsErrorCode.TOKEN_NAME_REQUIRED, _("Give the token a name."))
    raw = "sg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name[:64], digest=ApiToken.digest_of(raw), prefix=raw[:8])
    audit.record(actor=actor, action="accounts.token_created", target=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token_id: int) -> ApiToken:
    policy.require(actor, "accounts.manage_own_tokens")
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(AccountsErrorCode.TOKEN_NOT_FOUND, _("No such token."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="accounts.token_revoked", target=token)
    return token
