"""The trend backfill applies the same maths as a scoring pass run at the end of each past day."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from engagement.models import AccountScoreSnapshot, EngagementDay, JourneyStageChange
from engagement.rules import log_add
from engagement.services import engagement_config_update, events_ingest
from engagement.services.history import history_backfill
from engagement.services.scoring import scores_evaluate, scoring_rules
from engagement.services.store import pending_apply
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

from .conftest import NOW, event

pytestmark = pytest.mark.django_db


def components_until(workspace, rules, day):
    """The score components as they stood at the end of ``day`` (only its and earlier day counts)."""
    sums = {}
    for row in EngagementDay.objects.for_workspace(workspace).filter(day__lte=day):
        key = (row.account_id, row.contact_id, row.type)
        log_sum, last_at = sums.get(key, (None, row.last_at))
        sums[key] = (
            log_add(log_sum, rules.component_log_delta(row.type, row.day, 0, row.count)),
            max(last_at, row.last_at),
        )
    return [(a, c, t, log_sum, last_at) for (a, c, t), (log_sum, last_at) in sums.items()]


def test_backfilled_snapshots_equal_a_pass_at_the_end_of_each_day(workspace):
    engagement_config_update(
        workspace=workspace,
        stages=[
            {"key": "customer", "name": "Customer", "opportunity": "won"},
            {"key": "mqa", "name": "MQA", "min_score": 30, "min_breadth": 2},
            {"key": "engaged", "name": "Engaged", "min_score": 5},
            {"key": "unaware", "name": "Unaware"},
        ],
    )
    rng = random.Random(3)
    accounts = [AccountFactory(workspace=workspace) for _ in range(3)]
    roles = ["decision_maker", "champion", "end_user"]
    contacts = [ContactFactory(account=a, buying_role=r, seniority="director") for a in accounts for r in roles]
    types = ["meeting", "web_visit", "email_open", "pricing_page_visit"]
    events = [
        event(
            at=NOW - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23)),
            type=rng.choice(types),
            **({"contact_email": rng.choice(contacts).email} if i % 7 else {"account_id": accounts[0].pk}),
        )
        for i in range(400)
    ]
    events_ingest(workspace=workspace, events=events, now=NOW)
    pending_apply(workspace=workspace)
    OpportunityFactory(
        account=accounts[2],
        status="won",
        created_date=(NOW - timedelta(days=40)).date(),
        close_date=(NOW - timedelta(days=20)).date(),
    )
    until = NOW.date()

    history_backfill(workspace=workspace, until=until, days=45)

    rules = scoring_rules(workspace=workspace)
    for back in (1, 9, 30, 44):
        day = until - timedelta(days=back)
        # The last microsecond of the day: still "today" for the windows, the same decay to within 1e-11.
        end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(microseconds=1)
        expected, _ = scores_evaluate(
            workspace=workspace,
            account_ids=[a.pk for a in accounts],
            rules=rules,
            now=end_of_day,
            components=components_until(workspace, rules, day),
        )
        stored = {s.account_id: s for s in AccountScoreSnapshot.objects.filter(day=day)}
        for account in accounts:
            assert stored[account.pk].score == pytest.approx(expected[account.pk].score, rel=1e-9)
            assert stored[account.pk].momentum == pytest.approx(expected[account.pk].momentum, rel=1e-9, abs=1e-9)
            if account != accounts[2]:  # opportunities: the pass sees today's, the backfill the day's
                assert stored[account.pk].stage == expected[account.pk].stage
    assert AccountScoreSnapshot.objects.count() == 3 * 45
    customer = JourneyStageChange.objects.get(account=accounts[2], to_stage="customer")
    assert customer.changed_at == datetime.combine(until - timedelta(days=19), time(0), tzinfo=UTC)
