"""Template helpers of the shared layout: the navigation by role and scope labels.

The navigation only *shows* links; every page still asks the policy through its services
and selectors, so a hidden link is a convenience, never a permission."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sanguan.accounts import policy
from sanguan.accounts.models import Membership, Role

register = template.Library()

# (url name, label, bootstrap icon, policy actions of which one makes the link worth showing;
# empty: any member). Apps that are not there yet simply do not resolve and are skipped.
NAV: list[tuple[str, Any, str, tuple[str, ...]]] = [
    ("home", _("Home"), "house", ()),
    ("compliance:findings", _("Findings"), "clipboard-check", ("compliance.view_findings",)),
    ("supervision:index", _("Supervision"), "binoculars", ("sanctions.view",)),
    ("admissions:index", _("Admissions"), "person-plus", ("admissions.view", "admissions.register_self")),
    ("teaching:index", _("Teaching"), "journal-text", ("teaching.view", "teaching.check_in")),
    ("exams:index", _("Exams"), "pencil-square", ("exams.view", "exams.set_paper", "exams.grade")),
]

# What each role does, as shown after its scope: "湖北省教育厅 · 省级监管".
ROLE_DUTY: dict[str, Any] = {
    Role.SYSTEM_ADMIN: _("System administration"),
    Role.NATIONAL_REGULATOR: _("National supervision"),
    Role.PROVINCE_REGULATOR: _("Provincial supervision"),
    Role.UNIVERSITY_ADMIN: _("University administration"),
    Role.ACADEMIC_STAFF: _("Academic affairs"),
    Role.TEACHER: _("Teaching"),
    Role.CENTRE_STAFF: _("Learning-centre work"),
    Role.STUDENT: _("Student"),
}


def _resolves(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def nav_items(context: dict) -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    current = getattr(request, "path", "")
    items = []
    known = policy.grants()
    for name, label, icon, actions in NAV:
        url = _resolves(name)
        if url is None:
            continue
        if actions and not any(policy.memberships_for(user, a) for a in actions if a in known):
            continue
        if not actions and name != "home" and not policy.memberships_of(user):
            continue
        active = current == url or (url != "/" and current.startswith(url) and name != "home")
        items.append({"url": url, "label": label, "icon": icon, "active": active})
    return items


def scope_anchor(membership: Membership) -> str:
    """The place a membership acts for: a department, a university, a centre."""
    from sanguan.institutions.models import Authority

    if membership.role == Role.SYSTEM_ADMIN:
        return str(_("Sanguan platform"))
    if membership.centre_id:
        return membership.centre.name
    if membership.university_id:
        return membership.university.name
    if membership.authority_id:
        return membership.authority.name
    if membership.province_id:
        authority = Authority.objects.filter(province_id=membership.province_id).first()
        return authority.name if authority else membership.province.name
    ministry = Authority.objects.filter(kind=Authority.Kind.MINISTRY).first()
    return ministry.name if ministry else str(_("Ministry of Education"))


@register.filter
def membership_label(membership: Membership) -> str:
    """"湖北省教育厅 · 省级监管"."""
    return f"{scope_anchor(membership)} · {ROLE_DUTY.get(membership.role, membership.get_role_display())}"


@register.filter
def role_duty(role: str) -> str:
    return str(ROLE_DUTY.get(role, role))


@register.filter
def minutes(value: Any) -> int:
    """A timedelta as whole minutes (at least 1), for "try again in N minutes"."""
    try:
        return max(1, round(value.total_seconds() / 60))
    except AttributeError:
        return 0
