"""Teaching pages: programmes, offerings, attendance, warnings, 刷课 evidence and the
dashboards. Views parse input, call one selector or service, and render."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanguan.accounts import policy
from sanguan.accounts.models import Role, User
from sanguan.admissions.models import StudentRecord
from sanguan.admissions.selectors import student_records_visible_to
from sanguan.core.errors import ApplicationError, NotFound
from sanguan.institutions.models import LearningCentre, Major, University

from . import config, forms, monitoring, selectors, services, signals_brushing
from .models import BrushingAssessment, EarlyWarning, Enrolment, Offering, ProgrammeCourse, TrainingProgramme

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
            "can_define": bool(_office_universities(user, "programmes.define")),
            "can_offer": bool(_office_universities(user, "teaching.offering_manage")),
        },
    )


# ------------------------------------------------------------------ the registrar's pages: helpers


def _office_universities(user: Any, action: str) -> list[int]:
    """The universities for which ``user`` performs ``action`` as university staff."""
    return sorted(
        {m.university_id for m in policy.memberships_for(user, action) if m.university_id and not m.centre_id}
    )


def _refused(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(
        request,
        "teaching/refused.html",
        {"error": message or _("Your role may not do this here.")},
        status=403,
    )


def _error_status(exc: ApplicationError) -> int:
    return exc.status if exc.status in (400, 403, 404, 409) else 400


def _submitted(form: forms.Styled, act: Callable[[], HttpResponse]) -> tuple[HttpResponse | None, int]:
    """A posted form through its service: ``act()``'s response (a redirect) when the input is
    valid and the service agrees; otherwise no response and the status to show the form again
    with: 400 for bad input, the refusal's own for a service's refusal, whose message is put on
    the form."""
    if not form.is_valid():
        return None, 400
    try:
        return act(), 200
    except ApplicationError as exc:
        form.add_service_error(exc)
        return None, _error_status(exc)


def _draft_edit(
    request: HttpRequest, form: forms.Styled, programme: TrainingProgramme, save: Callable[[], object]
) -> tuple[HttpResponse | None, int]:
    """An edit of a draft programme: on a valid POST, ``save()`` and back to the programme;
    otherwise no response and the status to show the form with. A programme that is no
    longer a draft shows the service's refusal (409) before anything is typed."""
    try:
        services.require_draft(programme)
    except ApplicationError as exc:
        form.add_service_error(exc)
        return None, _error_status(exc)
    if request.method != "POST":
        return None, 200

    def act() -> HttpResponse:
        save()
        messages.success(request, _("Saved."))
        return redirect("teaching:programme", pk=programme.pk)

    return _submitted(form, act)


def _programme_for_define(request: HttpRequest, pk: int) -> TrainingProgramme | HttpResponse:
    """The programme, when the user defines programmes for its university.

    A role that never defines programmes is refused (403); a programme the user cannot see is
    not found (404), as everywhere."""
    if not _office_universities(request.user, "programmes.define"):
        return _refused(request)
    try:
        p = selectors.programme_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    if not policy.can(request.user, "programmes.define", p):
        return _refused(request)
    return p


def _offering_for(request: HttpRequest, pk: int, action: str) -> Offering | HttpResponse:
    if not _office_universities(request.user, action):
        return _refused(request)
    try:
        o = selectors.offering_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    if not policy.can(request.user, action, o):
        return _refused(request)
    return o


# ------------------------------------------------------------------ programmes


def _programme_page(
    request: HttpRequest, p: TrainingProgramme, *, course_form: forms.CourseForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    is_draft = p.status == TrainingProgramme.Status.DRAFT
    can_define = is_draft and policy.can(user, "programmes.define", p)
    courses = list(p.courses.all())
    political = {code: c.name for code, c in config.POLITICAL_COURSES.items()}
    return render(
        request,
        "teaching/programme.html",
        {
            "programme": p,
            "rows": [{"c": c, "political": political.get(c.political_code, "")} for c in courses],
            "credits": sum((c.credits for c in courses), Decimal(0)),
            "standing": services.programme_standing(p),
            "problems": services.programme_problems(p) if is_draft else [],
            "can_approve": is_draft and policy.can(user, "programmes.approve", p),
            "can_define": can_define,
            "can_copy": policy.can(user, "programmes.define", p),
            "course_form": course_form or (forms.CourseForm() if can_define else None),
        },
        status=status,
    )


@login_required
@require_GET
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        p = selectors.programme_for(user=request.user, pk=pk)
    except NotFound as exc:
        raise _404(exc) from exc
    return _programme_page(request, p)


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
        if exc.status == 403:
            return _refused(request, exc.message)
        messages.error(request, exc.message)
    return redirect("teaching:programme", pk=pk)


PROGRAMME_PAGE_SIZE = 50


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    """Every programme version the user may see, by status and major."""
    if not policy.memberships_for(request.user, "programmes.view"):
        return _refused(request)
    visible = selectors.programmes_visible_to(user=request.user)
    filters = forms.ProgrammeFilterForm(
        request.GET or None,
        majors=Major.objects.filter(pk__in=visible.values("major_id")).order_by("catalogue_code", "level"),
    )
    rows = visible.prefetch_related("courses").order_by("major__catalogue_code", "major__level", "-version")
    if filters.is_valid():
        d = filters.cleaned_data
        if d["status"]:
            rows = rows.filter(status=d["status"])
        if d["major"]:
            rows = rows.filter(major=d["major"])
    page = Paginator(rows, PROGRAMME_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "teaching/programme_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": [{"p": p, "standing": services.programme_standing(p)} for p in page],
            "query": query.urlencode(),
            "can_define": bool(_office_universities(request.user, "programmes.define")),
        },
    )


