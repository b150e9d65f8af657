"""Filter backend that scopes every id filter to the request's workspace.

django-filter builds ``?account=<id>`` style filters over the whole table, so an id of another workspace was
accepted (200, empty) while a missing id was refused (400): the difference told an attacker that the id exists
elsewhere. Here each model-choice filter only knows the request workspace's rows (members, for users), and a
well-formed id that is not among them (another workspace's, or none at all) matches nothing: the same 200 with an
empty page either way, as the OpenAPI schema (an integer) promises. A value that is not an integer is a 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter, utils
from django_filters.rest_framework import DjangoFilterBackend

#: Largest primary key PostgreSQL stores (bigint); anything larger cannot exist.
MAX_ID = 2**63 - 1


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


def _id(value: str) -> int | None:
    text = value.strip()
    if not text.lstrip("-").isascii() or not text.lstrip("-").isdigit():
        return None
    return int(text)


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
        data = filterset.data
        unknown: dict[str, list[str]] = {}
        for name, flt in filterset.filters.items():
            if not isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter) or name not in data:
                continue
            if flt.extra.get("to_field_name") not in (None, "id", "pk"):
                continue  # chosen by another field than the id: the form decides
            values = [v for v in data.getlist(name) if v != ""] if hasattr(data, "getlist") else [data[name]]
            ids = {v: _id(v) for v in values}
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
