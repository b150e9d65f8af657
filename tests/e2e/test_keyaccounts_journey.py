"""A KAM builds an account plan and assigns actions, the review falls due and shows on the home-page fragment
(and raises an alert once overdue); an admin adds a news feed and a news item about a key account becomes an
alert in the inbox."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest
from django.utils import timezone

from abe.models import Role
from abe.registry import home_sections
from keyaccounts.models import AccountPlan
from keyaccounts.tasks import key_accounts_daily_task
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MembershipFactory,
    ProductFactory,
    RuleFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.keyaccounts.conftest import FeedServer
from work.models import Task

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_build_an_account_plan_assign_actions_and_see_the_review_fall_due(page, screenshot):
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    kam = UserFactory(username="kam", first_name="Kim", last_name="Ames")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    sdr = UserFactory(username="sdr", first_name="Sam", last_name="Diaz")
    MembershipFactory(user=sdr, workspace=workspace, role=Role.SALES)
    account = AccountFactory(
        workspace=workspace, name="Umbrella Software", owner=kam, tier="strategic", lifecycle="customer"
    )
    ContactFactory(account=account, first_name="Dora", last_name="Diaz", buying_role="decision_maker")
    ProductFactory(workspace=workspace, name="Analytics Cloud")

    login(page, "kam")
    page.goto(f"/accounts/{account.pk}/")
    page.click("text=Start an account plan")
    page.fill("#id_goals", "Cut churn in EMEA by 20%")
    page.fill("#id_plans", "Consolidate three BI tools")
    page.fill("#id_challenges", "Legacy contracts")
    page.fill("#id_stakes", "The COO's bonus")
    page.fill("#id_timeline", "Decision by Q3")
    page.click("button:has-text('Start the plan')")
    page.wait_for_selector("#gpcst")
    assert "Cut churn in EMEA by 20%" in page.inner_text("#gpcst")
    assert "Dora Diaz" in page.inner_text("#stakeholders")

    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    page.fill("#add-action #id_title", "Executive briefing with Dora")
    page.select_option("#add-action #id_assignee", label="Sam Diaz")
    page.fill("#add-action #id_due_date", due)
    page.click("#add-action button:has-text('Add action')")
    page.wait_for_selector("#actions:has-text('Executive briefing with Dora')")
    screenshot("keyaccounts-plan")
    task = Task.objects.get()
    assert (task.assignee, task.source, task.due_date.isoformat()) == (sdr, "account_plan", due)

    # A month later: the strategic cadence (monthly) makes the review due, then overdue.
    plan = AccountPlan.objects.get()
    assert plan.next_review_due == timezone.localdate() + dt.timedelta(days=30)
    assert "keyaccounts:home_reviews" in [s.url_name for s in home_sections("sales")]
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_due=timezone.localdate() + dt.timedelta(days=2))
    page.goto("/key-accounts/home/reviews/")
    assert page.is_visible("text=Umbrella Software") and page.is_visible("text=Review due")
    AccountPlan.objects.filter(pk=plan.pk).update(next_review_due=timezone.localdate() - dt.timedelta(days=1))
    page.goto("/key-accounts/home/reviews/")
    assert page.is_visible("text=Review overdue")
    key_accounts_daily_task(workspace.pk)
    page.goto("/alerts/")
    page.wait_for_selector("text=Account-plan review overdue: Umbrella Software")
    screenshot("keyaccounts-review-overdue-alert")

    page.goto(f"/key-accounts/plans/{plan.pk}/")
    page.fill("#add-review #id_note", "QBR held with Dora")
    page.click("#add-review button:has-text('Plan reviewed')")
    page.wait_for_selector("text=Review recorded")
    plan.refresh_from_db()
    assert plan.next_review_due == timezone.localdate() + dt.timedelta(days=30)


def test_a_news_item_becomes_an_alert(page, screenshot, monkeypatch):
    monkeypatch.setenv("ABE_ALLOW_PRIVATE_URLS", "1")
    server = FeedServer()
    try:
        workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
        admin = UserFactory(username="boss", first_name="Ada", last_name="Admin")
        MembershipFactory(user=admin, workspace=workspace, role=Role.ADMIN)
        account = AccountFactory(
            workspace=workspace, name="Initech", domain="initech.com", owner=admin, tier="strategic"
        )
        RuleFactory(
            workspace=workspace,
            name="News about key accounts",
            condition_type="trigger_event",
            params={"kinds": ["news"], "days": 7},
            severity="high",
        )
        server.bodies["/wire.xml"] = (
            "<rss version='2.0'><channel><title>Business wire</title><item><guid>w-1</guid>"
            "<title>Initech acquires Globex's analytics unit</title><link>https://wire.example.org/1</link>"
            f"<pubDate>{format_datetime(timezone.now(), usegmt=True)}</pubDate></item></channel></rss>"
        ).encode()

        login(page, "boss")
        page.goto("/key-accounts/settings/")
        page.fill("#id_url", server.url("wire.xml"))
        page.click("button:has-text('Add feed')")
        page.wait_for_selector("text=Feed added")
        page.click("button:has-text('Fetch now')")
        page.wait_for_selector("text=1 new account matches")
        screenshot("keyaccounts-feeds")

        page.goto(f"/accounts/{account.pk}/")
        page.wait_for_selector("#news-panel:has-text('Initech acquires')")
        screenshot("keyaccounts-account-news")
        page.goto("/alerts/")
        page.click("text=News mention at Initech")
        page.wait_for_selector("#alert-message")
        assert "Initech acquires Globex's analytics unit" in page.inner_text("#alert-message")
        screenshot("keyaccounts-news-alert")
    finally:
        server.close()


def test_pareto_page_ranks_accounts_and_proposes_a_key_account(page, screenshot):
    from accounts.models import TierProposal
    from tests.factories import OpportunityFactory

    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    kam = UserFactory(username="kam")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    today = timezone.localdate()
    for i, amount in enumerate([900_000, 400_000, 120_000, 80_000, 60_000, 40_000, 30_000, 20_000, 10_000, 5_000]):
        account = AccountFactory(workspace=workspace, name=f"Customer {i + 1:02d}", tier="standard", owner=kam)
        OpportunityFactory(
            account=account,
            amount=amount,
            status="won",
            close_date=today - dt.timedelta(days=20 + i),
            created_date=today - dt.timedelta(days=90),
        )

    login(page, "kam")
    page.goto("/key-accounts/pareto/")
    page.wait_for_selector("#pareto-chart")
    assert page.inner_text("#top20-share") == "78%"  # 1.3M of 1.665M
    screenshot("keyaccounts-pareto")
    first = page.locator("#pareto-table tbody tr").first
    first.locator("summary:has-text('Propose')").click()
    first.locator("button:has-text('Propose as key account')").click()
    page.wait_for_selector("text=proposed as a key account")
    proposal = TierProposal.objects.get()
    assert proposal.account.name == "Customer 01" and proposal.reason.startswith("Pareto: rank 1")
