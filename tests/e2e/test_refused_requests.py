"""Browser: a panel form the server refuses says why above the page (``static/js/app.js``), instead of nothing
happening. Here the account was deleted in another tab before the pin was sent."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from tests.e2e.conftest import login
from tests.factories import AccountFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pinning_an_account_deleted_in_another_tab_says_it_no_longer_exists(page, screenshot, workspace, admin_user):
    account = AccountFactory(workspace=workspace, name="Gone Tomorrow Ltd")
    login(page, "admin1")
    page.goto(f"/accounts/{account.pk}/")
    panel = page.locator("#tier-panel")
    expect(panel).to_be_visible()

    Account.objects.filter(pk=account.pk).delete()  # the other tab
    panel.locator("#pin-tier").select_option("strategic")
    panel.locator("#pin-reason").fill("Board decision")
    panel.locator("button:has-text('Pin')").click()

    notice = page.locator("#htmx-refused")
    expect(notice).to_contain_text("This no longer exists: someone may have deleted it. Reload the page.")
    screenshot("refused-pin-of-a-deleted-account")

    panel.locator("button:has-text('Pin')").click()  # sent again: one notice, not two
    expect(notice.locator("li")).to_have_count(1)
    notice.get_by_role("button", name="Close").click()
    expect(notice).to_have_count(0)
