"""Activation API: rules CRUD (admins and marketing), alerts list/filter/transitions, webhook subscriptions.

Views only check access and call services; reads come from ``activation.selectors``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from abe import permissions as role_rules
from abe.api.base import WorkspaceModelViewSet, WorkspaceReadOnlyModelViewSet
from abe.api.negotiation import FormatIsAFilter
from abe.models import Role, Workspace

from .. import selectors
from ..filters import AlertFilterSet
from ..models import UNDELIVERED_STATUSES, Alert, Rule
from ..permissions import can_act_on_alert
from ..services import alerts as alert_services
from ..services import rules as rule_services
from ..services import webhooks as webhook_services
from ..services.forecast import rule_forecast
from .serializers import (
    AlertAssignInput,
    AlertDetailSerializer,
    AlertSerializer,
    AlertTransitionInput,
    RuleForecastSerializer,
    RuleSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)


class RuleViewSet(WorkspaceModelViewSet):
    """Activation rules: a condition, the accounts it applies to (tier, lifecycle, owner), severity, cool-down,
    recommended action and who is told. Admins and marketing edit them."""

    serializer_class = RuleSerializer
    filterset_fields = ["condition_type", "severity", "is_active"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "severity"]
    ordering = ["name", "id"]
    write_roles = (Role.ADMIN, Role.MARKETING)
    selector = staticmethod(selectors.rule_list)
    create_service = staticmethod(rule_services.rule_create)
    update_service = staticmethod(rule_services.rule_update)
    delete_service = staticmethod(rule_services.rule_delete)

    def check_can_create(self, request, data):
        return None

    def _forecast(self, request: Request, rule: Rule | None) -> Response:
        serializer = RuleSerializer(rule, data=request.data, partial=rule is not None, context={"request": request})
        serializer.is_valid(raise_exception=True)
        forecast = rule_forecast(workspace=self.workspace, data=dict(serializer.validated_data), rule=rule)
        return Response({"accounts": forecast.accounts, "alerts": forecast.alerts})

    @extend_schema(request=RuleSerializer, responses=RuleForecastSerializer, operation_id="activation_rules_preview")
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """Before creating a rule: on how many accounts it would fire now, and how many alerts (nothing saved)."""
        return self._forecast(request, None)

    @extend_schema(
        request=RuleSerializer, responses=RuleForecastSerializer, operation_id="activation_rules_change_preview"
    )
    @action(detail=True, methods=["post"], url_path="preview")
    def preview_change(self, request: Request, pk: str | None = None) -> Response:
        """Before changing or activating a rule: what the changed rule would fire now (nothing saved)."""
        return self._forecast(request, self.get_object())


class AlertViewSet(WorkspaceReadOnlyModelViewSet):
    """Alerts, newest first. Filter by status, severity, rule, account, assignee, ``mine``; move them along
    their lifecycle (acknowledge, resolve, dismiss, snooze until a date, reopen) and assign them."""

    # The inbox's filter (one definition); newest first unless ``sort`` or ``ordering`` says otherwise.
    filterset_class = AlertFilterSet
    search_fields = ["title", "account__name"]
    ordering_fields = ["created_at", "severity", "status"]
    ordering = None

    scoped_model = Alert

    def get_workspace_queryset(self, workspace: Workspace) -> QuerySet:
        qs = selectors.alert_list(workspace=workspace, user=self.actor())
        if "status" not in self.request.query_params:
            qs = qs.exclude(status__in=UNDELIVERED_STATUSES)
        return qs

    def get_serializer_class(self):
        return AlertDetailSerializer if self.action == "retrieve" else AlertSerializer

    def _alert_for_change(self, request: Request, pk: str | None) -> Alert:
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        if not role_rules.can_write(request) or not can_act_on_alert(request, alert):
            raise PermissionDenied(gettext("Only the account team (or marketing and admins) act on this alert."))
        return alert

    def _answer(self, alert: Alert) -> Response:
        fresh = selectors.alert_detail(workspace=self.workspace, user=self.actor(), pk=alert.pk)
        return Response(AlertDetailSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(request=AlertTransitionInput, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        alert = self._alert_for_change(request, pk)
        serializer = AlertTransitionInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        alert = alert_services.alert_transition(alert=alert, by=self.actor(), **serializer.validated_data)
        return self._answer(alert)

    @extend_schema(request=AlertAssignInput, responses=AlertDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        alert = self._alert_for_change(request, pk)
        serializer = AlertAssignInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        alert = alert_services.alert_assign(
            alert=alert, assignee=serializer.validated_data["assignee"], by=self.actor()
        )
        return self._answer(alert)


class WebhookSubscriptionViewSet(WorkspaceModelViewSet):
    """Outbound webhooks (admins only): each alert is POSTed, signed with HMAC-SHA256
    over ``timestamp.delivery_id.body`` (headers ``X-ABE-Timestamp``, ``X-ABE-Delivery`` and
    ``X-ABE-Signature: v1=<hex>``, one ``v1=`` per active secret). The secret is shown once; send a test (active
    subscriptions only); read the delivery log."""

    serializer_class = WebhookSubscriptionSerializer
    filterset_fields = ["is_active", "format"]
    content_negotiation_class = FormatIsAFilter  # ``?format=`` is the filter above, not the renderer
    ordering = ["name", "id"]
    admin_only = True
    selector = staticmethod(selectors.webhook_subscription_list)
    create_service = staticmethod(webhook_services.webhook_subscription_create)
    update_service = staticmethod(webhook_services.webhook_subscription_update)
    delete_service = staticmethod(webhook_services.webhook_subscription_delete)

    def check_can_create(self, request, data):
        return None

    @extend_schema(responses={201: WebhookSubscriptionCreatedSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        # The one time the secret leaves the server (besides a rotation): every later read is masked.
        data = WebhookSubscriptionCreatedSerializer(serializer.instance, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: WebhookSubscriptionCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        """A new secret, shown once; the old one keeps signing (a second ``v1=``) for 24 hours."""
        subscription, _ = webhook_services.webhook_secret_rotate(self.get_object(), by=self.actor())
        return Response(WebhookSubscriptionCreatedSerializer(subscription, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        delivery = webhook_services.webhook_test_send(subscription=subscription, by=self.actor())
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        qs = selectors.webhook_delivery_list(workspace=self.workspace, subscription=subscription)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
