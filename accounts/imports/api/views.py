"""Import-jobs API: upload a CSV (multipart), then follow status, progress, counts and rejected rows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from abe.api.base import WorkspaceReadOnlyModelViewSet
from abe.models import Workspace

from ...models import ImportJob
from .. import services
from ..export import import_problems_response
from ..selectors import import_job_list
from .serializers import ImportJobInput, ImportJobSerializer


class ImportJobViewSet(mixins.CreateModelMixin, WorkspaceReadOnlyModelViewSet):
    """CSV import jobs: upload (multipart) and follow status, progress, counts and rejected rows (line, reason)."""

    queryset = ImportJob.objects.none()  # for the schema; get_workspace_queryset scopes by workspace
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["kind", "status"]
    ordering = ["-created_at", "-id"]
    write_roles = ("admin", "marketing")

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[ImportJob]:
        return import_job_list(workspace=workspace)

    @extend_schema(request={"multipart/form-data": ImportJobInput}, responses={201: ImportJobSerializer})
    def create(self, request: Request) -> Response:
        data = self.validated(ImportJobInput, request.data)
        upload = data["file"]
        job = services.import_job_create(
            workspace=self.workspace,
            kind=data["kind"],
            filename=upload.name,
            data=upload.read(),
            by=self.actor(),
            preset=data["preset"],
            mapping=data["mapping"],
            stage_map=data["stage_map"],
            scales=data["scales"],
        )
        if data["start"]:
            job = services.import_job_start(job=job)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int | None = None) -> Response:
        job = services.import_job_start(job=self.get_object())
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @extend_schema(request=None, responses={(200, "text/csv"): OpenApiResponse(description="Problems CSV")})
    @action(detail=True, methods=["get"])
    def problems(self, request: Request, pk: int | None = None) -> StreamingHttpResponse:
        """Every rejected and warned line: line, problem, reason, then the original row's cells (CSV)."""
        return import_problems_response(self.get_object())
