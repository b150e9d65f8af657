"""Browser: paging a searched, sorted list in place (htmx, pushed URL) and a tier-board selection that survives
htmx refreshes, paging and a reload, then applies with an exact result."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from tests.e2e.conftest import login
from tests.factories import AccountFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_paging_with_a_search_keeps_the_search_and_the_sort(page, screenshot, admin_user, workspace):
    for i in range(60):
        AccountFactory(workspace=workspace, name=f"Harbor {i:02d}", employees=i)
    for i in range(30):
        AccountFactory(workspace=workspace, name=f"Other {i:02d}", employees=500 + i)
    login(page, "admin1")

    page.goto("/accounts/")
    page.fill("#id_q", "harbor")
    expect(page.locator(".pager-count")).to_have_text("1–25 of 60")
    page.click("#account-table >> text=Employees")
    page.wait_for_url("**sort=employees**")
    expect(page.locator("#account-table th a.sorted")).to_contain_text("↑")
    page.click("#account-table >> text=Employees")  # descending
    page.wait_for_url("**sort=-employees**")
    expect(page.locator("#account-table tbody tr").first).to_contain_text("Harbor 59")
    page.click("a[rel=next]")

    expect(page.locator(".pager-count")).to_have_text("26–50 of 60")
    expect(page.locator("#account-table tbody tr").first).to_contain_text("Harbor 34")
    expect(page.locator("#account-table tbody tr").last).to_contain_text("Harbor 10")
    expect(page.locator("#id_q")).to_have_value("harbor")
    assert "q=harbor" in page.url and "sort=-employees" in page.url and "page=2" in page.url
    screenshot("ui-accounts-page-2-of-a-search")

    page.select_option("#id_country", index=0)  # a filter change keeps the sort chosen by the header
    expect(page.locator("#account-table tbody tr").first).to_contain_text("Harbor 59")


def test_selection_survives_refresh_paging_and_reload(page, screenshot, admin_user, workspace):
    for i in range(60):
        AccountFactory(workspace=workspace, name=f"Harbor {i:02d}", priority=100 - i, tier="standard")
    login(page, "admin1")

    page.goto("/accounts/tiers/?per_page=25")
    page.check("#tier-table tbody tr:nth-child(1) input[name=account]")
    page.check("#tier-table tbody tr:nth-child(2) input[name=account]")
    page.check("#id_pinned")  # an htmx refresh of the table
    page.uncheck("#id_pinned")
    expect(page.locator("#tier-table tbody tr:nth-child(1) input[name=account]")).to_be_checked()
    page.click("a[rel=next]")
    expect(page.locator(".pager-count")).to_have_text("26–50 of 60")
    page.check("#tier-table tbody tr:nth-child(1) input[name=account]")
    page.reload()
    expect(page.locator("#selection-count")).to_have_text("3 accounts selected (kept across pages).")
    screenshot("ui-tier-board-selection")

    page.select_option("#bulk-action", "tier")
    page.select_option("#bulk-tier", "priority")
    page.fill("#bulk-reason", "Quarterly review")
    page.click("#bulk-form button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("3 changed")
    expect(page.locator("#selection-count")).to_have_text("No account selected.")
    names = set(Account.objects.filter(tier="priority", tier_locked=True).values_list("name", flat=True))
    assert names == {"Harbor 00", "Harbor 01", "Harbor 25"}


def test_a_refused_bulk_change_on_page_two_comes_back_to_page_two_with_its_choices(
    page, screenshot, admin_user, workspace
):
    for i in range(60):
        AccountFactory(workspace=workspace, name=f"Harbor {i:02d}", priority=100 - i, tier="standard")
    login(page, "admin1")

    page.goto("/accounts/tiers/?per_page=25")
    page.click("a[rel=next]")
    expect(page.locator(".pager-count")).to_have_text("26–50 of 60")
    page.check("#tier-table tbody tr:nth-child(1) input[name=account]")
    page.check("#tier-table tbody tr:nth-child(2) input[name=account]")
    # The bulk form's selects are not the board's filters: choosing an action does not reload the board (it went
    # back to page 1, the filter form having no page).
    page.select_option("#bulk-action", "tier")
    page.select_option("#bulk-tier", "priority")
    page.wait_for_timeout(400)
    expect(page.locator(".pager-count")).to_have_text("26–50 of 60")

    page.click("#bulk-form button[type=submit]")  # no reason

    expect(page.locator(".messages")).to_contain_text("Say why these accounts are moved by hand.")
    expect(page.locator(".pager-count")).to_have_text("26–50 of 60")
    assert "page=2" in page.url
    expect(page.locator("#bulk-action")).to_have_value("tier")
    expect(page.locator("#bulk-tier")).to_have_value("priority")
    expect(page.locator("#selection-count")).to_have_text("2 accounts selected (kept across pages).")
    screenshot("ui-tier-board-bulk-refused-on-page-2")

    page.fill("#bulk-reason", "Quarterly review")
    page.click("#bulk-form button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("2 changed")
    expect(page.locator("#bulk-action")).to_have_value("owner")  # applied: the next change starts afresh
    names = set(Account.objects.filter(tier="priority", tier_locked=True).values_list("name", flat=True))
    assert names == {"Harbor 25", "Harbor 26"}


def test_select_all_matching(page, admin_user, workspace):
    for i in range(40):
        AccountFactory(workspace=workspace, name=f"Harbor {i:02d}", priority=100 - i)
    AccountFactory(workspace=workspace, name="Quay")
    login(page, "admin1")

    page.goto("/accounts/tiers/?q=harbor&per_page=25")
    page.check("#select-all")
    page.click("#select-matching")
    expect(page.locator("#selection-count")).to_have_text("All 40 matching accounts selected.")
    page.select_option("#bulk-owner", str(admin_user.pk))
    page.click("#bulk-form button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("Owner assigned: 40 changed.")
    assert Account.objects.filter(owner=admin_user).count() == 40


def test_a_rows_link_buttons_read_as_links(page, sales_user, workspace):
    """A task's "Cancel" is a form button styled as a link (it was a grey browser button); the log-out link keeps
    its own look."""
    import datetime as dt

    from work.services import task_create

    account = AccountFactory(workspace=workspace, owner=sales_user)
    task_create(workspace=workspace, title="Call", account=account, assignee=sales_user, due_date=dt.date.today())
    login(page, "sales1")

    page.goto("/tasks/")
    cancel = page.locator("button.link:has-text('Cancel')").first
    style = cancel.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.borderTopWidth, s.color]; }"
    )
    logout = page.locator(".userbox button.link").evaluate("el => getComputedStyle(el).color")

    assert style == ["rgba(0, 0, 0, 0)", "0px", "rgb(59, 91, 219)"]  # the links' accent colour
    assert logout == "rgb(203, 213, 225)"


def test_the_open_shared_views_shared_mark_reads_on_its_highlight(page, admin_user, workspace):
    """The open view's tag is white on the accent colour; its "· shared" mark was the muted grey on that blue."""
    from accounts.models import SavedView

    view = SavedView.objects.create(
        workspace=workspace,
        owner=admin_user,
        name="Software",
        list_name="accounts",
        query="industry=Software",
        shared=True,
    )
    login(page, "admin1")
    page.goto(f"/accounts/views/{view.pk}/")
    tag = page.locator(".saved-views a.tag.current")
    expect(tag).to_contain_text("Software")
    colours = tag.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el.querySelector('.muted')).color]")
    assert colours == ["rgb(255, 255, 255)", "rgb(255, 255, 255)"]
