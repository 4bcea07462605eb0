"""The base of the site's server-rendered forms."""

from __future__ import annotations

from typing import Any

from django import forms

from sanguan.core.errors import ApplicationError


class Styled(forms.Form):
    """Bootstrap classes on every widget, so templates render fields in one loop
    (``core/_form.html``); a field with an error is marked invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs.setdefault("class", css)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Bootstrap shows a field's message only next to a widget marked invalid.
        for name in self.errors:
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    self.fields[name].widget.attrs["class"] = f"{css} is-invalid".strip()

    def add_service_error(self, exc: ApplicationError) -> None:
        """The service's message, next to the field it names (``extra["field"]``) or above the form."""
        field = exc.extra.get("field")
        self.add_error(field if field in self.fields else None, exc.message)
