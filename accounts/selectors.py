"""Reads on accounts and their committee, team and opportunities. Every selector takes the workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from abe.models import Workspace

from .models import Account, AccountTeamMember, Contact, Opportunity, Product

ACCOUNT_SORTS = {
    "name": "name",
    "-name": "-name",
    "employees": "employees",
    "-employees": "-employees",
    "revenue": "annual_revenue",
    "-revenue": "-annual_revenue",
    "country": "country",
    "-country": "-country",
    "industry": "industry",
    "-industry": "-industry",
    "tier": "tier",
    "-tier": "-tier",
    "fit": "fit_score",
    "-fit": "-fit_score",
    "priority": "priority",
    "-priority": "-priority",
    "engagement": "engagement_score",
    "-engagement": "-engagement_score",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    industry: str = ""
    country: str = ""
    lifecycle: str = ""
    tier: str = ""
    owner_id: int | None = None
    sort: str = "name"


def account_list(*, workspace: Workspace) -> QuerySet[Account]:
    return Account.objects.for_workspace(workspace).select_related("owner", "parent")


def account_search(*, workspace: Workspace, filters: AccountFilters) -> QuerySet[Account]:
    qs = account_list(workspace=workspace)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(domain__icontains=filters.q) | Q(city__icontains=filters.q))
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.lifecycle:
        qs = qs.filter(lifecycle=filters.lifecycle)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    order = ACCOUNT_SORTS.get(filters.sort, "name")
    return qs.order_by(order, "pk")


def account_filter_options(*, workspace: Workspace) -> dict[str, list[str]]:
    base = Account.objects.for_workspace(workspace)
    return {
        "industries": list(base.exclude(industry="").order_by().values_list("industry", flat=True).distinct()),
        "countries": list(base.exclude(country="").order_by().values_list("country", flat=True).distinct()),
    }


def account_detail(*, workspace: Workspace, pk: int) -> Account:
    return account_list(workspace=workspace).annotate(contact_count=Count("contacts", distinct=True)).get(pk=pk)


def account_contacts(*, account: Account) -> QuerySet[Contact]:
    return account.contacts.select_related("persona").order_by("-engagement_score", "last_name")


def account_team(*, account: Account) -> QuerySet[AccountTeamMember]:
    return account.team_members.select_related("user")


def account_opportunities(*, account: Account) -> QuerySet[Opportunity]:
    return account.opportunities.order_by("-created_date")


def contact_list(*, workspace: Workspace) -> QuerySet[Contact]:
    return Contact.objects.for_workspace(workspace).select_related("account", "persona")


def team_member_list(*, workspace: Workspace) -> QuerySet[AccountTeamMember]:
    return AccountTeamMember.objects.for_workspace(workspace).select_related("account", "user")


def opportunity_list(*, workspace: Workspace) -> QuerySet[Opportunity]:
    return Opportunity.objects.for_workspace(workspace).select_related("account", "product")


def product_list(*, workspace: Workspace) -> QuerySet[Product]:
    return Product.objects.for_workspace(workspace).order_by("family", "name")


def workspace_users(*, workspace: Workspace) -> QuerySet[Any]:
    return get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")
