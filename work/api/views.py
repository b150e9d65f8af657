from __future__ import annotations

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from abe.api.base import WorkspaceModelViewSet

from .. import selectors, services
from ..models import Task, TaskStatus
from .serializers import TaskCompleteSerializer, TaskSerializer


class TaskFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Open and past its due date")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    def filter_overdue(self, queryset, name, value):
        late = {"status": TaskStatus.OPEN, "due_date__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)

    class Meta:
        model = Task
        fields = ["account", "contact", "assignee", "status", "source"]


class TaskViewSet(WorkspaceModelViewSet):
    """Tasks of the workspace: from plays, alerts, account plans and check-ins, or created by hand."""

    queryset = Task.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title", "account__name"]
    ordering_fields = ["due_date", "created_at", "status", "title"]
    ordering = ["due_date", "id"]
    selector = staticmethod(selectors.task_list)
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)
    delete_service = staticmethod(services.task_delete)

    @extend_schema(request=TaskCompleteSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark the task done, with an optional outcome."""
        task = self.get_object()
        serializer = TaskCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.task_complete(task=task, by=self.actor(), outcome=serializer.validated_data["outcome"])
        return Response(TaskSerializer(task, context=self.get_serializer_context()).data)
