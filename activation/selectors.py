"""Reads for activation pages and the API: rules, the inbox, alerts, webhooks. Every selector takes the workspace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from abe.models import Workspace
from accounts.models import Account

from .filters import AlertFilterSet, InboxFilterSet
from .models import (
    UNDELIVERED_STATUSES,
    Alert,
    AlertRecipient,
    AlertStatus,
    AlertTransition,
    EmailMode,
    NotificationPreference,
    Rule,
    WebhookDelivery,
    WebhookSubscription,
)


def rule_list(*, workspace: Workspace) -> QuerySet[Rule]:
    return (
        Rule.objects.for_workspace(workspace)
        .select_related("filter_owner")
        .annotate(
            fired_count=Count("alerts", filter=~Q(alerts__status__in=UNDELIVERED_STATUSES), distinct=True),
            suppressed_count=Count("alerts", filter=Q(alerts__status=AlertStatus.SUPPRESSED), distinct=True),
        )
    )


@dataclass(frozen=True)
class AlertFilters:
    status: str = "active"  # "active" (open + acknowledged), "all", or one AlertStatus
    severity: str = ""
    rule_id: int | None = None
    account_id: int | None = None
    assignee_id: int | None = None
    mine: bool = True
    q: str = ""
    sort: str = "severity"

    def params(self) -> dict[str, str]:
        """The query of :class:`activation.filters.AlertFilterSet` these choices mean."""
        values = {
            "status": self.status,
            "severity": self.severity,
            "rule": self.rule_id,
            "account": self.account_id,
            "assignee": self.assignee_id,
            "mine": "true" if self.mine else "",
            "q": self.q,
            "sort": self.sort,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _alerts(*, workspace: Workspace, user: User | None) -> QuerySet[Alert]:
    """Alerts of the workspace, newest first; ``unread`` for ``user`` when given."""
    qs: QuerySet[Alert] = Alert.objects.for_workspace(workspace)
    if user is not None and user.is_authenticated:
        qs = qs.annotate(
            unread=Exists(AlertRecipient.objects.filter(alert=OuterRef("pk"), user=user, read_at__isnull=True))
        )
    return qs


def alert_list(*, workspace: Workspace, user: User | None = None) -> QuerySet[Alert]:
    """Alerts with what the API and the detail page show: the account and its owner, the rule, the assignee and
    the contacts; ``unread`` for ``user`` when given."""
    return (
        _alerts(workspace=workspace, user=user)
        .select_related("account", "account__owner", "rule", "assignee")
        .prefetch_related("contacts")
    )


def alert_search(
    *, workspace: Workspace, user: User, params: Mapping[str, Any] | None, inbox: bool = True
) -> QuerySet[Alert]:
    """Alerts filtered and sorted by ``params`` (see :mod:`activation.filters`); the inbox sorts by severity.

    For rows (the inbox, the home page's panel): the alert, its assignee and ``unread``, not the account, the rule
    and the contacts of ``alert_list``. With them a page of 25 alerts joined every account of the workspace and
    built 25 accounts with their JSON explanations: ~7 ms of the inbox's ~40 under ``bench/http_load.py``."""
    filterset_class = InboxFilterSet if inbox else AlertFilterSet
    qs: QuerySet[Alert] = filterset_class(
        params if params is not None else {},
        _alerts(workspace=workspace, user=user).select_related("assignee"),
        user=user,
        workspace=workspace,
    ).qs
    return qs


def alert_detail(*, workspace: Workspace, user: User | None, pk: int) -> Alert:
    return (
        alert_list(workspace=workspace, user=user)
        .prefetch_related(Prefetch("transitions", queryset=AlertTransition.objects.select_related("by", "assignee")))
        .get(pk=pk)
    )


def unread_count(*, workspace: Workspace, user: User) -> int:
    """The badge: alerts in the user's inbox that are open and not yet read."""
    return AlertRecipient.objects.filter(
        workspace=workspace, user=user, read_at__isnull=True, alert__status=AlertStatus.OPEN
    ).count()


def account_exists(*, workspace: Workspace, account_id: int) -> bool:
    return Account.objects.for_workspace(workspace).filter(pk=account_id).exists()


def account_name(*, workspace: Workspace, account_id: int) -> str | None:
    """The name of the workspace's account ``account_id``; None when it has none by that id."""
    return Account.objects.for_workspace(workspace).filter(pk=account_id).values_list("name", flat=True).first()


def account_alerts(*, workspace: Workspace, account_id: int, limit: int = 10) -> list[Alert]:
    return list(
        Alert.objects.for_workspace(workspace)
        .filter(account_id=account_id)
        .exclude(status__in=UNDELIVERED_STATUSES)
        .select_related("rule", "assignee")
        .order_by("-created_at")[:limit]
    )


def email_mode(*, workspace: Workspace, user: User) -> str:
    pref = NotificationPreference.objects.filter(workspace=workspace, user=user).first()
    return pref.email_mode if pref else EmailMode.INSTANT


def webhook_subscription_list(*, workspace: Workspace) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.for_workspace(workspace).annotate(
        delivered_count=Count("deliveries", filter=Q(deliveries__status="sent")),
        failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
        pending_count=Count("deliveries", filter=Q(deliveries__status="pending")),
    )


def webhook_delivery_list(*, workspace: Workspace, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.for_workspace(workspace)
        .filter(subscription=subscription)
        .select_related("alert")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )
