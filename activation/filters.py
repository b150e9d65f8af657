"""One filter definition for alert lists: the inbox page and the alerts API both filter and sort through
:class:`AlertFilterSet` (called inside ``activation.selectors.alert_search``).

Parameters: ``status`` (a status, ``active`` = open and acknowledged, or ``all`` = all but the undelivered:
suppressed by a cool-down or held back by a configuration change),
``severity``, ``rule``, ``account``, ``assignee``, ``kind``, ``mine`` (in my inbox or assigned to me), ``q``
(alert title or account name), ``created_after`` / ``created_before`` and ``sort`` (a key of
:data:`ALERT_SORTS`; the inbox's default is severity, then time).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy

from abe.filtersets import SharedFormFilterSet, UtcIsoDateTimeFilter
from abe.models import Workspace
from accounts.models import Account

from .models import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    UNDELIVERED_STATUSES,
    Alert,
    AlertRecipient,
    AlertStatus,
    Rule,
    Severity,
)

STATUS_CHOICES = [
    ("active", "Open & acknowledged"),
    *[(s.value, s.label) for s in AlertStatus],
    ("all", "All"),
]

SEVERITY_ORDER = Case(
    *(When(severity=value, then=Value(rank)) for value, rank in SEVERITY_RANK.items()),
    default=Value(-1),
    output_field=IntegerField(),
)

ALERT_SORTS: dict[str, tuple[OrderBy | str, ...]] = {
    "severity": (SEVERITY_ORDER.desc(), "-created_at", "-id"),
    "-severity": (SEVERITY_ORDER.asc(), "-created_at", "-id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "status": ("status", "-created_at", "-id"),
}


class AlertFilterSet(SharedFormFilterSet):
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", help_text="Only alerts in my inbox or assigned to me.")
    q = django_filters.CharFilter(method="filter_q", label="Search (alert title or account name)")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    sort = django_filters.ChoiceFilter(
        choices=[(k, k) for k in ALERT_SORTS], method="filter_sort", label="Sort: severity, -created, created, status"
    )

    default_sort = "-created"

    class Meta:
        model = Alert
        fields = ["status", "severity", "rule", "account", "assignee", "kind"]

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        user: User | AnonymousUser | None = None,
        workspace: Workspace | None = None,
        default_sort: str | None = None,
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        workspace = workspace if workspace is not None else getattr(request, "workspace", None)
        if default_sort:
            self.default_sort = default_sort
        # Choices are limited to the workspace: another workspace's id is "not a valid choice", not a hint.
        scoped = {
            "rule": Rule.objects.for_workspace(workspace) if workspace else Rule.objects.none(),
            "account": Account.objects.for_workspace(workspace) if workspace else Account.objects.none(),
            "assignee": get_user_model().objects.filter(memberships__workspace=workspace)
            if workspace
            else get_user_model().objects.none(),
        }
        for name, qs in scoped.items():
            self.filters[name].queryset = qs

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "active":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        if value == "all":
            return queryset.exclude(status__in=UNDELIVERED_STATUSES)
        return queryset.filter(status=value)

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        user = self.user
        if not value or user is None or not user.is_authenticated:
            return queryset
        # A sub-select, not a join: the join repeats an alert per recipient row and needs DISTINCT over every
        # selected column (a sort of the whole filtered list before the page can be cut); ``id IN (SELECT ...)``
        # keeps one row per alert, so the page walks the list's order and stops (docs/performance.md, "Pages").
        received = AlertRecipient.objects.filter(Q(user=user)).values("alert_id")
        return queryset.filter(Q(pk__in=received) | Q(assignee=user))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(account__name__icontains=value))

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last in filter_queryset, also when absent

    @property
    def sort_key(self) -> str:
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        wanted = data.get("sort") or ""
        return wanted if wanted in ALERT_SORTS else self.default_sort

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset).order_by(*ALERT_SORTS[self.sort_key])


class InboxFilterSet(AlertFilterSet):
    """The inbox: the same filter, most severe first (then newest), so a wave of Medium alerts cannot bury a
    Critical one."""

    default_sort = "severity"