@login_required
@require_POST
def programme_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the university's administrators to approve the draft (refused while it breaks a rule)."""
    p = _programme_for_define(request, pk)
    if isinstance(p, HttpResponse):
        return p
    try:
        services.programme_submit(actor=request.user, programme=p)
        messages.success(request, _("Submitted: the university administrators are asked to approve this version."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("teaching:programme", pk=p.pk)


def _majors_for(user: Any) -> Any:
    return (
        Major.objects.filter(university_id__in=_office_universities(user, "programmes.define"), is_active=True)
        .select_related("university")
        .order_by("catalogue_code", "level")
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    """A new draft programme (人才培养方案) for one of the university's majors."""
    if not _office_universities(request.user, "programmes.define"):
        return _refused(request)
    majors = _majors_for(request.user)
    form = forms.ProgrammeForm(request.POST or None, majors=majors)
    status = 200
    if request.method == "POST":

        def act() -> HttpResponse:
            d = form.cleaned_data
            p = services.programme_create(
                actor=request.user, major=d["major"], title=d["title"], first_intake_year=d["first_intake_year"]
            )
            messages.success(
                request, _("Draft version {version} is created; add its courses.").format(version=p.version)
            )
            return redirect("teaching:programme", pk=p.pk)

        done, status = _submitted(form, act)
        if done is not None:
            return done
    return render(
        request,
        "teaching/programme_form.html",
        {"form": form, "heading": _("New training programme"), "source": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft version of the same major, starting from this version's courses."""
    source = _programme_for_define(request, pk)
    if isinstance(source, HttpResponse):
        return source
    form = forms.ProgrammeHeaderForm(
        request.POST or None,
        initial={"title": source.title, "first_intake_year": source.first_intake_year + 1},
    )
    status = 200
    if request.method == "POST":

        def act() -> HttpResponse:
            d = form.cleaned_data
            p = services.programme_create(
                actor=request.user,
                major=source.major,
                title=d["title"],
                first_intake_year=d["first_intake_year"],
                copy_from=source,
            )
            messages.success(
                request,
                _("Draft version {version} is created from version {source}.").format(
                    version=p.version, source=source.version
                ),
            )
            return redirect("teaching:programme", pk=p.pk)

        done, status = _submitted(form, act)
        if done is not None:
            return done
    return render(
        request,
        "teaching/programme_form.html",
        {"form": form, "heading": _("New version from this one"), "source": source},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The header of a draft: title and first intake year."""
    p = _programme_for_define(request, pk)
    if isinstance(p, HttpResponse):
        return p
    form = forms.ProgrammeHeaderForm(
        request.POST or None, initial={"title": p.title, "first_intake_year": p.first_intake_year}
    )
    done, status = _draft_edit(
        request, form, p, lambda: services.programme_update(actor=request.user, programme=p, **form.cleaned_data)
    )
    if done is not None:
        return done
    return render(
        request,
        "teaching/programme_form.html",
        {"form": form, "heading": _("Edit the programme"), "programme": p, "source": None},
        status=status,
    )


@login_required
@require_POST
def course_add(request: HttpRequest, pk: int) -> HttpResponse:
    p = _programme_for_define(request, pk)
    if isinstance(p, HttpResponse):
        return p
    form = forms.CourseForm(request.POST)

    def act() -> HttpResponse:
        course = services.programme_course_add(actor=request.user, programme=p, **form.cleaned_data)
        messages.success(request, _("Course {code} is added.").format(code=course.code))
        return redirect("teaching:programme", pk=p.pk)

    done, status = _submitted(form, act)
    if done is not None:
        return done
    return _programme_page(request, p, course_form=form, status=status)


def _course_of(
    request: HttpRequest, pk: int, course_pk: int
) -> tuple[TrainingProgramme, ProgrammeCourse] | HttpResponse:
    p = _programme_for_define(request, pk)
    if isinstance(p, HttpResponse):
        return p
    course = p.courses.filter(pk=course_pk).first()
    if course is None:
        raise Http404(_("No such course."))
    return p, course


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int, course_pk: int) -> HttpResponse:
    found = _course_of(request, pk, course_pk)
    if isinstance(found, HttpResponse):
        return found
    p, course = found
    form = forms.CourseForm(request.POST) if request.method == "POST" else forms.CourseForm.for_course(course)
    done, status = _draft_edit(
        request,
        form,
        p,
        lambda: services.programme_course_update(actor=request.user, course=course, **form.cleaned_data),
    )
    if done is not None:
        return done
    draft = form.data if form.is_bound else None
    return render(
        request,
        "teaching/course_form.html",
        {
            "programme": p,
            "course": course,
            "form": form,
            "standing": services.programme_standing(p, draft=draft, replacing=course.pk)
            if draft is not None
            else services.programme_standing(p),
        },
        status=status,
    )


@login_required
@require_POST
def course_remove(request: HttpRequest, pk: int, course_pk: int) -> HttpResponse:
    found = _course_of(request, pk, course_pk)
    if isinstance(found, HttpResponse):
        return found
    p, course = found
    try:
        services.programme_course_remove(actor=request.user, course=course)
        messages.success(request, _("Course {code} is removed.").format(code=course.code))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("teaching:programme", pk=p.pk)


@login_required
@require_POST
def programme_standing(request: HttpRequest, pk: int) -> HttpResponse:
    """The share and the required courses as they would be with the course being typed (htmx)."""
    p = _programme_for_define(request, pk)
    if isinstance(p, HttpResponse):
        return p
    replacing = request.POST.get("replacing", "")
    return render(
        request,
        "teaching/_programme_standing.html",
        {
            "programme": p,
            "standing": services.programme_standing(
                p, draft=request.POST, replacing=int(replacing) if replacing.isdigit() else None
            ),
        },
    )


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
            "can_manage": policy.can(request.user, "teaching.offering_manage", o),
            "can_enrol": policy.can(request.user, "teaching.enrol", o),
        },
    )


def _teachers_of(university_ids: list[int]) -> Any:
    return (
        User.objects.filter(
            memberships__is_active=True,
            memberships__role__in=[Role.TEACHER, Role.ACADEMIC_STAFF],
            memberships__university_id__in=university_ids,
            memberships__centre__isnull=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )


TEACHING_CENTRE_STATUSES = (LearningCentre.Status.OPERATING, LearningCentre.Status.ENROLMENT_SUSPENDED)


def _offering_choices(user: Any, university_ids: list[int], current: Offering | None = None) -> dict[str, Any]:
    # A closed or merely planned site teaches nobody; one whose enrolment is suspended still
    # teaches the students it has. An offering keeps the site it already has.
    centres = Q(status__in=TEACHING_CENTRE_STATUSES) | Q(pk=current.centre_id if current else None)
    return {
        "courses": ProgrammeCourse.objects.filter(
            programme__university_id__in=university_ids, programme__status=TrainingProgramme.Status.APPROVED
        )
        .select_related("programme")
        .order_by("programme__title", "programme__version", "term_no", "code"),
        "teachers": _teachers_of(university_ids),
        "centres": LearningCentre.objects.filter(centres, university_id__in=university_ids).order_by("name"),
    }


def _offering_service_kwargs(form: forms.OfferingForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "term": form.term,
        "teacher": d["teacher"],
        "centre": d["centre"],
        "starts_on": d["starts_on"],
        "ends_on": d["ends_on"],
        "schedule": d["schedule"],
        "activity_id": d["activity_id"],
        "unit_count": d["unit_count"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def offering_new(request: HttpRequest) -> HttpResponse:
    """A course of an approved programme offered in one term, by one teacher, at one centre."""
    universities = _office_universities(request.user, "teaching.offering_manage")
    if not universities:
        return _refused(request)
    initial = {}
    if (course := request.GET.get("course", "")).isdigit():
        initial["course"] = int(course)
    form = forms.OfferingForm(request.POST or None, initial=initial, **_offering_choices(request.user, universities))
    status = 200
    if request.method == "POST":

        def act() -> HttpResponse:
            o = services.offering_create(
                actor=request.user, course=form.cleaned_data["course"], **_offering_service_kwargs(form)
            )
            messages.success(request, _("The offering is created; enrol its students."))
            return redirect("teaching:enrolments", pk=o.pk)

        done, status = _submitted(form, act)
        if done is not None:
            return done
    return render(request, "teaching/offering_form.html", {"form": form, "offering": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, pk: int) -> HttpResponse:
    o = _offering_for(request, pk, "teaching.offering_manage")
    if isinstance(o, HttpResponse):
        return o
    year, _sep, season = o.term.partition("-")
    initial = {
        "year": int(year) if year.isdigit() else None,
        "season": season,
        "teacher": o.teacher_id,
        "centre": o.centre_id,
        "starts_on": o.starts_on,
        "ends_on": o.ends_on,
        "schedule": o.schedule,
        "activity_id": o.activity_id,
        "unit_count": o.unit_count,
    }
    form = forms.OfferingForm(
        request.POST or None, initial=initial, editing=True, **_offering_choices(request.user, [o.university_id], o)
    )
    if request.method == "GET":
        form.initial.update(initial)
    status = 200
    if request.method == "POST":

        def act() -> HttpResponse:
            services.offering_update(actor=request.user, offering=o, **_offering_service_kwargs(form))
            messages.success(request, _("Saved."))
            return redirect("teaching:offering", pk=o.pk)

        done, status = _submitted(form, act)
        if done is not None:
            return done
    return render(request, "teaching/offering_form.html", {"form": form, "offering": o}, status=status)


ENROL_PAGE_SIZE = 50


def _intake_label(year: int, season: str) -> str:
    return Offering(term=f"{year}-{season}").term_label


@login_required
@require_http_methods(["GET", "POST"])
def enrolments(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is enrolled in an offering, and the admitted students that may be added to it."""
    o = _offering_for(request, pk, "teaching.enrol")
    if isinstance(o, HttpResponse):
        return o
    error, status = "", 200
    if request.method == "POST":
        ids = {int(v) for v in request.POST.getlist("student") if v.isdigit()}
        chosen = list(student_records_visible_to(user=request.user).filter(pk__in=ids))
        try:
            if not ids:
                raise ApplicationError("ENROLMENT_STUDENT_INVALID", _("Choose at least one student."))
            if len(chosen) != len(ids):
                raise NotFound("TEACHING_NOT_FOUND", _("Some students do not exist."))
            created = services.enrolment_add(actor=request.user, offering=o, students=chosen, refuse_existing=True)
            messages.success(request, _("{n} students enrolled.").format(n=len(created)))
            return redirect(request.get_full_path())
        except ApplicationError as exc:
            error, status = exc.message, _error_status(exc)
            if status == 403:
                return _refused(request, exc.message)

    pool = student_records_visible_to(user=request.user).filter(
        university_id=o.university_id, status=StudentRecord.Status.ENROLLED
    )
    if o.centre_id:
        pool = pool.filter(centre_id=o.centre_id)
    intakes = sorted(set(pool.values_list("plan__year", "plan__season")), reverse=True)
    filters = forms.EnrolFilterForm(
        request.GET or None,
        majors=Major.objects.filter(pk__in=pool.values("major_id")).order_by("catalogue_code", "level"),
        centres=LearningCentre.objects.filter(pk__in=pool.values("centre_id")).order_by("name"),
        intakes=[(f"{y}-{s}", _intake_label(y, s)) for y, s in intakes],
    )
    candidates = pool
    if filters.is_valid():
        d = filters.cleaned_data
        if d["major"]:
            candidates = candidates.filter(major=d["major"])
        if d["centre"]:
            candidates = candidates.filter(centre=d["centre"])
        if d["intake"]:
            year, _sep, season = d["intake"].partition("-")
            candidates = candidates.filter(plan__year=int(year), plan__season=season)
        if d["q"]:
            candidates = candidates.filter(Q(student_number__startswith=d["q"]) | Q(applicant__name__contains=d["q"]))
    enrolled_ids = set(o.enrolments.values_list("student_id", flat=True))
    page = Paginator(
        candidates.select_related("applicant", "plan", "major", "centre").order_by("student_number"), ENROL_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "teaching/enrolments.html",
        {
            "offering": o,
            "enrolled": list(o.enrolments.select_related("student__applicant", "student__major", "student__centre")),
            "filters": filters,
            "page": page,
            "rows": [
                {"s": s, "enrolled": s.pk in enrolled_ids, "intake": _intake_label(s.plan.year, s.plan.season)}
                for s in page
            ],
            "query": query.urlencode(),
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def enrolment_withdraw(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    o = _offering_for(request, pk, "teaching.enrol")
    if isinstance(o, HttpResponse):
        return o
    e = o.enrolments.select_related("student").filter(pk=enrolment_pk).first()
    if e is None:
        raise Http404(_("No such enrolment."))
    try:
        services.enrolment_withdraw(actor=request.user, enrolment=e)
        messages.success(
            request, _("Student {number} is withdrawn from this offering.").format(number=e.student.student_number)
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("teaching:enrolments", pk=o.pk)


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
