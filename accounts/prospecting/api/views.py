"""Prospecting API: ICP versions, settings, rescore, predictive models, tier pins, history, proposals.

Reads are open to every member and read-scoped key; the ICP, model and capacities change only by workspace
admins (API keys never count as admins); pins follow the account rules (sales: owned or team accounts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from abe import permissions as rules
from abe.api.base import WorkspaceApiView, WorkspaceGenericViewSet, WorkspaceReadOnlyModelViewSet
from abe.api.permissions import WorkspaceRolePermission
from abe.models import Workspace

from ... import selectors as account_selectors
from ...api.serializers import AccountSerializer
from ...models import Account, IcpVersion, PredictiveModel, ProposalStatus, TierChange, TierProposal
from .. import selectors, services
from .serializers import (
    IcpInput,
    IcpVersionSerializer,
    PredictiveModelSerializer,
    ProspectingSettingsSerializer,
    TierChangeSerializer,
    TierPinInput,
    TierProposalSerializer,
)


class AdminWritesPermission(WorkspaceRolePermission):
    """Everyone in the workspace reads; only admins (never API keys) write."""

    message = "Only workspace admins can change this."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().has_permission(request, view)
        return getattr(request, "workspace", None) is not None and rules.can_admin(request)


class DeciderPermission(WorkspaceRolePermission):
    """Tier proposals: admins and marketing decide (the team that owns the tier plan)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().has_permission(request, view)
        return getattr(request, "workspace", None) is not None and rules.can_write_everything(request)


class IcpVersionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, WorkspaceGenericViewSet
):
    """ICP versions. Creating one saves a new active version and rescores all accounts in the background."""

    queryset = IcpVersion.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = IcpVersionSerializer
    permission_classes = [AdminWritesPermission]
    filter_backends: list = []

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[IcpVersion]:
        return selectors.icp_versions(workspace=workspace)

    @extend_schema(request=IcpInput, responses={201: IcpVersionSerializer})
    def create(self, request: Request) -> Response:
        data = self.validated(IcpInput, request.data)
        version = services.icp_save(workspace=self.workspace, by=self.actor(), **data)
        return Response(IcpVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: IcpVersion) -> None:
        services.icp_version_delete(version=instance, by=self.actor())

    @extend_schema(request=None, responses=IcpVersionSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int | None = None) -> Response:
        """Make this version active again (a revert) and rescore."""
        version = services.icp_activate(version=self.get_object(), by=self.actor())
        return Response(IcpVersionSerializer(version).data)

    @extend_schema(responses={200: IcpVersionSerializer, 404: OpenApiResponse(description="No ICP yet")})
    @action(detail=False, methods=["get"])
    def active(self, request: Request) -> Response:
        """The active version."""
        version = selectors.icp_active(workspace=self.workspace)
        if version is None:
            return Response({"detail": "No ICP has been defined yet."}, status=status.HTTP_404_NOT_FOUND)
        return Response(IcpVersionSerializer(version).data)


