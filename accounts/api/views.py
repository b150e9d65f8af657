from __future__ import annotations

from typing import Any, cast

import django_filters
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.settings import api_settings

from abe import permissions as rules
from abe.api.base import WorkspaceModelViewSet
from abe.api.filters import StrictOrderingFilter
from abe.models import Role

from .. import selectors, services
from ..filters import ACCOUNT_ORDERING_FIELDS, AccountFilterSet, ordering_sort_key
from ..imports.export import accounts_csv_response
from ..models import Account, AccountTeamMember, Contact, Opportunity, OpportunityContact, Product
from .serializers import (
    AccountSerializer,
    AccountTeamMemberSerializer,
    ContactSerializer,
    OpportunityContactSerializer,
    OpportunitySerializer,
    ProductSerializer,
)


class AccountOrdering(StrictOrderingFilter):
    """``ordering`` by one field is already the filterset's sort (``AccountFilterSet.sort_key``: the ranking columns
    through their copy's indexes, with the filters placed for it); other orderings are DRF's."""

    def filter_queryset(self, request, queryset, view):
        if ordering_sort_key(request.query_params.get(self.ordering_param)) is not None:
            return queryset
        return super().filter_queryset(request, queryset, view)


class AccountViewSet(WorkspaceModelViewSet):
    """Target accounts. Filter by firmographics, search by name/domain/city, order by any listed field."""

    queryset = Account.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = AccountSerializer
    # One filter for the page, the board, this API and the exports; without ``ordering`` its ``sort`` applies.
    filterset_class = AccountFilterSet
    # The project's backends (settings), with DRF's ordering replaced by ``AccountOrdering``.
    filter_backends = [
        AccountOrdering if b is StrictOrderingFilter else b
        for b in cast(list[Any], api_settings.DEFAULT_FILTER_BACKENDS)
    ]
    search_fields = ["name", "domain", "city"]
    ordering_fields = ACCOUNT_ORDERING_FIELDS
    ordering = None
    selector = staticmethod(selectors.account_api_rows)
    create_service = staticmethod(services.account_create)
    update_service = staticmethod(services.account_update)
    delete_service = staticmethod(services.account_delete)

    def check_can_create(self, request, data):
        # Any writing role may add an account; sales users may only edit the ones they own or team.
        return None

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV file")})
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """The filtered list as CSV (same filters, search and ordering), spreadsheet formulas neutralised."""
        return accounts_csv_response(self.filter_queryset(self.get_queryset().select_related("owner")), "accounts.csv")


class ContactViewSet(WorkspaceModelViewSet):
    queryset = Contact.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = ContactSerializer
    filterset_fields = ["account", "buying_role", "seniority", "department", "persona", "do_not_contact", "email"]
    search_fields = ["first_name", "last_name", "email", "title"]
    ordering_fields = ["last_name", "first_name", "email", "created_at", "engagement_score"]
    ordering = ["last_name", "first_name", "id"]
    selector = staticmethod(selectors.contact_list)
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    delete_service = staticmethod(services.contact_delete)


class AccountTeamMemberViewSet(WorkspaceModelViewSet):
    queryset = AccountTeamMember.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = AccountTeamMemberSerializer
    filterset_fields = ["account", "user", "team_role"]
    search_fields = ["user__username", "account__name"]
    ordering_fields = ["team_role", "created_at"]
    ordering = ["account_id", "team_role", "id"]
    selector = staticmethod(selectors.team_member_list)
    create_service = staticmethod(services.team_member_create)
    update_service = staticmethod(services.team_member_update)
    delete_service = staticmethod(services.team_member_delete)


class OpportunityFilter(django_filters.FilterSet):
    created_after = django_filters.DateFilter(field_name="created_date", lookup_expr="gte")
    created_before = django_filters.DateFilter(field_name="created_date", lookup_expr="lte")
    closed_after = django_filters.DateFilter(field_name="close_date", lookup_expr="gte")
    closed_before = django_filters.DateFilter(field_name="close_date", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields = ["account", "status", "type", "stage", "external_id", "product"]


class OpportunityViewSet(WorkspaceModelViewSet):
    queryset = Opportunity.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter
    search_fields = ["name", "account__name"]
    ordering_fields = ["created_date", "close_date", "amount", "name"]
    ordering = ["-created_date", "id"]
    selector = staticmethod(selectors.opportunity_list)
    create_service = staticmethod(services.opportunity_create)
    update_service = staticmethod(services.opportunity_update)
    delete_service = staticmethod(services.opportunity_delete)


class OpportunityContactViewSet(WorkspaceModelViewSet):
    """Who was on each deal and in which role (Salesforce's opportunity contact roles). Sales users change the
    deals of the accounts they own or are on the team of."""

    queryset = OpportunityContact.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = OpportunityContactSerializer
    filterset_fields = ["opportunity", "contact", "role", "is_primary", "external_id", "opportunity__account"]
    ordering_fields = ["created_at", "role"]
    ordering = ["opportunity_id", "-is_primary", "id"]
    selector = staticmethod(selectors.opportunity_contact_list)
    create_service = staticmethod(services.opportunity_contact_create)
    update_service = staticmethod(services.opportunity_contact_update)
    delete_service = staticmethod(services.opportunity_contact_delete)

    def check_can_create(self, request, data):
        opportunity = data.get("opportunity")
        if opportunity is not None and not rules.can_edit_object(request, opportunity):
            raise PermissionDenied(gettext("You can only change the deals of accounts you own or are on the team of."))

    def perform_update(self, serializer) -> None:
        if "opportunity" in serializer.validated_data:
            self.check_can_create(self.request, serializer.validated_data)
        super().perform_update(serializer)


class ProductViewSet(WorkspaceModelViewSet):
    """The product catalogue: what opportunities sell (admins and marketing edit it)."""

    queryset = Product.objects.none()  # for the schema; get_queryset scopes by workspace
    serializer_class = ProductSerializer
    filterset_fields = ["family", "is_active"]
    search_fields = ["name", "family"]
    ordering_fields = ["name", "family", "list_price"]
    ordering = ["family", "name"]
    write_roles = (Role.ADMIN, Role.MARKETING)
    selector = staticmethod(selectors.product_list)
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    delete_service = staticmethod(services.product_delete)
