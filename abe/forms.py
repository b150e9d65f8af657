from __future__ import annotations

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
