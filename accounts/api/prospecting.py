"""Prospecting API: ICP versions, settings, rescore, predictive models, tier pins, history, proposals, imports.

Reads are open to every member and read-scoped key; the ICP, model and capacities change only by workspace
admins (API keys never count as admins); pins follow the account rules (sales: owned or team accounts).
"""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from abe import permissions as rules
from abe.api.base import WorkspaceApiView
from abe.api.permissions import WorkspaceRolePermission

from .. import selectors as account_selectors
from ..imports import services as import_services
from ..models import (
    IcpVersion,
    ImportJob,
    ImportKind,
    PredictiveModel,
    ProposalStatus,
    ProspectingSettings,
    Tier,
    TierChange,
    TierProposal,
)
from ..prospecting import selectors, services
from ..tasks import prospecting_rescore_task
from .serializers import AccountSerializer


class AdminWritesPermission(WorkspaceRolePermission):
    """Everyone in the workspace reads; only admins (never API keys) write."""

    message = "Only workspace admins can change this."

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().has_permission(request, view)
        return getattr(request, "workspace", None) is not None and rules.can_admin(request)


class DeciderPermission(WorkspaceRolePermission):
    """Tier proposals: admins and marketing decide (the team that owns the tier plan)."""

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().has_permission(request, view)
        return getattr(request, "workspace", None) is not None and rules.can_write_everything(request)


class IcpVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = IcpVersion
        fields = ["id", "number", "name", "criteria", "grade_thresholds", "note", "is_active", "created_by",
                  "created_at"]  # fmt: skip
        read_only_fields = ["number", "is_active", "created_by", "created_at"]


class IcpInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, default="Ideal Customer Profile")
    criteria = serializers.JSONField()
    grade_thresholds = serializers.JSONField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class IcpVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                        viewsets.GenericViewSet):  # fmt: skip
    """ICP versions. Creating one saves a new active version and rescores all accounts in the background."""

    queryset = IcpVersion.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = IcpVersionSerializer
    permission_classes = [AdminWritesPermission]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.icp_versions(workspace=self.request.workspace)

    @extend_schema(request=IcpInput, responses={201: IcpVersionSerializer})
    def create(self, request: Request) -> Response:
        data = WorkspaceApiView.validated(self, IcpInput, request.data)
        version = services.icp_save(workspace=request.workspace, by=request.user, **data)
        return Response(IcpVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: IcpVersion) -> None:
        services.icp_version_delete(version=instance, by=self.request.user)

    @extend_schema(request=None, responses=IcpVersionSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int | None = None) -> Response:
        """Make this version active again (a revert) and rescore."""
        version = services.icp_activate(version=self.get_object(), by=request.user)
        return Response(IcpVersionSerializer(version).data)

    @extend_schema(responses={200: IcpVersionSerializer, 404: OpenApiResponse(description="No ICP yet")})
    @action(detail=False, methods=["get"])
    def active(self, request: Request) -> Response:
        """The active version."""
        version = selectors.icp_active(workspace=request.workspace)
        if version is None:
            return Response({"detail": "No ICP has been defined yet."}, status=status.HTTP_404_NOT_FOUND)
        return Response(IcpVersionSerializer(version).data)


class ProspectingSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProspectingSettings
        fields = ["fit_weight", "predictive_weight", "strategic_capacity", "priority_capacity", "last_rescored_at",
                  "last_rescore_summary"]  # fmt: skip
        read_only_fields = ["last_rescored_at", "last_rescore_summary"]


