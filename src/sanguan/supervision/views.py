"""The sanctions page: the sanctions the viewer may see, the issue form for regulators, and
lifting. Views parse input and call one selector or service; the policy decides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanguan.accounts import policy
from sanguan.core.errors import ApplicationError

from . import selectors, services
from .forms import SanctionIssueForm, SanctionLiftForm

PAGE_SIZE = 50


def _index(
    request: HttpRequest, *, form: SanctionIssueForm | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    qs = selectors.sanctions_visible_to(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "sanction": s,
            "status": selectors.sanction_status(s, today),
            "can_lift": not s.is_lifted and policy.can(request.user, "sanctions.lift", s),
        }
        for s in page.object_list
    ]
    can_issue = policy.can(request.user, "sanctions.issue")
    if can_issue and form is None:
        form = SanctionIssueForm(user=request.user, initial={"starts_on": today})
    return render(
        request,
        "supervision/index.html",
        {
            "rows": rows,
            "page": page,
            "form": form if can_issue else None,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    form = SanctionIssueForm(request.POST, user=request.user)
    if not form.is_valid():
        return _index(request, form=form, error=_("Check the highlighted fields."), status=400)
    data = form.cleaned_data
    try:
        services.sanction_issue(
            actor=request.user,
            university=data["university"],
            major=data["major"],
            kind=data["kind"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            limit=data["limit"],
            reason=data["reason"],
        )
    except ApplicationError as exc:
        return _index(request, form=form, error=exc.message, status=exc.status)
    messages.success(request, _("The sanction has been issued."))
    return redirect("supervision:index")


@login_required
@require_POST
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    sanction = selectors.sanctions_visible_to(user=request.user).filter(pk=pk).first()
    if sanction is None:
        raise Http404
    form = SanctionLiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for lifting the sanction."))
        return redirect("supervision:index")
    try:
        services.sanction_lift(actor=request.user, sanction=sanction, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:index")
    messages.success(request, _("The sanction has been lifted."))
    return redirect("supervision:index")
