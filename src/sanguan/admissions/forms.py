from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sanguan.core.forms import Styled
from sanguan.institutions.models import Level, University

from .models import EnrollmentPlan, ExamSession, Payment, PriorQualification, Season


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EnrollmentPlan) -> str:
        centre = f" · {obj.centre.name}" if obj.centre_id else ""
        return f"{obj.year} {obj.get_season_display()} · {obj.major}{centre}（{obj.remaining}/{obj.quota}）"


class RegisterForm(Styled):
    plan = PlanChoiceField(label=_("Enrollment plan"), queryset=EnrollmentPlan.objects.none())
    name = forms.CharField(label=_("Name"), max_length=64)
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=15,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    qualification_kind = forms.ChoiceField(label=_("Prior qualification"), choices=PriorQualification.Kind.choices)
    institution_name = forms.CharField(label=_("Awarding institution"), max_length=100)
    graduated_on = forms.DateField(label=_("Graduated on"), widget=forms.DateInput(attrs={"type": "date"}))
    report_number = forms.CharField(label=_("CHSI verification report code"), max_length=40, required=False)
    evidence = forms.FileField(label=_("Evidence (scan of the certificate or report)"), required=False)

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans


class PlanForm(Styled):
    major = forms.ModelChoiceField(label=_("Major"), queryset=None)
    centre = forms.ModelChoiceField(label=_("Centre (optional)"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    season = forms.ChoiceField(label=_("Season"), choices=Season.choices)
    quota = forms.IntegerField(label=_("Quota"), min_value=1)
    teachers = forms.IntegerField(label=_("Teachers"), min_value=0, initial=0)
    centre_seats = forms.IntegerField(label=_("Centre seats"), min_value=0, initial=0)
    course_resources = forms.IntegerField(label=_("Ready courses"), min_value=0, initial=0)
    justification = forms.CharField(label=_("Justification (needed above capacity)"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, university=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["major"].queryset = university.majors.filter(is_active=True) if university else None
        self.fields["centre"].queryset = university.centres.all() if university else None


class VerifyForm(Styled):
    accepted = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                      choices=[("1", _("Verified")), ("0", _("Rejected"))])
    note = forms.CharField(label=_("Note"), required=False)


class ScoreForm(Styled):
    session = forms.ModelChoiceField(label=_("Exam session"), queryset=ExamSession.objects.none())
    score = forms.CharField(label=_("Score"), max_length=10)
    candidate_number = forms.CharField(label=_("Candidate number"), max_length=32, required=False)

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"].queryset = sessions


class ReviewForm(Styled):
    passed = forms.TypedChoiceField(label=_("Political and moral review"), coerce=lambda v: v == "1",
                                    choices=[("1", _("Passed")), ("0", _("Failed"))])
    note = forms.CharField(label=_("Note"), required=False)


class DecideForm(Styled):
    admit = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                   choices=[("1", _("Admit")), ("0", _("Do not admit"))])
    note = forms.CharField(label=_("Note"), required=False)


class PublicityForm(Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    captions = forms.CharField(label=_("Image captions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")
    channel = forms.CharField(label=_("Channel"), max_length=64)
    in_use = forms.BooleanField(label=_("Already in use"), required=False)


class PublicityDecisionForm(Styled):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                     choices=[("1", _("Approve")), ("0", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False)


class ImportForm(Styled):
    kind = forms.ChoiceField(label=_("What"), choices=[("applicants", _("Applicants")), ("scores", _("Exam scores"))])
    file = forms.FileField(label=_("xlsx file"))
    year = forms.IntegerField(label=_("Intake year"), min_value=2000, max_value=2100, required=False)
    season = forms.ChoiceField(label=_("Intake season"), choices=Season.choices, required=False)
    session = forms.ModelChoiceField(label=_("Exam session (for scores)"), queryset=ExamSession.objects.none(),
                                     required=False)

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"].queryset = sessions


class CodeForm(Styled):
    code = forms.CharField(label=_("Verification code"), max_length=20)


LEVEL_CHOICES = Level.choices


class CharterForm(Styled):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, **kwargs):
        from .models import AdmissionsCharter

        super().__init__(*args, **kwargs)
        for key, label in AdmissionsCharter.REQUIRED_SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def sections(self) -> dict[str, str]:
        return {k[len("section_"):]: v for k, v in self.cleaned_data.items() if k.startswith("section_")}


class SessionForm(Styled):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    season = forms.ChoiceField(label=_("Season"), choices=Season.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExamSession.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    max_score = forms.DecimalField(label=_("Maximum score"), initial=450, max_digits=6, decimal_places=1)


class PassLineForm(Styled):
    session = forms.ModelChoiceField(label=_("Exam session"), queryset=ExamSession.objects.none())
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    min_score = forms.DecimalField(label=_("Pass line"), max_digits=6, decimal_places=1)

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sessions is not None:
            self.fields["session"].queryset = sessions


class AnnouncementForm(Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 3}))


class AuthorisationForm(Styled):
    centre = forms.ModelChoiceField(label=_("Centre"), queryset=None)
    reference = forms.CharField(label=_("Document reference"), max_length=64)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(label=_("Signed document"), required=False)

    def __init__(self, *args, university=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = university.centres.all() if university else None


class FteForm(Styled):
    online_weight = forms.DecimalField(label=_("Online-education weight (empty: not counted)"), required=False,
                                       max_digits=4, decimal_places=2)
    continuing_weight = forms.DecimalField(label=_("Continuing-education weight (empty: not counted)"),
                                           required=False, max_digits=4, decimal_places=2)


class InvoiceForm(Styled):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=10, decimal_places=2)
    academic_year = forms.IntegerField(label=_("Academic year"), min_value=2000, max_value=2100)


class PaymentForm(Styled):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=10, decimal_places=2)
    channel = forms.ChoiceField(label=_("Channel"), choices=Payment.Channel.choices)
    collector = forms.ChoiceField(label=_("Collected by"), choices=Payment.Collector.choices)
    payee_account = forms.CharField(label=_("Account credited"), max_length=64, required=False)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)


class SignupForm(Styled):
    """Public sign-up of an applicant. The list shows only universities open for sign-up;
    any existing university is accepted so that the service can say why it is refused."""

    university = forms.ModelChoiceField(label=_("University"), queryset=None)
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    display_name = forms.CharField(label=_("Your name (shown to the university)"), max_length=64, required=False)
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, open_universities=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["university"]
        field.queryset = University.objects.all()
        if open_universities is not None:
            field.widget.choices = [("", "---------")] + [(u.pk, str(u)) for u in open_universities]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data
