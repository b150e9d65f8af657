from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from abe import permissions as rules
from abe.api.base import WorkspaceApiView, WorkspaceModelViewSet, WorkspaceReadOnlyModelViewSet
from abe.api.filters import reject_blank
from abe.api.pagination import StandardPagination, paginated_schema
from abe.models import Role
from accounts.models import Opportunity
from accounts.prospecting.services import tier_proposal_create
from accounts.selectors import account_list
from work.api.serializers import TaskSerializer

from .. import selectors
from ..models import AccountPlan, BantItem, NewsFeed, NewsMatch, PlanObjective, PlanRisk, RecurringActivity
from ..services import news, plans, postsale, qualification
from .serializers import (
    AccountPlanSerializer,
    BantItemSerializer,
    NewsFeedSerializer,
    NewsMatchSerializer,
    PlanActionInput,
    PlanChangeSerializer,
    PlanObjectiveSerializer,
    PlanReviewSerializer,
    PlanRiskSerializer,
    ProposeKeyAccountInput,
    QualifiedOpportunitySerializer,
    RecurringActivitySerializer,
)


class PlanReviewInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class AccountPlanViewSet(WorkspaceModelViewSet):
    """Account plans: Goals, Plans, Challenges, Stakes, Timeline; one current plan per account (a second is 409)."""

    queryset = AccountPlan.objects.none()
    serializer_class = AccountPlanSerializer
    filterset_fields = ["account", "status", "owner"]
    ordering_fields = ["next_review_due", "created_at"]
    ordering = ["next_review_due", "id"]
    selector = staticmethod(selectors.account_plan_list)
    create_service = staticmethod(plans.account_plan_create)
    update_service = staticmethod(plans.account_plan_update)
    delete_service = staticmethod(plans.account_plan_delete)

    def create(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().create(request, *args, **kwargs)
        except plans.PlanConflictError as exc:
            return Response(exc.message_dict, status=status.HTTP_409_CONFLICT)

    def _check_edit(self, plan: AccountPlan) -> None:
        if not rules.can_edit_object(self.request, plan):
            raise PermissionDenied(gettext("You can only change plans of accounts you own or are on the team of."))

    @extend_schema(request=PlanReviewInput, responses={201: PlanReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Record a review; the next one falls due after the cadence of the account's tier."""
        plan = self.get_object()
        self._check_edit(plan)
        note = self.validated(PlanReviewInput, request.data)["note"]
        review = plans.account_plan_review(plan=plan, by=self.actor(), note=note)
        return Response(PlanReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AccountPlanSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        self._check_edit(plan)
        return Response(self.get_serializer(plans.account_plan_archive(plan=plan, by=self.actor())).data)

    @extend_schema(methods=["GET"], responses=TaskSerializer(many=True))
    @extend_schema(methods=["POST"], request=PlanActionInput, responses={201: TaskSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # the whole action plan, unpaged
    def actions(self, request: Request, pk: str | None = None) -> Response:
        """The plan's action plan (tasks with owners and due dates); POST adds one."""
        plan = self.get_object()
        if request.method == "POST":
            self._check_edit(plan)
            serializer = PlanActionInput(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            task = plans.plan_action_create(plan=plan, by=self.actor(), **serializer.validated_data)
            return Response(TaskSerializer(task, context=self.get_serializer_context()).data, status=201)
        tasks = selectors.plan_actions(plan=plan)
        return Response(TaskSerializer(tasks, many=True, context=self.get_serializer_context()).data)

    @extend_schema(responses=PlanChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the newest 500 changes, unpaged
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed what on the plan, newest first."""
        return Response(PlanChangeSerializer(selectors.plan_history(plan=self.get_object(), limit=500), many=True).data)


def _plan_selector(model):
    def select(*, workspace):
        return model.objects.for_workspace(workspace).select_related("plan", "plan__account")

    return select


class _PlanChildViewSet(WorkspaceModelViewSet):
    """Objectives and risks: created on a plan whose account the user may edit."""

    def check_can_create(self, request: Request, data: dict[str, Any]) -> None:
        if "plan" in data and not rules.can_edit_object(request, data["plan"]):
            raise PermissionDenied(gettext("You can only change plans of accounts you own or are on the team of."))


class PlanObjectiveViewSet(_PlanChildViewSet):
    queryset = PlanObjective.objects.none()
    serializer_class = PlanObjectiveSerializer
    filterset_fields = ["plan"]
    selector = staticmethod(_plan_selector(PlanObjective))
    create_service = staticmethod(plans.plan_objective_create)
    update_service = staticmethod(plans.plan_objective_update)
    delete_service = staticmethod(plans.plan_objective_delete)


class PlanRiskViewSet(_PlanChildViewSet):
    queryset = PlanRisk.objects.none()
    serializer_class = PlanRiskSerializer
    filterset_fields = ["plan", "status"]
    selector = staticmethod(_plan_selector(PlanRisk))
    create_service = staticmethod(plans.plan_risk_create)
    update_service = staticmethod(plans.plan_risk_update)
    delete_service = staticmethod(plans.plan_risk_delete)


class ParetoApi(WorkspaceApiView):
    class InputSerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)
        by = serializers.ChoiceField(choices=["revenue", "margin"], default="revenue")
        limit = serializers.IntegerField(required=False, min_value=1, max_value=10000)

        def validate(self, data):
            end = data.get("end") or timezone.localdate()
            start = data.get("start") or end - dt.timedelta(days=365)
            if start > end:
                raise serializers.ValidationError({"start": gettext("The start lies after the end.")})
            if (end - start).days > 3660:
                raise serializers.ValidationError({"start": gettext("At most 10 years.")})
            return {**data, "start": start, "end": end}

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="First close date (default: a year ago)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last close date (default: today)"),
            OpenApiParameter("by", OpenApiTypes.STR, enum=["revenue", "margin"]),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 10000},
                description="Return only the first N ranked accounts",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """Accounts ranked by won revenue (or margin) with the cumulative share and the top-20% share (0-1)."""
        reject_blank(request.query_params, ("start", "end", "by", "limit"))
        data = self.validated(self.InputSerializer, request.query_params)
        page = selectors.pareto_selection(workspace=self.workspace, **data)
        r = page.result
        return Response(
            {
                "start": page.start,
                "end": page.end,
                "by": page.by,
                "total": round(r.total, 2),
                "accounts_count": len(r.rows),
                "top20_count": r.top20_count,
                "top20_share": round(r.top20_share, 4),
                "accounts_for_80pct": r.accounts_for_80,
                "accounts": page.accounts,
            }
        )


class ProposeKeyAccountApi(WorkspaceApiView):
    write_roles = (Role.ADMIN, Role.MARKETING, Role.SALES)

    @extend_schema(request=ProposeKeyAccountInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        """Propose an account as a key account (a tier proposal, decided on the tier-proposals page)."""
        data = self.validated(ProposeKeyAccountInput, request.data)
        proposal = tier_proposal_create(by=request.user if request.user.is_authenticated else None, **data)
        return Response(
            {
                "id": proposal.pk,
                "account": proposal.account_id,
                "current_tier": proposal.current_tier,
                "proposed_tier": proposal.proposed_tier,
                "reason": proposal.reason,
                "status": proposal.status,
            },
            status=status.HTTP_201_CREATED,
        )


class QualificationFilter(django_filters.FilterSet):
    qualification = django_filters.ChoiceFilter(
        choices=[(k, v) for k, v in selectors.QUALIFICATION_LABELS.items()], method="filter_qualification"
    )

    def filter_qualification(self, queryset, name, value):
        return selectors.filter_qualification(queryset, value)

    class Meta:
        model = Opportunity
        fields = ["account", "status", "type"]


class QualificationViewSet(WorkspaceReadOnlyModelViewSet):
    """Opportunities with their BANT summary; filter with ``qualification`` = qualified, partly, unqualified,
    disqualified."""

    serializer_class = QualifiedOpportunitySerializer
    filterset_class = QualificationFilter
    ordering = ["-created_date", "id"]

    def get_workspace_queryset(self, workspace):
        return selectors.opportunities_with_qualification(workspace=workspace).order_by("-created_date", "id")


class BantItemViewSet(WorkspaceModelViewSet):
    """BANT rows; POST sets one criterion of an opportunity (creating or replacing it)."""

    queryset = BantItem.objects.none()
    serializer_class = BantItemSerializer
    filterset_fields = ["opportunity", "criterion", "status"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    @staticmethod
    def selector(*, workspace):
        return BantItem.objects.for_workspace(workspace).select_related("opportunity__account", "contact")

    def perform_create(self, serializer) -> None:
        opportunity = serializer.validated_data["opportunity"]
        if not rules.can_edit_object(self.request, opportunity):
            raise PermissionDenied(
                gettext("You can only qualify opportunities of accounts you own or are on the team of.")
            )
        serializer.instance = qualification.bant_set(by=self.actor(), **serializer.validated_data)

    def perform_destroy(self, instance: Model) -> None:
        instance.delete()


class RecurringActivityViewSet(WorkspaceModelViewSet):
    """Post-sale recurring activities; each occurrence becomes a task (source check_in) two weeks ahead."""

    queryset = RecurringActivity.objects.none()
    serializer_class = RecurringActivitySerializer
    filterset_fields = ["account", "kind", "is_active"]
    selector = staticmethod(selectors.recurring_activities)
    create_service = staticmethod(postsale.recurring_activity_create)
    update_service = staticmethod(postsale.recurring_activity_update)
    delete_service = staticmethod(postsale.recurring_activity_delete)


class NewsFeedViewSet(WorkspaceModelViewSet):
    """News feeds (RSS/Atom) of the workspace; admins add them (public https only)."""

    queryset = NewsFeed.objects.none()
    serializer_class = NewsFeedSerializer
    write_roles = (Role.ADMIN,)
    selector = staticmethod(selectors.news_feed_list)
    update_service = staticmethod(news.news_feed_update)
    delete_service = staticmethod(news.news_feed_delete)

    def perform_create(self, serializer) -> None:
        serializer.instance = news.news_feed_add(
            workspace=self.workspace,
            by=self.actor(),
            url=serializer.validated_data["url"],
            name=serializer.validated_data.get("name", ""),
        )

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def fetch(self, request: Request, pk: str | None = None) -> Response:
        """Fetch this feed now."""
        feed = self.get_object()
        return Response(news.news_feed_fetch(feed=feed).as_dict())


class NewsMatchViewSet(WorkspaceReadOnlyModelViewSet):
    """News entries matched to accounts (each also recorded as a ``news`` trigger event)."""

    serializer_class = NewsMatchSerializer
    filterset_fields = ["account"]
    ordering = ["-created_at", "-id"]

    def get_workspace_queryset(self, workspace):
        return NewsMatch.objects.for_workspace(workspace).select_related("entry", "entry__feed")


class RenewalsApi(WorkspaceApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("within", OpenApiTypes.INT, enum=[30, 60, 90, 180]),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses=paginated_schema(
            "PaginatedRenewalList",
            inline_serializer(
                "Renewal",
                {
                    "opportunity": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "account": serializers.IntegerField(),
                    "account_name": serializers.CharField(),
                    "contract_end": serializers.DateField(),
                    "days": serializers.IntegerField(),
                    "bucket": serializers.IntegerField(),
                    "amount": serializers.DecimalField(
                        max_digits=16, decimal_places=2, allow_null=True, coerce_to_string=False
                    ),
                    "engagement_momentum": serializers.FloatField(allow_null=True),
                    "trend": serializers.ChoiceField(choices=["falling", "flat", "rising", "no baseline"]),
                },
            ),
        ),
    )
    def get(self, request: Request) -> Response:
        """Won contracts ending within 30/60/90/180 days (soonest first), with the account's engagement trend; in
        pages like every list (``page``, ``page_size``): a large workspace renews thousands of contracts a half-year."""
        within = request.query_params.get("within", "180")
        if within not in {"30", "60", "90", "180"}:
            raise ValidationError({"within": gettext("Choose one of: 30, 60, 90, 180.")})
        paginator = StandardPagination()
        page = paginator.paginate_queryset(
            selectors.renewal_opportunities(workspace=self.workspace, within_days=int(within)), request, view=self
        )
        return paginator.get_paginated_response(
            [
                {
                    "opportunity": r["opportunity"].pk,
                    "name": r["opportunity"].name,
                    "account": r["account"].pk,
                    "account_name": r["account"].name,
                    "contract_end": r["opportunity"].contract_end,
                    "days": r["days"],
                    "bucket": r["bucket"],
                    "amount": r["opportunity"].amount,
                    "engagement_momentum": r["momentum"],
                    "trend": r["trend"],
                }
                for r in selectors.renewal_rows(page or [])
            ]
        )


class AccountHealthApi(WorkspaceApiView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        """The latest health score of the account, explained point by point."""
        account = get_object_or_404(account_list(workspace=self.workspace), pk=pk)
        latest = selectors.health_latest(account=account)
        if latest is None:
            return Response({"account": account.pk, "score": None, "explanation": [], "computed_at": None})
        return Response(
            {
                "account": account.pk,
                "score": latest.score,
                "computed_at": latest.computed_at,
                "explanation": [{"component": c, "points": p, "max": m, "why": w} for c, p, m, w in latest.explanation],
            }
        )
