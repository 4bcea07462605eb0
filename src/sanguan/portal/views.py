"""The public registry: anonymous, read-only pages over what universities have disclosed."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanguan.institutions import selectors
from sanguan.institutions.models import CentreFiling, LearningCentre

from .forms import CentreCheckForm

PAGE_SIZE = 50


def _filing_status(centre: LearningCentre, today) -> dict[str, Any]:
    """The filing shown beside a disclosed centre (filings come prefetched, newest first)."""
    filings = list(centre.filings.all())
    in_force = next((f for f in filings if f.is_in_force(today)), None)
    if in_force is not None:
        label = _("Filed ({status}), valid until {until}").format(
            status=in_force.get_filed_status_display(), until=in_force.valid_until.isoformat())
        return {"label": label, "ok": True, "filing": in_force}
    if filings:
        latest = filings[0]
        if latest.decision == CentreFiling.Decision.PENDING:
            return {"label": _("Filing under review ({year})").format(year=latest.cycle_year), "ok": False}
        if latest.decision == CentreFiling.Decision.REJECTED:
            return {"label": _("Filing rejected ({year})").format(year=latest.cycle_year), "ok": False}
        return {"label": _("Filing expired"), "ok": False}
    return {"label": _("Not filed"), "ok": False}


def _with_filing(centres, today) -> list[LearningCentre]:
    rows = list(centres)
    for centre in rows:
        centre.filing_status = _filing_status(centre, today)
    return rows


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def index(request: HttpRequest) -> HttpResponse:
    universities = selectors.universities_public()
    centres = selectors.disclosed_centres()
    context = {
        "form": CentreCheckForm(),
        "university_count": universities.count(),
        "centre_count": centres.count(),
        "province_count": centres.values("host_province").distinct().count(),
        "university_names": universities.values_list("name", flat=True),
    }
    return render(request, "portal/index.html", context)


def universities(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    context = {"universities": selectors.universities_public(query=query), "query": query}
    return render(request, "portal/universities.html", context)


def university(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.university_public(code=code)
    if found is None:
        raise Http404(_("No such university."))
    query = request.GET.get("q", "").strip()[:100]
    page = _page(request, selectors.disclosed_centres(university=found, query=query))
    page.object_list = _with_filing(page.object_list, timezone.localdate())
    context = {"university": found, "page": page, "query": query, "show_university": False}
    if request.headers.get("HX-Request"):
        return render(request, "portal/_centre_rows.html", context)
    return render(request, "portal/university.html", context)


def centres(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = _page(request, selectors.disclosed_centres(query=query))
    page.object_list = _with_filing(page.object_list, timezone.localdate())
    context = {"page": page, "query": query, "show_university": True}
    if request.headers.get("HX-Request"):
        return render(request, "portal/_centre_rows.html", context)
    return render(request, "portal/centres.html", context)


def check(request: HttpRequest) -> HttpResponse:
    """"Is centre X authorised by university Y?" — answered with the disclosure date or a warning."""
    form = CentreCheckForm(request.GET or None)
    result = None
    if form.is_valid():
        result = selectors.centre_authorisation(
            university_query=form.cleaned_data["university"], centre_query=form.cleaned_data["centre"]
        )
    context = {
        "form": form,
        "result": result,
        "university_names": selectors.universities_public().values_list("name", flat=True),
    }
    return render(request, "portal/check.html", context)
