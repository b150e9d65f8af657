"""The cohort funnel, "where accounts stand now" and alert response by rule and person read rollups kept by the
refresh paths (rebuild, change poll, after scoring): their figures equal the computation from the sources."""

import datetime as dt

import pytest

from accounts.models import Tier
from activation.models import Alert
from analytics.models import AccountStageReach, AlertSegmentFact, StageStandFact
from analytics.selectors.filters import KpiFilters
from analytics.selectors.journey import journey_cohorts, journey_cohorts_from_changes
from analytics.selectors.standing import (
    alert_response,
    alert_response_from_sources,
    stage_standing,
    stage_standing_from_sources,
)
from analytics.services.rollups import facts_rebuild, facts_refresh_accounts, facts_refresh_changes
from engagement.models import JourneyStageChange
from tests.factories import AccountFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime.now(UTC)
TODAY = NOW.date()
STAGES = ["unaware", "aware", "engaged", "mqa", "opportunity", "customer"]


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def alert(account, key: str, *, rule=None, severity="medium", created: dt.datetime, ack_hours=None, **kw) -> Alert:
    return Alert.objects.create(
        workspace=account.workspace,
        account=account,
        rule=rule,
        dedupe_key=key,
        title="t",
        message="m",
        severity=severity,
        created_at=created,
        acknowledged_at=created + dt.timedelta(hours=ack_hours) if ack_hours is not None else None,
        status=kw.pop("status", "acknowledged" if ack_hours is not None else "open"),
        **kw,
    )


def all_filters(owner) -> list[KpiFilters]:
    start, end = TODAY - dt.timedelta(days=89), TODAY
    return [
        KpiFilters(start=start, end=end),
        KpiFilters(start=start, end=end, tier=Tier.STRATEGIC),
        KpiFilters(start=start, end=end, owner=owner.pk),
        KpiFilters(start=start, end=end, industry="Software"),
        KpiFilters(start=TODAY - dt.timedelta(days=10), end=end, tier=Tier.STANDARD),
        KpiFilters(start=TODAY - dt.timedelta(days=300), end=end),
    ]


def assert_rollups_equal_sources(workspace, owner) -> None:
    for f in all_filters(owner):
        assert stage_standing(workspace=workspace, filters=f, today=TODAY) == stage_standing_from_sources(
            workspace=workspace, filters=f, today=TODAY
        ), f
        rolled, raw = (
            alert_response(workspace=workspace, filters=f),
            alert_response_from_sources(workspace=workspace, filters=f),
        )
        for part in ("by_rule", "by_person"):
            assert [{k: v for k, v in r.items() if k != "hours"} for r in rolled[part]] == [
                {k: v for k, v in r.items() if k != "hours"} for r in raw[part]
            ], (f, part)
            assert [r["hours"] for r in rolled[part]] == pytest.approx([r["hours"] for r in raw[part]]), (f, part)
        cohorts = journey_cohorts(workspace=workspace, filters=f)
        reference = journey_cohorts_from_changes(workspace=workspace, filters=f, stages=STAGES)
        assert [(c.month, c.accounts, c.reached) for c in cohorts] == [
            (c.month, c.accounts, c.reached) for c in reference
        ], f
        for x, y in zip(cohorts, reference, strict=True):
            assert x.days_to == pytest.approx(y.days_to)


@pytest.fixture
def data(workspace, sales_user):
    other = UserFactory()
    rule_a, rule_b = RuleFactory(workspace=workspace, name="Surge"), RuleFactory(workspace=workspace, name="Intent")
    accounts = [
        AccountFactory(
            workspace=workspace,
            tier=tier,
            owner=owner,
            industry=industry,
            journey_stage=stage,
            journey_stage_changed_at=changed,
        )
        for tier, owner, industry, stage, changed in (
            (Tier.STRATEGIC, sales_user, "Software", "engaged", ago(3)),
            (Tier.STRATEGIC, sales_user, "Retail", "engaged", ago(70)),
            (Tier.PRIORITY, None, "Software", "mqa", ago(61)),
            (Tier.STANDARD, sales_user, "Software", "engaged", ago(100)),
            (Tier.STANDARD, other, "Energy", "aware", ago(10)),
            (Tier.STANDARD, None, "", "unaware", None),
            (Tier.STANDARD, None, "", "engaged", None),
        )
    ]
    a = accounts
    for account, moves in (
        (a[0], [("unaware", "aware", 40), ("aware", "engaged", 3)]),
        (a[1], [("aware", "engaged", 70)]),
        (a[2], [("unaware", "aware", 200), ("aware", "mqa", 61)]),
        (a[3], [("engaged", "aware", 150), ("aware", "engaged", 100)]),
        (a[4], [("unaware", "aware", 10)]),
    ):
        for from_stage, to_stage, days in moves:
            JourneyStageChange.objects.create(
                workspace=workspace, account=account, from_stage=from_stage, to_stage=to_stage, changed_at=ago(days)
            )
    alert(a[0], "1", rule=rule_a, severity="high", created=ago(5), ack_hours=2, assignee=sales_user)
    alert(a[0], "2", rule=rule_a, severity="high", created=ago(20), ack_hours=6, assignee=sales_user)
    alert(a[1], "3", rule=rule_b, created=ago(30), ack_hours=30, assignee=other)
    alert(a[2], "4", rule=None, severity="low", created=ago(8), ack_hours=1)
    alert(a[3], "5", rule=rule_b, created=ago(9))  # never acknowledged
    alert(a[4], "6", rule=rule_a, created=ago(2), ack_hours=3, status="suppressed")  # left out
    alert(a[4], "7", rule=rule_a, created=ago(200), ack_hours=3, assignee=other)  # before most periods
    return accounts


