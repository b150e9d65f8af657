"""The demo's journey history spans months: accounts enter in different months, progress, and some regress, so the
journey funnel (/analytics/journey/) shows several monthly cohorts on a fresh demo."""

from __future__ import annotations

import importlib
from collections import Counter

import pytest
from django.db.models import Min

from abe.demo import demo_workspace_create
from analytics.selectors.filters import kpi_filters_parse
from analytics.selectors.journey import journey_cohorts
from analytics.services.rollups import facts_rebuild
from engagement import demo
from engagement.models import JourneyStageChange
from engagement.rules import DEFAULT_STAGES

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_stage_history_has_monthly_cohorts_progress_and_regressions(monkeypatch):
    monkeypatch.setattr(demo, "TARGET_EVENTS", 20_000)
    ctx = demo_workspace_create(seed=42)
    for app in ("personas", "accounts", "content", "engagement"):
        importlib.import_module(f"{app}.demo").build(ctx)
    ws = ctx.workspace
    changes = JourneyStageChange.objects.for_workspace(ws)

    # Entry month = the month of an account's first recorded change: spread over the six months of history.
    entered = changes.values("account_id").annotate(first=Min("changed_at"))
    months = Counter(row["first"].strftime("%Y-%m") for row in entered)
    assert len(entered) > 1500
    assert len([m for m, n in months.items() if n >= 0.03 * len(entered)]) >= 6, months
    assert max(months.values()) < 0.6 * len(entered), months  # not everyone on the first day

    # Progress and regressions among the engagement stages (aware < engaged < MQA), both recorded.
    rank = {s["key"]: -i for i, s in enumerate(DEFAULT_STAGES)}  # higher = further on
    moves = [(rank[a], rank[b]) for a, b in changes.exclude(from_stage="").values_list("from_stage", "to_stage")]
    engagement_stages = {rank["aware"], rank["engaged"], rank["mqa"]}
    up = sum(1 for a, b in moves if a in engagement_stages and b in engagement_stages and b > a)
    down = sum(1 for a, b in moves if a in engagement_stages and b in engagement_stages and b < a)
    assert up > 100 and 10 < down < up, (up, down)

    # The journey page's default period (the last 90 days) has several cohorts, each of a believable size.
    facts_rebuild(workspace=ws, now=ctx.now)  # as the demo's analytics step does
    filters = kpi_filters_parse({}, today=ctx.today)
    cohorts = journey_cohorts(workspace=ws, filters=filters)  # what the page reads (the rollup)
    assert len(cohorts) >= 3, [(c.month, c.accounts) for c in cohorts]
    assert sum(1 for c in cohorts if c.accounts >= 40) >= 3, [(c.month, c.accounts) for c in cohorts]
