"""A marketer opens the analytics overview, narrows it to the strategic tier (htmx swaps the figures and the URL),
sees the chart with its table, and records a maturity assessment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from abe.models import Role
from analytics.models import MaturityAssessment
from analytics.services.rollups import facts_rebuild
from engagement.models import AccountScoreSnapshot
from tests.factories import AccountFactory, MembershipFactory, OpportunityFactory, UserFactory, WorkspaceFactory

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_marketer_filters_the_overview_and_records_maturity(page, screenshot):
    ws = WorkspaceFactory(slug="e2e-analytics")
    MembershipFactory(user=UserFactory(username="mia"), workspace=ws, role=Role.MARKETING)
    today = dt.date.today()
    for i, tier in enumerate(["strategic", "priority", "standard", "standard"]):
        account = AccountFactory(workspace=ws, tier=tier, industry="Software")
        OpportunityFactory(
            account=account,
            created_date=today - dt.timedelta(days=50),
            status="won",
            close_date=today - dt.timedelta(days=5),
            amount=Decimal(30_000 + 10_000 * i),
        )
        for d in range(10):
            AccountScoreSnapshot.objects.create(
                workspace=ws,
                account=account,
                day=today - dt.timedelta(days=d),
                score=50.0 + 10 * i + d,
                stage="engaged",
            )
    facts_rebuild(workspace=ws)
    login(page, "mia")

    page.goto("/analytics/")
    page.wait_for_selector("#analytics-chart")
    page.select_option("#f-tier", "strategic")
    page.wait_for_url("**tier=strategic**")
    page.wait_for_selector("text=tier strategic")

    assert page.locator("table.data").first.is_visible()
    assert "$30,000" in page.inner_text("#analytics-body")
    assert "$40,000" not in page.inner_text("#analytics-body")
    screenshot("analytics-overview-strategic")

    page.goto("/analytics/maturity/")
    page.click("button:has-text('Save assessment')")
    page.wait_for_selector("text=Assessment saved.")
    screenshot("analytics-maturity")
    assert MaturityAssessment.objects.for_workspace(ws).count() == 1
