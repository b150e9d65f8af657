"""Browser journey: import the Salesforce fixture with its recognised preset, read the report, open the tier
board, pin an account with a reason and see it in the tier history."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "salesforce" / "accountData.csv"


def test_import_salesforce_then_pin_an_account_from_the_tier_board(
    page, screenshot, marketing_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(page, "marketing1")

    page.goto("/accounts/import/")
    page.select_option("#id_kind", "accounts")
    page.set_input_files("#id_file", str(FIXTURE))
    page.click("text=Upload and preview")
    expect(page.locator("#recognised-preset")).to_have_text("Salesforce Data Loader export")
    expect(page.locator("#preview")).to_contain_text("Gravity Investments")
    expect(page.locator("#map_country")).to_have_value("BILLINGCOUNTRY")
    screenshot("prospecting-import-mapping")

    page.click("#confirm-import")
    expect(page.locator("#count-created")).to_have_text("423")
    expect(page.locator("#count-rejected")).to_have_text("0")
    expect(page.locator("#import-report")).to_contain_text("None: every row was imported.")
    screenshot("prospecting-import-report")

    page.goto("/accounts/tiers/?q=Gravity")
    expect(page.locator("#tier-table")).to_contain_text("Gravity Investments")
    screenshot("prospecting-tier-board")
    page.click("#tier-table >> text=Gravity Investments")

    panel = page.locator("#tier-panel")
    expect(panel).to_be_visible()
    panel.locator("#pin-tier").select_option("strategic")
    panel.locator("#pin-reason").fill("Board-level sponsor met at the user conference")
    panel.locator("button:has-text('Pin')").click()
    expect(page.locator("#tier-history")).to_contain_text("Board-level sponsor met at the user conference")
    expect(page.locator("#tier-panel")).to_contain_text("Pinned")
    screenshot("prospecting-account-tier-history")

    page.goto("/accounts/tiers/?pinned=on")
    expect(page.locator("#tier-table")).to_contain_text("Gravity Investments")
    expect(page.locator("#tier-table")).to_contain_text("Strategic")
