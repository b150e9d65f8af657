"""Browser journey (issue 12): open a strategic account, see its gaps, pick the next-best asset for the economic
buyer, render a template, log it as sent, and see the touch in the timeline."""

from __future__ import annotations

import pytest
from django.utils import timezone

from abe.models import Role
from content.services.outreach import customer_result_save, outreach_template_create
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ContentAssetFactory,
    MembershipFactory,
    PersonaFactory,
    UserFactory,
)

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_kam_fills_a_gap_with_the_next_best_asset(page, screenshot, workspace):
    kam = UserFactory(username="kam", first_name="Kim", last_name="Kam")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    finance = PersonaFactory(
        workspace=workspace,
        name="Finance leader",
        department="finance",
        typical_buying_role="economic_buyer",
        challenges="Software spend without proven ROI",
    )
    account = AccountFactory(
        workspace=workspace,
        name="Initech Strategic",
        tier="strategic",
        owner=kam,
        journey_stage="engaged",
        industry="Software",
    )
    won = AccountFactory(workspace=workspace, name="Globex", industry="Software", lifecycle="customer")
    customer_result_save(workspace=workspace, account=won, result="a 30% shorter sales cycle")
    ceo = ContactFactory(
        account=account,
        first_name="Dana",
        last_name="Decider",
        buying_role="decision_maker",
        title="CEO",
        last_engaged_at=timezone.now(),
    )
    ContactFactory(
        account=account,
        first_name="Ezra",
        last_name="Buyer",
        buying_role="economic_buyer",
        title="CFO",
        persona=finance,
        reports_to=ceo,
    )
    asset = ContentAssetFactory(workspace=workspace, title="ROI business case", stage="engagement", effort="medium")
    asset.personas.set([finance])
    outreach_template_create(
        workspace=workspace,
        name="ROI note",
        subject="{{ contact.first_name }}, the numbers behind {{ similar.name }}",
        body="Is {{ account.name }} struggling with {{ persona.challenge }}? "
        "{{ similar.name }} got {{ similar.result }}.",
    )
    page.set_default_timeout(30_000)  # a shared CI machine can be slow; the journey itself is short
    login(page, "kam")

    page.goto(f"/accounts/{account.pk}/")
    panel = page.locator("#committee-panel")
    panel.wait_for()
    assert "Single-threaded" in panel.inner_text()
    gaps = page.locator("#gap-list").inner_text()
    assert "Find a champion" in gaps and "Find a procurement" in gaps
    assert "Ezra Buyer" in page.locator(".org").first.inner_text()
    screenshot("committee-01-account-gaps")

    suggestions = page.locator(".nbc-contact").filter(has_text="Ezra Buyer")
    suggestions.get_by_role("link", name="ROI business case").click()
    page.wait_for_url("**/content/outreach/compose/**")
    assert page.locator("#preview-subject").inner_text() == "Ezra, the numbers behind Globex"
    assert "struggling with software spend without proven ROI" in page.locator("#preview-body").inner_text()
    assert "a 30% shorter sales cycle" in page.locator("#preview-body").inner_text()
    screenshot("committee-02-compose")

    page.click("#log-sent")
    page.wait_for_url(f"**/accounts/{account.pk}/")
    assert "It shows in the account's timeline" in page.locator(".messages").inner_text()
    touch = page.locator("#engagement-timeline tbody tr").filter(has_text="Outbound touch").first
    touch.wait_for()
    assert "Ezra Buyer" in touch.inner_text() or "ROI business case" in touch.inner_text()
    touch.scroll_into_view_if_needed()
    screenshot("committee-03-timeline")
