"""Every key-account page and panel renders for each role, with a bounded number of queries."""

import datetime as dt

import pytest

from keyaccounts.models import NewsFeed
from tests.factories import (
    AccountFactory,
    AccountPlanFactory,
    ContactFactory,
    OpportunityFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def data(workspace, admin_user):
    parent = AccountFactory(
        workspace=workspace, name="Parent Co", tier="strategic", lifecycle="customer", owner=admin_user
    )
    AccountFactory(workspace=workspace, name="Parent Co Germany", parent=parent)
    ContactFactory(account=parent, buying_role="champion")
    product = ProductFactory(workspace=workspace, name="Analytics")
    ProductFactory(workspace=workspace, name="Storage")
    OpportunityFactory(
        account=parent,
        product=product,
        status="won",
        amount=1000,
        close_date=TODAY,
        contract_end=TODAY + dt.timedelta(days=40),
    )
    OpportunityFactory(account=parent, type="up_sell", status="open")
    plan = AccountPlanFactory(account=parent, owner=admin_user)
    return {"account": parent, "plan": plan}


@pytest.mark.parametrize("role", ["admin_client", "viewer"])
def test_pages_render(role, data, client, viewer_user, admin_client, django_assert_max_num_queries):
    c = admin_client if role == "admin_client" else client
    if role == "viewer":
        c.force_login(viewer_user)
    account, plan = data["account"], data["plan"]
    for url in [
        "/key-accounts/",
        "/key-accounts/pareto/",
        "/key-accounts/qualification/",
        "/key-accounts/post-sale/",
        "/key-accounts/products/",
        f"/key-accounts/plans/{plan.pk}/",
        f"/key-accounts/plans/{plan.pk}/print/",
        f"/key-accounts/accounts/{account.pk}/panels/plan/",
        f"/key-accounts/accounts/{account.pk}/panels/post-sale/",
        f"/key-accounts/accounts/{account.pk}/panels/news/",
        "/key-accounts/home/reviews/",
    ]:
        with django_assert_max_num_queries(40):
            response = c.get(url)
        assert response.status_code == 200, url


def test_plan_page_shows_whitespace_and_stakeholders(data, admin_client):
    html = admin_client.get(f"/key-accounts/plans/{data['plan'].pk}/").content.decode()

    assert "Parent Co Germany" in html  # a subsidiary column
    assert "Owned" in html and "Open" in html
    assert "Champion" in html


def test_settings_are_admin_only_and_refuse_private_feeds(workspace, admin_client, viewer_user, monkeypatch):
    from django.test import Client

    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)
    client = Client()
    client.force_login(viewer_user)

    forbidden = client.get("/key-accounts/settings/")
    refused = admin_client.post("/key-accounts/settings/", {"form": "feed", "url": "https://127.0.0.1/feed.xml"})
    bad_days = admin_client.post(
        "/key-accounts/settings/",
        {
            "form": "settings",
            "strategic_review_days": 0,
            "priority_review_days": 90,
            "standard_review_days": 180,
            "winback_after_days": 180,
        },
    )

    assert forbidden.status_code == 403
    assert refused.status_code == 400 and NewsFeed.objects.count() == 0
    assert bad_days.status_code == 400


def test_starting_a_plan_from_the_page_and_adding_an_action(workspace, admin_user, admin_client):
    account = AccountFactory(workspace=workspace, tier="priority")

    created = admin_client.post(
        f"/key-accounts/accounts/{account.pk}/plan/new/", {"goals": "Grow", "owner": admin_user.pk}
    )
    plan = account.account_plans.get()
    action = admin_client.post(
        f"/key-accounts/plans/{plan.pk}/edit/",
        {"form": "action", "title": "Call the CFO", "assignee": admin_user.pk, "due_date": TODAY.isoformat()},
    )
    empty = admin_client.post(f"/key-accounts/plans/{plan.pk}/edit/", {"form": "action", "title": ""})

    assert created.status_code == 302 and plan.goals == "Grow"
    assert action.status_code == 302 and plan.account.tasks.get().title == "Call the CFO"
    assert empty.status_code == 400


def test_key_accounts_without_a_plan_list_strategic_first_and_say_how_many(workspace, admin_client):
    # "priority" sorts before "strategic" as text: the strategic accounts must still come first
    for i in range(12):
        AccountFactory(workspace=workspace, name=f"Priority {i:02}", tier="priority", priority=90 - i)
    AccountFactory(workspace=workspace, name="Strategic Low", tier="strategic", priority=5)
    planned = AccountFactory(workspace=workspace, name="Strategic Planned", tier="strategic", priority=99)
    AccountPlanFactory(account=planned)

    html = admin_client.get("/key-accounts/").content.decode()

    section = html[html.index("Key accounts without a plan") :]
    assert "(13)" in section and "The 10 with the highest priority, strategic accounts first" in section
    assert section.index("Strategic Low") < section.index("Priority 00")
    assert "Priority 09" not in section and "Strategic Planned" not in section


def test_post_sale_side_lists_say_how_many_they_hold(workspace, admin_client, django_assert_max_num_queries):
    account = AccountFactory(workspace=workspace, name="Expanding Co", lifecycle="customer")
    for i in range(52):
        OpportunityFactory(account=account, name=f"Up-sell {i:02}", type="up_sell", status="open")

    with django_assert_max_num_queries(40):
        html = admin_client.get("/key-accounts/post-sale/").content.decode()

    assert 'Expansion pipeline (up-sell, cross-sell) <span class="muted small">(52)</span>' in html
    assert "The 50 closing first of 52" in html
    assert 'Customers without recurring activities <span class="muted small">(1)</span>' in html


def test_key_accounts_without_a_plan_offer_to_start_one_only_where_the_reader_may(
    workspace, admin_user, sales_user, viewer_user
):
    """A salesperson (and a viewer) was offered "start a plan" on every key account, and got a 403 page for the
    accounts they neither own nor are on the team of."""
    from django.test import Client

    from accounts.models import AccountTeamMember

    mine = AccountFactory(workspace=workspace, name="Mine", tier="strategic", owner=sales_user)
    team = AccountFactory(workspace=workspace, name="Team", tier="strategic")
    AccountTeamMember.objects.create(workspace=workspace, account=team, user=sales_user, team_role="sdr")
    other = AccountFactory(workspace=workspace, name="Other", tier="priority")

    def page_of(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/key-accounts/").content.decode()

    def offered(html: str) -> set[int]:
        return {a.pk for a in (mine, team, other) if f"/key-accounts/accounts/{a.pk}/plan/new/" in html}

    as_sales = page_of(sales_user)
    as_viewer = page_of(viewer_user)
    assert offered(page_of(admin_user)) == {mine.pk, team.pk, other.pk}
    assert offered(as_sales) == {mine.pk, team.pk} and "Other" in as_sales
    assert offered(as_viewer) == set() and "Other" in as_viewer
    refused = Client()
    refused.force_login(sales_user)
    assert refused.get(f"/key-accounts/accounts/{other.pk}/plan/new/").status_code == 403
