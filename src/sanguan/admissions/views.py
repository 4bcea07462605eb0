"""Pages of the entrance gate: the admissions office, centre staff (register applicants,
submit publicity, see status, nothing more), applicants, and the public pages (charters,
announcements, publicity verification). Views parse input, call one service or selector,
and render; refusals are shown next to the form with their translated message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanguan.accounts import policy
from sanguan.accounts.models import Role
from sanguan.core.errors import ApplicationError

from . import forms, selectors, services, xlsx
from .models import (
    AdmissionsCharter,
    Applicant,
    ExamSession,
    PriorQualification,
    PublicityMaterial,
    StudentRecord,
)


def _university_membership(user: Any, action: str):
    return next((m for m in policy.memberships_for(user, action) if m.university_id and not m.centre_id), None)


def _centre_membership(user: Any):
    return next((m for m in policy.memberships_of(user) if m.role == Role.CENTRE_STAFF), None)


def _error_status(exc: ApplicationError) -> int:
    return exc.status if exc.status in (400, 403, 404, 409) else 400


# ------------------------------------------------------------------ dashboard


def _index_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    office = _university_membership(user, "admissions.plan_manage")
    centre_m = _centre_membership(user)
    ctx: dict[str, Any] = {"office": office, "centre_membership": centre_m}
    applicants = selectors.applicants_visible_to(user=user).select_related("qualification")
    status = request.GET.get("status") or ""
    if status:
        applicants = applicants.filter(status=status)
    ctx["status"] = status
    ctx["applicants"] = [selectors.applicant_as_dict(a, viewer=user) | {"obj": a} for a in applicants[:200]]
    if office is not None:
        university = office.university
        ctx["university"] = university
        ctx["plans"] = selectors.plans_visible_to(user=user, filters={"university_id": university.pk})[:100]
        ctx["plan_form"] = forms.PlanForm(university=university)
        ctx["register_form"] = forms.RegisterForm(plans=selectors.plans_open_for_registration(university=university))
        ctx["pending_publicity"] = PublicityMaterial.objects.filter(
            university=university, status=PublicityMaterial.Status.SUBMITTED)[:50]
        ctx["charters"] = AdmissionsCharter.objects.filter(university=university)[:10]
        ctx["can_export"] = policy.can(user, "admissions.export_personal", university)
    if centre_m is not None:
        ctx["register_form"] = forms.RegisterForm(plans=_plans_for_centre(centre_m))
        ctx["publicity_form"] = forms.PublicityForm()
        ctx["my_publicity"] = PublicityMaterial.objects.filter(centre_id=centre_m.centre_id)[:50]
    if policy.memberships_for(user, "admissions.register_self"):
        ctx["self_form"] = forms.RegisterForm(plans=_plans_for_self(user))
    return ctx


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "admissions/index.html", _index_context(request))


def _plans_for_centre(m) -> Any:
    return selectors.plans_open_for_registration().filter(university_id=m.university_id).filter(
        Q(centre__isnull=True) | Q(centre_id=m.centre_id))


def _plans_for_self(user) -> Any:
    ids = [m.university_id for m in policy.memberships_of(user) if m.role == Role.STUDENT]
    return selectors.plans_open_for_registration().filter(university_id__in=ids, centre__isnull=True)


# ------------------------------------------------------------------ registration


def _register(request: HttpRequest, *, plans, centre, self_service: bool) -> HttpResponse:
    form = forms.RegisterForm(request.POST, request.FILES, plans=plans)
    key = "self_form" if self_service else "register_form"
    if not form.is_valid():
        messages.error(request, _("Please correct the form."))
        return _index_with(request, form_key=key, form=form, status=400)
    d = form.cleaned_data
    person = services.PersonInput(name=d["name"], id_number=d["id_number"], phone=d["phone"])
    try:
        with transaction.atomic():
            if self_service:
                reg = services.applicant_self_register(actor=request.user, plan=d["plan"], person=person)
            else:
                reg = services.applicant_register(actor=request.user, plan=d["plan"], person=person, centre=centre)
            services.qualification_declare(
                actor=request.user, applicant=reg.applicant, kind=d["qualification_kind"],
                institution_name=d["institution_name"], graduated_on=d["graduated_on"],
                report_number=d["report_number"], evidence=d.get("evidence"),
            )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _index_with(request, form_key=key, form=form, status=_error_status(exc))
    for w in reg.warnings:
        messages.warning(request, w["message"])
    messages.success(request, _("The applicant is registered."))
    return redirect("admissions:applicant", pk=reg.applicant.pk)


def _index_with(request: HttpRequest, *, status: int, form_key: str, form: forms.RegisterForm) -> HttpResponse:
    ctx = _index_context(request)
    ctx[form_key] = form
    return render(request, "admissions/index.html", ctx, status=status)


@login_required
@require_POST
def register(request: HttpRequest) -> HttpResponse:
    m = _centre_membership(request.user)
    if m is not None:
        return _register(request, plans=_plans_for_centre(m), centre=m.centre, self_service=False)
    office = _university_membership(request.user, "admissions.register_applicant")
    if office is None:
        raise Http404
    return _register(request, plans=selectors.plans_open_for_registration(university=office.university), centre=None,
                     self_service=False)


@login_required
@require_POST
def register_self(request: HttpRequest) -> HttpResponse:
    return _register(request, plans=_plans_for_self(request.user), centre=None, self_service=True)


# ------------------------------------------------------------------ one applicant


def _applicant_or_404(request: HttpRequest, pk: int) -> Applicant:
    a = selectors.applicants_visible_to(user=request.user).filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


def _detail(request: HttpRequest, a: Applicant, *, error: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    q = PriorQualification.objects.filter(applicant=a).first()
    sessions = ExamSession.objects.filter(university_id=a.university_id, year=a.year, season=a.season)
    ctx = {
        "a": a,
        "view": selectors.applicant_as_dict(a, viewer=user),
        "qualification": q,
        "scores": a.scores.select_related("session"),
        "record": StudentRecord.objects.filter(applicant=a).first(),
        "can_verify": q is not None and policy.can(user, "admissions.verify_qualification", a),
        "can_score": policy.can(user, "admissions.record_score", a),
        "can_review": policy.can(user, "admissions.moral_review", a),
        "can_decide": policy.can(user, "admissions.decide", a),
        "verify_form": forms.VerifyForm(),
        "score_form": forms.ScoreForm(sessions=sessions),
        "review_form": forms.ReviewForm(),
        "decide_form": forms.DecideForm(),
        "can_bill": policy.can(user, "admissions.tuition_manage", a),
        "can_post_review": policy.can(user, "admissions.post_review", a),
        "invoices": a.invoices.prefetch_related("payments"),
        "invoice_form": forms.InvoiceForm(),
        "payment_form": forms.PaymentForm(),
        "error": error,
    }
    return render(request, "admissions/applicant.html", ctx, status=status)


@login_required
@require_GET
def applicant(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _applicant_or_404(request, pk))


def _act(request: HttpRequest, pk: int, form_class, call) -> HttpResponse:
    a = _applicant_or_404(request, pk)
    kwargs = {}
    if form_class is forms.ScoreForm:
        kwargs["sessions"] = ExamSession.objects.filter(university_id=a.university_id)
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return _detail(request, a, error=_("Please correct the form."), status=400)
    try:
        call(a, form.cleaned_data)
    except ApplicationError as exc:
        a.refresh_from_db()
        return _detail(request, a, error=exc.message, status=_error_status(exc))
    messages.success(request, _("Saved."))
    return redirect("admissions:applicant", pk=a.pk)


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    def call(a, d):
        q = PriorQualification.objects.filter(applicant=a).first()
        if q is None:
            raise ApplicationError("QUALIFICATION_INVALID", _("The applicant has declared no prior qualification."))
        services.qualification_verify(actor=request.user, qualification=q, accepted=d["accepted"], note=d["note"])

    return _act(request, pk, forms.VerifyForm, call)


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, forms.ScoreForm, lambda a, d: services.score_record(
        actor=request.user, applicant=a, session=d["session"], score=d["score"],
        candidate_number=d["candidate_number"]))


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, forms.ReviewForm, lambda a, d: services.moral_review_record(
        actor=request.user, applicant=a, passed=d["passed"], note=d["note"]))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, forms.DecideForm, lambda a, d: services.admission_decide(
        actor=request.user, applicant=a, admit=d["admit"], note=d["note"]))


@login_required
@require_POST
def post_review(request: HttpRequest, pk: int) -> HttpResponse:
    a = _applicant_or_404(request, pk)
    record = StudentRecord.objects.filter(applicant=a).first()
    if record is None:
        raise Http404
    try:
        services.post_review_record(actor=request.user, record=record, passed=request.POST.get("passed") == "1")
    except ApplicationError as exc:
        return _detail(request, a, error=exc.message, status=_error_status(exc))
    messages.success(request, _("Saved."))
    return redirect("admissions:applicant", pk=a.pk)


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The prior-qualification evidence file, for those who verify it or declared it."""
    a = _applicant_or_404(request, pk)
    q = PriorQualification.objects.filter(applicant=a).first()
    may = policy.can(request.user, "admissions.verify_qualification", a) or selectors.may_see_personal(request.user, a)
    if q is None or not q.evidence or not may:
        raise Http404
    return FileResponse(q.evidence.open("rb"), as_attachment=True, filename=Path(q.evidence.name).name)


