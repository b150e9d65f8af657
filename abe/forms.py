from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


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


class FastSelect(forms.Select):
    """A ``<select>`` rendered in Python. Django's template-based widget renders one template per option (about
    50 µs each): the filter bars of the tier board and the accounts list (industries, countries, owners, criteria:
    ~90 options) cost ~4 ms of a request. Same markup and escaping, from the same widget context."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html('<option value="{}"{}>{}</option>', str(o["value"]), flatatt(o["attrs"]), o["label"])
                for o in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # every part escaped by format_html
