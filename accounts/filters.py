"""One filter definition for every list of accounts: the accounts page, the tier board, the accounts API and
their CSV exports all filter and sort through :class:`AccountFilterSet` (called inside the selectors).

Parameters (query string): ``q`` (name, domain or city), ``industry``, ``country``, ``region``, ``lifecycle``,
``tier``, ``grade`` / ``fit_grade``, ``owner`` (a user id, ``me`` or ``none``), ``criterion`` / ``icp_criterion``
(index of an active ICP criterion the account meets), ``pinned`` / ``tier_locked``, ``employees_min|max``,
``revenue_min|max``, ``stage_changed_since`` (an ISO time: the journey stage changed then or later),
``config_change`` (the key of a configuration change: the accounts its recompute moved between stages), ``domain``,
``external_id``, ``parent`` and ``sort`` (a key of :data:`ACCOUNT_SORTS`,
``-`` for descending).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser, User
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from abe.filtersets import SharedFormFilterSet, UtcIsoDateTimeFilter, WholeNumberFilter
from abe.models import Workspace
from abe.paging import AscendingInTwoParts

from .models import FIT_GRADES, Account, AccountEngagementRank, AccountRank, Lifecycle, Tier

RANK = "rank__"
ERANK = "engagement_rank__"
GRADE_CHOICES = [(g, g) for g in FIT_GRADES]

# The one sort map: a key people see in URLs -> the ordering (unknown values last, ties broken by id so that
# pages never overlap). ``-key`` sorts the other way. The ranking columns sort through their copy in
# ``AccountRank`` (``rank__…``), which has their indexes (see ``_ranked``); the engagement columns through theirs in
# ``AccountEngagementRank`` (``engagement_rank__…``).
_SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "employees": ("employees",),
    "revenue": ("annual_revenue",),
    "country": ("country",),
    "industry": ("industry",),
    "tier": ("tier",),
    "fit": ("rank__fit_score",),
    "grade": ("rank__fit_grade", "-rank__priority"),
    "priority": ("rank__priority",),
    "win": ("rank__win_probability",),
    "engagement": ("engagement_rank__engagement_score",),
    "momentum": ("engagement_rank__engagement_momentum",),
    "stage": ("engagement_rank__journey_stage",),
    "updated": ("updated_at",),
    "created": ("created_at",),
}


def _order(field: str, descending: bool) -> OrderBy:
    """Unknown (NULL) values last both ways. A column that cannot be NULL gets a plain ``ASC`` / ``DESC`` so
    that one ``(workspace, column, id)`` index serves both directions (read backwards for ``DESC``). A nullable
    one has a single index, ``(workspace, column DESC NULLS LAST, id DESC)`` (see ``Account.Meta.indexes``): the
    descending sort reads it forwards, the ascending one backwards in two parts, the accounts with a value and then
    those without (``abe.paging.AscendingInTwoParts``; one index fewer for a rescore to write per account)."""
    if field.startswith("-"):
        field, descending = field[1:], not descending
    model: type[models.Model]
    if field.startswith(RANK):
        model, name = AccountRank, field.removeprefix(RANK)
    elif field.startswith(ERANK):
        model, name = AccountEngagementRank, field.removeprefix(ERANK)
    else:
        model, name = Account, field
    if not model._meta.get_field(name).null:
        return F(field).desc() if descending else F(field).asc()
    return F(field).desc(nulls_last=True) if descending else AscendingInTwoParts(field)


ACCOUNT_SORTS: dict[str, tuple[OrderBy | str, ...]] = {}
for _key, _fields in _SORT_FIELDS.items():
    ACCOUNT_SORTS[_key] = (*(_order(f, False) for f in _fields), "id")
    ACCOUNT_SORTS["-" + _key] = (*(_order(f, True) for f in _fields), "-id")
# The sort keys that order by a ranking column (``AccountRank``).
RANKED_SORTS = frozenset(k for k in ACCOUNT_SORTS if any(f.startswith(RANK) for f in _SORT_FIELDS[k.lstrip("-")]))
# The sort keys that order by an engagement column (``AccountEngagementRank``).
ENGAGED_SORTS = frozenset(k for k in ACCOUNT_SORTS if any(f.startswith(ERANK) for f in _SORT_FIELDS[k.lstrip("-")]))


# The API's ``ordering`` parameter takes model field names; it offers the same fields as the sort map, and one of
# them alone (``ordering=-priority``) sorts as its sort key does (``ordering_sort_key``): the ranking columns through
# their copy's indexes, unknown values last both ways, ties broken by id. Several (``ordering=tier,-priority``) are
# DRF's plain ``ORDER BY``.
ORDERING_SORT_KEYS: dict[str, str] = {
    fields[0].removeprefix(RANK).removeprefix(ERANK): key for key, fields in _SORT_FIELDS.items()
}
ACCOUNT_ORDERING_FIELDS: list[str] = list(ORDERING_SORT_KEYS)


def ordering_sort_key(value: Any) -> str | None:
    """The sort key an API ``ordering`` value stands for (one listed field, ``-`` for descending), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    key = ORDERING_SORT_KEYS.get(value.removeprefix("-"))
    if key is None:
        return None
    return "-" + key if value.startswith("-") else key


