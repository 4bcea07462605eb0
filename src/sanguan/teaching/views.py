"""Teaching pages: programmes, offerings, attendance, warnings, 刷课 evidence and the
dashboards. Views parse input, call one selector or service, and render."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanguan.accounts import policy
from sanguan.admissions.models import StudentRecord
from sanguan.core.errors import ApplicationError, NotFound
from sanguan.institutions.models import LearningCentre, University

from . import monitoring, selectors, services, signals_brushing
from .models import BrushingAssessment, EarlyWarning, Enrolment

DEVICE_COOKIE = "sg_device"


def _404(exc: NotFound) -> Http404:
    return Http404(exc.message)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "teaching/index.html",
        {
            "universities": selectors.universities_visible_to(user=user),
            "centres": selectors.centres_visible_to(user=user)[:50],
            "programmes": selectors.programmes_visible_to(user=user)[:50],
            "offerings": selectors.offerings_visible_to(user=user)[:50],
            "my_sessions": selectors.sessions_for_student(user=user)[:20]
            if policy.memberships_for(user, "teaching.check_in")
            else [],
            "warnings": selectors.warnings_visible_to(user=user).exclude(status=EarlyWarning.Status.CLOSED)[:50],
            "can_see_brushing": bool(policy.memberships_for(user, "brushing.view")),
            "to_record": selectors.sessions_to_record(user=user)[:20],
            "my_offerings": selectors.offerings_of_student(user=user)[:20],
        },
    )


# ------------------------------------------------------------------ programmes


@login_required
@require_GET
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        p = selectors.programme_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    return render(
        request,
        "teaching/programme.html",
        {
            "programme": p,
            "courses": list(p.courses.all()),
            "hours": p.hours(),
            "share": p.face_to_face_share(),
            "problems": services.programme_problems(p) if p.status == p.Status.DRAFT else [],
            "can_approve": p.status == p.Status.DRAFT and policy.can(request.user, "programmes.approve", p),
        },
    )


@login_required
@require_POST
def programme_approve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        p = selectors.programme_for(user=request.user, pk=pk)
        services.programme_approve(actor=request.user, programme=p)
        messages.success(request, _("The programme is approved."))
    except NotFound as exc:
        raise _404(exc) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("teaching:programme", pk=pk)


# ------------------------------------------------------------------ offerings and sessions


@login_required
@require_GET
def offering(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        o = selectors.offering_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    evaluations = (
        selectors.evaluation_summary(user=request.user, offering=o)
        if policy.can(request.user, "teaching.evaluations_view", o)
        else None
    )
    return render(
        request,
        "teaching/offering.html",
        {
            "offering": o,
            "sessions": list(o.sessions.all()),
            "live_sessions": list(o.live_sessions.all()),
            "enrolments": o.enrolments.count(),
            "evaluations": evaluations,
            "can_record": policy.can(request.user, "teaching.attendance_record", o),
            "can_schedule": policy.can(request.user, "teaching.session_manage", o),
        },
    )


@login_required
@require_POST
def session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a face-to-face session from the offering page (teacher, academic or centre staff)."""
    import datetime as dt

    try:
        o = selectors.offering_for(user=request.user, pk=pk)
        tz = timezone.get_current_timezone()
        try:
            starts_at = dt.datetime.fromisoformat(request.POST.get("starts_at", "")).replace(tzinfo=tz)
            hours = float(request.POST.get("hours", "0"))
        except ValueError:
            messages.error(request, _("Give the start as a date and time and the length in hours."))
            return redirect("teaching:offering", pk=pk)
        services.session_schedule(
            actor=request.user,
            offering=o,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            room=request.POST.get("room", ""),
            network_cidrs=request.POST.get("network_cidrs", ""),
        )
        messages.success(request, _("The session is scheduled."))
    except NotFound as exc:
        raise _404(exc) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("teaching:offering", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's evaluation of an offering they are enrolled in."""
    from .models import Evaluation, Offering

    o = Offering.objects.filter(pk=pk, enrolments__student__user=request.user).select_related("course").first()
    if o is None:
        raise Http404(_("No such course offering."))
    error, status = "", 200
    if request.method == "POST":
        scores = {c: int(v) if (v := request.POST.get(c, "")).isdigit() else 0 for c in Evaluation.CRITERIA}
        try:
            services.evaluation_submit(
                actor=request.user, offering=o, scores=scores, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("Thank you for your evaluation."))
            return redirect("teaching:index")
        except ApplicationError as exc:
            error, status = exc.message, exc.status
    return render(
        request,
        "teaching/evaluate.html",
        {"offering": o, "criteria": Evaluation.CRITERIA, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The teacher's roll call for one session."""
    try:
        session = selectors.session_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    if not policy.can(request.user, "teaching.attendance_record", session):
        raise Http404(_("No such session."))
    enrolments = list(
        Enrolment.objects.filter(offering_id=session.offering_id)
        .select_related("student")
        .order_by("student__student_number")
    )
    error = ""
    status = 200
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        present = list(StudentRecord.objects.filter(pk__in=ids))
        try:
            services.attendance_record(actor=request.user, session=session, present=present)
            messages.success(request, _("Attendance recorded."))
            return redirect("teaching:attendance", pk=pk)
        except ApplicationError as exc:
            error, status = exc.message, exc.status
    present_ids = set(session.attendances.values_list("student_id", flat=True))
    return render(
        request,
        "teaching/attendance.html",
        {
            "session": session,
            "rows": [{"student": e.student, "present": e.student_id in present_ids} for e in enrolments],
            "attendances": list(session.attendances.select_related("student")),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def room_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The rotating code to show on the room's screen (JSON when asked by the page's script)."""
    try:
        session = selectors.session_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    if not policy.can(request.user, "teaching.session_manage", session):
        raise Http404(_("No such session."))
    code = services.room_code(session, timezone.now())
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"code": code})
    return render(request, "teaching/room_code.html", {"session": session, "code": code})


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's check-in page. The device is a random id kept in a long-lived cookie."""
    try:
        session = selectors.session_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_hex(16)
    error, done = "", None
    status = 200
    if request.method == "POST":
        try:
            done = services.attendance_check_in(
                actor=request.user,
                session=session,
                device_id=device,
                ip=request.META.get("REMOTE_ADDR"),
                code=request.POST.get("code", ""),
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status
    response = render(
        request, "teaching/check_in.html", {"session": session, "error": error, "done": done}, status=status
    )
    response.set_cookie(DEVICE_COOKIE, device, max_age=5 * 365 * 86400, httponly=True, samesite="Lax")
    return response


# ------------------------------------------------------------------ warnings and 刷课 evidence


STEPS = {
    "notify": monitoring.warning_notify,
    "respond": monitoring.warning_respond,
    "intervene": monitoring.warning_intervene,
    "close": monitoring.warning_close,
}


@login_required
@require_http_methods(["GET", "POST"])
def warning(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        w = selectors.warning_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    error, status = "", 200
    if request.method == "POST":
        step = STEPS.get(request.POST.get("step", ""))
        if step is None:
            raise Http404(_("No such step."))
        try:
            step(actor=request.user, warning=w, note=request.POST.get("note", ""))
            return redirect("teaching:warning", pk=pk)
        except ApplicationError as exc:
            error, status = exc.message, exc.status
    w.refresh_from_db()
    available = [
        name
        for name, action in (
            ("notify", "warnings.notify"),
            ("respond", "warnings.respond"),
            ("intervene", "warnings.intervene"),
            ("close", "warnings.close"),
        )
        if policy.can(request.user, action, w)
    ]
    return render(
        request,
        "teaching/warning.html",
        {"warning": w, "steps": list(w.steps.all()), "available": available, "error": error},
        status=status,
    )


@login_required
@require_GET
def brushing_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.brushing_visible_to(user=request.user).filter(score__gt=0)[:200]
    return render(request, "teaching/brushing_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def brushing(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        a = selectors.brushing_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    error, status = "", 200
    if request.method == "POST":
        try:
            signals_brushing.brushing_review(
                actor=request.user,
                assessment=a,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
            )
            return redirect("teaching:brushing", pk=pk)
        except ApplicationError as exc:
            error, status = exc.message, exc.status
    return render(
        request,
        "teaching/brushing.html",
        {
            "a": a,
            "can_review": policy.can(request.user, "brushing.review", a),
            "decisions": [
                BrushingAssessment.Status.UNDER_REVIEW,
                BrushingAssessment.Status.CONFIRMED,
                BrushingAssessment.Status.DISMISSED,
            ],
            "error": error,
        },
        status=status,
    )


# ------------------------------------------------------------------ dashboards


def _dashboard(request: HttpRequest, title: str, data: dict[str, Any], **extra: Any) -> HttpResponse:
    return render(request, "teaching/dashboard.html", {"title": title, "data": data, **extra})


@login_required
@require_GET
def dashboard_university(request: HttpRequest, pk: int) -> HttpResponse:
    university = get_object_or_404(University, pk=pk)
    try:
        data = selectors.university_dashboard(user=request.user, university=university)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return _dashboard(request, university.name, data, level="university")


@login_required
@require_GET
def dashboard_centre(request: HttpRequest, pk: int) -> HttpResponse:
    centre = get_object_or_404(LearningCentre, pk=pk)
    try:
        data = selectors.centre_dashboard(user=request.user, centre=centre)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return _dashboard(request, centre.name, data, level="centre")


@login_required
@require_GET
def dashboard_offering(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        o = selectors.offering_for(user=request.user, pk=pk)
        data = selectors.offering_dashboard(user=request.user, offering=o)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return _dashboard(request, str(o), data, level="offering", offering=o)
