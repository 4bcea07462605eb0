"""The signed-in home page: who you are here (your memberships and their scope), the numbers
of your world and the compliance findings that concern you.

Every number comes from a selector scoped to the viewer; this view only arranges them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanguan.accounts import policy
from sanguan.accounts.models import Role
from sanguan.core.templatetags.sanguan_ui import ROLE_DUTY, membership_label
from sanguan.institutions import selectors as institutions
from sanguan.institutions.models import LearningCentre

# What each role's home is for (shown under its scope).
ROLE_INTRO: dict[str, Any] = {
    Role.SYSTEM_ADMIN: _("You administer the platform: accounts, roles and the institution registry."),
    Role.NATIONAL_REGULATOR: _("The national view: every university, every learning centre and every finding."),
    Role.PROVINCE_REGULATOR: _(
        "The universities of your province and every learning centre operating in it, including the centres "
        "of universities from other provinces, which must be filed with you."
    ),
    Role.UNIVERSITY_ADMIN: _("Your university's learning centres, their filings and public disclosure, and the "
                             "findings that concern them."),
    Role.ACADEMIC_STAFF: _("Your university's programmes, teaching and examinations, and the findings that concern "
                           "them."),
    Role.TEACHER: _("Your teaching at your university."),
    Role.CENTRE_STAFF: _(
        "Your learning centre: its status, filing, disclosure and findings. Programme setting, admission, exams, "
        "theses, graduation and degrees stay with the university."
    ),
    Role.STUDENT: _("Your studies at your university."),
}


SEVERITY_ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


@dataclass
class Stat:
    label: Any
    value: int | str
    icon: str
    testid: str
    url: str = ""


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _findings(user: Any) -> tuple[Any, int] | None:
    """Open findings visible to the user, or None when the compliance app cannot say yet."""
    if not policy.memberships_for(user, "compliance.view_findings"):
        return None
    try:
        selectors = importlib.import_module("sanguan.compliance.selectors")
    except ModuleNotFoundError:
        return None
    find = getattr(selectors, "findings_visible_to", None)
    if find is None:
        return None
    qs = find(user=user).exclude(status="VERIFIED")
    # The most severe first: the home page shows only the top of the list.
    rank = Case(*(When(severity=s, then=Value(i)) for i, s in enumerate(SEVERITY_ORDER)), default=Value(9))
    return qs.order_by(rank, "article", "rule_code", "pk"), qs.count()


def _by_article(findings) -> list[dict[str, Any]]:
    """Open findings counted per article of the notice, each linked to the findings page."""
    from django.db.models import Count

    registry = importlib.import_module("sanguan.compliance.registry")
    base = _url("compliance:findings")
    rows = findings.order_by().values("article").annotate(n=Count("pk")).order_by("article")
    return [
        {"article": r["article"], "title": registry.article_title(r["article"]), "count": r["n"],
         "url": f"{base}?article={r['article']}" if base else ""}
        for r in rows
    ]


def _centre_facts(centre: LearningCentre, today) -> dict[str, Any]:
    filings = list(centre.filings.all())
    in_force = next((f for f in filings if f.is_in_force(today)), None)
    return {
        "centre": centre,
        "filing_in_force": in_force,
        "latest_filing": filings[0] if filings else None,
        "public_url": _url("portal:university", centre.university.institution_code),
    }


def _stats(user: Any, roles: set[str], memberships: list) -> list[Stat]:
    stats: list[Stat] = []
    if not policy.memberships_for(user, "institutions.view"):
        return stats
    universities = institutions.universities_visible_to(user=user)
    centres = institutions.centres_visible_to(user=user)
    operating = centres.filter(status=LearningCentre.Status.OPERATING)
    if roles & {Role.SYSTEM_ADMIN, Role.NATIONAL_REGULATOR, Role.PROVINCE_REGULATOR}:
        stats.append(Stat(_("Universities in scope"), universities.count(), "bank", "stat-universities",
                          _url("portal:universities")))
    if Role.PROVINCE_REGULATOR in roles:
        provinces = [m.province_id for m in memberships if m.role == Role.PROVINCE_REGULATOR]
        stats.append(Stat(_("Centres located in your province"), centres.filter(host_province_id__in=provinces).count(),
                          "geo-alt", "stat-hosted"))
        stats.append(Stat(_("From universities of other provinces"),
                          centres.filter(host_province_id__in=provinces).exclude(
                              university__province_id__in=provinces).count(),
                          "signpost-split", "stat-cross-province"))
    stats.append(Stat(_("Learning centres in scope"), centres.count(), "building", "stat-centres"))
    stats.append(Stat(_("Operating"), operating.count(), "door-open", "stat-operating"))
    if roles & {Role.UNIVERSITY_ADMIN, Role.ACADEMIC_STAFF, Role.SYSTEM_ADMIN, Role.NATIONAL_REGULATOR}:
        stats.append(Stat(pgettext_lazy("statistic", "Publicly disclosed"), centres.filter(is_disclosed=True).count(),
                          "megaphone",
                          "stat-disclosed"))
    return stats


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(
        policy.memberships_of(user)
    )
    for m in memberships:  # the labels read the anchors; one query each is fine for a handful
        m.label = membership_label(m)
        m.duty = ROLE_DUTY.get(m.role, m.get_role_display())
        m.intro = ROLE_INTRO.get(m.role, "")
    roles = {m.role for m in memberships}
    today = timezone.localdate()
    findings = _findings(user)
    centre_facts = []
    for m in memberships:
        if m.role == Role.CENTRE_STAFF and m.centre_id:
            centre = LearningCentre.objects.select_related("university", "host_province").prefetch_related(
                "filings").get(pk=m.centre_id)
            centre_facts.append(_centre_facts(centre, today))
    universities = []
    if roles & {Role.UNIVERSITY_ADMIN, Role.ACADEMIC_STAFF, Role.TEACHER, Role.STUDENT}:
        seen = set()
        for m in memberships:
            if m.university_id and m.role != Role.CENTRE_STAFF and m.university_id not in seen:
                seen.add(m.university_id)
                universities.append({
                    "university": m.university,
                    "majors": m.university.majors.filter(is_active=True).order_by("level", "catalogue_code"),
                    "public_url": _url("portal:university", m.university.institution_code),
                })
    by_article = _by_article(findings[0]) if findings else []
    stats = _stats(user, roles, memberships)
    if findings is not None:
        stats.append(Stat(_("Open findings"), findings[1], "exclamation-triangle", "stat-findings",
                          _url("compliance:findings")))
    context = {
        "memberships": memberships,
        "stats": stats,
        "findings": findings[0][:10] if findings else None,
        "findings_total": findings[1] if findings else 0,
        "findings_available": findings is not None,
        "findings_url": _url("compliance:findings"),
        "findings_by_article": by_article,
        "centre_facts": centre_facts,
        "universities": universities,
        "is_admin": Role.SYSTEM_ADMIN in roles,
        "today": today,
    }
    return render(request, "core/home.html", context)
