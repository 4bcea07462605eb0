"""Forms of the registrar's pages: programmes and their courses, offerings, enrolment.

Forms parse and type the input; the rules (draft only, approved programmes, the teacher
belongs to the university, no duplicate enrolment) are the services'. A service's refusal
is put back on the field it names (``extra["field"]``) with ``add_service_error``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanguan.core import forms as core_forms
from sanguan.core.errors import ApplicationError
from sanguan.institutions.models import LearningCentre, Major

from . import config
from .models import ProgrammeCourse, TrainingProgramme

SEASONS = [("AUTUMN", _("Autumn")), ("SPRING", _("Spring"))]


class Styled(core_forms.Styled):
    def add_service_error(self, exc: ApplicationError) -> None:
        # Offering services name the term; the form asks for its year and season.
        if exc.extra.get("field") == "term" and "year" in self.fields:
            self.add_error("year", exc.message)
        else:
            super().add_service_error(exc)


class MajorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Major) -> str:
        return f"{obj.catalogue_code} {obj.name} · {obj.get_level_display()} · {obj.get_track_display()}"


class ProgrammeForm(Styled):
    """A new draft: the major fixes level and track; the version number follows the last one."""

    major = MajorChoiceField(label=_("Major"), queryset=Major.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    first_intake_year = forms.IntegerField(label=_("First intake year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, majors: QuerySet[Major] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if majors is not None:
            self.fields["major"].queryset = majors
        self.fields["first_intake_year"].initial = dt.date.today().year


class ProgrammeHeaderForm(Styled):
    title = forms.CharField(label=_("Title"), max_length=120)
    first_intake_year = forms.IntegerField(label=_("First intake year"), min_value=2000, max_value=2100)


def political_choices() -> list[tuple[str, str]]:
    return [("", _("No (a subject course)")), *((c.code, c.name) for c in config.POLITICAL_COURSES.values())]


class CourseForm(Styled):
    code = forms.CharField(label=_("Course code"), max_length=24)
    name = forms.CharField(label=_("Course name"), max_length=100)
    credits = forms.DecimalField(label=_("Credits"), min_value=0, max_value=30, decimal_places=1)
    hours_online = forms.DecimalField(label=_("Online hours"), min_value=0, max_value=1000, decimal_places=1, initial=0)
    hours_face_to_face = forms.DecimalField(
        label=_("Face-to-face hours"), min_value=0, max_value=1000, decimal_places=1, initial=0
    )
    hours_practice = forms.DecimalField(
        label=_("Practice hours"), min_value=0, max_value=1000, decimal_places=1, initial=0
    )
    term_no = forms.IntegerField(label=_("Term (1, 2, …)"), min_value=1, max_value=20, initial=1)
    political_code = forms.ChoiceField(label=_("Ideological-political course"), required=False, choices=())
    is_compulsory = forms.BooleanField(label=_("Compulsory"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["political_code"].choices = political_choices()
        for name in ("credits", "hours_online", "hours_face_to_face", "hours_practice"):
            self.fields[name].widget.attrs.update({"step": "0.1", "inputmode": "decimal"})

    @classmethod
    def for_course(cls, course: ProgrammeCourse) -> CourseForm:
        return cls(
            initial={
                f: getattr(course, f)
                for f in (
                    "code",
                    "name",
                    "credits",
                    "hours_online",
                    "hours_face_to_face",
                    "hours_practice",
                    "term_no",
                    "political_code",
                    "is_compulsory",
                )
            }
        )


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProgrammeCourse) -> str:
        p = obj.programme
        return f"{obj.code} {obj.name} · {p.title} v{p.version}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})" if getattr(obj, "display_name", "") else str(obj)


class CentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LearningCentre) -> str:
        return obj.name


class OfferingForm(Styled):
    course = CourseChoiceField(label=_("Course (from an approved programme)"), queryset=ProgrammeCourse.objects.none())
    year = forms.IntegerField(label=_("Term year"), min_value=2000, max_value=2100)
    season = forms.ChoiceField(label=_("Term season"), choices=SEASONS)
    teacher = UserChoiceField(label=_("Teacher"), queryset=None)
    centre = CentreChoiceField(
        label=_("Learning centre / off-campus site"),
        queryset=LearningCentre.objects.none(),
        required=False,
        empty_label=_("— the university itself —"),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    schedule = forms.CharField(
        label=_("Timetable"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Saturdays 09:00–12:00")}),
    )
    activity_id = forms.CharField(
        label=_("Learning-platform activity id (xAPI IRI)"),
        max_length=400,
        widget=forms.TextInput(
            attrs={
                "placeholder": "https://lms.example.edu.cn/course/cs101-2026-autumn",
                "inputmode": "url",
                "spellcheck": "false",
            }
        ),
        help_text=_("The address under which the learning platform reports this course's activities."),
    )
    unit_count = forms.IntegerField(label=_("Learning units"), min_value=1, max_value=500, initial=10)

    field_order = (
        "course",
        "teacher",
        "centre",
        "year",
        "season",
        "starts_on",
        "ends_on",
        "schedule",
        "unit_count",
        "activity_id",
    )

    def __init__(
        self,
        *args: Any,
        courses: QuerySet | None = None,
        teachers: QuerySet | None = None,
        centres: QuerySet | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses
        if teachers is not None:
            self.fields["teacher"].queryset = teachers
        if centres is not None:
            self.fields["centre"].queryset = centres
        if editing:
            del self.fields["course"]
        today = dt.date.today()
        self.fields["year"].initial = today.year
        self.fields["season"].initial = "SPRING" if 2 <= today.month <= 7 else "AUTUMN"

    @property
    def term(self) -> str:
        d = self.cleaned_data
        return f"{d['year']}-{d['season']}"


class EnrolFilterForm(Styled):
    """Which admitted students to list as candidates (all optional)."""

    major = MajorChoiceField(
        label=_("Major"), queryset=Major.objects.none(), required=False, empty_label=_("All majors")
    )
    centre = CentreChoiceField(
        label=_("Centre"), queryset=LearningCentre.objects.none(), required=False, empty_label=_("All centres")
    )
    intake = forms.ChoiceField(label=_("Intake"), required=False, choices=())
    q = forms.CharField(label=_("Student number or name"), required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        majors: QuerySet | None = None,
        centres: QuerySet | None = None,
        intakes: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if majors is not None:
            self.fields["major"].queryset = majors
        if centres is not None:
            self.fields["centre"].queryset = centres
        self.fields["intake"].choices = [("", _("All intakes")), *(intakes or [])]
        for field in self.fields.values():
            field.widget.attrs["class"] += (
                " form-control-sm" if "form-control" in field.widget.attrs["class"] else " form-select-sm"
            )


class ProgrammeFilterForm(Styled):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    major = MajorChoiceField(
        label=_("Major"), queryset=Major.objects.none(), required=False, empty_label=_("All majors")
    )

    def __init__(self, *args: Any, majors: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *TrainingProgramme.Status.choices]
        if majors is not None:
            self.fields["major"].queryset = majors
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-select-sm"
