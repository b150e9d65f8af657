"""Reads on accounts and their committee, team and opportunities. Every selector takes the workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import QueryDict

from abe.cache import version_bump_on_commit, versioned_read
from abe.models import Workspace
from abe.paging import BoundedPage, bounded_page, searched_page

from .filters import AccountFilterSet
from .models import (
    Account,
    AccountTeamMember,
    ColumnChoice,
    Contact,
    Opportunity,
    OpportunityContact,
    Product,
    SavedView,
)


def account_list(*, workspace: Workspace) -> QuerySet[Account]:
    return Account.objects.for_workspace(workspace).select_related("owner", "parent")


def account_rows(*, workspace: Workspace) -> QuerySet[Account]:
    """Accounts for the accounts page and the accounts API: the owner joined (the page's rows and the CSV exports
    name it), not the parent, which neither shows beyond its id (joining it read every column of a second
    account per row: ~1.5 ms of CPU for a 25-row page, ~2.5 ms for 100 API rows)."""
    return Account.objects.for_workspace(workspace).select_related("owner")


def account_api_rows(*, workspace: Workspace) -> QuerySet[Account]:
    """Accounts for the accounts API: its rows give the owner by id (read from ``owner_id``), so the owner is not
    joined (joining it built a user object per row: ~1.5 ms of CPU for 100 rows); its CSV export joins it."""
    return Account.objects.for_workspace(workspace)


def account_filterset(
    *,
    workspace: Workspace,
    params: Mapping[str, Any] | None,
    user: User | AnonymousUser | None = None,
    queryset: QuerySet[Account] | None = None,
    default_sort: str = "name",
) -> AccountFilterSet:
    """The one filter of account lists (page, board, API, exports) bound to ``params`` (a query string)."""
    return AccountFilterSet(
        params if params is not None else {},
        queryset if queryset is not None else account_list(workspace=workspace),
        user=user,
        workspace=workspace,
        default_sort=default_sort,
    )


def account_search(
    *, workspace: Workspace, params: Mapping[str, Any] | None, user: User | AnonymousUser | None = None
) -> QuerySet[Account]:
    """Accounts of the workspace filtered and sorted by ``params`` (see :mod:`accounts.filters`)."""
    qs: QuerySet[Account] = account_filterset(workspace=workspace, params=params, user=user).qs
    return qs


def account_page(*, filterset: AccountFilterSet, number: int, per_page: int, total: int | None = None) -> BoundedPage:
    """A page of a filtered account list: the bounded pager, or, for a search, the windowed one that stops after
    a page of matches read in the sort index (``abe.paging.searched_page``; the total is then a lower bound)."""
    search = filterset.search
    if search is None or total is not None:
        return bounded_page(filterset.qs, number=number, per_page=per_page, total=total, counted=filterset.unordered)
    return searched_page(filterset.qs, base=filterset.without_search(), search=search, number=number, per_page=per_page)


# Workspace-wide aggregates scan every account (about 0.1 s each at 100,000): they are cached, and every
# service that moves tiers or adds accounts drops the cache (``board_stats_invalidate``).
BOARD_STATS_TTL = 300


def _stats_key(workspace: Workspace | int) -> str:
    # The creation time makes the key unique per workspace even where ids are reused (test databases, restores).
    if isinstance(workspace, int):
        workspace = Workspace.objects.only("created_at").get(pk=workspace)
    return f"accounts:board-stats:{workspace.pk}:{workspace.created_at.timestamp():.6f}"


# Bumped by every invalidation in this process: a page reads the stats once per workspace object (the request's)
# and keeps them on it (``_board_stats_memo``, the generation it was read at), so the tier board's three readers
# (the counts, the page total and the filter menus) cost one cache round trip, and a write earlier in the same
# request still reads fresh stats afterwards.
_stats_generation = [0]


def board_stats_invalidate(*, workspace: Workspace | int) -> None:
    _stats_generation[0] += 1
    cache.delete(_stats_key(workspace))


def board_stats(*, workspace: Workspace) -> dict[str, Any]:
    """Accounts and pinned accounts per tier, and the industries and countries present (cached)."""
    memo = workspace.__dict__.get("_board_stats_memo")
    if memo is not None and memo[0] == _stats_generation[0]:
        return dict(memo[1])
    generation = _stats_generation[0]
    stats = cache.get(_stats_key(workspace))
    if stats is None:
        base = Account.objects.for_workspace(workspace).order_by()
        rows = base.values("tier").annotate(n=Count("id"), pinned=Count("id", filter=Q(tier_locked=True)))
        stats = {
            "tiers": {r["tier"]: {"count": r["n"], "pinned": r["pinned"]} for r in rows},
            "industries": sorted(base.exclude(industry="").values_list("industry", flat=True).distinct()),
            "countries": sorted(base.exclude(country="").values_list("country", flat=True).distinct()),
        }
        cache.set(_stats_key(workspace), stats, BOARD_STATS_TTL)
    workspace.__dict__["_board_stats_memo"] = (generation, stats)
    return dict(stats)


def account_filter_options(*, workspace: Workspace) -> dict[str, list[str]]:
    """The industries and countries present, for the filter menus (from the cached workspace stats)."""
    stats = board_stats(workspace=workspace)
    return {"industries": stats["industries"], "countries": stats["countries"]}


def account_detail(*, workspace: Workspace, pk: int) -> Account:
    return account_list(workspace=workspace).annotate(contact_count=Count("contacts", distinct=True)).get(pk=pk)


def account_contacts(*, account: Account) -> QuerySet[Contact]:
    return account.contacts.select_related("persona").order_by("-engagement_score", "last_name")


def account_team(*, account: Account) -> QuerySet[AccountTeamMember]:
    return account.team_members.select_related("user")


def account_opportunities(*, account: Account) -> QuerySet[Opportunity]:
    """The account's deals, newest first, each with its people (``contact_roles``, primary first) in one query."""
    people = OpportunityContact.objects.select_related("contact").order_by("-is_primary", "contact__last_name", "id")
    return account.opportunities.order_by("-created_date").prefetch_related(Prefetch("contact_roles", people))


