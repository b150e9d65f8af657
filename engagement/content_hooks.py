"""Engagement's side of the content plug-in points (``content.hooks``): outbound touches and consumed assets.

Registered in ``EngagementConfig.ready()``; content sits below engagement and never imports it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction

from abe.models import Workspace

from .models import Channel, EngagementConfig, EngagementDay, EngagementEvent, EventType, JourneyStageChange

# personas.Channel (what a play step or persona uses) -> engagement Channel (what an event records).
CHANNEL_OF = {"events": Channel.EVENT}
TOUCH_SOURCE = "abe"


@transaction.atomic
def touch_log(
    *,
    workspace: Workspace,
    account: Any,
    contact: Any,
    channel: str,
    occurred_at: datetime,
    external_id: str,
    metadata: dict[str, Any],
    asset: Any = None,
) -> EngagementEvent:
    """Append an outbound touch event; idempotent on ``external_id`` (logging the same thing twice adds one event).

    It is never scored (day counts leave outbound touches out) but shows in the account's timeline.
    """
    channel = CHANNEL_OF.get(channel, channel)
    event, _ = EngagementEvent.objects.get_or_create(
        workspace=workspace,
        source=TOUCH_SOURCE,
        external_id=external_id[:128],
        defaults={
            "account": account,
            "contact": contact,
            "type": EventType.OUTBOUND_TOUCH,
            "channel": channel if channel in Channel.values else Channel.OTHER,
            "content_asset": asset,
            "occurred_at": occurred_at,
            "metadata": metadata,
        },
    )
    return event


def consumed_assets(*, workspace: Workspace, contact_ids: list[int]) -> dict[int, set[int]]:
    """Contact id -> assets referenced by any of their events (received or sent); uses the contact index."""
    result: dict[int, set[int]] = {}
    rows = (
        EngagementEvent.objects.for_workspace(workspace)
        .filter(contact_id__in=contact_ids, content_asset_id__isnull=False)
        .values_list("contact_id", "content_asset_id")
        .distinct()
    )
    for contact_id, asset_id in rows:
        result.setdefault(contact_id, set()).add(asset_id)
    return result


def journey_stages(*, workspace: Workspace) -> list[tuple[str, str]]:
    from .rules import ScoringRules

    config = EngagementConfig.objects.for_workspace(workspace).first()
    rules = ScoringRules.from_config(config) if config else ScoringRules.from_values()
    return [(s.key, s.label) for s in rules.stages]


def stages_at(*, workspace: Workspace, account_ids: list[int], when: datetime) -> dict[int, str]:
    """The stage each account had at ``when``: the last change before it, else the first change's origin."""
    result: dict[int, str] = {}
    later: dict[int, str] = {}
    for account_id, changed_at, old, new in (
        JourneyStageChange.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .order_by("account_id", "changed_at")
        .values_list("account_id", "changed_at", "from_stage", "to_stage")
    ):
        if changed_at <= when:
            result[account_id] = new
        else:
            later.setdefault(account_id, old)
    for account_id, old in later.items():
        if account_id not in result and old:
            result[account_id] = old
    return result


def engaged_before(
    *, workspace: Workspace, deals: list[tuple[int, date]], days: int
) -> dict[tuple[int, date], set[int]]:
    """(account id, close date) -> contacts of that account with any (scored) event in the ``days`` up to that close,
    from the day counts; an account may come with several close dates (a won and a lost deal, or a consultant's firm
    on several deals)."""
    if not deals:
        return {}
    closes: dict[int, set[date]] = {}
    for account_id, close in deals:
        closes.setdefault(account_id, set()).add(close)
    every = [close for dates in closes.values() for close in dates]
    start, end = min(every) - timedelta(days=days), max(every)
    result: dict[tuple[int, date], set[int]] = {}
    for account_id, contact_id, day in (
        EngagementDay.objects.for_workspace(workspace)
        .filter(account_id__in=list(closes), day__gte=start, day__lte=end, contact__isnull=False)
        .values_list("account_id", "contact_id", "day")
    ):
        for close in closes[account_id]:
            if close - timedelta(days=days) <= day <= close:
                result.setdefault((account_id, close), set()).add(contact_id)
    return result
