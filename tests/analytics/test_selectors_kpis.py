"""Every KPI of the summary against a small hand-computed example."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Tier
from activation.models import Alert
from analytics.kpis import wilson_interval
from analytics.models import AnalyticsSettings, SpendEntry
from analytics.selectors.filters import KpiFilters
from analytics.selectors.kpis import kpi_summary
from analytics.services.rollups import facts_rebuild
from engagement.models import EngagementDay, JourneyStageChange
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=29)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@pytest.fixture
def programme(workspace):
    """Two strategic accounts and two standard ones with known deals, alerts, spend and engagement."""
    s1 = AccountFactory(workspace=workspace, tier=Tier.STRATEGIC)
    s2 = AccountFactory(workspace=workspace, tier=Tier.STRATEGIC)
    n1 = AccountFactory(workspace=workspace, tier=Tier.STANDARD)
    n2 = AccountFactory(workspace=workspace, tier=Tier.STANDARD)
    day = TODAY - dt.timedelta(days=5)
    # Target: 2 won (100k after 40 days, 60k after 20 days), 1 lost. Non-target: 1 won (20k after 90 days), 3 lost.
    for account, amount, cycle, status in (
        (s1, 100_000, 40, "won"),
        (s2, 60_000, 20, "won"),
        (s1, 10_000, 10, "lost"),
        (n1, 20_000, 90, "won"),
        (n1, 5_000, 10, "lost"),
        (n2, 5_000, 10, "lost"),
        (n2, 5_000, 10, "lost"),
    ):
        OpportunityFactory(
            account=account,
            amount=Decimal(amount),
            status=status,
            created_date=day - dt.timedelta(days=cycle),
            close_date=day,
        )
    OpportunityFactory(account=s2, amount=Decimal(30_000), created_date=day)  # open, created in the period
    EngagementDay.objects.create(workspace=workspace, account=s1, type="web_visit", day=day, count=5, last_at=at(day))
    EngagementDay.objects.create(workspace=workspace, account=n1, type="meeting", day=day, count=1, last_at=at(day))
    # Committees against the default templates (strategic: 9 seats, standard: 4; engaged = within 30 days).
    recent, stale = at(day), at(TODAY - dt.timedelta(days=60))
    for account, role, department, engaged_at, left in (
        (s1, "decision_maker", "", recent, False),
        (s1, "decision_maker", "", recent, True),  # left the company: fills nothing
        (s1, "economic_buyer", "", recent, False),
        (s1, "champion", "", recent, False),
        (s1, "influencer", "finance", recent, False),  # fills "influencer" (1 of 2) and "finance"
        (s2, "champion", "", recent, False),
        (s2, "economic_buyer", "", stale, False),  # known, not engaged
        (n1, "decision_maker", "", recent, False),
    ):
        ContactFactory(
            account=account,
            buying_role=role,
            department=department,
            last_engaged_at=engaged_at,
            left_at=TODAY - dt.timedelta(days=3) if left else None,
        )
    JourneyStageChange.objects.create(
        workspace=workspace, account=s2, from_stage="engaged", to_stage="mqa", changed_at=at(day - dt.timedelta(1))
    )
    # Alerts on target accounts: acknowledged after 2 h and 4 h; one resolved after 10 h.
    for key, hours, resolved in (("a", 2, None), ("b", 4, 10)):
        Alert.objects.create(
            workspace=workspace,
            account=s1,
            dedupe_key=key,
            title="t",
            message="m",
            created_at=at(day, 6),
            acknowledged_at=at(day, 6 + hours),
            resolved_at=at(day, 6 + resolved) if resolved else None,
        )
    # Spend: 32,000 on target tiers over the period, 9,000 untiered over 60 days (half of it in the period).
    SpendEntry.objects.create(
        workspace=workspace,
        period_start=START,
        period_end=TODAY,
        tier="strategic",
        category="events",
        amount=Decimal(32_000),
    )
    SpendEntry.objects.create(
        workspace=workspace,
        period_start=START - dt.timedelta(days=30),
        period_end=TODAY,
        category="content",
        amount=Decimal(9_000),
    )
    AnalyticsSettings.objects.create(workspace=workspace, gross_margin=0.8, annual_churn=0.2)
    facts_rebuild(workspace=workspace)
    return KpiFilters(start=START, end=TODAY)


def test_pipeline_win_rate_acv_and_velocity(workspace, programme):
    summary = kpi_summary(workspace=workspace, filters=programme)

    # Created in the period: the open 30k, the 60k won after 20 days and the 10k lost after 10 days.
    assert summary["pipeline"]["target"] == {
        "opportunities_created": 3,
        "pipeline_created": 100000.0,
        "won": 2,
        "lost": 1,
        "won_amount": 160000.0,
    }
    assert summary["pipeline"]["non_target"]["won_amount"] == 20000.0
    assert summary["win_rate"]["target"]["value"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["win_rate"]["target"]["n"] == 3
    assert summary["win_rate"]["target"]["status"] == "not_enough_data"
    assert summary["win_rate"]["target"]["interval"] == pytest.approx(list(wilson_interval(2, 3)), abs=1e-4)
    assert summary["win_rate"]["non_target"]["value"] == 0.25
    assert summary["win_rate"]["all"]["value"] == pytest.approx(3 / 7, abs=1e-4)
    assert summary["acv"]["target"]["value"] == 80000.0
    assert summary["acv"]["non_target"]["value"] == 20000.0
    assert summary["velocity_days"]["target"]["value"] == 30.0
    assert summary["velocity_days"]["all"]["value"] == 50.0


def test_economics_ltv_cac_and_payback(workspace, programme):
    summary = kpi_summary(workspace=workspace, filters=programme)

    # LTV = ACV x margin / churn = 80,000 x 0.8 / 0.2.
    assert summary["ltv"]["target"]["value"] == 320000.0
    # Target CAC = 32,000 / 2 customers; all = (32,000 + 4,500 prorated) / 3.
    assert summary["cac"]["target"]["value"] == 16000.0
    assert summary["cac"]["all"]["spend"] == 36500.0
    assert summary["cac"]["all"]["value"] == pytest.approx(36500 / 3, abs=1e-3)
    assert summary["cac"]["non_target"]["value"] is None
    assert summary["ltv_cac"]["target"]["value"] == 20.0
    assert summary["ltv_cac"]["target"]["band"] == "above"
    # Payback: 16,000 / (80,000 x 0.8 / 12) = 3 months.
    assert summary["ltv_cac"]["target"]["payback_months"] == 3.0


def test_coverage_engagement_mqas_and_alert_response(workspace, programme):
    summary = kpi_summary(workspace=workspace, filters=programme)

    assert summary["coverage"]["target"] == {
        "accounts": 2,
        "engaged_accounts": 1,
        "engaged_share": 0.5,
        # s1: (5 known + 5 engaged) / 18; s2: (2 known + 1 engaged) / 18; mean of the two = 13/36.
        "committee_coverage": round(13 / 36, 4),
        "accounts_with_3_roles": 1,  # s1: decision maker, economic buyer, champion and finance engaged
        "single_threaded": 1,  # s2: only the champion engaged
    }
    # n1: (1 + 1) / 8; n2: nothing mapped.
    assert summary["coverage"]["non_target"]["committee_coverage"] == 0.125
    assert summary["coverage"]["non_target"]["single_threaded"] == 1
    assert summary["engagement_by_tier"]["strategic"]["events"] == 5
    assert summary["engagement_by_tier"]["standard"]["events"] == 1
    assert summary["mqas"]["target"]["entries"] == 1
    assert summary["mqas"]["target"]["opportunities_per_mqa"] == 3.0
    assert summary["alert_response"]["target"]["mean_hours_to_acknowledge"] == 3.0
    assert summary["alert_response"]["target"]["mean_hours_to_resolve"] == 10.0
    assert summary["alert_response"]["by_tier"]["strategic"]["within_sla"] is True


def test_filters_narrow_the_figures(workspace, programme):
    summary = kpi_summary(workspace=workspace, filters=KpiFilters(start=START, end=TODAY, tier="standard"))

    assert summary["pipeline"]["target"]["won"] == 0
    assert summary["pipeline"]["all"]["won"] == 1
    assert list(summary["engagement_by_tier"]) == ["standard"]


def test_summary_endpoint_returns_every_key_and_rejects_bad_input(workspace, programme, viewer_api, key_client):
    params = {"from": START.isoformat(), "to": TODAY.isoformat()}
    response = viewer_api.get("/api/v1/analytics/summary/", params)

    assert response.status_code == 200
    body = response.json()
    for key in (
        "coverage",
        "engagement_by_tier",
        "mqas",
        "pipeline",
        "win_rate",
        "velocity_days",
        "acv",
        "ltv",
        "cac",
        "ltv_cac",
        "alert_response",
    ):
        assert key in body
    assert body["acv"]["target"]["value"] == 80000.0
    assert body["previous"]["pipeline"]["all"]["won"] == 0
    assert key_client("read").get("/api/v1/analytics/summary/").status_code == 200
    bad = viewer_api.get("/api/v1/analytics/summary/", {"from": "yesterday", "tier": "gold"})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"from", "tier"}
    reversed_period = viewer_api.get("/api/v1/analytics/summary/", {"from": TODAY.isoformat(), "to": START.isoformat()})
    assert reversed_period.status_code == 400


def test_summary_endpoint_is_scoped_to_the_workspace(workspace, programme, other_admin):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(other_admin)
    body = client.get("/api/v1/analytics/summary/").json()

    assert body["pipeline"]["all"]["won"] == 0


def test_summary_query_count_is_bounded(workspace, programme, viewer_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        assert viewer_api.get("/api/v1/analytics/summary/").status_code == 200


def test_committee_coverage_per_required_role(workspace, programme):
    from analytics.selectors.kpis import committee_coverage_by_tier

    roles = committee_coverage_by_tier(workspace=workspace, filters=programme)["strategic"]["roles"]

    assert roles["decision_maker"] == {"label": "Decision maker", "engaged": 1, "known": 0, "missing": 1}
    assert roles["economic_buyer"] == {"label": "Economic buyer", "engaged": 1, "known": 1, "missing": 0}
    assert roles["influencer"] == {"label": "Influencer", "engaged": 0, "known": 1, "missing": 1}  # 1 of 2 seats
    assert roles["finance"]["engaged"] == 1 and roles["procurement"]["missing"] == 2


def test_committee_coverage_lists_tiers_in_tier_order_and_roles_in_template_order(workspace, programme):
    """Strategic before standard (as every other table of the dashboard), each tier's roles in its template's
    order: from the rollup (stored rows read by tier key, which put "standard" first) and from the set-based
    statement (rows unsorted) alike."""
    import random

    from analytics.selectors.committee import committee_by_tier, committee_segment_rows
    from analytics.selectors.kpis import _accounts, committee_coverage_by_tier
    from content.selectors.committee import committee_templates

    templates = committee_templates(workspace=workspace)
    facts_rebuild(workspace=workspace)
    rollup = committee_coverage_by_tier(workspace=workspace, filters=programme)
    assert list(rollup) == ["strategic", "standard"]
    for tier, values in rollup.items():
        assert list(values["roles"]) == [req.key for req in templates[tier].requirements]

    rows = committee_segment_rows(workspace=workspace, accounts=_accounts(workspace, programme))
    random.Random(3).shuffle(rows)
    computed = committee_by_tier(rows)
    assert list(computed) == list(rollup)
    assert [list(v["roles"]) for v in computed.values()] == [list(v["roles"]) for v in rollup.values()]


def test_dashboard_coverage_matches_the_content_apps_per_account_coverage(workspace, programme):
    """The set-based figure equals the mean of content's own per-account coverage (the heatmap's rules)."""
    from accounts.models import Account
    from analytics.selectors.kpis import committee_coverage_by_tier
    from content.selectors.committee import coverage_for_accounts

    accounts = list(Account.objects.for_workspace(workspace))
    per_account = coverage_for_accounts(workspace=workspace, accounts=accounts)
    rows = committee_coverage_by_tier(workspace=workspace, filters=programme)

    for tier in ("strategic", "standard"):
        expected = sum(per_account[a.pk].figure for a in accounts if a.tier == tier)
        assert rows[tier]["coverage_sum"] == pytest.approx(expected, abs=1e-4)
        single = sum(per_account[a.pk].single_threaded for a in accounts if a.tier == tier)
        assert rows[tier]["single_threaded"] == single


def test_committee_coverage_rollup_equals_the_contacts_and_follows_the_change_poll(workspace, programme, sales_user):
    """The dashboards read committee coverage from the per-segment rollup: equal to the computation from the
    contacts for every filter, and kept current by the refreshes (here the five-minute change poll)."""
    from dataclasses import replace

    from accounts.models import Account
    from analytics.models import CommitteeSegmentFact
    from analytics.selectors.committee import committee_coverage
    from analytics.selectors.kpis import committee_coverage_by_tier
    from analytics.services.rollups import facts_refresh_changes

    first = Account.objects.for_workspace(workspace).filter(tier=Tier.STRATEGIC).order_by("pk").first()
    first.owner, first.industry = sales_user, "Software"
    first.save()
    facts_rebuild(workspace=workspace)

    def check() -> None:
        for f in (
            programme,
            replace(programme, tier=Tier.STRATEGIC),
            replace(programme, owner=sales_user.pk),
            replace(programme, industry="Software"),
        ):
            assert committee_coverage_by_tier(workspace=workspace, filters=f) == committee_coverage(
                workspace=workspace, filters=f
            ), f

    check()
    assert (
        committee_coverage_by_tier(workspace=workspace, filters=replace(programme, owner=sales_user.pk))["strategic"][
            "accounts"
        ]
        == 1
    )
    # A new engaged decision maker on the first account: the poll rebuilds the rollup.
    ContactFactory(account=first, buying_role="decision_maker", last_engaged_at=dt.datetime.now(dt.UTC))
    facts_refresh_changes(workspace=workspace)
    check()
    # What the pages read is the rollup: emptied, the figures go.
    CommitteeSegmentFact.objects.for_workspace(workspace).delete()
    assert committee_coverage_by_tier(workspace=workspace, filters=programme) == {}


def test_committee_roles_read_in_the_readers_language_whatever_language_refreshed_the_rollup(
    workspace, programme, admin_client
):
    """The rollup stored each role's label in the language of whatever refreshed it (in-process, the request of a
    Spanish upload): a Portuguese reader then saw "Evaluador técnico" and "Champion" on the overview."""
    from django.utils import translation

    from analytics.models import CommitteeSegmentFact
    from analytics.selectors.kpis import committee_coverage_by_tier
    from personas.models import Persona
    from personas.services import committee_template_save

    persona = Persona.objects.create(workspace=workspace, name="Head of Demand Generation")
    committee_template_save(
        workspace=workspace,
        tier="strategic",
        requirements=[
            {"role": "technical_evaluator", "count": 1},
            {"role": "influencer", "department": "it", "count": 1},
            {"role": "champion", "persona": persona.pk, "count": 1},
        ],
    )
    with translation.override("es"):
        facts_rebuild(workspace=workspace)
    stored = set(CommitteeSegmentFact.objects.for_workspace(workspace).values_list("role_label", flat=True))
    assert "Technical evaluator" in stored and "Evaluador técnico" not in stored

    persona.name = "Demand lead"
    persona.save()
    with translation.override("pt"):
        roles = committee_coverage_by_tier(workspace=workspace, filters=programme)["strategic"]["roles"]
    assert [role["label"] for role in roles.values()] == [
        "Avaliador técnico",
        "Influenciador em TI",
        "Campeão (Demand lead)",
    ]


@pytest.mark.parametrize(
    ("key", "english"),
    [
        ("economic_buyer", "Economic buyer"),
        ("finance", "Finance"),
        ("influencer/it", "Influencer in IT"),
        ("persona:7", "(persona 7)"),
        ("nonsense", None),
        ("champion/champion", None),
        ("persona:x", None),
        ("persona:²", None),  # str.isdigit takes it and int() refuses it: a ValueError before
        ("persona:٣", None),
    ],
)
def test_a_stored_requirement_key_names_its_requirement(key, english):
    from personas.committee import requirement_of_key

    requirement = requirement_of_key(key)
    assert (requirement.label if requirement else None) == english