def search_q(value: str) -> Q | None:
    """The search: name, domain or city contains ``value`` (any case); None for a blank search."""
    value = value.strip()
    if not value:
        return None
    return Q(name__icontains=value) | Q(domain__icontains=value) | Q(city__icontains=value)


_owner_value = RegexValidator(r"^(me|none|[0-9]{1,18})$", "Use a user id, “me” or “none”.")
_TRUE = {"1", "true", "True", "on", "yes"}


def _given(value: Any) -> bool:
    # 0 is a real value (the first ICP criterion); only None, "" and False mean "not filtered".
    return value is not None and value is not False and value != ""


class AccountFilterSet(SharedFormFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search (name, domain or city)")
    owner = django_filters.CharFilter(
        method="filter_owner", validators=[_owner_value], label="Owner: a user id, “me” or “none”"
    )
    # Filters the ranking copy answers too (``_where``).
    industry = django_filters.CharFilter(method="filter_copied", label="Industry")
    country = django_filters.CharFilter(method="filter_copied", label="Country (ISO 3166-1 alpha-2 code)")
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices, method="filter_copied", label="Lifecycle")
    tier = django_filters.ChoiceFilter(choices=Tier.choices, method="filter_copied", label="Tier")
    tier_locked = django_filters.BooleanFilter(method="filter_copied", label="Pinned to its tier")
    # A grade the ICP never gives is refused (the pages name it as ignored; the API answers 400), not searched for.
    grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES, method="filter_grade", label="Fit grade (A-F)")
    fit_grade = django_filters.ChoiceFilter(choices=GRADE_CHOICES, method="filter_grade", label="Fit grade (A-F)")
    criterion = WholeNumberFilter(method="filter_icp_criterion", label="ICP criterion met (0-based)")
    icp_criterion = WholeNumberFilter(
        method="filter_icp_criterion", label="Index of an active ICP criterion the account meets (0-based)"
    )
    pinned = django_filters.CharFilter(method="filter_pinned", label="Pinned only (1/true/on)")
    employees_min = django_filters.NumberFilter(field_name="employees", lookup_expr="gte")
    employees_max = django_filters.NumberFilter(field_name="employees", lookup_expr="lte")
    revenue_min = django_filters.NumberFilter(field_name="annual_revenue", lookup_expr="gte")
    revenue_max = django_filters.NumberFilter(field_name="annual_revenue", lookup_expr="lte")
    stage_changed_since = UtcIsoDateTimeFilter(
        method="filter_stage_changed_since", label="Journey stage changed at or after (ISO 8601 time)"
    )
    config_change = django_filters.CharFilter(
        method="filter_config_change",
        max_length=80,
        label="Key of a configuration change: the accounts whose journey stage its recompute changed",
    )
    sort = django_filters.CharFilter(method="filter_sort", label="Sort key (e.g. name, -priority)")

    class Meta:
        model = Account
        fields = ["region", "domain", "external_id", "parent"]

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        user: User | AnonymousUser | None = None,
        workspace: Workspace | None = None,
        default_sort: str = "name",
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        self.workspace = workspace if workspace is not None else getattr(request, "workspace", None)
        self.default_sort = default_sort
        # What the filters asked of the ranking copy, and which filters it answered (``_where``, ``unordered``).
        self._on_copy: dict[str, Any] = {}
        self._copied: set[str] = set()
        # The same for the engagement copy (``stage_changed_since``).
        self._on_engagement_copy: dict[str, Any] = {}
        self._contradicts = False
        parent = self.filters["parent"]
        parent.queryset = Account.objects.for_workspace(self.workspace) if self.workspace else Account.objects.none()

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        search = search_q(value)
        return queryset if search is None else queryset.filter(search)

    @property
    def search(self) -> Q | None:
        """The search condition (``q``), or None when the list is not searched."""
        data = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        return search_q(data.get("q") or "")

    def without_search(self) -> QuerySet:
        """The same list with every filter but the search, in the same order (see ``abe.paging.searched_page``)."""
        data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)
        data.pop("q", None)
        other = type(self)(
            data, self.queryset, user=self.user, workspace=self.workspace, default_sort=self.default_sort
        )
        return other.qs

    def _rank_workspace(self) -> Any:
        return self.workspace.pk if self.workspace is not None else F("workspace_id")

    def _where(self, queryset: QuerySet, name: str, column: str, value: Any, *, copy_only: bool = False) -> QuerySet:
        """``column = value``, on the account or, when the list is sorted by a ranking column (or ``copy_only``),
        on its ranking copy alone: stated on both, PostgreSQL would multiply the two selectivities, expect few
        rows to survive the join and sort the whole workspace instead of walking the sort index."""
        if column in self._on_copy and self._on_copy[column] != value:
            self._contradicts = True  # e.g. ``grade=A&fit_grade=B``: only the accounts themselves say "none"
        self._on_copy[column] = value
        self._copied.add(name)
        if copy_only or self.sort_key in RANKED_SORTS:
            return queryset.filter(**{"rank__workspace_id": self._rank_workspace(), f"rank__{column}": value})
        return queryset.filter(**{column: value})

    def filter_copied(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return self._where(queryset, name, name, value)

    def filter_grade(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # On the ranking copy whatever the sort: it has the grade's index, the account row has none.
        return self._where(queryset, name, "fit_grade", value, copy_only=True)

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "none":
            return self._where(queryset, name, "owner_id", None)
        if value == "me":
            user = self.user
            return (
                self._where(queryset, name, "owner_id", user.pk) if user and user.is_authenticated else queryset.none()
            )
        return self._where(queryset, name, "owner_id", int(value))

    def filter_icp_criterion(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        index = int(value)
        if not 0 <= index < 63:
            return queryset.none()
        return queryset.annotate(_met=F("fit_criteria_met").bitand(1 << index)).filter(_met__gt=0)

    def filter_pinned(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in _TRUE:
            return self._where(queryset, name, "tier_locked", True)
        self._copied.add(name)  # not filtered
        return queryset

    def filter_stage_changed_since(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        # On the engagement copy, restricted to the workspace by a constant: a range of its index of stage changes.
        self._on_engagement_copy["journey_stage_changed_at__gte"] = value
        return queryset.filter(
            engagement_rank__workspace_id=self._rank_workspace(), engagement_rank__journey_stage_changed_at__gte=value
        )

    def filter_config_change(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # ``stage_changes`` is the reverse relation of engagement's JourneyStageChange (an upper app): a lookup by
        # name, so this app does not import it. Rows are tagged by the recompute of that change only.
        value = value.strip()
        if not value:
            return queryset
        moved = Account.objects.filter(stage_changes__config_change=value).values("pk")
        return queryset.filter(pk__in=moved)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last, in filter_queryset, so that it also applies when absent

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        self._unordered = queryset
        key = self.sort_key
        if key in RANKED_SORTS:
            queryset = self._ranked(queryset)
        elif key in ENGAGED_SORTS:
            # The same for the engagement copy: its index read in order, only the page's accounts fetched.
            queryset = queryset.filter(engagement_rank__workspace_id=self._rank_workspace())
        return queryset.order_by(*ACCOUNT_SORTS[key])

    @property
    def unordered(self) -> QuerySet:
        """What a page counts: when every filter given is one the ranking copy answers, the copies alone (no
        account read); otherwise the filtered accounts without the sort's join (the copy only orders them). The
        lists' base is every account of the workspace (``accounts.selectors``)."""
        self.qs  # noqa: B018 - filters once and records what it asked of the copies
        given = {k for k, v in self._applied().items() if k != "sort" and _given(v)}
        if self.workspace is not None and given == {"stage_changed_since"} and self._on_engagement_copy:
            # The stage changes alone: counted in the engagement copy's index, no account read (each of the ~1,000
            # accounts of a month's changes at 100,000 was fetched to be counted), and in that index's order
            # (``erank_ws_stage_changed``; ``abe.paging.bounded_page`` counts in the order stated). Counted
            # unordered, PostgreSQL estimated the matches from the whole table: beside another workspace whose
            # accounts all changed stage this month it expected ~48,000 of 175,000 rows, read the table from the
            # start for the first 1,001 and found this workspace's 1,001 only after 175,000 rows (28 ms, against a
            # range of the index).
            return AccountEngagementRank.objects.filter(
                workspace_id=self.workspace.pk, **self._on_engagement_copy
            ).order_by("workspace_id", "journey_stage_changed_at", "account_id")
        if self.workspace is None or self._contradicts or not given <= self._copied:
            return self._unordered
        return AccountRank.objects.filter(workspace_id=self.workspace.pk, **self._on_copy)

    def _ranked(self, queryset: QuerySet) -> QuerySet:
        """Join each account's ``AccountRank`` (an inner join: every account has one) restricted to the workspace as
        a constant (the filters the copy answers are on it already, ``_where``): a page sorted by priority then
        reads ``(workspace, priority, id)`` (or ``(workspace, tier, priority, id)``, ``(workspace, grade, priority,
        id)``) of ``AccountRank`` in order, tests the other copied filters on the way, and stops after a page.
        Constants, not ``rank.tier = account.tier``: PostgreSQL would take each such join condition for an
        independent filter, expect few rows to survive the join and sort the whole workspace instead
        (``board industry=Software``: 24.8 -> 92.9 ms from 2,000 to 100,000 accounts)."""
        return queryset.filter(rank__workspace_id=self._rank_workspace())

    @property
    def sort_key(self) -> str:
        """The ``sort`` asked for, or the sort an API ``ordering`` by one field stands for (it wins, as DRF's
        ordering is applied last), or the list's default."""
        ordered = ordering_sort_key(self.data.get("ordering")) if self.data else None
        if ordered is not None:
            return ordered
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        wanted = data.get("sort") or ""
        return wanted if wanted in ACCOUNT_SORTS else self.default_sort

    def _applied(self) -> dict[str, Any]:
        """The values the list is filtered by: the valid ones (an invalid value is ignored, not the others)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return dict(getattr(self.form, "cleaned_data", {}))

    @property
    def active(self) -> bool:
        """Whether any filter (not the sort) narrows the list."""
        return any(_given(v) for k, v in self._applied().items() if k != "sort")

    @property
    def only_tier(self) -> bool:
        """Only the tier (or nothing) is filtered: counts can come from the cached tier counts."""
        return not any(_given(v) for k, v in self._applied().items() if k not in ("sort", "tier"))

    @property
    def ignored(self) -> list[str]:
        """The parameters given with a value that is not valid (the list ignores them): for the page to say so."""
        if not self.is_bound:
            return []
        names = list(self.errors)
        wanted = str(self.data.get("sort") or "")
        if wanted and wanted != self.sort_key:
            names.append("sort")
        return names
