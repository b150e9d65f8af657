"""Demo analytics: two years of programme spend, the programme's start dated back, and the rollups built.

The demo's tiering runs "today" in the accounts step; a real programme has run for a while, so the automatic
tier entries are dated back 300 days (the programme's start) so that the before/after-entry comparison has
windows on both sides. Everything else is read from what the earlier steps created.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from abe.demo import DemoContext
from accounts.models import TierChange

from .models import AnalyticsSettings, SpendCategory, SpendEntry
from .services.rollups import facts_rebuild

PROGRAMME_AGE_DAYS = 300
# Quarterly spend (USD) per tier and category: 1:1 accounts get research and people, 1:many advertising.
QUARTERLY_SPEND = {
    ("strategic", SpendCategory.PEOPLE): 60_000,
    ("strategic", SpendCategory.RESEARCH): 12_000,
    ("strategic", SpendCategory.EVENTS): 18_000,
    ("priority", SpendCategory.CONTENT): 20_000,
    ("priority", SpendCategory.CONTACT_DISCOVERY): 9_000,
    ("standard", SpendCategory.ADVERTISING): 35_000,
    ("", SpendCategory.CONTENT): 15_000,
}


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
    AnalyticsSettings.objects.update_or_create(workspace=ws, defaults={"gross_margin": 0.78, "annual_churn": 0.12})
    entries = []
    for start in _quarter_starts(ctx.today, 8):
        end = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1) - timedelta(days=1)
        for (tier, category), amount in QUARTERLY_SPEND.items():
            jitter = Decimal(ctx.rng.randint(85, 115)) / 100
            entries.append(SpendEntry(
                workspace=ws, period_start=start, period_end=end, tier=tier, category=category,
                amount=(Decimal(amount) * jitter).quantize(Decimal("1")), created_by=ctx.users["marketing"],
            ))  # fmt: skip
    SpendEntry.objects.bulk_create(entries)
    result = facts_rebuild(workspace=ws, now=ctx.now)
    return f"{len(entries)} spend entries, {moved} tier entries dated back, {result['rows']} account-day facts"
