"""API for buying committees, next-best content, outreach templates, plays and content settings."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from abe import permissions as rules
from abe.api.base import WorkspaceApiView, WorkspaceModelViewSet, WorkspaceRelatedField
from abe.api.filters import reject_blank
from abe.api.pagination import StandardPagination, paginated_schema
from abe.models import Role
from abe.paging import whole_number
from accounts.models import Account, Contact, Tier
from personas.committee import TIERS
from personas.models import BuyingRole, Channel, Persona
from personas.services import committee_template_reset, committee_template_save

from ..models import DEFAULT_STAGE_MAP, ContentAsset, EnrolmentStatus, OutreachTemplate, Play, PlayEnrolment
from ..selectors import committee as committee_selectors
from ..selectors.analysis import won_lost_analysis
from ..selectors.nbc import asset_performance_table, content_settings, next_best_content
from ..selectors.outreach import outreach_template_list
from ..selectors.plays import play_enrolments, play_list, play_report
from ..services.outreach import (
    outreach_log_sent,
    outreach_render,
    outreach_template_create,
    outreach_template_delete,
    outreach_template_update,
)
from ..services.plays import play_create, play_delete, play_enrol, play_exit, play_steps_schedule, play_update
from ..services.settings import content_settings_save


def _account(workspace: Any, pk: int) -> Account:
    return get_object_or_404(Account.objects.for_workspace(workspace), pk=pk)


class CoverageRoleOutput(serializers.Serializer):
    role = serializers.CharField(help_text="Requirement key: a buying role, a department, or role/department.")
    required = serializers.IntegerField()  # type: ignore[assignment]  # the JSON key, not Field.required
    known = serializers.IntegerField()
    engaged = serializers.IntegerField()


class CoverageOutput(serializers.Serializer):
    coverage = serializers.FloatField(min_value=0, max_value=1)
    roles = CoverageRoleOutput(many=True)


class AccountCoverageApi(WorkspaceApiView):
    """Committee coverage of one account against its tier's template."""

    @extend_schema(responses=CoverageOutput, operation_id="account_coverage")
    def get(self, request: Request, pk: int) -> Response:
        account = _account(self.workspace, pk)
        return Response(committee_selectors.account_coverage(account=account).as_dict())


class NextBestOutput(serializers.Serializer):
    asset = serializers.IntegerField()
    contact = serializers.IntegerField()
    reason = serializers.CharField()
    score = serializers.FloatField()
    asset_title = serializers.CharField()
    contact_name = serializers.CharField()
    effort = serializers.CharField()
    stage = serializers.CharField()


class AccountNextBestApi(WorkspaceApiView):
    """Next-best content for each reachable contact of an account, best first."""

    @extend_schema(
        responses=NextBestOutput(many=True),
        parameters=[OpenApiParameter("contact", int, description="Only this contact")],
        operation_id="account_next_best_content",
    )
    def get(self, request: Request, pk: int) -> Response:
        account = _account(self.workspace, pk)
        reject_blank(request.query_params, ("contact",))
        raw = request.query_params.get("contact", "")
        contact_id = whole_number(raw)
        if raw and contact_id is None:
            raise serializers.ValidationError({"contact": _("Give a contact id.")})
        result = next_best_content(account=account, contact_id=contact_id)
        return Response(
            [
                {
                    "asset": s.asset.id,
                    "contact": c.pk,
                    "reason": s.reason,
                    "score": s.score,
                    "asset_title": s.asset.title,
                    "contact_name": str(c),
                    "effort": s.asset.effort,
                    "stage": s.asset.stage,
                }
                for s, c in result.rolled_up
            ]
        )


class CommitteeTemplateSerializer(serializers.Serializer):
    tier = serializers.CharField(read_only=True)
    requirements = serializers.JSONField(
        help_text='[{"role": "economic_buyer", "department": "", "persona": null, "count": 1}, ...]'
    )
    engaged_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    is_default = serializers.BooleanField(read_only=True)


def _template_out(view: committee_selectors.TemplateView) -> dict[str, Any]:
    return {
        "tier": view.tier,
        "requirements": [r.as_dict() for r in view.requirements],
        "engaged_days": view.engaged_days,
        "is_default": view.is_default,
    }


