"""Demo analytics: two years of programme spend, half a year of alert history and of outreach (outbound touches),
the programme's start dated back, and the rollups built.

The demo's tiering runs "today" in the accounts step; a real programme has run for a while, so the automatic
tier entries are dated back 300 days (the programme's start) so that the before/after-entry comparison has
windows on both sides. Everything else is read from what the earlier steps created.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from abe.demo import DemoContext
from accounts.models import Account, Contact, Opportunity, TierChange
from activation.models import Alert, AlertStatus, Rule
from engagement.content_hooks import TOUCH_SOURCE
from engagement.models import EngagementEvent, EventType

from .models import AnalyticsSettings, SpendCategory, SpendEntry
from .services.rollups import facts_rebuild

PROGRAMME_AGE_DAYS = 300
GROSS_MARGIN, ANNUAL_CHURN = 0.78, 0.12
# How spend splits over tiers and categories: 1:1 accounts get research and people, 1:many advertising.
SPEND_MIX = {
    ("strategic", SpendCategory.PEOPLE): 0.22,
    ("strategic", SpendCategory.RESEARCH): 0.06,
    ("strategic", SpendCategory.EVENTS): 0.08,
    ("priority", SpendCategory.CONTENT): 0.14,
    ("priority", SpendCategory.CONTACT_DISCOVERY): 0.07,
    ("standard", SpendCategory.ADVERTISING): 0.33,
    ("", SpendCategory.CONTENT): 0.10,
}
# The demo's story (seed 001): LTV:CAC starts near 2:1 two years ago and reaches about 4:1 now. Spend per
# quarter is sized from the demo's own new-business revenue so that the ratio follows that path.
RATIO_PATH = (2.1, 2.3, 2.6, 2.9, 3.2, 3.5, 3.8, 4.1)
# Alert history (the alert-response dashboard): how many past alerts per tier over HISTORY_DAYS, and the typical
# hours to acknowledge them (median; log-normal spread, so some miss the SLA of 4 / 24 / 72 hours).
HISTORY_DAYS = 180
HISTORY_ALERTS = {"strategic": 70, "priority": 90, "standard": 60}
ACK_MEDIAN_HOURS = {"strategic": 2.5, "priority": 14.0, "standard": 40.0}


# Outreach history (top of funnel): outbound touches per account and month, by tier (1:1 gets the most).
TOUCHES_PER_MONTH = {"strategic": 8.0, "priority": 3.0, "standard": 0.5}
OUTREACH_DAYS = 180


def outreach_history(ctx: DemoContext) -> int:
    """Six months of the team's logged outreach (emails and calls to committee members of owned accounts), so the
    top of funnel has attempts; their outcomes are whatever replies and meetings the engagement step recorded."""
    ws, rng, now = ctx.workspace, ctx.rng, ctx.now
    people: dict[int, list[int]] = {}
    for account_id, contact_id in Contact.objects.for_workspace(ws).order_by("id").values_list("account_id", "id"):
        people.setdefault(account_id, []).append(contact_id)
    events: list[EngagementEvent] = []
    accounts = Account.objects.for_workspace(ws).exclude(owner=None).order_by("id").values_list("id", "tier")
    for account_id, tier in accounts:
        expected = TOUCHES_PER_MONTH.get(tier, 0.5) * OUTREACH_DAYS / 30
        for _ in range(int(expected) + (1 if rng.random() < expected % 1 else 0)):
            contacts = people.get(account_id)
            events.append(
                EngagementEvent(
                    workspace=ws,
                    account_id=account_id,
                    contact_id=rng.choice(contacts) if contacts else None,
                    type=EventType.OUTBOUND_TOUCH,
                    channel=rng.choice(["email", "email", "email", "phone", "social"]),
                    occurred_at=now - timedelta(days=rng.uniform(0.5, OUTREACH_DAYS)),
                    source=TOUCH_SOURCE,
                    external_id=f"demo-outreach:{len(events)}",
                    metadata={"note": "Demo outreach history"},
                )
            )
    EngagementEvent.objects.bulk_create(events, batch_size=5000)
    return len(events)


def alert_history(ctx: DemoContext) -> int:
    """Past alerts on the demo's accounts with believable response: most acknowledged by the account owner after a
    tier-dependent delay, most of those resolved days later, a few dismissed or still open. The rules' own
    alerts from the activation step stay as they are (open, in the inboxes)."""
    ws, rng, now = ctx.workspace, ctx.rng, ctx.now
    rules = list(Rule.objects.for_workspace(ws).filter(is_active=True).order_by("id"))
    if not rules:
        return 0
    alerts = []
    for tier, count in HISTORY_ALERTS.items():
        accounts = list(Account.objects.for_workspace(ws).filter(tier=tier).exclude(owner=None).order_by("id")[:80])
        for i in range(count if accounts else 0):
            account = rng.choice(accounts)
            # A rule that could have fired there: its tier and lifecycle filters hold the account (a "Customer going
            # quiet" alert on a prospect read as a bug).
            fitting = [
                r
                for r in rules
                if (not r.filter_tiers or account.tier in r.filter_tiers)
                and (not r.filter_lifecycles or account.lifecycle in r.filter_lifecycles)
            ]
            if not fitting:
                continue
            rule = rng.choice(fitting)
            created = now - timedelta(days=rng.uniform(2, HISTORY_DAYS), hours=rng.uniform(0, 10))
            alert = Alert(
                workspace=ws,
                rule=rule,
                account=account,
                dedupe_key=f"demo-history:{tier}:{i}",
                severity=rule.severity,
                title=f"{rule.name}: {account.name}",
                message="Earlier alert (demo history).",
                recommended_action=rule.recommended_action,
                assignee_id=account.owner_id,
                created_at=created,
                status=AlertStatus.OPEN,
            )
            roll = rng.random()
            if roll < 0.9:  # acknowledged
                hours = min(ACK_MEDIAN_HOURS[tier] * rng.lognormvariate(0, 0.7), 24 * 14)
                alert.acknowledged_at = min(now, created + timedelta(hours=hours))
                alert.status = AlertStatus.ACKNOWLEDGED
                if roll < 0.75:  # and resolved
                    alert.resolved_at = min(now, alert.acknowledged_at + timedelta(hours=rng.uniform(6, 24 * 9)))
                    alert.status = AlertStatus.RESOLVED
            elif roll < 0.95:
                alert.dismissed_at = created + timedelta(hours=rng.uniform(1, 48))
                alert.status = AlertStatus.DISMISSED
            alerts.append(alert)
    Alert.objects.bulk_create(alerts)
    return len(alerts)


def _quarter_starts(today: date, count: int) -> list[date]:
    year, quarter = today.year, (today.month - 1) // 3
    out = []
    for _ in range(count):
        out.append(date(year, quarter * 3 + 1, 1))
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    return list(reversed(out))


def build(ctx: DemoContext) -> str:
    ws = ctx.workspace
    started = ctx.now - timedelta(days=PROGRAMME_AGE_DAYS)
    moved = TierChange.objects.for_workspace(ws).filter(source="automatic").update(created_at=started)
    AnalyticsSettings.objects.update_or_create(
        workspace=ws, defaults={"gross_margin": GROSS_MARGIN, "annual_churn": ANNUAL_CHURN}
    )
    won = Opportunity.objects.for_workspace(ws).filter(status="won", close_date__isnull=False)
    entries = []
    for start, ratio in zip(_quarter_starts(ctx.today, len(RATIO_PATH)), RATIO_PATH, strict=True):
        end = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1) - timedelta(days=1)
        quarter = won.filter(close_date__range=(start, end)).aggregate(
            n=Count("id", filter=Q(type="new_business")), deals=Count("id"), amount=Sum("amount")
        )
        if not quarter["n"] or not quarter["amount"]:
            continue
        acv = float(quarter["amount"]) / quarter["deals"]
        # CAC = LTV / ratio, and spend = CAC x new customers.
        total = acv * GROSS_MARGIN / ANNUAL_CHURN / ratio * quarter["n"]
        for (tier, category), share in SPEND_MIX.items():
            jitter = ctx.rng.uniform(0.92, 1.08)
            entries.append(
                SpendEntry(
                    workspace=ws,
                    period_start=start,
                    period_end=end,
                    tier=tier,
                    category=category,
                    amount=Decimal(round(total * share * jitter)),
                    created_by=ctx.users["marketing"],
                )
            )
    SpendEntry.objects.bulk_create(entries)
    history = alert_history(ctx)
    touches = outreach_history(ctx)
    result = facts_rebuild(workspace=ws, now=ctx.now)
    return (
        f"{len(entries)} spend entries, {history} past alerts, {touches} outbound touches, {moved} tier entries dated back, "
        f"{result['rows']} account-day facts"
    )