def test_rollups_equal_the_sources_after_a_rebuild_with_hand_checked_figures(workspace, sales_user, data):
    facts_rebuild(workspace=workspace)

    assert StageStandFact.objects.for_workspace(workspace).exists()
    assert AccountStageReach.objects.for_workspace(workspace).exists()
    assert AlertSegmentFact.objects.for_workspace(workspace).exists()
    assert_rollups_equal_sources(workspace, sales_user)

    f = KpiFilters(start=TODAY - dt.timedelta(days=89), end=TODAY)
    standing = stage_standing(workspace=workspace, filters=f, today=TODAY)
    # engaged: 4 accounts (one without a recorded change); stalled: entered 70 and 100 days ago.
    assert standing["engaged"]["n"] == 4 and standing["engaged"]["stalled"] == 2
    # median: index 4 // 2 = 2 of the dated ones sorted oldest first (100, 70, 3 days ago) -> 3 days.
    assert standing["engaged"]["median_days"] == 3
    assert standing["mqa"] == {"n": 1, "stalled": 1, "median_days": 61}
    responses = alert_response(workspace=workspace, filters=f)
    assert [(r["rule"], r["severity"], r["raised"], r["acknowledged"]) for r in responses["by_rule"]] == [
        ("Intent", "medium", 2, 1),
        ("Surge", "high", 2, 2),
        (None, "low", 1, 1),
    ]
    surge = responses["by_rule"][1]
    assert surge["hours"] == pytest.approx(4.0)
    assert [(r["assignee"], r["acknowledged"]) for r in responses["by_person"]][0] == (sales_user.pk, 2)
    assert responses["by_person"][-1]["assignee"] is None  # unassigned last


def test_the_change_poll_and_the_after_scoring_refresh_keep_the_rollups_equal(workspace, sales_user, data):
    facts_rebuild(workspace=workspace)
    a = data
    # A stage move, a tier change and a new acknowledged alert after the rebuild: the five-minute poll.
    moved = dt.datetime.now(UTC)  # after the rebuild's watermark
    a[4].journey_stage, a[4].journey_stage_changed_at, a[4].tier = "engaged", moved, Tier.PRIORITY
    a[4].save()
    JourneyStageChange.objects.create(
        workspace=workspace, account=a[4], from_stage="aware", to_stage="engaged", changed_at=moved
    )
    alert(a[5], "8", rule=None, created=ago(1), ack_hours=5, assignee=sales_user)
    stale = stage_standing(workspace=workspace, filters=KpiFilters(start=TODAY, end=TODAY), today=TODAY)
    assert stale["engaged"]["n"] == 4

    facts_refresh_changes(workspace=workspace)
    assert_rollups_equal_sources(workspace, sales_user)

    # A scoring pass moves another account on: the after-scoring refresh of that account.
    a[5].journey_stage, a[5].journey_stage_changed_at = "aware", NOW
    a[5].save()
    JourneyStageChange.objects.create(
        workspace=workspace, account=a[5], from_stage="unaware", to_stage="aware", changed_at=NOW
    )
    facts_refresh_accounts(workspace=workspace, account_ids=[a[5].pk])
    assert_rollups_equal_sources(workspace, sales_user)
    assert (
        stage_standing(workspace=workspace, filters=KpiFilters(start=TODAY, end=TODAY), today=TODAY)["aware"]["n"] == 1
    )