class CommitteeTemplateListApi(WorkspaceApiView):
    """The committee template of every tier (the seeds' defaults until edited)."""

    @extend_schema(responses=CommitteeTemplateSerializer(many=True), operation_id="committee_templates_list")
    def get(self, request: Request) -> Response:
        templates = committee_selectors.committee_templates(workspace=self.workspace)
        return Response([_template_out(templates[t]) for t in TIERS])


class CommitteeTemplateApi(WorkspaceApiView):
    write_roles = (Role.ADMIN, Role.MARKETING)

    def _tier(self, tier: str) -> str:
        if tier not in TIERS:
            from django.http import Http404

            raise Http404("No such tier.")
        return tier

    @extend_schema(responses=CommitteeTemplateSerializer, operation_id="committee_template_retrieve")
    def get(self, request: Request, tier: str) -> Response:
        templates = committee_selectors.committee_templates(workspace=self.workspace)
        return Response(_template_out(templates[self._tier(tier)]))

    @extend_schema(
        request=CommitteeTemplateSerializer,
        responses=CommitteeTemplateSerializer,
        operation_id="committee_template_update",
    )
    def put(self, request: Request, tier: str) -> Response:
        data = self.validated(CommitteeTemplateSerializer, request.data)
        committee_template_save(workspace=self.workspace, tier=self._tier(tier), by=self.actor(), **data)
        return self.get(request, tier)

    @extend_schema(responses={204: None}, operation_id="committee_template_reset")
    def delete(self, request: Request, tier: str) -> Response:
        committee_template_reset(workspace=self.workspace, tier=self._tier(tier), by=self.actor())
        return Response(status=204)


