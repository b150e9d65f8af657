"""Filter backend that scopes every id filter to the request's workspace.

django-filter builds ``?account=<id>`` style filters over the whole table, so an id of another workspace was
accepted (200, empty) while a missing id was refused (400): the difference told an attacker that the id exists
elsewhere. Here each model-choice filter only knows the request workspace's rows (members, for users), and a
well-formed id that is not among them (another workspace's, or none at all) matches nothing: the same 200 with an
empty page either way, as the OpenAPI schema (an integer) promises. A value that is not an integer is a 400.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters import (
    BaseInFilter,
    BooleanFilter,
    ChoiceFilter,
    DateFilter,
    DateTimeFilter,
    ModelChoiceFilter,
    ModelMultipleChoiceFilter,
    MultipleChoiceFilter,
    NumberFilter,
    utils,
)
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from abe.models import MAX_ID
from abe.paging import signed_number

#: An id filter takes any well-formed whole number (one beyond any row matches nothing), up to the length Python's
#: ``int()`` reads from text (4,300 digits).
ID_DIGITS = 4000


def _scoped(queryset: QuerySet[Any], workspace: Any) -> QuerySet[Any]:
    model = queryset.model
    if workspace is None:
        nothing: QuerySet[Any] = model.objects.none()
        return nothing
    if hasattr(model.objects, "for_workspace"):
        scoped: QuerySet[Any] = model.objects.for_workspace(workspace)
        return scoped
    if model is get_user_model():
        members: QuerySet[Any] = model.objects.filter(memberships__workspace=workspace)
        return members
    return queryset


#: What a boolean query parameter may say (OpenAPI ``type: boolean``); ``null``, ``unknown`` or an empty value is a 400.
BOOLEAN_VALUES = frozenset({"true", "false", "True", "False", "1", "0"})
#: Filters whose schema type (boolean, number, date, date-time, enum) has no empty value: ``?created_before=`` is a
#: 400, as is ``?employees_min=0.5`` where the schema says integer.
TYPED_FILTERS = (BooleanFilter, NumberFilter, DateFilter, DateTimeFilter, ChoiceFilter, MultipleChoiceFilter)


def _integer_field(filterset: Any, flt: Any) -> bool:
    from django.db import models

    model = getattr(filterset._meta, "model", None)
    try:
        field = model._meta.get_field(flt.field_name) if model is not None else None
    except Exception:
        return False
    return isinstance(field, models.IntegerField | models.AutoField)


def _typed_values_check(filterset: Any) -> None:
    """A typed filter given an empty value, or a boolean one anything but true/false, is a 400 (as the schema says).

    django-filter reads ``?is_active=null`` (or an empty value) as "no filter" and answers every row, so a typo
    silently widened the result.
    """
    data = filterset.data
    errors: dict[str, list[str]] = {}
    for name, flt in filterset.filters.items():
        if not isinstance(flt, TYPED_FILTERS) or name not in data:
            continue
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
        if isinstance(flt, BaseInFilter):
            continue  # comma-separated lists: the filter's own form says what is wrong
        if isinstance(flt, BooleanFilter):
            if any(str(v) not in BOOLEAN_VALUES for v in values):
                errors[name] = [_("Give true or false.")]
        elif any(str(v).strip() == "" for v in values):
            errors[name] = [_("Give a value, or leave the parameter out.")]
        elif isinstance(flt, NumberFilter) and _integer_field(filterset, flt):
            if any(signed_number(str(v), max_digits=ID_DIGITS) is None for v in values):
                errors[name] = [_("Give a whole number.")]
    if errors:
        raise ValidationError(errors)


class WorkspaceFilterBackend(DjangoFilterBackend):
    def _scoped_filterset(self, request: Any, queryset: QuerySet[Any], view: Any, data: Any = None) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        if data is not None:
            kwargs["data"] = data
        filterset = filterset_class(**kwargs)
        workspace = getattr(request, "workspace", None)
        for name, flt in filterset.filters.items():
            if isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter):
                base = flt.queryset(request) if callable(flt.queryset) else flt.queryset
                if base is not None:
                    flt.queryset = _scoped(base, workspace)
                    filterset.form.fields[name].queryset = flt.queryset
        return filterset

    def get_filterset(self, request: Any, queryset: QuerySet[Any], view: Any) -> Any:
        """The filterset with id filters scoped; well-formed ids not in the workspace are taken out and noted."""
        filterset = self._scoped_filterset(request, queryset, view)
        if filterset is None:
            return None
        _typed_values_check(filterset)
        data = filterset.data
        unknown: dict[str, list[str]] = {}
        for name, flt in filterset.filters.items():
            if not isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter) or name not in data:
                continue
            if flt.extra.get("to_field_name") not in (None, "id", "pk"):
                continue  # chosen by another field than the id: the form decides
            values = [v for v in data.getlist(name) if v != ""] if hasattr(data, "getlist") else [data[name]]
            ids = {v: signed_number(v, max_digits=ID_DIGITS) for v in values}
            if any(i is None for i in ids.values()):
                continue  # not an integer: the form says so (a 400)
            known = {
                str(pk)
                for pk in flt.queryset.filter(
                    pk__in=[i for i in ids.values() if i is not None and 0 < i <= MAX_ID]
                ).values_list("pk", flat=True)
            }
            missing = [v for v, i in ids.items() if str(i) not in known]
            if missing:
                unknown[name] = [v for v in values if v not in missing]
        if not unknown:
            return filterset
        cleaned = data.copy()
        for name, kept in unknown.items():
            if kept:
                cleaned.setlist(name, kept)
            else:
                cleaned.pop(name)
        narrowed = self._scoped_filterset(request, queryset, view, data=cleaned)
        # A single-id filter with an unknown id, or a multi-id filter with none known, matches no row.
        narrowed.matches_nothing = any(not kept for kept in unknown.values())
        return narrowed

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        rows: QuerySet[Any] = filterset.qs
        return rows.none() if getattr(filterset, "matches_nothing", False) else rows


def reject_blank(params: Any, names: tuple[str, ...]) -> None:
    """A typed query parameter (a date, an id, a number) given with an empty value is a 400, as the schema says
    (``?to=`` is not a date); views that read their parameters by hand call this first. Pages keep reading an
    empty form field as "not set"."""
    errors = {name: [_("Give a value, or leave the parameter out.")] for name in names if _blank(params, name)}
    if errors:
        raise ValidationError(errors)


def _blank(params: Any, name: str) -> bool:
    if name not in params:
        return False
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    return any(str(v).strip() == "" for v in values)


class StrictOrderingFilter(OrderingFilter):
    """DRF's ``ordering``, with a field it does not know answered by a 400 that lists the fields it does know.

    DRF drops an unknown field and sorts by the rest (or the default): ``?ordering=nonsense`` answered 200 in the
    default order, so a client's typo read as a sort that was applied. An empty item (``ordering=name,``) is left
    out as DRF leaves it out; the schema lists the fields in the parameter's description."""

    def get_ordering(self, request: Any, queryset: QuerySet[Any], view: Any) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
            # Only the ASCII spaces the schema's pattern allows around an item (DRF would strip any space).
            terms = [term.strip(" \t\n\r\f\v") for term in params.split(",")]
            unknown = [term for term in terms if term and term.removeprefix("-") not in valid]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _(
                                "Unknown field to order by: %(fields)s. "
                                "Use one of: %(valid)s (a leading “-” for descending)."
                            )
                            % {"fields": ", ".join(unknown), "valid": ", ".join(valid)}
                        ]
                    }
                )
            # Every item is a listed field now: DRF's own pass would work out the listed fields a second time
            # (from the serializer, on lists that name none) only to keep them all.
            ordering = [term for term in terms if term]
            if ordering:
                return ordering
        return self.get_default_ordering(view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        queryset = getattr(view, "queryset", None)  # the views' schema queryset (``objects.none()``)
        if queryset is None:
            return parameters
        valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": None})]
        for parameter in parameters:
            if parameter.get("name") == self.ordering_param and valid:
                parameter["description"] = (
                    "Fields to order by, separated by commas, each with a leading `-` for descending: "
                    + ", ".join(f"`{name}`" for name in valid)
                    + ". Another field is a 400."
                )
                # What ``get_ordering`` accepts, so that a contract check knows which values are valid: items
                # separated by commas, each empty or a listed field (``-`` before it), spaces around it allowed.
                space = r"[ \t\n\r\f\v]*"
                term = f"{space}(-?({'|'.join(re.escape(name) for name in valid)}))?{space}"
                parameter["schema"] = {**parameter.get("schema", {}), "pattern": f"^{term}(,{term})*$"}
        return parameters
