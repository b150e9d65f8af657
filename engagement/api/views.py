"""Ingest API: one event or a batch of up to 5,000. Thin: the service validates, resolves and writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from abe.api.base import WorkspaceApiView, WorkspaceReadOnlyModelViewSet
from abe.api.parsers import SafeJSONParser
from abe.api.permissions import WorkspaceRolePermission
from abe.gcpause import gc_paused
from abe.jobs import job_list
from abe.models import Workspace

from ..models import EngagementConfig, EventImport
from ..rules import ScoringRules
from ..selectors import event_import_list
from ..services import (
    MAX_BATCH,
    engagement_config_get,
    engagement_config_preview,
    engagement_config_update,
    events_ingest,
)
from ..services.config import RECOMPUTE_JOB
from ..services.csv_import import event_import_create, event_import_restart
from .serializers import (
    EngagementConfigInput,
    EngagementConfigPreviewSerializer,
    EngagementConfigSaved,
    EngagementConfigSerializer,
    EventBatchInput,
    EventImportInput,
    EventImportSerializer,
    EventInput,
    IngestOutput,
)
from .throttling import EventsRateThrottle


class _IngestApi(WorkspaceApiView):
    required_scope = "events"
    throttle_classes = [EventsRateThrottle]
    parser_classes = [SafeJSONParser]  # JSON only: the schema must not advertise form or multipart bodies


class EventIngestApi(_IngestApi):
    @extend_schema(
        request=EventInput,
        responses={
            201: IngestOutput,
            200: OpenApiResponse(IngestOutput, description="Already received: a duplicate, nothing changed."),
            400: OpenApiResponse(description="Field errors."),
            429: OpenApiResponse(description="Rate limited; see Retry-After."),
        },
        summary="Ingest one engagement event",
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            return Response(
                {"non_field_errors": [gettext("Send one event as a JSON object.")]}, status.HTTP_400_BAD_REQUEST
            )
        result = events_ingest(workspace=self.workspace, events=[request.data], by=self.actor())
        if result.rejected:
            return Response(result.rejected[0]["errors"], status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict(), status.HTTP_201_CREATED if result.accepted else status.HTTP_200_OK)


class EventBatchApi(_IngestApi):
    @extend_schema(
        request=EventBatchInput,
        responses={200: IngestOutput, 400: OpenApiResponse(description="Not a batch, or too large.")},
        summary="Ingest up to 5,000 engagement events",
    )
    def post(self, request: Request) -> Response:
        # Parsing 5,000 events and ingesting them allocates ~10^5 objects without cycles: no GC passes meanwhile.
        with gc_paused():
            data = request.data
            events = data.get("events") if isinstance(data, dict) else None
            if not isinstance(events, list):
                return Response({"events": [gettext('Send {"events": [...]}.')]}, status.HTTP_400_BAD_REQUEST)
            if len(events) > MAX_BATCH:
                return Response(
                    {"events": [gettext("At most %(max)s events per batch; split it.") % {"max": MAX_BATCH}]},
                    status.HTTP_400_BAD_REQUEST,
                )
            result = events_ingest(workspace=self.workspace, events=events, by=self.actor())
            return Response(result.as_dict(), status.HTTP_200_OK)


class EventImportViewSet(mixins.CreateModelMixin, WorkspaceReadOnlyModelViewSet):
    """Events CSV uploads: upload a file (multipart), then follow its status, progress and report.

    The file is stored and a worker ingests it in chunks of up to 5,000 rows (the ingest rules of
    ``POST /events/batch/``), each chunk its own transaction, so the report always says exactly what was saved.
    Keys need the ``events`` scope, as for the ingest endpoints.
    """

    queryset = EventImport.objects.none()  # for the schema; get_workspace_queryset scopes by workspace
    serializer_class = EventImportSerializer
    parser_classes = [MultiPartParser]
    required_scope = "events"
    filterset_fields = ["status"]
    ordering = ["-created_at", "-id"]

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[EventImport]:
        return event_import_list(workspace=workspace).defer(None)  # the report's rejected lines are shown

    @extend_schema(
        request={"multipart/form-data": EventImportInput},
        responses={
            202: OpenApiResponse(EventImportSerializer, description="Stored and queued; follow it at its `id`."),
            400: OpenApiResponse(description="Not a readable CSV (binary, empty, a required column missing)."),
        },
        summary="Upload an events CSV (runs in the background)",
    )
    def create(self, request: Request) -> Response:
        upload = self.validated(EventImportInput, request.data)["file"]
        # A file that cannot be read is a Django ValidationError: the API's handler makes it a 400 {"file": [...]}.
        job = event_import_create(workspace=self.workspace, data=upload.read(), filename=upload.name, by=self.actor())
        job.refresh_from_db()
        return Response(EventImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={
            202: OpenApiResponse(EventImportSerializer, description="Queued again; it goes on after the saved lines."),
            400: OpenApiResponse(description="Not a failed upload, or its file is no longer stored."),
        },
        summary="Start a failed upload again",
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int | None = None) -> Response:
        # An upload is the workspace's, not an account's: whoever may upload (a key with the ``events`` scope, a
        # writing role) may start it again; no per-object check (the page allows the same people).
        job = event_import_restart(job=get_object_or_404(self.get_queryset(), pk=pk))
        job.refresh_from_db()
        return Response(EventImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def _config_data(config: EngagementConfig) -> dict[str, Any]:
    rules = ScoringRules.from_config(config)
    return {
        "weights": dict(rules.weights),
        "half_lives": dict(rules.half_lives),
        "daily_caps": dict(rules.caps),
        "role_multipliers": dict(rules.role_multipliers),
        "seniority_multipliers": dict(rules.seniority_multipliers),
        "breadth_bonus_per_role": rules.breadth_bonus_per_role,
        "stages": [stage.as_dict() for stage in rules.stages],
        "create_unknown_contacts": config.create_unknown_contacts,
        "version": config.version,
        "updated_at": config.updated_at,
    }


class EngagementConfigApi(WorkspaceApiView):
    """The journey stages, thresholds and scoring weights the engagement settings page edits (admins only).

    PUT takes any of the settings (omitted ones keep their value), validated as the page validates them; a change
    to the maths rescored every account in a background job. The stage changes are recorded, and the alerts they
    would set off are held back behind one summary notice to the admins and owners, unless ``per_account_alerts``.
    """

    admin_only = True
    permission_classes = [WorkspaceRolePermission]
    parser_classes = [SafeJSONParser]

    @extend_schema(responses=EngagementConfigSerializer)
    def get(self, request: Request) -> Response:
        config = engagement_config_get(workspace=self.workspace)
        return Response(EngagementConfigSerializer(_config_data(config)).data)

    @extend_schema(
        request=EngagementConfigInput,
        responses={200: EngagementConfigSaved, 400: OpenApiResponse(description="Field errors")},
    )
    def put(self, request: Request) -> Response:
        data = self.validated(EngagementConfigInput, request.data)
        per_account_alerts = bool(data.pop("per_account_alerts", False))
        version = engagement_config_get(workspace=self.workspace).version
        config = engagement_config_update(
            workspace=self.workspace, by=self.actor(), per_account_alerts=per_account_alerts, **data
        )
        job = None
        if config.version != version:
            job = job_list(workspace=self.workspace).filter(kind=RECOMPUTE_JOB).order_by("-pk").first()
        body = {
            **_config_data(config),
            "recompute_job": job.pk if job else None,
            "per_account_alerts": per_account_alerts,
        }
        return Response(EngagementConfigSaved(body).data)


class EngagementConfigPreviewApi(WorkspaceApiView):
    """What saving these settings would do, before saving: the accounts that would change journey stage and the
    alerts the rules would fire (a dry run of the real recompute and rule pass; nothing is kept)."""

    admin_only = True
    permission_classes = [WorkspaceRolePermission]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=EngagementConfigInput,
        responses={200: EngagementConfigPreviewSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(EngagementConfigInput, request.data)
        per_account_alerts = bool(data.pop("per_account_alerts", False))
        preview = engagement_config_preview(workspace=self.workspace, data=data)
        stages = preview.stages
        body = {
            "moved": stages.moved,
            "alerts": preview.alerts,
            "per_account_alerts": per_account_alerts,
            "stages": [
                {
                    "key": key,
                    "name": name,
                    "now": now,
                    "after": after,
                    "entering": stages.entering.get(key, 0),
                    "leaving": stages.leaving.get(key, 0),
                }
                for key, name, now, after in stages.stages
            ],
        }
        return Response(EngagementConfigPreviewSerializer(body).data)