class ProspectingSettingsApi(WorkspaceApiView):
    """Priority weights and tier capacities. Changing them retiers the accounts in the background."""

    permission_classes = [AdminWritesPermission]

    @extend_schema(responses=ProspectingSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(ProspectingSettingsSerializer(selectors.prospecting_settings(workspace=self.workspace)).data)

    @extend_schema(request=ProspectingSettingsSerializer, responses=ProspectingSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ProspectingSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj = services.prospecting_settings_update(
            workspace=self.workspace, by=self.actor(), **serializer.validated_data
        )
        return Response(ProspectingSettingsSerializer(obj).data)


class RescoreApi(WorkspaceApiView):
    """Recompute fit, win probability, priority and tiers of every account (a background task)."""

    permission_classes = [AdminWritesPermission]

    @extend_schema(
        request=None, responses={202: inline_serializer("RescoreQueued", {"queued": serializers.BooleanField()})}
    )
    def post(self, request: Request) -> Response:
        services.prospecting_rescore_enqueue(workspace=self.workspace, reason="Requested through the API")
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


class PredictiveModelViewSet(WorkspaceReadOnlyModelViewSet):
    """Versions of the win-probability model with their holdout metrics and baselines."""

    queryset = PredictiveModel.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = PredictiveModelSerializer
    permission_classes = [AdminWritesPermission]
    filter_backends: list = []

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[PredictiveModel]:
        return selectors.model_list(workspace=workspace)

    @extend_schema(request=None, responses={201: PredictiveModelSerializer})
    @action(detail=False, methods=["post"])
    def train(self, request: Request) -> Response:
        """Train a new version; 400 with a clear message when there are fewer than 30 won or 30 lost deals."""
        model = services.model_train(workspace=self.workspace, by=self.actor())
        return Response(PredictiveModelSerializer(model).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer("ModelActivateInput", {"confirm": serializers.BooleanField(required=False)}),
        responses=PredictiveModelSerializer,
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int | None = None) -> Response:
        """Activate this version (or revert to it) and rescore. A version that does not beat the baselines
        needs ``{"confirm": true}``; without it the 400 names its metrics."""
        body = request.data if isinstance(request.data, dict) else {}
        confirm = str(body.get("confirm", "")).lower() in ("1", "true", "yes", "on")
        model = services.model_activate(model=self.get_object(), by=self.actor(), confirm=confirm)
        return Response(PredictiveModelSerializer(model).data)


class AccountTierApi(WorkspaceApiView):
    """Pin an account to a tier with a reason (POST) or unpin it (DELETE). Sales: own or team accounts only."""

    def _account(self, request: Request, pk: int) -> Account:
        account = get_object_or_404(account_selectors.account_list(workspace=self.workspace), pk=pk)
        if not rules.can_edit_object(request, account):
            raise PermissionDenied(gettext("You can only pin accounts you own or are on the team of."))
        return account

    @extend_schema(request=TierPinInput, responses=AccountSerializer)
    def post(self, request: Request, pk: int) -> Response:
        account = self._account(request, pk)
        data = self.validated(TierPinInput, request.data)
        account = services.tier_override(account=account, by=self.actor(), **data)
        return Response(AccountSerializer(account, context={"request": request}).data)

    @extend_schema(request=None, responses={200: AccountSerializer})
    def delete(self, request: Request, pk: int) -> Response:
        account = services.tier_unpin(account=self._account(request, pk), by=self.actor())
        return Response(AccountSerializer(account, context={"request": request}).data)


class TierChangeViewSet(WorkspaceReadOnlyModelViewSet):
    """The tier history: every change with who, when and why. Filter with ?account=<id>."""

    queryset = TierChange.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = TierChangeSerializer
    filterset_fields = ["account", "source", "new_tier"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[TierChange]:
        return selectors.tier_change_list(workspace=workspace)


class TierProposalViewSet(WorkspaceReadOnlyModelViewSet):
    """Tier moves waiting for a decision (``?status=pending``, the default) and past decisions."""

    queryset = TierProposal.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = TierProposalSerializer
    permission_classes = [DeciderPermission]
    filterset_fields = ["account"]
    ordering_fields = ["priority", "created_at"]
    ordering = ["-priority", "id"]

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet[TierProposal]:
        status_filter = self.request.query_params.get("status", ProposalStatus.PENDING)
        return selectors.proposal_list(workspace=workspace, status=None if status_filter == "all" else status_filter)

    @extend_schema(request=None, responses=TierProposalSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int | None = None) -> Response:
        proposal = services.tier_proposal_decide(proposal=self.get_object(), accept=True, by=self.actor())
        return Response(TierProposalSerializer(proposal).data)

    @extend_schema(request=None, responses=TierProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int | None = None) -> Response:
        proposal = services.tier_proposal_decide(proposal=self.get_object(), accept=False, by=self.actor())
        return Response(TierProposalSerializer(proposal).data)
