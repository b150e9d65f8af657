"""Browser: the contacts page from the accounts list, a filter that pages with it, and the export link that keeps
it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import AccountFactory, ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_from_the_accounts_list_to_page_two_of_a_tier_s_engaged_people(page, screenshot, admin_user, workspace):
    strategic = AccountFactory(workspace=workspace, name="Initech", tier="strategic")
    standard = AccountFactory(workspace=workspace, name="Retail Co", tier="standard")
    for i in range(30):
        ContactFactory(account=strategic, first_name="Ana", last_name=f"Harbor{i:02d}", engagement_score=100 - i)
    ContactFactory(account=standard, first_name="Ben", last_name="Harbor99", engagement_score=500)
    login(page, "admin1")

    page.goto("/accounts/")
    page.click("#contacts-page")
    page.wait_for_url("**/accounts/contacts/")  # loaded, its script too (the filters submit on change)
    expect(page.locator("h1")).to_have_text("Contacts")
    expect(page.locator("#contacts tbody tr").first).to_contain_text("Ben Harbor99")  # the most engaged first
    page.select_option("#f-tier", "strategic")
    page.wait_for_url("**tier=strategic**")
    expect(page.locator("#contacts tbody tr").first).to_contain_text("Ana Harbor00")
    page.click("a[rel=next]")

    expect(page.locator(".pager-count")).to_have_text("26–30 of 30")
    expect(page.locator("#contacts tbody tr").last).to_contain_text("Ana Harbor29")
    assert "tier=strategic" in page.url and "page=2" in page.url
    href = page.locator("#export-contacts").get_attribute("href") or ""
    assert "tier=strategic" in href and "export=contacts" in href and "page=" not in href
    screenshot("contacts-page-2-of-a-tier")
