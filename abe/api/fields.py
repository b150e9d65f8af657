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


def _check_first(field_class: type[Any], marker: str, check: Any) -> None:
    """Run ``check(field, data)`` (it raises to refuse) before ``field_class``'s own reading, once per marker."""
    original = field_class.to_internal_value
    if getattr(original, marker, False):
        return

    def to_internal_value(self: Any, data: Any) -> Any:
        check(self, data)
        return original(self, data)

    setattr(to_internal_value, marker, True)
    field_class.to_internal_value = to_internal_value


def _strict(field_class: type[Any], accepts: Any, message: Any) -> None:
    def check(field: Any, data: Any) -> None:
        if not accepts(data) and _json_body(field):
            raise serializers.ValidationError(message, code="invalid")

    _check_first(field_class, "strict_json", check)


def _raw_max_length(field: Any, data: Any) -> None:
    if isinstance(data, str) and field.max_length is not None and len(data) > field.max_length:
        field.fail("max_length", max_length=field.max_length)


def strict_json_booleans() -> None:
    """Make serializer booleans, strings and integers refuse JSON values of another type, and text fields measure
    their length before trimming (once, from ready())."""
    _strict(serializers.BooleanField, lambda v: isinstance(v, bool), _("Must be true or false."))
    _strict(serializers.CharField, lambda v: isinstance(v, str), _("Must be a string."))
    _check_first(serializers.CharField, "raw_max_length", _raw_max_length)
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
