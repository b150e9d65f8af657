"""The API's page-number pagination: ``?page=2&page_size=100`` (default 50, at most 500).

A ``page_size`` that is not an integer (``null``, ``abc``, empty) is a 400, as the OpenAPI schema (an integer)
says; DRF's own pagination silently used the default instead. An integer below 1 means the default, above 500
the maximum. A ``page`` given empty or more than once is a 404 "Invalid page.", as a ``page`` that is not a page
number is (DRF read ``?page=`` as the first page and took the last of repeated values).
"""

from typing import Any

from django.core.paginator import Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from abe.paging import ordered_rows, signed_number


class _Paginator(DjangoPaginator):  # type: ignore[type-arg]
    """Django's paginator, reading a queryset's page through :func:`abe.paging.ordered_rows` (an ascending sort on a
    nullable column with one index is read in two index ranges instead of sorting the whole list)."""

    def page(self, number: Any) -> Page[Any]:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(ordered_rows(self.object_list, bottom, top), number, self)


class StandardPagination(PageNumberPagination):
    django_paginator_class = _Paginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        raw: Any = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            number = signed_number(str(raw))
            if number is None:
                raise ValidationError(
                    {self.page_size_query_param: [gettext("Give a whole number of rows per page (1–500).")]}
                )
            if number < 1:
                return self.page_size
        return super().get_page_size(request)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        values = request.query_params.getlist(self.page_query_param)
        if len(values) > 1 or (values and not values[0].strip()):
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)


def paginated_schema(name: str, item: Any) -> Any:
    """The OpenAPI response of a view that pages by hand with :class:`StandardPagination` (an ``APIView`` has no
    ``pagination_class`` for drf-spectacular to see): ``{count, next, previous, results: [item]}``, as answered.

    ``item`` is a serializer class or instance describing one row; ``name`` names the component.
    """
    from drf_spectacular.utils import inline_serializer
    from rest_framework import serializers

    child = item() if isinstance(item, type) else item
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializers.ListField(child=child),
        },
    )
