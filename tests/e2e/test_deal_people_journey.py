"""Browser: an editor puts a person on a deal from the account page, sees them listed with their role, takes them off
after confirming; the won/lost page says how many deals had their people from the CRM."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_person_goes_on_a_deal_and_comes_off_it(page, screenshot, admin_user, workspace):
    account = AccountFactory(workspace=workspace, name="Initech")
    OpportunityFactory(
        account=account, name="Initech platform", status="won", close_date=dt.date.today() - dt.timedelta(days=3)
    )
    ContactFactory(account=account, first_name="Ana", last_name="Ruiz", buying_role="champion")
    login(page, "admin1")

    page.goto(f"/accounts/{account.pk}/")
    deal = page.locator("#opportunities tbody tr", has_text="Initech platform")
    deal.get_by_role("link", name="+ Person on this deal").click()
    expect(page.locator("h1")).to_have_text("Add a person to the deal Initech platform")
    page.select_option("select[name=contact]", label="Ana Ruiz")
    page.select_option("select[name=role]", "economic_buyer")
    page.check("input[name=is_primary]")
    page.get_by_role("button", name="Save").click()

    deal = page.locator("#opportunities tbody tr", has_text="Initech platform")
    expect(deal.locator(".deal-person")).to_have_text("Ana Ruiz · Economic buyer primary ×")
    screenshot("deal-people-on-the-account-page")

    page.goto("/content/committees/won-lost/")
    expect(page.locator("#deal-people-source")).to_contain_text(
        "People on the deal from the CRM's contact roles: 1 of 1 won deals, 0 of 0 lost ones."
    )
    expect(page.locator("#deal-review tbody tr")).to_contain_text("Ana Ruiz · Economic buyer")
    page.select_option("#f-status", "won")
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as download:
        page.click("#export-deals")  # app.js rebuilds the link from the URL: it must keep the export's kind
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert len(lines) == 2 and "Initech platform" in lines[1] and "Ana Ruiz (economic_buyer)" in lines[1]

    page.goto(f"/accounts/{account.pk}/")
    page.get_by_role("link", name="Take Ana Ruiz off this deal").click()
    expect(page.locator("h1")).to_contain_text("Delete deal contact role")
    page.click("button.danger")

    expect(page.locator(".messages")).to_contain_text("Ana Ruiz taken off the deal Initech platform.")
    deal = page.locator("#opportunities tbody tr", has_text="Initech platform")
    expect(deal.locator(".deal-person")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("Ana Ruiz")  # still a contact of the account
