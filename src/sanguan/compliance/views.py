"""The findings pages. Views parse input, call one selector or service, and render; every
permission question goes to the policy (through the selectors and services)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanguan.accounts import policy
from sanguan.core.errors import ApplicationError, NotFound

from . import selectors, services
from .forms import FindingFilterForm, TransitionForm
from .lifecycle import TRANSITIONS
from .registry import article_title

PAGE_SIZE = 100


@login_required
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    form = FindingFilterForm(request.GET or None)
    qs = selectors.findings_visible_to(user=request.user, filters=form.filters())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = [
        {"article": article, "title": article_title(article), "findings": list(rows)}
        for article, rows in groupby(page.object_list, key=lambda f: f.article)
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/findings.html",
        {
            "form": form,
            "groups": groups,
            "page": page,
            "query": query.urlencode(),
            "can_run": policy.can(request.user, "compliance.run"),
        },
    )


def _detail(
    request: HttpRequest,
    pk: int,
    *,
    form: TransitionForm | None = None,
    failed: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        finding = selectors.finding_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    steps = selectors.transitions_available(user=request.user, finding=finding)
    return render(
        request,
        "compliance/finding.html",
        {
            "finding": finding,
            "rule": finding.rule,
            "events": list(finding.events.all()),
            "steps": [
                {"step": s, "form": form if s.name == failed and form is not None else TransitionForm(prefix=s.name)}
                for s in steps
            ],
            "failed": failed,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
def finding_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    if transition not in TRANSITIONS:
        raise Http404
    try:
        target = selectors.finding_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = TransitionForm(request.POST, prefix=transition)
    if not form.is_valid():
        return _detail(
            request, pk, form=form, failed=transition, error=_("Add a note explaining this step."), status=400
        )
    try:
        services.finding_transition(
            actor=request.user, finding=target, transition=transition, note=form.cleaned_data["note"]
        )
    except ApplicationError as exc:
        return _detail(request, pk, form=form, failed=transition, error=exc.message, status=exc.status)
    messages.success(request, _("Done: {step}.").format(step=TRANSITIONS[transition].label))
    return redirect("compliance:finding", pk=pk)


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    try:
        summary = services.compliance_run(actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("compliance:findings")
    messages.success(
        request,
        _("Rules run: {rules}. New findings: {opened}. No longer detected: {gone}.").format(
            rules=len(summary.rules), opened=summary.opened, gone=summary.no_longer_detected
        ),
    )
    if summary.errors:
        messages.error(request, _("These rules failed: {codes}.").format(codes=", ".join(sorted(summary.errors))))
    return redirect("compliance:findings")


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """The rule catalogue is public: the rules are the notice's."""
    return render(request, "compliance/rules.html", {"rules": selectors.rules_list()})
