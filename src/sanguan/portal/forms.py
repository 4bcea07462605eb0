from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CentreCheckForm(forms.Form):
    """"Is centre X authorised by university Y?"."""

    university = forms.CharField(
        label=_("University"), max_length=100,
        help_text=_("Its name or its 5-digit school code."),
        widget=forms.TextInput(attrs={"class": "form-control", "list": "sg-universities", "autocomplete": "off",
                                      "placeholder": _("e.g. 楚天大学 or 19042")}),
    )
    centre = forms.CharField(
        label=_("Learning centre"), max_length=100,
        help_text=_("The full name of the centre or site, or its code."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                      "placeholder": _("e.g. 楚天大学武汉洪山区校外教学点")}),
    )
