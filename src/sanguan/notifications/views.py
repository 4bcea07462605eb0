"""The inbox: the signed-in user's notifications, newest first; marking them read; opening one.

Every change is a POST with the CSRF token; another user's notification is "not found"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanguan.core.errors import NotFound

from . import selectors, services

PER_PAGE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = selectors.notifications_of(user=request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "rows": list(page.object_list), "unread": selectors.unread_count(user=request.user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.notification_mark_read(actor=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = services.notifications_mark_all_read(actor=request.user)
    if n:
        messages.success(request, _("Marked {n} notifications read.").format(n=n))
    return redirect("notifications:inbox")


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = services.notification_mark_read(actor=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if row.link and url_has_allowed_host_and_scheme(row.link, allowed_hosts=None) and row.link.startswith("/"):
        return redirect(row.link)
    return redirect("notifications:inbox")
