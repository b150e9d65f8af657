"""Browser: the home page of each role, the nav menu at tablet width, the column chooser kept across reloads,
and screenshots of the main pages at 1366 and 800 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activation.models import Alert, AlertRecipient
from tests.e2e.conftest import login
from tests.factories import AccountFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(workspace, sales_user):
    for i in range(6):
        account = AccountFactory(
            workspace=workspace,
            name=f"Globex {i}",
            owner=sales_user,
            tier="strategic",
            journey_stage="mqa",
            engagement_momentum=0.1 * i,
            employees=1200 + i,
        )
    for n, severity in enumerate(["medium", "critical", "high"]):
        alert = Alert.objects.create(
            workspace=workspace,
            dedupe_key=f"k{n}",
            severity=severity,
            account=account,
            title=f"{severity.title()} signal on Globex",
            message="why",
            created_at=timezone.now() - timedelta(minutes=n),
        )
        AlertRecipient.objects.create(workspace=workspace, alert=alert, user=sales_user)


def test_home_pages_per_role(page, screenshot, day, sales_user, marketing_user):
    login(page, "sales1")
    page.goto("/")
    expect(page.locator("#my-alerts tr").first).to_contain_text("Critical signal on Globex")
    expect(page.locator("#home-1")).to_contain_text("My accounts by tier")
    screenshot("ui-home-sales-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("ui-home-sales-800")

    page.context.clear_cookies()
    login(page, "marketing1")
    page.goto("/")
    expect(page.locator("#pulse-mqas")).to_be_visible()
    screenshot("ui-home-marketing-800")


def test_nav_menu_at_tablet_width(page, screenshot, admin_user):
    page.set_viewport_size({"width": 800, "height": 900})
    login(page, "admin1")
    page.goto("/accounts/")
    settings_link = page.locator("#main-nav >> text=Settings")
    expect(settings_link).to_be_hidden()
    page.click("[data-nav-toggle]")
    expect(settings_link).to_be_visible()
    screenshot("ui-nav-menu-800")
    settings_link.click()
    page.wait_for_url("**/settings/")


def test_column_chooser_is_kept_across_reloads(page, screenshot, day, admin_user, browser, live_server):
    login(page, "admin1")
    page.goto("/accounts/tiers/")
    expect(page.locator("#tier-table th[data-col=stage]")).to_be_visible()
    page.click(".column-chooser summary")
    page.uncheck(".column-chooser input[value=industry]")
    expect(page.locator("#tier-table th[data-col=industry]")).to_be_hidden()
    expect(page.locator(".column-chooser")).to_have_attribute("data-saved", "1")  # saved on the server
    # Saved per user on the server: another browser (no shared storage) signed in as the same person sees it.
    other = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    other_page = other.new_page()
    login(other_page, "admin1")
    other_page.goto("/accounts/tiers/")
    expect(other_page.locator("#tier-table th[data-col=industry]")).to_be_hidden()
    expect(other_page.locator("#tier-table th[data-col=country]")).to_be_visible()
    other.close()
    page.reload()
    expect(page.locator("#tier-table th[data-col=industry]")).to_be_hidden()
    page.fill("#id_q", "globex")  # an htmx refresh keeps the choice
    expect(page.locator(".pager-count")).to_contain_text("of 6")
    expect(page.locator("#tier-table th[data-col=industry]")).to_be_hidden()
    screenshot("ui-tier-board-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("ui-tier-board-800")
