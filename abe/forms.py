from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.utils import flatatt
from django.utils import formats
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField


class ServiceModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ModelForm that only validates input shapes (fields, widgets and labels from the model).

    It neither copies the input onto ``instance`` nor runs the model's validation (``full_clean``, unique
    checks): the page hands ``cleaned_data`` to a service, which owns those rules for pages and API alike,
    and an object the service refuses must stay untouched.
    """

    def _post_clean(self) -> None:
        pass


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, given to the database in UTC. Python reads UTC offsets up to ±23:59, PostgreSQL takes
    ±15:59 at most: ``?created_before=0115-06-22T20:35:28+20:33`` was a 500 ("time zone displacement out of range").
    A time that has no UTC equivalent within the years 1-9999 is refused as a field error."""

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            utc: datetime = parsed.astimezone(UTC)
        except OverflowError:
            raise ValidationError(gettext_lazy("This time is out of range."), code="invalid") from None
        return utc


def form_add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field when the form has it, on top otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LocalLimit:
    """A minimum or maximum whose error shows its limit the reader's way: "mayor o igual a 0,25" in Spanish, where
    Django's own validator writes the number as Python does ("0.25") beside a field that shows "14,0"."""

    def __init__(self, validator: MinValueValidator | MaxValueValidator) -> None:
        self.validator = validator

    def __call__(self, value: Any) -> None:
        try:
            self.validator(value)
        except ValidationError as exc:
            params = {
                key: formats.number_format(number) if isinstance(number, (float, Decimal)) else number
                for key, number in (exc.params or {}).items()
            }
            raise ValidationError(exc.message, code=exc.code, params=params) from None


def localize_number_fields() -> None:
    """Every decimal and float field of every form reads and shows numbers the local way (issue 16).

    In Spanish, Portuguese and Romanian "1,5" is one and a half; a localized field accepts it (and "1.5"), and
    shows its value with the local decimal separator. Such a field renders as a text input with a decimal
    keyboard, since a browser's number input follows the browser's locale rather than the page's language. Its
    minimum and maximum are written the same way in its errors (``LocalLimit``).
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
            self.validators = [
                LocalLimit(v) if isinstance(v, (MinValueValidator, MaxValueValidator)) else v for v in self.validators
            ]

        cls.__init__ = __init__  # type: ignore[method-assign]
        setattr(cls, "_abe_localized", True)  # noqa: B010


class FastSelect(forms.Select):
    """A ``<select>`` rendered in Python. Django's template-based widget renders one template per option (about
    50 µs each): the filter bars of the tier board and the accounts list (industries, countries, owners, criteria:
    ~90 options) cost ~4 ms of a request. Same markup, selection and escaping as Django's ``Select``: the options
    are walked as ``ChoiceWidget.optgroups`` walks them (the first matching value is the selected one), without
    building its per-option dictionaries and attribute copies (~1 ms more per filter bar)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        if self.allow_multiple_selected:  # not used so: Django's own widget keeps a multiple select exact
            return super().render(name, value, attrs, renderer)
        wanted = self.format_value(value)
        parts: list[str] = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            grouped = isinstance(option_label, (list, tuple))
            if grouped:
                parts.append(format_html('<optgroup label="{}">', option_value))
            for subvalue, sublabel in option_label if grouped else ((option_value, option_label),):
                selected = not has_selected and str(subvalue) in wanted
                has_selected |= selected
                parts.append(
                    f'<option value="{escape(str(subvalue))}"{" selected" if selected else ""}>'
                    f"{conditional_escape(cast(str, sublabel))}</option>"
                )
            if grouped:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # every value and label escaped above