def opportunity_contact_list(*, workspace: Workspace) -> QuerySet[OpportunityContact]:
    return OpportunityContact.objects.for_workspace(workspace).select_related("opportunity", "contact")


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


def saved_view_list(*, workspace: Workspace, user: User, list_name: str | None = None) -> QuerySet[SavedView]:
    """The saved views a user may open: their own and those shared with the workspace."""
    qs = SavedView.objects.for_workspace(workspace).filter(Q(owner=user) | Q(shared=True)).select_related("owner")
    return qs.filter(list_name=list_name) if list_name else qs


# Every list page shows the reader's saved views and hides the columns they chose to hide: two queries (~2 ms of
# CPU with PostgreSQL's) per request for settings that change only through the services saved_view_save,
# saved_view_delete and column_choice_save, which call ``list_settings_invalidate``. A versioned read
# (abe.cache.versioned_read): one version per workspace, since a shared view shows in everyone's list.
LIST_SETTINGS_TTL = 300


def _list_settings_version_key(workspace: Workspace) -> str:
    return f"accounts:list-settings:{workspace.pk}:{workspace.created_at.timestamp():.6f}:version"


def list_settings_invalidate(*, workspace: Workspace) -> None:
    """After the current transaction commits, every cached copy of the workspace's saved views and column
    choices is stale."""
    version_bump_on_commit(_list_settings_version_key(workspace))


def list_settings(*, workspace: Workspace, user: User, list_name: str) -> tuple[list[SavedView], list[str]]:
    """The saved views ``user`` may open on ``list_name`` (``saved_view_list``, by name) and the columns they hide
    there (``column_choice``), from the cache when no change was committed since they were read."""
    version_key = _list_settings_version_key(workspace)
    data_key = f"{version_key[: -len(':version')]}:{user.pk}:{list_name}"
    settings: tuple[list[SavedView], list[str]] = versioned_read(
        version_key,
        data_key,
        lambda: (
            list(saved_view_list(workspace=workspace, user=user, list_name=list_name)),
            column_choice(workspace=workspace, user=user, list_name=list_name),
        ),
        LIST_SETTINGS_TTL,
    )
    return settings


def saved_view_accounts(*, workspace: Workspace, user: User, view: SavedView | int) -> QuerySet[Account]:
    """The accounts a saved view selects, for any app (key accounts, committees, analytics): the view's filters
    and sort through the one accounts filter; "my accounts" in a shared view means the reading user's.

    Raises ``SavedView.DoesNotExist`` for a view the user may not open (another's private view, another
    workspace's)."""
    if isinstance(view, int):
        view = saved_view_list(workspace=workspace, user=user).get(pk=view)
    elif view.workspace_id != workspace.pk or not (view.shared or view.owner_id == user.pk):
        raise SavedView.DoesNotExist("No such saved view.")
    return account_search(workspace=workspace, params=QueryDict(view.query), user=user)


def column_choice(*, workspace: Workspace, user: User | AnonymousUser, list_name: str) -> list[str]:
    """The columns this person hides in the list (none when they never chose)."""
    if not user.is_authenticated:
        return []
    hidden = (
        ColumnChoice.objects.for_workspace(workspace)
        .filter(user_id=user.pk, list_name=list_name)
        .values_list("hidden_columns", flat=True)
        .first()
    )
    return list(hidden or [])
