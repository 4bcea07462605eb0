from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Finding
from .registry import ARTICLES, Severity, all_rules


class FindingFilterForm(forms.Form):
    """The findings page's filters; an invalid value is ignored rather than refused."""

    article = forms.TypedChoiceField(label=_("Article"), required=False, coerce=int, empty_value=None)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    rule = forms.ChoiceField(label=_("Rule"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("All"))]
        self.fields["article"].choices = anything + [(n, title) for n, title in ARTICLES.items()]
        self.fields["severity"].choices = anything + list(Severity.choices)
        self.fields["status"].choices = anything + list(Finding.Status.choices)
        self.fields["rule"].choices = anything + [(r.code, f"{r.code} {r.title}") for r in all_rules()]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class TransitionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), max_length=2000
    )