@login_required
@require_GET
def student(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.student_records_visible_to(user=request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    return redirect("admissions:applicant", pk=record.applicant_id)


# ------------------------------------------------------------------ plans


@login_required
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    office = _university_membership(request.user, "admissions.plan_manage")
    if office is None:
        raise Http404
    form = forms.PlanForm(request.POST, university=office.university)
    if form.is_valid():
        try:
            services.plan_create(actor=request.user, university=office.university, **form.cleaned_data)
            messages.success(request, _("The plan is saved as a draft."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect("admissions:index")


@login_required
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.plans_visible_to(user=request.user).filter(pk=pk).first()
    if p is None:
        raise Http404
    return render(request, "admissions/plan.html", {
        "p": p, "can_manage": policy.can(request.user, "admissions.plan_manage", p),
        "can_approve": policy.can(request.user, "admissions.plan_approve", p),
        "can_decide": policy.can(request.user, "admissions.decide", p),
        "ready": len(selectors.applicants_ready_for_admission(plan=p))})


@login_required
@require_POST
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    p = selectors.plans_visible_to(user=request.user).filter(pk=pk).first()
    if p is None:
        raise Http404
    try:
        if step == "admit":
            ids = selectors.applicants_ready_for_admission(plan=p)
            records = services.admission_decide_batch(actor=request.user, applicant_ids=ids)
            messages.success(request, _("{n} applicants admitted.").format(n=len(records)))
            return redirect("admissions:plan", pk=p.pk)
        if step == "submit":
            services.plan_submit(actor=request.user, plan=p, justification=request.POST.get("justification") or None)
        elif step == "approve":
            services.plan_approve(actor=request.user, plan=p)
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("admissions:plan", pk=p.pk)


# ------------------------------------------------------------------ publicity


@login_required
@require_POST
def publicity_submit(request: HttpRequest) -> HttpResponse:
    m = _centre_membership(request.user)
    office = _university_membership(request.user, "admissions.publicity_submit")
    university = m.university if m else (office.university if office else None)
    if university is None:
        raise Http404
    form = forms.PublicityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the form."))
        return redirect("admissions:index")
    try:
        material = services.publicity_submit(actor=request.user, university=university,
                                             centre=m.centre if m else None, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("admissions:index")
    return redirect("admissions:publicity", pk=material.pk)


@login_required
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    material = selectors.publicity_visible_to(user=request.user).filter(pk=pk).first()
    if material is None:
        raise Http404
    can_decide = policy.can(request.user, "admissions.publicity_approve", material)
    error = ""
    if request.method == "POST":
        form = forms.PublicityDecisionForm(request.POST)
        if form.is_valid():
            try:
                material = services.publicity_decide(actor=request.user, material=material,
                                                     approve=form.cleaned_data["approve"],
                                                     note=form.cleaned_data["note"])
                messages.success(request, _("Saved."))
                return redirect("admissions:publicity", pk=material.pk)
            except ApplicationError as exc:
                error = exc.message
    return render(request, "admissions/publicity.html", {
        "m": material, "can_decide": can_decide, "form": forms.PublicityDecisionForm(), "error": error},
        status=400 if error else 200)


# ------------------------------------------------------------------ bulk


@login_required
def bulk(request: HttpRequest) -> HttpResponse:
    office = _university_membership(request.user, "admissions.import")
    if office is None:
        raise Http404
    sessions = ExamSession.objects.filter(university=office.university)
    form = forms.ImportForm(request.POST or None, request.FILES or None, sessions=sessions)
    report = errors = None
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = d["file"].read()
        try:
            if d["kind"] == "applicants" and not d["year"]:
                form.add_error("year", _("Choose the intake year."))
                status = 400
            elif d["kind"] == "applicants":
                report = xlsx.import_applicants(actor=request.user, university=office.university,
                                                year=d["year"], season=d["season"] or "AUTUMN", data=data)
            elif d["session"] is not None:
                report = xlsx.import_scores(actor=request.user, session=d["session"], data=data)
            else:
                form.add_error("session", _("Choose the exam session."))
                status = 400
        except ApplicationError as exc:
            errors = exc
            status = _error_status(exc)
    return render(request, "admissions/bulk.html", {"form": form, "report": report, "errors": errors,
                                                     "university": office.university}, status=status)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    office = _university_membership(request.user, "admissions.view")
    if office is None:
        raise Http404
    try:
        content = xlsx.export_applicants(actor=request.user, university=office.university)
    except ApplicationError as exc:
        return render(request, "admissions/refused.html", {"error": exc.message}, status=_error_status(exc))
    response = HttpResponse(content, content_type=xlsx.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="applicants.xlsx"'
    return response


# ------------------------------------------------------------------ public pages (no login)


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "admissions/public/index.html", {
        "charters": selectors.charters_published()[:50],
        "announcements": selectors.announcements_published()[:20],
        "form": forms.CodeForm(),
    })


@require_GET
def public_charter(request: HttpRequest, pk: int) -> HttpResponse:
    charter = get_object_or_404(selectors.charters_published(), pk=pk)
    labels = dict(AdmissionsCharter.REQUIRED_SECTIONS)
    sections = [(labels.get(k, k), v) for k, v in charter.sections.items() if v]
    return render(request, "admissions/public/charter.html", {"charter": charter, "sections": sections})


@require_GET
def public_announcement(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.announcements_published(), pk=pk)
    return render(request, "admissions/public/announcement.html", {"item": item})


@require_GET
def public_verify(request: HttpRequest) -> HttpResponse:
    form = forms.CodeForm(request.GET or None)
    material = None
    checked = False
    if form.is_valid():
        checked = True
        material = selectors.publicity_verify(form.cleaned_data["code"])
    return render(request, "admissions/public/verify.html", {"form": form, "material": material,
                                                             "checked": checked})


SIGNUP_FIELD_OF_CODE = {
    "USERNAME_INVALID": "username",
    "USERNAME_TAKEN": "username",
    "PASSWORD_WEAK": "password",
    "UNIVERSITY_NOT_FOUND": "university",
    "CHARTER_NOT_FOUND": "university",
    "ENROLLMENT_SUSPENDED": "university",
}


def _signup_throttled(request: HttpRequest) -> bool:
    """Count this sign-up attempt from the client's address; True once over the hourly limit."""
    limit = int(getattr(settings, "SANGUAN_SIGNUPS_PER_IP_PER_HOUR", 10))
    key = "admissions:signup:" + (request.META.get("REMOTE_ADDR") or "unknown")
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit


def _signup_page(request: HttpRequest, form: forms.SignupForm, *, status: int = 200) -> HttpResponse:
    return render(request, "admissions/public/signup.html", {"form": form}, status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_signup(request: HttpRequest) -> HttpResponse:
    """A member of the public opens an applicant account at a university, then applies."""
    if request.user.is_authenticated:
        return redirect("admissions:index")
    open_universities = selectors.universities_open_for_signup(on=timezone.localdate())
    if request.method == "GET":
        return _signup_page(request, forms.SignupForm(open_universities=open_universities))
    form = forms.SignupForm(request.POST, open_universities=open_universities)
    if _signup_throttled(request):
        form.is_valid()
        form.add_error(None, _("Too many sign-ups from your network in the last hour. Please try again later."))
        return _signup_page(request, form, status=429)
    if not form.is_valid():
        return _signup_page(request, form, status=400)
    d = form.cleaned_data
    try:
        account = services.applicant_account_create(
            university=d["university"], username=d["username"], password=d["password"],
            display_name=d["display_name"],
        )
    except ApplicationError as exc:
        field = SIGNUP_FIELD_OF_CODE.get(exc.code)
        form.add_error(field, exc.message)
        for reason in (exc.extra or {}).get("reasons", []):
            form.add_error(field, reason)
        return _signup_page(request, form, status=_error_status(exc))
    login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your account is ready. Now fill in your application."))
    return redirect("admissions:index")



# ------------------------------------------------------------------ the office: charters, exams, publicity rights, FTE


def _office_or_404(request: HttpRequest, action: str = "admissions.view"):
    office = _university_membership(request.user, action)
    if office is None:
        raise Http404
    return office


def _office_context(request: HttpRequest, office, **forms_in) -> dict[str, Any]:
    university = office.university
    sessions = ExamSession.objects.filter(university=university)
    fte = None
    if policy.can(request.user, "admissions.fte_report", university):
        fte = selectors.fte_report(user=request.user, university=university)
    ctx = {
        "university": university,
        "charters": AdmissionsCharter.objects.filter(university=university),
        "sessions": sessions.prefetch_related("pass_lines"),
        "announcements": selectors.announcements_published().filter(university=university)[:20],
        "authorisations": university.advertiser_authorisations.select_related("centre")[:50],
        "fte": fte,
        "charter_form": forms.CharterForm(),
        "session_form": forms.SessionForm(),
        "pass_line_form": forms.PassLineForm(sessions=sessions),
        "announcement_form": forms.AnnouncementForm(),
        "authorisation_form": forms.AuthorisationForm(university=university),
        "fte_form": forms.FteForm(),
    }
    ctx.update(forms_in)
    return ctx


_OFFICE_FORMS = {
    "charter": ("charter_form", lambda r, o: forms.CharterForm(r.POST)),
    "session": ("session_form", lambda r, o: forms.SessionForm(r.POST)),
    "pass_line": ("pass_line_form", lambda r, o: forms.PassLineForm(
        r.POST, sessions=ExamSession.objects.filter(university=o.university))),
    "announcement": ("announcement_form", lambda r, o: forms.AnnouncementForm(r.POST)),
    "authorisation": ("authorisation_form", lambda r, o: forms.AuthorisationForm(
        r.POST, r.FILES, university=o.university)),
    "fte": ("fte_form", lambda r, o: forms.FteForm(r.POST)),
}


def _office_call(request: HttpRequest, office, what: str, d: dict[str, Any]) -> None:
    user, university = request.user, office.university
    if what == "charter":
        services.charter_create(actor=user, university=university, year=d["year"], title=d["title"],
                                sections={k[len("section_"):]: v for k, v in d.items() if k.startswith("section_")})
    elif what == "session":
        services.exam_session_create(actor=user, university=university, **d)
    elif what == "pass_line":
        services.pass_line_set(actor=user, session=d["session"], level=d["level"], min_score=d["min_score"])
    elif what == "announcement":
        services.announcement_publish(actor=user, university=university, title=d["title"], body=d["body"])
    elif what == "authorisation":
        services.authorisation_grant(actor=user, centre=d["centre"], reference=d["reference"],
                                     valid_from=d["valid_from"], valid_until=d["valid_until"],
                                     document=d.get("document"))
    elif what == "fte":
        services.fte_config_set(actor=user, university=university, online_weight=d["online_weight"],
                                continuing_weight=d["continuing_weight"])


@login_required
def office(request: HttpRequest) -> HttpResponse:
    """Charters, exam sessions and pass lines, announcements, advertiser authorisations, FTE."""
    o = _office_or_404(request)
    if request.method != "POST":
        return render(request, "admissions/office.html", _office_context(request, o))
    what = request.POST.get("what", "")
    if what not in _OFFICE_FORMS:
        raise Http404
    key, make = _OFFICE_FORMS[what]
    form = make(request, o)
    if not form.is_valid():
        return render(request, "admissions/office.html", _office_context(request, o, **{key: form}), status=400)
    try:
        _office_call(request, o, what, form.cleaned_data)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return render(request, "admissions/office.html", _office_context(request, o, **{key: form}),
                      status=_error_status(exc))
    messages.success(request, _("Saved."))
    return redirect("admissions:office")


@login_required
@require_POST
def charter_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    o = _office_or_404(request)
    charter = get_object_or_404(AdmissionsCharter, pk=pk, university=o.university)
    try:
        if step == "approve":
            services.charter_approve(actor=request.user, charter=charter)
        elif step == "publish":
            services.charter_publish(actor=request.user, charter=charter)
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("admissions:office")


@login_required
@require_POST
def tuition(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Issue an invoice to an admitted applicant, or record a payment on their latest invoice."""
    a = _applicant_or_404(request, pk)
    form = forms.InvoiceForm(request.POST) if step == "invoice" else forms.PaymentForm(request.POST)
    if not form.is_valid():
        return _detail(request, a, error=_("Please correct the form."), status=400)
    try:
        if step == "invoice":
            services.invoice_issue(actor=request.user, applicant=a, **form.cleaned_data)
        else:
            invoice = a.invoices.order_by("-pk").first()
            if invoice is None:
                raise ApplicationError("INVOICE_NOT_FOUND", _("Issue an invoice first."))
            services.payment_record(actor=request.user, invoice=invoice, **form.cleaned_data)
    except ApplicationError as exc:
        return _detail(request, a, error=exc.message, status=_error_status(exc))
    messages.success(request, _("Saved."))
    return redirect("admissions:applicant", pk=a.pk)
