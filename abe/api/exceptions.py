"""JSON errors with field-level messages; Django validation and integrity errors become 400s, not 500s."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from abe.db import foreign_key_violation


def django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=django_validation_detail(exc))
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        # ``ObjectDoesNotExist``: a service found its row gone, deleted by another request since the view read it.
        # Django's "No Account matches the given query." names a model and is English only; DRF's "Not found."
        # follows Accept-Language like every other API message.
        exc = NotFound()
    elif foreign_key_violation(exc):  # a row the change names was deleted by another request meanwhile
        return Response(
            {
                "non_field_errors": [
                    gettext("Something this change refers to was deleted meanwhile; nothing was saved. Try again.")
                ]
            },
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        return Response(
            {"non_field_errors": ["This change conflicts with existing data (a duplicate?)."]},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # ``ValidationError("...")`` raised outside a serializer gives a bare list; the documented Error is an
        # object (``detail``, or messages per field), so the messages go under ``non_field_errors``.
        response.data = {"non_field_errors": response.data}
    return response
