from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from abe.api.base import WorkspaceApiView

from ..selectors.filters import kpi_filters_parse
from ..selectors.kpis import kpi_summary

FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period (default: 89 days ago)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period (default: today)."),
    OpenApiParameter("tier", OpenApiTypes.STR, description="strategic, priority or standard."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Account owner's user id."),
    OpenApiParameter("industry", OpenApiTypes.STR, description="Account industry, exactly."),
]


class AnalyticsSummaryApi(WorkspaceApiView):
    @extend_schema(parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Headline KPIs of a period from the rollups, split target / non_target / all, with the previous period."""
        filters = kpi_filters_parse(request.query_params)
        current = kpi_summary(workspace=request.workspace, filters=filters)
        previous = kpi_summary(workspace=request.workspace, filters=filters.previous())
        current["previous_period"] = previous["period"]
        current["previous"] = {
            key: previous[key] for key in ("coverage", "mqas", "pipeline", "win_rate", "velocity_days", "acv")
        }
        return Response(current)
