"""Ingest API: one event or a batch of up to 5,000. Thin: the service validates, resolves and writes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from abe.api.base import WorkspaceApiView

from ..services import MAX_BATCH, events_ingest
from .serializers import EventBatchInput, EventInput, IngestOutput
from .throttling import EventsRateThrottle


class _IngestApi(WorkspaceApiView):
    required_scope = "events"
    throttle_classes = [EventsRateThrottle]


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
            return Response({"non_field_errors": ["Send one event as a JSON object."]}, status.HTTP_400_BAD_REQUEST)
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
        events = request.data.get("events") if isinstance(request.data, dict) else None
        if not isinstance(events, list):
            return Response({"events": ['Send {"events": [...]}.']}, status.HTTP_400_BAD_REQUEST)
        if len(events) > MAX_BATCH:
            return Response(
                {"events": [f"At most {MAX_BATCH} events per batch; split it."]}, status.HTTP_400_BAD_REQUEST
            )
        result = events_ingest(workspace=self.workspace, events=events, by=self.actor())
        return Response(result.as_dict(), status.HTTP_200_OK)
