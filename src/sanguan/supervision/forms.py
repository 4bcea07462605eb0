from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanguan.institutions.models import Major

from . import selectors
from .models import Sanction


class SanctionIssueForm(forms.Form):
    """Parses the issue form; the service validates (period, limit, major of the university)."""

    university = forms.ModelChoiceField(label=_("University"), queryset=None)
    major = forms.ModelChoiceField(
        label=_("Major (leave empty for the whole university)"), queryset=None, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Sanction.Kind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ends on (optional)"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    limit = forms.IntegerField(label=_("Admission limit (enrolment limitation only)"), required=False, min_value=0)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        universities = selectors.universities_sanctionable_by(user=user)
        self.fields["university"].queryset = universities
        self.fields["major"].queryset = Major.objects.filter(university__in=universities).select_related("university")
        self.fields["major"].label_from_instance = lambda m: f"{m.university.name} · {m}"
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-select" if name in {"university", "major", "kind"} else "form-control"
            )


class SanctionLiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for lifting"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