class CoverageListApi(WorkspaceApiView):
    """The coverage heatmap: accounts (filtered, paginated) with coverage per required role."""

    @extend_schema(
        parameters=[
            OpenApiParameter("tier", str),
            OpenApiParameter("owner", int),
            OpenApiParameter("stage", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=paginated_schema(
            "PaginatedCoverageRowList",
            inline_serializer(
                "CoverageRow",
                {
                    "account": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "coverage": serializers.FloatField(),
                    "single_threaded": serializers.BooleanField(),
                    "roles": CoverageRoleOutput(many=True),
                },
            ),
        ),
        operation_id="committee_coverage_list",
    )
    def get(self, request: Request) -> Response:
        q = request.query_params
        reject_blank(q, ("owner",))
        tier = q.get("tier", "")
        if tier and tier not in Tier.values:
            raise serializers.ValidationError(
                {"tier": _("Choose one of: %(values)s.") % {"values": ", ".join(Tier.values)}}
            )
        owner = q.get("owner", "")
        owner_id = whole_number(owner)
        if owner and owner_id is None:
            raise serializers.ValidationError({"owner": _("Give a user id.")})
        filters = committee_selectors.HeatmapFilters(tier=tier, owner_id=owner_id, stage=q.get("stage", "")[:40])
        paginator = StandardPagination()
        accounts = paginator.paginate_queryset(
            committee_selectors.heatmap_accounts(workspace=self.workspace, filters=filters), request, view=self
        )
        accounts = accounts or []
        coverages = committee_selectors.coverage_for_accounts(workspace=self.workspace, accounts=accounts)
        return paginator.get_paginated_response(
            [
                {
                    "account": a.pk,
                    "name": a.name,
                    **coverages[a.pk].as_dict(),
                    "single_threaded": coverages[a.pk].single_threaded,
                }
                for a in accounts
            ]
        )


class WonLostApi(WorkspaceApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "last", {"type": "integer", "minimum": 5, "maximum": 500}, description="Deals of each kind (default 50)"
            )
        ],
        responses=inline_serializer("WonLost", {"won": serializers.IntegerField()}),
        operation_id="committee_won_lost",
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("last", "50")
        last = whole_number(raw)
        if last is None or not 5 <= last <= 500:
            raise serializers.ValidationError({"last": _("A whole number from 5 to 500.")})
        a = won_lost_analysis(workspace=self.workspace, last=last)
        return Response(
            {
                "won": a.won,
                "lost": a.lost,
                "last": a.last,
                "enough": a.enough,
                # Deals whose committee is the CRM's contact roles on them (the others: the account's contacts).
                "won_with_contact_roles": a.won_with_roles,
                "lost_with_contact_roles": a.lost_with_roles,
                "verdict": a.verdict,
                "suggestions": a.suggestions,
                "roles": [
                    {
                        "role": r.requirement.key,
                        "in_template": r.in_template,
                        "won_present": r.won_present,
                        "won_engaged": r.won_engaged,
                        "lost_present": r.lost_present,
                        "lost_engaged": r.lost_engaged,
                        "difference": r.difference,
                    }
                    for r in a.roles
                ],
                # Each deal compared, the latest close first: who was in the room (the CRM's contact roles on it,
                # else the account's contacts at the close), how many were engaged, the template seats nobody held.
                "deals": [
                    {
                        "id": d.id,
                        "name": d.name,
                        "account": d.account_id,
                        "status": d.status,
                        "close_date": d.close,
                        "people_from": "contact_roles" if d.from_crm else "account_contacts",
                        "people": d.people,
                        "engaged": d.engaged,
                        "missing": [r.key for r in d.missing],
                        "room": [
                            {
                                "contact": p.contact_id,
                                "role": p.role,
                                "engaged": p.engaged,
                                "influence": p.influence,
                            }
                            for p in d.room
                        ],
                    }
                    for d in a.deals
                ],
            }
        )


class OutreachTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutreachTemplate
        fields = ["id", "name", "subject", "body", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class RenderInput(serializers.Serializer):
    contact = WorkspaceRelatedField(Contact)


class LogSentInput(serializers.Serializer):
    contact = WorkspaceRelatedField(Contact)
    asset = WorkspaceRelatedField(ContentAsset, required=False, allow_null=True)


class OutreachTemplateViewSet(WorkspaceModelViewSet):
    """Outreach templates with logic-free merge fields; unknown fields are refused when saving."""

    queryset = OutreachTemplate.objects.none()
    serializer_class = OutreachTemplateSerializer
    search_fields = ["name", "subject"]
    ordering = ["name", "id"]
    selector = staticmethod(outreach_template_list)
    create_service = staticmethod(outreach_template_create)
    update_service = staticmethod(outreach_template_update)
    delete_service = staticmethod(outreach_template_delete)

    @extend_schema(
        request=RenderInput,
        responses=inline_serializer(
            "RenderedOutreach", {"subject": serializers.CharField(), "body": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def render(self, request: Request, pk: str | None = None) -> Response:
        """The template filled for one contact (do-not-contact people are refused). Changes nothing."""
        template = get_object_or_404(outreach_template_list(workspace=self.workspace), pk=pk)
        serializer = RenderInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        rendered = outreach_render(template=template, contact=serializer.validated_data["contact"])
        return Response({"subject": rendered.subject, "body": rendered.body})

    @extend_schema(
        request=LogSentInput, responses=inline_serializer("LoggedTouch", {"event": serializers.IntegerField()})
    )
    @action(detail=True, methods=["post"], url_path="log-sent")
    def log_sent(self, request: Request, pk: str | None = None) -> Response:
        """Record that the template was sent to the contact: an outbound touch event carrying the template id."""
        template = get_object_or_404(outreach_template_list(workspace=self.workspace), pk=pk)
        serializer = LogSentInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        contact = serializer.validated_data["contact"]
        if not rules.can_edit_object(request, contact.account):
            raise PermissionDenied(_("You can only log touches on accounts you own or are on the team of."))
        event = outreach_log_sent(
            template=template, contact=contact, by=self.actor(), asset=serializer.validated_data.get("asset")
        )
        return Response({"event": event.pk}, status=201)


class PlayStepSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    day_offset = serializers.IntegerField(min_value=0, max_value=365)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.EMAIL)
    target_role = serializers.ChoiceField(choices=BuyingRole.choices, required=False, allow_blank=True, default="")
    target_persona = WorkspaceRelatedField(Persona, required=False, allow_null=True, default=None)
    asset = WorkspaceRelatedField(ContentAsset, required=False, allow_null=True, default=None)
    template = WorkspaceRelatedField(OutreachTemplate, required=False, allow_null=True, default=None)
    owner_role = serializers.CharField(max_length=30, default="owner")


class PlaySerializer(serializers.ModelSerializer):
    steps = PlayStepSerializer(many=True)
    active_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Play
        fields = ["id", "name", "description", "exit_stage", "is_active", "steps", "active_count", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []

    def validate_steps(self, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # A PATCH is partial for the play, not for its steps: each step still needs what the schema requires.
        for step in steps:
            missing = [name for name in ("title", "day_offset") if name not in step]
            if missing:
                raise serializers.ValidationError(_("Each step needs: %(fields)s.") % {"fields": ", ".join(missing)})
        return steps

    def to_representation(self, instance: Play) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["steps"] = [
            {
                "id": s.pk,
                "title": s.title,
                "day_offset": s.day_offset,
                "channel": s.channel,
                "target_role": s.target_role,
                "target_persona": s.target_persona_id,
                "asset": s.asset_id,
                "template": s.template_id,
                "owner_role": s.owner_role,
            }
            for s in instance.steps.all()
        ]
        return data


class EnrolInput(serializers.Serializer):
    accounts = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=5000)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    owner = serializers.IntegerField(required=False)
    stage = serializers.CharField(required=False, max_length=40)


class PlayViewSet(WorkspaceModelViewSet):
    """Plays: steps, enrolments (by ids, tier, owner or stage), exit, report."""

    queryset = Play.objects.none()
    serializer_class = PlaySerializer
    write_roles = (Role.ADMIN, Role.MARKETING, Role.SALES)
    ordering = ["name", "id"]
    selector = staticmethod(play_list)
    create_service = staticmethod(play_create)
    update_service = staticmethod(play_update)
    delete_service = staticmethod(play_delete)

    def get_workspace_queryset(self, workspace: Any) -> Any:
        return play_list(workspace=workspace).prefetch_related("steps")

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        # Sales enrol accounts; designing plays is for admins and marketing.
        if self.action in ("create", "update", "partial_update", "destroy") and not rules.can_write_everything(request):
            raise PermissionDenied(_("Admins and marketing design plays."))

    @extend_schema(
        request=EnrolInput,
        responses=inline_serializer(
            "Enrolled",
            {
                "enrolled": serializers.IntegerField(),
                "tasks_created": serializers.IntegerField(),
                "already_active": serializers.IntegerField(),
                "past_exit_stage": serializers.IntegerField(),
                "not_found": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, pk: str | None = None) -> Response:
        play = self.get_object()
        data = EnrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if not any(k in d for k in ("accounts", "tier", "owner", "stage")):
            raise serializers.ValidationError({"accounts": _("Give account ids, a tier, an owner or a stage.")})
        qs = Account.objects.for_workspace(self.workspace)
        if "accounts" in d:
            qs = qs.filter(pk__in=d["accounts"])
        if "tier" in d:
            qs = qs.filter(tier=d["tier"])
        if "owner" in d:
            qs = qs.filter(owner_id=d["owner"])
        if "stage" in d:
            # The engagement copy has the (workspace, tier, stage) index the account row no longer has.
            qs = qs.filter(engagement_rank__workspace_id=self.workspace.pk, engagement_rank__journey_stage=d["stage"])
        if not rules.can_write_everything(request) and request.user.is_authenticated:
            qs = qs.filter(owner=request.user) | qs.filter(team_members__user=request.user)
        accounts = list(qs.distinct()[:5000])
        enrolled = play_enrol(play=play, accounts=accounts, by=self.actor())
        created = play_steps_schedule(workspace=self.workspace)["created"]
        # What was offered and skipped: already active in the play, or at its exit stage or a later one, and the
        # listed ids that match no account the caller can enrol (with the other filters given).
        return Response(
            {
                "enrolled": enrolled.enrolled,
                "tasks_created": created,
                "already_active": enrolled.already_active,
                "past_exit_stage": enrolled.past_exit,
                "not_found": sorted(set(d.get("accounts", ())) - {a.pk for a in accounts}),
            }
        )

    @extend_schema(
        request=None,
        responses=inline_serializer("Enrolment", {"id": serializers.IntegerField(), "status": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"], url_path=r"enrolments/(?P<enrolment_pk>\d+)/exit")
    def exit(self, request: Request, pk: str | None = None, enrolment_pk: str | None = None) -> Response:
        play = self.get_object()
        enrolment = get_object_or_404(
            PlayEnrolment.objects.filter(play=play, status=EnrolmentStatus.ACTIVE), pk=enrolment_pk
        )
        if not rules.can_edit_object(request, enrolment.account):
            raise PermissionDenied(_("You can only take out accounts you own or are on the team of."))
        data: Any = request.data
        reason = str(data.get("reason", "") if isinstance(data, dict) else "")[:200]
        enrolment = play_exit(enrolment=enrolment, by=self.actor(), reason=reason)
        return Response({"id": enrolment.pk, "status": enrolment.status})

    @extend_schema(responses=inline_serializer("Enrolments", {"id": serializers.IntegerField()}, many=True))
    @action(detail=True, methods=["get"])
    def enrolments(self, request: Request, pk: str | None = None) -> Response:
        play = self.get_object()
        page: Any = self.paginate_queryset(play_enrolments(play=play)) or []
        return self.get_paginated_response(
            [
                {
                    "id": e.pk,
                    "account": e.account_id,
                    "account_name": e.account.name,
                    "status": e.status,
                    "enrolled_on": e.enrolled_on,
                    "stage_at_enrolment": e.stage_at_enrolment,
                    "stage_now": e.account.journey_stage,
                    "steps_total": e.runs_total,
                    "steps_done": e.runs_done,
                    "exit_reason": e.exit_reason,
                }
                for e in page
            ]
        )

    @extend_schema(responses=inline_serializer("PlayReport", {"enrolled": serializers.IntegerField()}))
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        r = play_report(play=self.get_object())
        return Response(
            {
                "enrolled": r.enrolled,
                "active": r.active,
                "completed": r.completed,
                "exited": r.exited,
                "steps_due": r.steps_due,
                "steps_done": r.steps_done,
                "enrolled_moved_up": r.enrolled_movement.moved_up,
                "enrolled_share": r.enrolled_movement.share,
                "comparable_accounts": r.comparable_movement.accounts,
                "comparable_moved_up": r.comparable_movement.moved_up,
                "comparable_share": r.comparable_movement.share,
                "note": r.note,
            }
        )


class ContentSettingsSerializer(serializers.Serializer):
    effort_by_tier = serializers.DictField(child=serializers.CharField(), required=False)
    stage_map = serializers.DictField(child=serializers.CharField(), required=False)
    movement_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    prior_weight = serializers.FloatField(min_value=0, max_value=1000, required=False)


class ContentSettingsApi(WorkspaceApiView):
    write_roles = (Role.ADMIN, Role.MARKETING)

    def _out(self, request: Request) -> dict[str, Any]:
        s = content_settings(workspace=self.workspace)
        return {
            "effort_by_tier": {t: s.allowed_effort(t) for t in TIERS},
            "stage_map": {**DEFAULT_STAGE_MAP, **(s.stage_map or {})},
            "movement_days": s.movement_days,
            "prior_weight": s.prior_weight,
        }

    @extend_schema(responses=ContentSettingsSerializer, operation_id="content_settings_retrieve")
    def get(self, request: Request) -> Response:
        return Response(self._out(request))

    @extend_schema(
        request=ContentSettingsSerializer, responses=ContentSettingsSerializer, operation_id="content_settings_update"
    )
    def put(self, request: Request) -> Response:
        data = self.validated(ContentSettingsSerializer, request.data)
        content_settings_save(workspace=self.workspace, by=self.actor(), **data)
        return Response(self._out(request))


class AssetPerformanceApi(WorkspaceApiView):
    @extend_schema(
        parameters=[OpenApiParameter("asset", int)],
        responses=inline_serializer("AssetPerformance", {"asset": serializers.IntegerField()}, many=True),
        operation_id="asset_performance_list",
    )
    def get(self, request: Request) -> Response:
        reject_blank(request.query_params, ("asset",))
        raw = request.query_params.get("asset", "")
        asset_id = whole_number(raw)
        if raw and asset_id is None:
            raise serializers.ValidationError({"asset": _("Give an asset id.")})
        rows = asset_performance_table(workspace=self.workspace, asset_id=asset_id)
        return Response(
            [
                {
                    "asset": r.asset_id,
                    "asset_title": r.asset.title,
                    "persona": r.persona_key or None,
                    "stage": r.stage or None,
                    "accounts_reached": r.accounts_reached,
                    "contacts_reached": r.contacts_reached,
                    "engagements": r.engagements,
                    "accounts_moved": r.accounts_moved,
                    "moved_share": r.moved_share,
                    "pipeline_influenced": str(r.pipeline_influenced),
                }
                for r in rows[:1000]
            ]
        )
