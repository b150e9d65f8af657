from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from abe.api.base import WorkspaceApiView
from abe.api.filters import reject_blank
from abe.api.pagination import StandardPagination, paginated_schema
from abe.models import Role

from .. import maturity
from ..models import MaturityAssessment
from ..selectors.cache import cached
from ..selectors.filters import kpi_filters_parse
from ..selectors.kpis import kpi_summary
from ..selectors.maturity import maturity_assessment_list
from ..services.maturity import maturity_assessment_create

FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period (default: 89 days ago)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period (default: today)."),
    OpenApiParameter("tier", OpenApiTypes.STR, description="strategic, priority or standard."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Account owner's user id."),
    OpenApiParameter("industry", OpenApiTypes.STR, description="Account industry, exactly."),
    OpenApiParameter("view", OpenApiTypes.INT, description="A saved view's id: only the accounts it selects."),
]


class AnalyticsSummaryApi(WorkspaceApiView):
    @extend_schema(parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Headline KPIs of a period from the rollups, split target / non_target / all, with the previous period."""
        reject_blank(request.query_params, ("from", "to", "owner", "view"))
        filters = kpi_filters_parse(request.query_params, workspace=self.workspace, user=request.user)
        ws = self.workspace
        current = cached(
            workspace=ws, name="summary", filters=filters, compute=lambda: kpi_summary(workspace=ws, filters=filters)
        )
        before = filters.previous()
        previous = cached(
            workspace=ws, name="summary", filters=before, compute=lambda: kpi_summary(workspace=ws, filters=before)
        )
        current = dict(current)
        current["previous_period"] = previous["period"]
        current["previous"] = {
            key: previous[key] for key in ("coverage", "mqas", "pipeline", "win_rate", "velocity_days", "acv")
        }
        return Response(current)


class MaturityAssessmentOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)

    class Meta:
        model = MaturityAssessment
        fields = ["id", "stages", "evidence", "notes", "created_by", "created_at"]


class MaturityAssessmentListCreateApi(WorkspaceApiView):
    """The history of maturity assessments (newest first) and a new one (admin and marketing)."""

    write_roles = (Role.ADMIN, Role.MARKETING)

    class InputSerializer(serializers.Serializer):
        stages = serializers.DictField(
            child=serializers.IntegerField(min_value=1, max_value=5),
            help_text=f"A stage 1 (Aware) .. 5 (Advanced) for each of: {', '.join(maturity.DIMENSION_KEYS)}",
        )
        notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    @extend_schema(responses=paginated_schema("PaginatedMaturityAssessmentOutputList", MaturityAssessmentOutput))
    def get(self, request: Request) -> Response:
        qs = maturity_assessment_list(workspace=self.workspace)
        paginator = StandardPagination()
        page: list[Any] = paginator.paginate_queryset(qs, request, view=self) or []
        return paginator.get_paginated_response(MaturityAssessmentOutput(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: MaturityAssessmentOutput})
    def post(self, request: Request) -> Response:
        data = self.validated(self.InputSerializer, request.data)
        assessment = maturity_assessment_create(
            workspace=self.workspace,
            stages=data["stages"],
            notes=data.get("notes", ""),
            by=self.actor(),
        )
        return Response(MaturityAssessmentOutput(assessment).data, status=status.HTTP_201_CREATED)
