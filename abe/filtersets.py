"""A django-filter ``FilterSet`` that is cheap to make: list pages and API calls make one or two per request.

django-filter deep-copies every declared filter for each filter set (with their fields' choices, validators and
querysets) and then builds a new form class, a form field and a label per filter: about 2.2 ms of CPU for the
accounts filter, paid by the accounts page, the tier board, the accounts API and the alerts inbox on every request
(docs/performance.md, "Pages under load, fourth round"). :class:`SharedFormFilterSet` copies the filters shallowly
(:func:`filters_copy`) and makes the form class once per class and language. What stays per filter set:

- the filters' ``model``, ``parent`` and any ``queryset`` a subclass sets on its copies (e.g. the workspace's rows);
- each model-choice field of the form gets the queryset of its own filter set's filter (the shared form class holds
  ``.none()``, so a form that missed it would accept nothing, never another workspace's rows);
- a ``method=`` filter calls the method of its own filter set.

A subclass must not change its filters' field arguments per instance (choices, validators) other than a
model-choice filter's ``queryset``: those come from the shared form class.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import translation
from django_filters.filters import FilterMethod, QuerySetRequestMixin

from abe.forms import UtcIsoDateTimeField
from abe.paging import whole_number


def filters_copy(base: dict[str, Any]) -> dict[str, Any]:
    """Each filter copied for one filter set: a shallow copy with its own ``extra`` and its own method binding (the
    one attribute of a filter that points back at it, the ``FilterMethod`` of a ``method=`` filter, is made again
    for the copy)."""
    filters = {}
    for name, flt in base.items():
        clone = copy.copy(flt)
        clone.extra = dict(flt.extra)
        clone.__dict__.pop("_field", None)
        if isinstance(flt.__dict__.get("filter"), FilterMethod):
            clone.filter = FilterMethod(clone)
        filters[name] = clone
    return filters


class SharedFormFilterSet(django_filters.FilterSet):
    _form_classes: ClassVar[dict[tuple[type, str], type]] = {}

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # django_filters.FilterSet.__init__, with the filters copied by ``filters_copy`` instead of deep-copied.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = filters_copy(self.base_filters)
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self) -> type:
        key = (type(self), translation.get_language() or "")
        form_class = SharedFormFilterSet._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            for name, flt in self.filters.items():
                if isinstance(flt, QuerySetRequestMixin):
                    field = form_class.base_fields[name]
                    field.queryset = field.queryset.none()
            SharedFormFilterSet._form_classes[key] = form_class
        return form_class

    @property
    def form(self) -> Any:
        if not hasattr(self, "_form"):
            form = super().form
            for name, flt in self.filters.items():
                if isinstance(flt, QuerySetRequestMixin):
                    form.fields[name].queryset = flt.get_queryset(self.request)
        return self._form


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """:class:`django_filters.IsoDateTimeFilter` through :class:`UtcIsoDateTimeField` (pages and API alike)."""

    field_class = UtcIsoDateTimeField


class WholeNumberField(forms.IntegerField):
    """A number written in ASCII digits only (``007`` is 7). A sign, a decimal point or an exponent is refused, where
    :class:`django_filters.NumberFilter` took ``1.5`` for 1: a filter whose select lists ids or indexes could not
    show what it applied."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = whole_number(str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class WholeNumberFilter(django_filters.NumberFilter):
    """:class:`django_filters.NumberFilter` through :class:`WholeNumberField`."""

    field_class = WholeNumberField
