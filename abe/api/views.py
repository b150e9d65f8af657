"""The core app's API: background jobs (bulk changes, rescores, previews), to follow a job another call started
(e.g. the ``recompute_job`` of a scoring settings change) and to start a failed one again."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions as rules
from ..jobs import job_list, job_restart
from ..models import Job, Workspace
from .base import WorkspaceReadOnlyModelViewSet
from .serializers import JobSerializer


class JobViewSet(WorkspaceReadOnlyModelViewSet):
    """Background jobs of the workspace, newest first; filter with ``?status=`` and ``?kind=``."""

    queryset = Job.objects.none()  # for the schema; get_workspace_queryset scopes by workspace
    serializer_class = JobSerializer
    filterset_fields = ["status", "kind"]
    ordering = ["-created_at", "-id"]

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[Job]:
        return job_list(workspace=workspace)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def restart(self, request: Request, pk: int | None = None) -> Response:
        """Start a failed bulk change (admin, marketing, sales) or settings recompute (admin) again: it goes on from
        where it stopped. Any other job or status: 400; a role that may not: 403."""
        job = job_restart(job=self.get_object(), role=rules.request_role(request))
        return Response(JobSerializer(job).data)
