"""Reads of the home pages: a person's day (accounts, alerts, tasks, stage changes) and the programme pulse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.utils import timezone

from abe.jobs import job_running_or_failed
from abe.models import Workspace
from accounts.models import Account, ImportJob, Tier
from activation.models import Alert, AlertStatus, Severity
from activation.selectors import alert_search
from engagement.models import JourneyStageChange
from work.selectors import task_open_for_user

WEEK = timedelta(days=7)
# How long an alert may stay open (not acknowledged) before the pulse flags it.
ACK_SLA: dict[str, timedelta] = {
    Severity.CRITICAL: timedelta(hours=1),
    Severity.HIGH: timedelta(hours=4),
    Severity.MEDIUM: timedelta(hours=24),
    Severity.LOW: timedelta(hours=72),
}


def my_day(*, workspace: Workspace, user: User, limit: int = 8) -> dict[str, Any]:
    mine = Account.objects.for_workspace(workspace).filter(Q(owner=user) | Q(team_members__user=user)).distinct()
    by_tier = []
    for tier in Tier:
        rows = list(mine.filter(tier=tier.value).order_by("-priority", "id")[:limit])
        by_tier.append({"tier": tier, "accounts": rows, "count": mine.filter(tier=tier.value).count()})
    week_ago = timezone.now() - WEEK
    changed = (
        JourneyStageChange.objects.for_workspace(workspace)
        .filter(account__in=mine.values("pk"), changed_at__gte=week_ago)
        .select_related("account")
        .order_by("-changed_at")[:limit]
    )
    alerts = alert_search(workspace=workspace, user=user, params={"status": "active", "mine": "true"})
    tasks = task_open_for_user(workspace=workspace, user_id=user.pk)
    return {
        "by_tier": by_tier,
        "alerts": list(alerts[:limit]),
        "alert_count": alerts.count(),
        "tasks": list(tasks.select_related("account")[:limit]),
        "task_count": tasks.count(),
        "today": timezone.localdate(),
        "stage_changes": list(changed),
    }


def _by_severity(alerts: Any) -> list[dict[str, Any]]:
    """How many of ``alerts`` per severity, most severe first, each with its label in the reader's language (the
    pulse showed the stored keys, "Medium 1 · Critical 1 · High 4", in no order)."""
    counts = dict(alerts.order_by().values_list("severity").annotate(n=Count("id")))
    most_severe_first = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
    return [
        {"severity": s.value, "label": s.label, "n": counts[s.value]} for s in most_severe_first if s.value in counts
    ]


def programme_pulse(*, workspace: Workspace) -> dict[str, Any]:
    now = timezone.now()
    changes = JourneyStageChange.objects.for_workspace(workspace).filter(changed_at__gte=now - WEEK)
    movements = list(changes.order_by().values("to_stage").annotate(n=Count("id")).order_by("-n"))
    overdue = Q()
    for severity, sla in ACK_SLA.items():
        overdue |= Q(severity=severity, created_at__lt=now - sla)
    late = Alert.objects.for_workspace(workspace).filter(overdue, status=AlertStatus.OPEN)
    imports = ImportJob.objects.for_workspace(workspace).filter(
        Q(status__in=["queued", "running"]) | Q(status="failed", created_at__gte=now - WEEK)
    )
    jobs = job_running_or_failed(workspace=workspace)
    import_rows = list(imports.order_by("-created_at")[:10])
    return {
        "job_count": len(jobs) + len(import_rows),
        "mqas": changes.filter(to_stage="mqa").count(),
        "movements": movements,
        "late_alerts": late.count(),
        "late_by_severity": _by_severity(late),
        "jobs": jobs,
        "imports": import_rows,
    }
