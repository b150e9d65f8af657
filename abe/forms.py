from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class ServiceModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm that only validates input shapes (fields, widgets and labels from the model).

    It neither copies the input onto ``instance`` nor runs the model's validation (``full_clean``, unique
    checks): the page hands ``cleaned_data`` to a service, which owns those rules for pages and API alike,
    and an object the service refuses must stay untouched.
    """

    def _post_clean(self) -> None:
        pass


def form_add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field when the form has it, on top otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def localize_number_fields() -> None:
    """Every decimal and float field of every form reads and shows numbers the local way (issue 16).

    In Spanish, Portuguese and Romanian "1,5" is one and a half; a localized field accepts it (and "1.5"), and
    shows its value with the local decimal separator. Such a field renders as a text input with a decimal
    keyboard, since a browser's number input follows the browser's locale rather than the page's language.
    Called once from ``AbeConfig.ready()``.
    """
    for cls in (forms.FloatField, forms.DecimalField):
        if getattr(cls, "_abe_localized", False):
            continue
        original = cls.__init__

        def __init__(self: forms.Field, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            kwargs.setdefault("localize", True)
            _original(self, *args, **kwargs)
            if isinstance(self.widget, forms.TextInput) and not isinstance(self.widget, forms.NumberInput):
                self.widget.attrs.setdefault("inputmode", "decimal")

        cls.__init__ = __init__  # type: ignore[method-assign]
        setattr(cls, "_abe_localized", True)  # noqa: B010
