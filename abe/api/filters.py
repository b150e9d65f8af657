"""Filter backend that scopes every id filter to the request's workspace.

django-filter builds ``?account=<id>`` style filters over the whole table, so an id of another workspace was
accepted (200, empty) while a missing id was refused (400): the difference told an attacker that the id exists
elsewhere. Here each model-choice filter only knows the request workspace's rows (members, for users), so both
answer the same 400 "Select a valid choice".
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend


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


class WorkspaceFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request: Any, queryset: QuerySet[Any], view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        workspace = getattr(request, "workspace", None)
        for name, flt in filterset.filters.items():
            if isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter):
                base = flt.queryset(request) if callable(flt.queryset) else flt.queryset
                if base is not None:
                    flt.queryset = _scoped(base, workspace)
                    filterset.form.fields[name].queryset = flt.queryset
        return filterset
