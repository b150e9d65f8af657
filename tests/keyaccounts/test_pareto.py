import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import ProposalStatus, TierProposal
from keyaccounts.pareto import pareto_rank
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_pareto_rank_marks_the_top_20_percent_and_the_80_percent_line():
    values = {1: 500.0, 2: 300.0, 3: 100.0, 4: 50.0, 5: 30.0, 6: 10.0, 7: 5.0, 8: 3.0, 9: 1.0, 10: 1.0, 11: 0.0}

    result = pareto_rank(values)

    assert [r.account_id for r in result.rows][:3] == [1, 2, 3]
    assert len(result.rows) == 10  # zero value is not ranked
    assert result.top20_count == 2
    assert result.top20_share == pytest.approx(800 / 1000)
    assert result.accounts_for_80 == 2  # 500 + 300 reach 80%
    assert result.rows[-1].cumulative_share == pytest.approx(1.0)
    assert pareto_rank({}).top20_share == 0.0


def won(account, amount, days_ago=30, **kw):
    return OpportunityFactory(
        account=account,
        amount=amount,
        status="won",
        created_date=TODAY - dt.timedelta(days=days_ago + 30),
        close_date=TODAY - dt.timedelta(days=days_ago),
        **kw,
    )


def test_pareto_endpoint_ranks_by_won_revenue_with_the_figures(workspace, admin_api, django_assert_max_num_queries):
    big, mid, small = (AccountFactory(workspace=workspace, name=n) for n in ("Big", "Mid", "Small"))
    others = [AccountFactory(workspace=workspace, name=f"Tail {i}") for i in range(7)]
    won(big, 600000, gross_margin_pct=Decimal("40"))
    won(big, 100000, days_ago=400)  # previous period: growth
    won(mid, 200000, gross_margin=Decimal("50000"))
    won(small, 50000)
    OpportunityFactory(
        account=small,
        status="lost",
        close_date=TODAY - dt.timedelta(days=10),
        created_date=TODAY - dt.timedelta(days=40),
    )
    for i, a in enumerate(others):
        won(a, 10000 + i * 1000)
    won(AccountFactory(workspace=workspace), 999999, days_ago=800)  # outside both periods

    with django_assert_max_num_queries(6):
        response = admin_api.get("/api/v1/key-accounts/pareto/")

    body = response.json()
    assert response.status_code == 200
    assert body["accounts_count"] == 10
    assert [a["name"] for a in body["accounts"][:3]] == ["Big", "Mid", "Small"]
    total = 600000 + 200000 + 50000 + sum(10000 + i * 1000 for i in range(7))
    assert body["top20_share"] == pytest.approx(round(800000 / total, 4))
    assert 0 <= body["top20_share"] <= 1
    top = body["accounts"][0]
    assert top["margin"] == 240000.0 and top["growth"] == 5.0 and top["win_rate"] == 1.0 and top["in_top20"]
    assert body["accounts"][2]["win_rate"] == 0.5
    assert body["accounts"][-1]["cumulative_share"] == 1.0


def test_pareto_by_margin_and_bad_periods(workspace, admin_api):
    a, b = AccountFactory(workspace=workspace, name="A"), AccountFactory(workspace=workspace, name="B")
    won(a, 100000, gross_margin_pct=Decimal("10"))
    won(b, 50000, gross_margin=Decimal("30000"))

    by_margin = admin_api.get("/api/v1/key-accounts/pareto/?by=margin").json()
    backwards = admin_api.get("/api/v1/key-accounts/pareto/?start=2026-05-01&end=2026-01-01")
    garbage = admin_api.get("/api/v1/key-accounts/pareto/?start=yesterday&by=profit")

    assert [x["name"] for x in by_margin["accounts"]] == ["B", "A"]
    assert backwards.status_code == 400 and "start" in backwards.json()
    assert garbage.status_code == 400 and {"start", "by"} <= set(garbage.json())


def test_propose_as_key_account_creates_a_tier_proposal_with_the_reason(workspace, admin_api, viewer_api):
    account = AccountFactory(workspace=workspace, tier="standard")

    response = admin_api.post(
        "/api/v1/key-accounts/propose/",
        {"account": account.pk, "reason": "Pareto: rank 1, 42% of won revenue"},
        format="json",
    )
    again = admin_api.post("/api/v1/key-accounts/propose/", {"account": account.pk, "reason": "again"}, format="json")
    no_reason = admin_api.post("/api/v1/key-accounts/propose/", {"account": account.pk, "reason": ""}, format="json")
    viewer = viewer_api.post("/api/v1/key-accounts/propose/", {"account": account.pk, "reason": "x"}, format="json")

    assert response.status_code == 201, response.content
    proposal = TierProposal.objects.get()
    assert (proposal.status, proposal.current_tier, proposal.proposed_tier) == (
        ProposalStatus.PENDING,
        "standard",
        "strategic",
    )
    assert proposal.reason == "Pareto: rank 1, 42% of won revenue"
    assert again.status_code == 400 and "proposed_tier" in again.json()
    assert no_reason.status_code == 400
    assert viewer.status_code == 403


def test_pareto_page_shows_the_curve_and_the_propose_button(workspace, admin_client):
    won(AccountFactory(workspace=workspace, name="Big"), 100000)

    response = admin_client.get("/key-accounts/pareto/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "pareto-chart" in html and "Propose as key account" in html and "Big" in html


def test_the_pareto_page_reads_only_the_account_columns_its_rows_show(workspace, admin_client):
    """Every ranked account is read (the curve and the shares need them all), so not their whole rows: the
    scoring explanations and technologies of thousands of accounts were read on each request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    won(AccountFactory(workspace=workspace, name="Big", engagement_score=42.0, tier="priority"), 100000)
    won(AccountFactory(workspace=workspace, name="Small"), 1000)

    with CaptureQueriesContext(connection) as captured:
        html = admin_client.get("/key-accounts/pareto/").content.decode()
    account_reads = [q["sql"] for q in captured.captured_queries if 'FROM "accounts_account" WHERE' in q["sql"]]

    assert "Big" in html and "Small" in html
    assert account_reads and all('"fit_explanation"' not in sql for sql in account_reads)
