import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Tier
from activation.models import Alert
from analytics.models import AccountDayFact, SegmentDayFact
from analytics.services.rollups import facts_rebuild, facts_refresh_changes
from engagement.models import EngagementDay, JourneyStageChange
from tests.factories import AccountFactory, OpportunityFactory
from work.models import Task

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
UTC = dt.UTC


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_rebuild_rolls_every_source_into_account_and_segment_days(workspace, sales_user):
    account = AccountFactory(workspace=workspace, tier=Tier.STRATEGIC, owner=sales_user, industry="Software")
    day = TODAY - dt.timedelta(days=10)
    for kind, count in (("email_open", 3), ("reply", 1), ("meeting", 2), ("web_visit", 4)):
        EngagementDay.objects.create(
            workspace=workspace, account=account, type=kind, day=day, count=count, last_at=at(day)
        )
    OpportunityFactory(account=account, created_date=day, amount=Decimal("1000"))
    OpportunityFactory(
        account=account, created_date=day - dt.timedelta(days=30), close_date=day, status="won", amount=Decimal("500")
    )
    Alert.objects.create(
        workspace=workspace,
        account=account,
        dedupe_key="a",
        title="t",
        message="m",
        created_at=at(day, 8),
        acknowledged_at=at(day, 10),
        status="acknowledged",
    )
    Task.objects.create(workspace=workspace, account=account, title="Call", status="done", completed_at=at(day, 12))
    JourneyStageChange.objects.create(
        workspace=workspace, account=account, from_stage="engaged", to_stage="mqa", changed_at=at(day)
    )

    facts_rebuild(workspace=workspace)

    fact = AccountDayFact.objects.get(account=account, day=day)
    assert (fact.events, fact.touches, fact.conversations, fact.meetings) == (10, 3, 1, 2)
    assert (fact.opps_created, fact.pipeline_created, fact.opps_won, fact.won_amount) == (1, 1000, 1, 500)
    assert (fact.won_cycle_days, fact.alerts_created, fact.alerts_acknowledged, fact.ack_seconds) == (30, 1, 1, 7200)
    assert (fact.stage_entries, fact.stage_advances, fact.stage_regressions, fact.mqa_entries) == (1, 1, 0, 1)
    assert fact.tasks_done == 1
    created = AccountDayFact.objects.get(account=account, day=day - dt.timedelta(days=30))
    assert created.opps_created == 1 and created.opps_won == 0
    segment = SegmentDayFact.objects.get(workspace=workspace, day=day)
    assert (segment.tier, segment.owner_key, segment.industry) == ("strategic", sales_user.pk, "Software")
    assert (segment.events, segment.accounts_active, segment.won_amount) == (10, 1, 500)


def test_rebuild_is_idempotent_and_scoped_to_the_workspace(workspace, other_workspace):
    account = AccountFactory(workspace=workspace)
    other = AccountFactory(workspace=other_workspace)
    OpportunityFactory(account=account, created_date=TODAY)
    OpportunityFactory(account=other, created_date=TODAY)

    facts_rebuild(workspace=workspace)
    facts_rebuild(workspace=workspace)

    assert AccountDayFact.objects.for_workspace(workspace).count() == 1
    assert AccountDayFact.objects.for_workspace(other_workspace).count() == 0


def test_changes_after_the_watermark_are_rolled_up(workspace):
    account = AccountFactory(workspace=workspace)
    facts_rebuild(workspace=workspace)
    assert not AccountDayFact.objects.for_workspace(workspace).exists()

    opp = OpportunityFactory(account=account, created_date=TODAY - dt.timedelta(days=3), amount=Decimal("700"))
    facts_refresh_changes(workspace=workspace)

    fact = AccountDayFact.objects.get(account=account)
    assert (fact.day, fact.pipeline_created) == (opp.created_date, 700)

    opp.status, opp.close_date = "lost", TODAY
    opp.save()
    facts_refresh_changes(workspace=workspace)

    assert AccountDayFact.objects.get(account=account, day=TODAY).opps_lost == 1


def test_a_scoring_pass_refreshes_the_facts_through_the_after_scoring_hook(workspace):
    from abe.registry import after_scoring_tasks

    assert "analytics.tasks.facts_refresh_accounts_task" in after_scoring_tasks()
    account = AccountFactory(workspace=workspace)
    EngagementDay.objects.create(
        workspace=workspace, account=account, type="web_visit", day=TODAY, count=2, last_at=at(TODAY)
    )
    from analytics.tasks import facts_refresh_accounts_task

    facts_refresh_accounts_task(workspace_id=workspace.pk, account_ids=[account.pk])

    assert AccountDayFact.objects.get(account=account, day=TODAY).events == 2


def test_outbound_touches_are_attempts_with_their_outcomes(workspace):
    """Three touches: one answered by a reply 5 days later, one followed by a meeting 20 days later, one unanswered
    (its reply came 20 days later: past the 14-day window). Replies before the touch day do not count."""
    from engagement.content_hooks import touch_log

    account = AccountFactory(workspace=workspace)
    quiet = AccountFactory(workspace=workspace)
    d1, d2 = TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=35)
    for n, (acc, day) in enumerate(((account, d1), (account, d2), (quiet, d1))):
        touch_log(
            workspace=workspace,
            account=acc,
            contact=None,
            channel="email",
            occurred_at=at(day),
            external_id=f"t-{n}",
            metadata={},
        )
    for acc, kind, day in (
        (account, "reply", d1 + dt.timedelta(days=5)),  # answers d1 (and d2: within 14 days of it too)
        (account, "meeting", d1 + dt.timedelta(days=20)),  # within 30 days of both
        (quiet, "reply", d1 + dt.timedelta(days=20)),  # too late for quiet's touch
        (quiet, "reply", d1 - dt.timedelta(days=1)),  # before the touch
    ):
        EngagementDay.objects.create(workspace=workspace, account=acc, type=kind, day=day, count=1, last_at=at(day))

    facts_rebuild(workspace=workspace)

    rows = {
        (f.account_id, f.day): (f.attempts, f.attempts_answered, f.attempts_to_meeting)
        for f in AccountDayFact.objects.for_workspace(workspace).filter(attempts__gt=0)
    }
    assert rows == {(account.pk, d1): (1, 1, 1), (account.pk, d2): (1, 1, 1), (quiet.pk, d1): (1, 0, 0)}
    # Touches are not scored events: they never count as engagement events.
    assert AccountDayFact.objects.get(account=quiet, day=d1).events == 0


def test_a_touch_logged_after_the_watermark_is_rolled_up_by_the_change_refresh(workspace):
    from engagement.content_hooks import touch_log

    account = AccountFactory(workspace=workspace)
    facts_rebuild(workspace=workspace)
    touch_log(
        workspace=workspace,
        account=account,
        contact=None,
        channel="email",
        occurred_at=at(TODAY),
        external_id="late",
        metadata={},
    )

    facts_refresh_changes(workspace=workspace)

    assert AccountDayFact.objects.get(account=account, day=TODAY).attempts == 1