def test_the_journey_page_reads_the_rollups(workspace, admin_user, data, client):
    client.force_login(admin_user)
    facts_rebuild(workspace=workspace)
    AccountStageReach.objects.for_workspace(workspace).delete()
    StageStandFact.objects.for_workspace(workspace).delete()

    body = client.get("/analytics/journey/", {"days": 365}).content.decode()

    # With the rollups emptied the page shows no cohort and no account standing, whatever the sources say.
    cohort_section = body.split("Journey funnel by monthly cohort")[1].split("</section>")[0]
    assert "No data in this period." in cohort_section
    facts_rebuild(workspace=workspace)
    body = client.get("/analytics/journey/", {"days": 365}).content.decode()
    cohort_section = body.split("Journey funnel by monthly cohort")[1].split("</section>")[0]
    assert "No data in this period." not in cohort_section and (TODAY - dt.timedelta(days=40)).strftime("%Y-%m") in (
        cohort_section
    )


def test_engaged_accounts_from_the_gap_rollup_equal_the_account_facts(workspace, sales_user):
    from analytics.selectors.kpis import _engaged_by_tier, engaged_by_tier_from_facts
    from engagement.models import EngagementDay

    def active(account, days_ago: int) -> None:
        day = TODAY - dt.timedelta(days=days_ago)
        EngagementDay.objects.update_or_create(
            workspace=workspace,
            account=account,
            contact_key=0,
            type="web_visit",
            day=day,
            defaults={"count": 1, "last_at": dt.datetime.combine(day, dt.time(9), UTC)},
        )

    accounts = [AccountFactory(workspace=workspace, tier=t) for t in (Tier.STRATEGIC, Tier.PRIORITY, Tier.STANDARD)]
    accounts += [AccountFactory(workspace=workspace, tier=Tier.STANDARD) for _ in range(3)]
    for account, days in zip(
        accounts, ([1, 2, 40], [100, 95], [5], [31, 60, 61, 200], [300], [0, 89, 90, 91]), strict=True
    ):
        for n in days:
            active(account, n)
    facts_rebuild(workspace=workspace)

    def check() -> None:
        for days_back, length in ((0, 1), (0, 30), (0, 90), (30, 30), (59, 3), (90, 10), (0, 365), (100, 250)):
            end = TODAY - dt.timedelta(days=days_back)
            for tier in ("", Tier.STANDARD):
                f = KpiFilters(start=end - dt.timedelta(days=length - 1), end=end, tier=tier)
                assert _engaged_by_tier(workspace, f) == engaged_by_tier_from_facts(workspace, f), f

    check()
    # 90 days: the strategic, the standard 5-day, 31/60/61-day and the 0/89-day accounts; not 95-100 nor 300 days.
    engaged = _engaged_by_tier(workspace, KpiFilters(start=TODAY - dt.timedelta(days=89), end=TODAY))
    assert engaged == {"strategic": 1, "standard": 3}
    # New activity after the rebuild reaches the rollup with the after-scoring refresh.
    active(accounts[4], 0)
    active(accounts[1], 3)
    facts_refresh_accounts(workspace=workspace, account_ids=[accounts[4].pk, accounts[1].pk])
    check()
    assert _engaged_by_tier(workspace, KpiFilters(start=TODAY - dt.timedelta(days=89), end=TODAY)) == {
        "strategic": 1,
        "priority": 1,
        "standard": 4,
    }


def test_engagement_types_of_the_maturity_evidence_come_from_the_type_rollup(workspace):
    from analytics.selectors.maturity import maturity_evidence
    from engagement.models import EngagementDay

    account = AccountFactory(workspace=workspace)
    for n, kind in enumerate(("web_visit", "email_open", "reply")):
        day = TODAY - dt.timedelta(days=n)
        EngagementDay.objects.create(
            workspace=workspace, account=account, type=kind, day=day, count=1, last_at=NOW - dt.timedelta(days=n)
        )
    old = TODAY - dt.timedelta(days=200)  # outside the 90 days the evidence reads
    EngagementDay.objects.create(
        workspace=workspace, account=account, type="meeting", day=old, count=1, last_at=NOW - dt.timedelta(days=200)
    )
    assert "Engagement types seen in 90 days: 0" in maturity_evidence(workspace=workspace)["programs"]["facts"]
    facts_rebuild(workspace=workspace)
    assert "Engagement types seen in 90 days: 3" in maturity_evidence(workspace=workspace)["programs"]["facts"]
    EngagementDay.objects.create(
        workspace=workspace, account=account, type="pricing_page_visit", day=TODAY, count=2, last_at=NOW
    )
    facts_refresh_accounts(workspace=workspace, account_ids=[account.pk])
    assert "Engagement types seen in 90 days: 4" in maturity_evidence(workspace=workspace)["programs"]["facts"]
