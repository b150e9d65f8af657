"""Input fields that accept what the OpenAPI schema says and nothing else.

DRF's ``BooleanField`` reads ``0``, ``1``, ``"yes"`` or ``"off"`` as booleans, its ``CharField`` turns ``0`` into
``"0"`` and its ``IntegerField`` reads ``"7"``; the schema says ``type: boolean``, ``string`` and ``integer``, so
schemathesis saw schema-violating requests accepted (``"is_active": 0`` saved as false). In a JSON body a boolean
field now takes ``true`` or ``false`` only, a text field a string only and an integer field a number only; form
and multipart bodies (the import uploads) and query strings, where every value is text, keep DRF's readings.

A text field's ``max_length`` also holds for the text as sent: DRF trims the whitespace around a value and
then measures it, so a 121-character name starting with a line break passed a 120-character limit that the
schema states as ``maxLength: 120`` (schemathesis, 60 examples, seed 6).
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def _json_body(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    root = field.root
    data = getattr(root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _strict(field_class: type[Any], accepts: Any, message: Any) -> None:
    original = field_class.to_internal_value
    if getattr(original, "strict_json", False):
        return

    def to_internal_value(self: Any, data: Any) -> Any:
        if not accepts(data) and _json_body(self):
            raise serializers.ValidationError(message, code="invalid")
        return original(self, data)

    to_internal_value.strict_json = True  # type: ignore[attr-defined]
    field_class.to_internal_value = to_internal_value


def _raw_max_length() -> None:
    original = serializers.CharField.to_internal_value
    if getattr(original, "raw_max_length", False):
        return

    def to_internal_value(self: Any, data: Any) -> Any:
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return original(self, data)

    to_internal_value.raw_max_length = True  # type: ignore[attr-defined]
    serializers.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign]


def strict_json_booleans() -> None:
    """Make serializer booleans, strings and integers refuse JSON values of another type (once, from ready())."""
    _strict(serializers.BooleanField, lambda v: isinstance(v, bool), _("Must be true or false."))
    _strict(serializers.CharField, lambda v: isinstance(v, str), _("Must be a string."))
    _raw_max_length()
    _strict(
        serializers.IntegerField,
        lambda v: isinstance(v, int) and not isinstance(v, bool),
        _("Must be a whole number."),
    )
    _strict(
        serializers.FloatField, lambda v: isinstance(v, int | float) and not isinstance(v, bool), _("Must be a number.")
    )
    _strict(serializers.ListField, lambda v: isinstance(v, list), _("Must be a list."))
    _strict(serializers.ManyRelatedField, lambda v: isinstance(v, list), _("Must be a list of ids."))
