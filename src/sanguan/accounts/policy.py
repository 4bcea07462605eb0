"""The one place that answers "may this user do this action on this object?".

Two tables decide it:

* ``GRANTS``: which roles may perform each action (dotted ``app.verb`` names);
* the role's scope: a membership acts only on objects inside its anchor (a province, a
  university, a centre, or the member's own records). ``scope_of(obj)`` says where an
  object lies; apps register how to find that for their models with ``register_scope``.

The duties the notice reserves to the university (Art. 7) are ``RESERVED_DUTIES``. No
learning-centre role may hold them: the grant table is checked when this module loads,
extra grants from settings are checked the same way, and ``can`` refuses them again at
run time whatever the tables say.

Services call ``require``; views never decide permissions themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanguan.core.errors import PermissionDenied

from .models import Membership, Role, ScopeKind

SYS = Role.SYSTEM_ADMIN
NAT = Role.NATIONAL_REGULATOR
PROV = Role.PROVINCE_REGULATOR
UADM = Role.UNIVERSITY_ADMIN
ACAD = Role.ACADEMIC_STAFF
TEACH = Role.TEACHER
CTR = Role.CENTRE_STAFF
STU = Role.STUDENT

CENTRE_ROLES: frozenset[str] = frozenset({CTR})
REGULATOR_ROLES: frozenset[str] = frozenset({NAT, PROV})
UNIVERSITY_ROLES: frozenset[str] = frozenset({UADM, ACAD, TEACH})

# Art. 7: programme and course setting, admission, paper setting and marking, thesis
# defence, graduation and degree review stay with the university.
RESERVED_DUTIES: frozenset[str] = frozenset(
    {
        "programmes.define",
        "programmes.approve",
        "admissions.decide",
        "exams.set_paper",
        "exams.grade",
        "theses.defend",
        "graduation.review",
        "degrees.review",
    }
)


class PolicyErrorCode(Enum):
    PERMISSION_DENIED = "PERMISSION_DENIED"
    UNKNOWN_ACTION = "UNKNOWN_ACTION"


# action -> roles that may perform it, each within its own scope.
GRANTS: dict[str, frozenset[str]] = {
    # institutions
    "institutions.view": frozenset({SYS, NAT, PROV, UADM, ACAD, TEACH, CTR}),
    "institutions.manage_university": frozenset({SYS}),
    "institutions.manage_centre": frozenset({SYS, UADM}),
    "institutions.disclose_centre": frozenset({UADM}),
    "institutions.submit_filing": frozenset({UADM}),
    "institutions.decide_filing": frozenset({PROV}),
    "institutions.manage_major": frozenset({SYS, UADM}),
    # accounts
    "accounts.manage_users": frozenset({SYS}),
    "accounts.manage_university_users": frozenset({SYS, UADM}),
    "accounts.manage_own_tokens": frozenset({SYS, NAT, PROV, UADM, ACAD, TEACH, CTR, STU}),
    # audit log
    "audit.read_entries": frozenset({SYS, NAT, PROV}),
    # compliance
    "compliance.view_findings": frozenset({SYS, NAT, PROV, UADM, ACAD, CTR}),
    "compliance.run": frozenset({SYS, NAT, PROV, UADM}),
    "compliance.start_rectifying": frozenset({UADM, ACAD}),
    "compliance.mark_rectified": frozenset({UADM}),
    "compliance.verify": frozenset({NAT, PROV}),
    "compliance.reopen": frozenset({NAT, PROV}),
    # sanctions (Art. 18)
    "sanctions.view": frozenset({SYS, NAT, PROV, UADM, ACAD}),
    "sanctions.issue": frozenset({NAT, PROV}),
    "sanctions.lift": frozenset({NAT, PROV}),
    # admissions (Arts. 1-3); admissions.decide is below with the reserved duties
    "admissions.view": frozenset({SYS, NAT, PROV, UADM, ACAD, CTR}),
    "admissions.view_personal": frozenset({UADM, ACAD}),
    "admissions.export_personal": frozenset({UADM, ACAD}),
    "admissions.plan_manage": frozenset({UADM, ACAD}),
    "admissions.plan_approve": frozenset({UADM}),
    "admissions.fte_configure": frozenset({UADM}),
    "admissions.fte_report": frozenset({SYS, NAT, PROV, UADM, ACAD}),
    "admissions.charter_manage": frozenset({UADM, ACAD}),
    "admissions.charter_approve": frozenset({UADM}),
    "admissions.publicity_submit": frozenset({UADM, ACAD, CTR}),
    "admissions.publicity_approve": frozenset({UADM, ACAD}),
    "admissions.authorise_advertiser": frozenset({UADM}),
    "admissions.announce": frozenset({UADM, ACAD}),
    "admissions.register_applicant": frozenset({UADM, ACAD, CTR}),
    "admissions.register_self": frozenset({STU}),
    "admissions.verify_qualification": frozenset({UADM, ACAD}),
    "admissions.exam_manage": frozenset({UADM, ACAD}),
    "admissions.record_score": frozenset({UADM, ACAD}),
    "admissions.moral_review": frozenset({UADM, ACAD}),
    "admissions.post_review": frozenset({UADM, ACAD}),
    "admissions.tuition_manage": frozenset({UADM, ACAD}),
    "admissions.import": frozenset({UADM, ACAD}),
    # teaching, monitoring, early warnings, anti-刷课 evidence (Arts. 4-5)
    "programmes.view": frozenset({SYS, NAT, PROV, UADM, ACAD, TEACH, CTR}),
    "teaching.view": frozenset({SYS, NAT, PROV, UADM, ACAD, TEACH, CTR}),
    "teaching.offering_manage": frozenset({UADM, ACAD}),
    "teaching.enrol": frozenset({UADM, ACAD}),
    "teaching.session_manage": frozenset({ACAD, TEACH, CTR}),
    "teaching.attendance_record": frozenset({ACAD, TEACH}),
    "teaching.check_in": frozenset({STU}),
    "teaching.live_manage": frozenset({ACAD, TEACH}),
    "teaching.evaluate": frozenset({STU}),
    "teaching.evaluations_view": frozenset({SYS, NAT, PROV, UADM, ACAD, TEACH}),
    "monitoring.view": frozenset({SYS, NAT, PROV, UADM, ACAD, TEACH, CTR}),
    "monitoring.refresh": frozenset({SYS, UADM, ACAD}),
    "warnings.configure": frozenset({UADM, ACAD}),
    "warnings.raise": frozenset({SYS, UADM, ACAD, TEACH}),
    "warnings.notify": frozenset({UADM, ACAD, TEACH, CTR}),
    "warnings.intervene": frozenset({ACAD, TEACH, CTR}),
    "warnings.respond": frozenset({STU}),
    "warnings.close": frozenset({ACAD, TEACH}),
    "brushing.view": frozenset({SYS, NAT, PROV, UADM, ACAD}),
    "brushing.assess": frozenset({SYS, UADM, ACAD}),
    "brushing.review": frozenset({UADM, ACAD}),
    # the university's reserved duties (Art. 7)
    "programmes.define": frozenset({UADM, ACAD}),
    "programmes.approve": frozenset({UADM}),
    "admissions.decide": frozenset({UADM, ACAD}),
    "exams.set_paper": frozenset({ACAD, TEACH}),
    "exams.grade": frozenset({ACAD, TEACH}),
    "theses.defend": frozenset({ACAD, TEACH}),
    "graduation.review": frozenset({UADM, ACAD}),
    "degrees.review": frozenset({UADM, ACAD}),
}


def _check_reserved(grants: dict[str, Iterable[str]], where: str) -> None:
    for action in RESERVED_DUTIES:
        leaked = set(grants.get(action, ())) & CENTRE_ROLES
        if leaked:
            raise ImproperlyConfigured(
                f"{where} grants the reserved duty {action!r} to a learning-centre role ({sorted(leaked)})"
            )


_check_reserved(GRANTS, "sanguan.accounts.policy.GRANTS")


def grants() -> dict[str, frozenset[str]]:
    """GRANTS plus ``SANGUAN_POLICY_EXTRA_GRANTS`` from settings (checked for reserved duties)."""
    extra: dict[str, Iterable[str]] = getattr(settings, "SANGUAN_POLICY_EXTRA_GRANTS", {}) or {}
    if not extra:
        return GRANTS
    _check_reserved(extra, "settings.SANGUAN_POLICY_EXTRA_GRANTS")
    merged = dict(GRANTS)
    for action, roles in extra.items():
        merged[action] = merged.get(action, frozenset()) | frozenset(roles)
    return merged


def register_actions(new: dict[str, Iterable[str]]) -> None:
    """Add the grants of an app's actions (called at import of that app's services).

    Kept for apps that grow after the foundation; reserved duties are checked the same way."""
    _check_reserved(new, "register_actions")
    for action, roles in new.items():
        if action in GRANTS and GRANTS[action] != frozenset(roles):
            raise ImproperlyConfigured(f"action {action!r} is already granted differently")
        GRANTS[action] = frozenset(roles)


# ------------------------------------------------------------------ scopes


@dataclass(frozen=True)
class Scope:
    """Where an object lies. ``provinces``: the provinces that supervise it (a centre lies in
    its university's province and its host province)."""

    provinces: frozenset[str] = field(default_factory=frozenset)
    university_id: int | None = None
    centre_id: int | None = None
    owner_user_id: int | None = None


_SCOPE_RESOLVERS: dict[type, Callable[[Any], Scope]] = {}


def register_scope(model: type, resolver: Callable[[Any], Scope]) -> None:
    _SCOPE_RESOLVERS[model] = resolver


def scope_of(obj: Any) -> Scope | None:
    """The scope of ``obj``; ``None`` for no object (a question about the action itself)."""
    if obj is None:
        return None
    if isinstance(obj, Scope):
        return obj
    for klass in type(obj).__mro__:
        resolver = _SCOPE_RESOLVERS.get(klass)
        if resolver is not None:
            return resolver(obj)
    method = getattr(obj, "policy_scope", None)
    if callable(method):
        return method()
    raise ImproperlyConfigured(f"no policy scope is registered for {type(obj).__name__}")


def _covers(membership: Membership, user_id: int, scope: Scope | None) -> bool:
    if scope is None:
        return True
    kind = membership.scope_kind
    if kind == ScopeKind.NATIONAL:
        return True
    if kind == ScopeKind.PROVINCE:
        return membership.province_id in scope.provinces
    if kind == ScopeKind.UNIVERSITY:
        return scope.university_id is not None and membership.university_id == scope.university_id
    if kind == ScopeKind.CENTRE:
        return scope.centre_id is not None and membership.centre_id == scope.centre_id
    if kind == ScopeKind.SELF:
        return scope.owner_user_id is not None and scope.owner_user_id == user_id
    return False


def memberships_of(user: Any) -> list[Membership]:
    """Active memberships, cached on the user object for the length of a request."""
    if user is SYSTEM:
        return []
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, "_sanguan_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, is_active=True))
        user._sanguan_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {m.role for m in memberships_of(user)}


class SystemActor:
    """The system itself, acting for an operator at the server (migrations, seeds, the
    compliance runner). It passes every policy check and is recorded as actor ``null``."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def can(user: Any, action: str, obj: Any = None) -> bool:
    table = grants()
    if user is SYSTEM:
        if action not in table:
            raise ImproperlyConfigured(f"unknown policy action {action!r}")
        return True
    allowed = table.get(action)
    if allowed is None:
        raise ImproperlyConfigured(f"unknown policy action {action!r}")
    scope = scope_of(obj)
    for m in memberships_of(user):
        if m.role in CENTRE_ROLES and action in RESERVED_DUTIES:
            continue
        if m.role in allowed and _covers(m, user.pk, scope):
            return True
    return False


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(
            PolicyErrorCode.PERMISSION_DENIED,
            _("You are not allowed to do this here."),
            {"action": action},
        )


def memberships_for(user: Any, action: str) -> list[Membership]:
    """The memberships through which ``user`` may perform ``action`` (for scoping selectors)."""
    allowed = grants().get(action, frozenset())
    return [
        m
        for m in memberships_of(user)
        if m.role in allowed and not (m.role in CENTRE_ROLES and action in RESERVED_DUTIES)
    ]


# ------------------------------------------------------------------ scoped reads

EVERYTHING = Q()
NOTHING = Q(pk__in=[])  # Django answers it without a query

Anchor = str | Sequence[str] | Callable[[Membership], Q] | None


def _anchor_q(anchor: Anchor, value: Any, membership: Membership) -> Q | None:
    if anchor is None:
        return None
    if callable(anchor):
        return anchor(membership)
    lookups = [anchor] if isinstance(anchor, str) else list(anchor)
    q = Q(**{lookups[0]: value})
    for lookup in lookups[1:]:
        q |= Q(**{lookup: value})
    return q


def visible_q(user: Any, action: str, *, province: Anchor = None, university: Anchor = None,
              centre: Anchor = None, owner: Anchor = None) -> Q:
    """The rows ``user`` may see through ``action``, as one filter for a selector.

    ``EVERYTHING`` for national roles and the system, ``NOTHING`` when no membership grants
    the action. Each keyword names what anchors a row in that kind of scope: a lookup (or
    several, OR-ed) compared with the member's province code, university id, centre id or
    user id; or a callable building the filter from the membership. A kind left out sees
    nothing through this action."""
    if user is SYSTEM:
        return EVERYTHING
    condition: Q | None = None
    for m in memberships_for(user, action):
        kind = m.scope_kind
        if kind == ScopeKind.NATIONAL:
            return EVERYTHING
        part = {
            ScopeKind.PROVINCE: lambda m=m: _anchor_q(province, m.province_id, m),
            ScopeKind.UNIVERSITY: lambda m=m: _anchor_q(university, m.university_id, m),
            ScopeKind.CENTRE: lambda m=m: _anchor_q(centre, m.centre_id, m),
            ScopeKind.SELF: lambda m=m: _anchor_q(owner, user.pk, m),
        }[kind]()
        if part is not None:
            condition = part if condition is None else condition | part
    return NOTHING if condition is None else condition
