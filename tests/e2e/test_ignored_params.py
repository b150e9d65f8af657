"""Bad filter values in a list's URL are named on the page (issue 11): the accounts list, the tier board and the
alerts inbox show which values they ignored, and the notice goes away once the filters are valid."""

from __future__ import annotations

import pytest

from tests.factories import AccountFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_lists_name_the_values_they_ignore(page, screenshot, admin_user, workspace):
    AccountFactory(workspace=workspace, name="Harbor Inc", tier="strategic")
    login(page, "admin1")

    for path, shot in (("/accounts/", "accounts"), ("/accounts/tiers/", "tier-board")):
        page.goto(path + "?page=abc&page_size=-5&tier=nonsense&q=harbor")
        notice = page.locator("#ignored-params")
        notice.wait_for()
        text = notice.inner_text()
        assert all(v in text for v in ("page=abc", "page_size=-5", "tier=nonsense")), text
        assert "Harbor Inc" in page.content()
        screenshot(f"ignored-params-{shot}-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("ignored-params-tier-board-800")
    page.set_viewport_size({"width": 1366, "height": 900})

    # Choosing a valid tier in the form refreshes the list (htmx): the notice about the tier is gone.
    page.goto("/accounts/?tier=nonsense")
    page.locator("#ignored-params").wait_for()
    page.select_option("#id_tier", "strategic")
    page.wait_for_url("**tier=strategic**")
    page.locator("#ignored-params").wait_for(state="detached")

    page.goto("/alerts/?status=bogus&severity=urgent")
    assert "status=bogus, severity=urgent" in page.locator("#ignored-params").inner_text()
    screenshot("ignored-params-inbox-1366")