class ProspectingSettingsApi(WorkspaceApiView):
    """Priority weights and tier capacities. Changing them retiers the accounts in the background."""

    permission_classes = [AdminWritesPermission]

    @extend_schema(responses=ProspectingSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(ProspectingSettingsSerializer(selectors.prospecting_settings(workspace=request.workspace)).data)

    @extend_schema(request=ProspectingSettingsSerializer, responses=ProspectingSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ProspectingSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj = services.prospecting_settings_update(workspace=request.workspace, by=request.user,
                                                   **serializer.validated_data)  # fmt: skip
        return Response(ProspectingSettingsSerializer(obj).data)


class RescoreApi(WorkspaceApiView):
    """Recompute fit, win probability, priority and tiers of every account (a background task)."""

    permission_classes = [AdminWritesPermission]

    @extend_schema(
        request=None, responses={202: inline_serializer("RescoreQueued", {"queued": serializers.BooleanField()})}
    )
    def post(self, request: Request) -> Response:
        prospecting_rescore_task.delay(request.workspace.pk, "Requested through the API")
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


class PredictiveModelSerializer(serializers.ModelSerializer):
    trained_by = serializers.CharField(source="trained_by.username", read_only=True, default=None)

    class Meta:
        model = PredictiveModel
        fields = ["id", "number", "algorithm", "metrics", "n_train", "n_test", "n_won", "n_lost", "is_active",
                  "trained_by", "created_at", "activated_at", "features"]  # fmt: skip
        read_only_fields = fields


class PredictiveModelViewSet(viewsets.ReadOnlyModelViewSet):
    """Versions of the win-probability model with their holdout metrics and baselines."""

    queryset = PredictiveModel.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = PredictiveModelSerializer
    permission_classes = [AdminWritesPermission]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.model_list(workspace=self.request.workspace)

    @extend_schema(request=None, responses={201: PredictiveModelSerializer})
    @action(detail=False, methods=["post"])
    def train(self, request: Request) -> Response:
        """Train a new version; 400 with a clear message when there are fewer than 30 won or 30 lost deals."""
        model = services.model_train(workspace=request.workspace, by=request.user)
        return Response(PredictiveModelSerializer(model).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PredictiveModelSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int | None = None) -> Response:
        """Activate this version (or revert to it) and rescore."""
        model = services.model_activate(model=self.get_object(), by=request.user)
        return Response(PredictiveModelSerializer(model).data)


class TierPinInput(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = serializers.CharField(max_length=500)


class AccountTierApi(WorkspaceApiView):
    """Pin an account to a tier with a reason (POST) or unpin it (DELETE). Sales: own or team accounts only."""

    def _account(self, request: Request, pk: int):
        account = get_object_or_404(account_selectors.account_list(workspace=request.workspace), pk=pk)
        if not rules.can_edit_object(request, account):
            raise PermissionDenied("You can only pin accounts you own or are on the team of.")
        return account

    @extend_schema(request=TierPinInput, responses=AccountSerializer)
    def post(self, request: Request, pk: int) -> Response:
        account = self._account(request, pk)
        data = self.validated(TierPinInput, request.data)
        account = services.tier_override(account=account, by=request.user if request.user.is_authenticated else None,
                                         **data)  # fmt: skip
        return Response(AccountSerializer(account, context={"request": request}).data)

    @extend_schema(request=None, responses=AccountSerializer)
    def delete(self, request: Request, pk: int) -> Response:
        account = services.tier_unpin(account=self._account(request, pk),
                                      by=request.user if request.user.is_authenticated else None)  # fmt: skip
        return Response(AccountSerializer(account, context={"request": request}).data)


class TierChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = TierChange
        fields = ["id", "account", "old_tier", "new_tier", "source", "reason", "by", "created_at"]
        read_only_fields = fields


class TierChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The tier history: every change with who, when and why. Filter with ?account=<id>."""

    queryset = TierChange.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = TierChangeSerializer
    filterset_fields = ["account", "source", "new_tier"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.tier_change_list(workspace=self.request.workspace)


class TierProposalSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = TierProposal
        fields = ["id", "account", "account_name", "current_tier", "proposed_tier", "priority", "reason", "status",
                  "created_at", "decided_by", "decided_at"]  # fmt: skip
        read_only_fields = fields


class TierProposalViewSet(viewsets.ReadOnlyModelViewSet):
    """Tier moves waiting for a decision (``?status=pending``, the default) and past decisions."""

    queryset = TierProposal.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = TierProposalSerializer
    permission_classes = [DeciderPermission]
    filterset_fields = ["account"]
    ordering_fields = ["priority", "created_at"]
    ordering = ["-priority", "id"]

    def get_queryset(self):
        status_filter = self.request.query_params.get("status", ProposalStatus.PENDING)
        return selectors.proposal_list(
            workspace=self.request.workspace, status=None if status_filter == "all" else status_filter
        )

    @extend_schema(request=None, responses=TierProposalSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int | None = None) -> Response:
        by = request.user if request.user.is_authenticated else None  # an API key decides as nobody in particular
        proposal = services.tier_proposal_decide(proposal=self.get_object(), accept=True, by=by)
        return Response(TierProposalSerializer(proposal).data)

    @extend_schema(request=None, responses=TierProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int | None = None) -> Response:
        by = request.user if request.user.is_authenticated else None
        proposal = services.tier_proposal_decide(proposal=self.get_object(), accept=False, by=by)
        return Response(TierProposalSerializer(proposal).data)


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ["id", "kind", "filename", "preset", "mapping", "status", "total_rows", "processed_rows",
                  "progress_percent", "created", "updated", "unchanged", "rejected", "errors", "message",
                  "created_at", "started_at", "finished_at"]  # fmt: skip
        read_only_fields = fields


class ImportJobInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField()
    preset = serializers.CharField(required=False, allow_blank=True, default="")
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text='JSON {"target field": "source column"}; default: preset',
    )
    start = serializers.BooleanField(default=True, help_text="Start at once (false: set the mapping first)")

    def validate_mapping(self, value: str) -> dict | None:
        if not value:
            return None
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError:
            raise serializers.ValidationError("Not valid JSON.") from None
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise serializers.ValidationError('Give an object {"target field": "source column"}.')
        return mapping


class ImportJobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """CSV import jobs: upload (multipart) and follow status, progress, counts and rejected rows (line, reason)."""

    queryset = ImportJob.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["kind", "status"]
    ordering = ["-created_at", "-id"]
    write_roles = ("admin", "marketing")

    def get_queryset(self):
        return selectors.import_job_list(workspace=self.request.workspace)

    @extend_schema(request={"multipart/form-data": ImportJobInput}, responses={201: ImportJobSerializer})
    def create(self, request: Request) -> Response:
        data = WorkspaceApiView.validated(self, ImportJobInput, request.data)
        upload = data["file"]
        job = import_services.import_job_create(
            workspace=request.workspace, kind=data["kind"], filename=upload.name, data=upload.read(),
            by=request.user if request.user.is_authenticated else None, preset=data["preset"], mapping=data["mapping"],
        )  # fmt: skip
        if data["start"]:
            job = import_services.import_job_start(job=job)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: int | None = None) -> Response:
        job = import_services.import_job_start(job=self.get_object())
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)
