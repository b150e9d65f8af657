"""An event batch arrives and is scored; the KAM's unread badge updates by itself; the KAM opens the alert, reads
why it fired and acknowledges it. Also: the rule editor shows only the chosen condition's settings, and an admin
sends a test webhook from its page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from abe.models import Role
from activation.models import Alert, AlertStatus
from activation.tasks import rules_evaluate_task
from engagement.models import EngagementEvent
from tests.activation.conftest import Receiver
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MembershipFactory,
    RuleFactory,
    UserFactory,
    WebhookSubscriptionFactory,
    WorkspaceFactory,
)

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def scoring_pass_with_pricing_visit(account, contact) -> None:
    """What ingestion + scoring leave behind for a batch with a decision maker on the pricing page."""
    EngagementEvent.objects.create(
        workspace=account.workspace,
        account=account,
        contact=contact,
        type="pricing_page_visit",
        occurred_at=timezone.now() - timedelta(minutes=1),
        source="web",
        external_id="batch-1-ev-1",
    )
    contact.engagement_score, contact.last_engaged_at = 24.0, timezone.now()
    contact.save()
    account.engagement_score, account.engagement_momentum = 61.0, 2.6
    account.save()
    # what engagement publishes after the pass commits
    rules_evaluate_task.delay(workspace_id=account.workspace_id, account_ids=[account.id])


def test_badge_updates_and_the_kam_acknowledges_the_alert(page, screenshot):
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    kam = UserFactory(username="kam", first_name="Kim", last_name="Ames")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    account = AccountFactory(workspace=workspace, name="Umbrella Software", owner=kam, tier="strategic")
    dora = ContactFactory(account=account, first_name="Dora", last_name="Diaz", buying_role="decision_maker")
    RuleFactory(
        workspace=workspace,
        name="Decision maker on pricing",
        condition_type="role_engaged",
        severity="high",
        params={"buying_role": "decision_maker", "event_type": "pricing_page_visit", "days": 2},
        recommended_action="Call Dora within 24 hours with a tailored ROI case.",
    )

    login(page, "kam")
    page.goto("/accounts/")  # login lands on the home page; the journey starts from the list
    page.wait_for_selector("#account-table")
    assert page.locator(".nav .badge").count() == 0

    scoring_pass_with_pricing_visit(account, dora)
    page.wait_for_selector(".nav .badge:has-text('1')", timeout=25_000)  # htmx polls the badge every 10 s
    screenshot("activation-badge")

    page.click(".nav a:has-text('Alerts')")
    page.wait_for_selector("#alert-table")
    assert page.is_visible("text=Decision maker at Umbrella Software: pricing page visit")
    screenshot("activation-inbox")

    page.click("text=Decision maker at Umbrella Software: pricing page visit")
    page.wait_for_selector("#alert-message")
    assert "Dora Diaz (Decision maker): pricing page visit" in page.inner_text("#alert-message")
    assert page.is_visible("text=Call Dora within 24 hours")
    page.click("button:has-text('Acknowledge')")
    page.wait_for_selector("#alert-status:has-text('Acknowledged')")
    screenshot("activation-alert-acknowledged")

    alert = Alert.objects.get()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_at is not None
    assert page.locator(".nav .badge").count() == 0


def _kam_with_hot_alerts(count: int) -> None:
    """A sales user "kam" owning ``count`` hot accounts, each with an open medium alert from the "Hot" rule."""
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    kam = UserFactory(username="kam")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    RuleFactory(workspace=workspace, name="Hot", params={"threshold": 10}, severity="medium")
    accounts = [
        AccountFactory(workspace=workspace, owner=kam, name=f"Hot Co {i}", engagement_score=20) for i in range(count)
    ]
    rules_evaluate_task.delay(workspace_id=workspace.id, account_ids=[a.id for a in accounts])


def test_one_click_resolve_in_the_inbox_updates_the_row_in_place(page, screenshot):
    _kam_with_hot_alerts(3)

    login(page, "kam")
    page.goto("/alerts/")
    page.wait_for_selector("#alert-table")
    page.evaluate("window.__no_reload_marker = 1")
    row = page.locator("#alert-table tbody tr").first
    row.locator("button:has-text('Resolve')").click()
    page.wait_for_selector("#alert-table tbody tr .pill:has-text('Resolved')")

    assert page.evaluate("window.__no_reload_marker") == 1
    assert Alert.objects.filter(status=AlertStatus.RESOLVED).count() == 1
    page.wait_for_function(
        "document.querySelector('.nav .badge') && document.querySelector('.nav .badge').textContent.trim() === '2'"
    )
    screenshot("activation-inbox-resolved")


def test_on_a_phone_the_inbox_rows_read_as_cards_and_their_actions_work(page, screenshot):
    """At 390 px the inbox's rows stack (no sideways scroll, the alert text the width of the screen); a row's
    button still replaces that row in place. At desktop width the table keeps its header."""
    _kam_with_hot_alerts(2)

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "kam")
    page.goto("/alerts/")
    page.wait_for_selector("#alert-table")

    wrap = page.locator("#alert-results .table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing off to the right
    assert not page.locator("#alert-table thead").is_visible()
    row = page.locator("#alert-table tbody tr").first
    assert row.locator("td.primary").bounding_box()["width"] > 300
    assert not row.locator("td.hide-tablet").is_visible()
    screenshot("activation-inbox-phone")
    row.locator("button:has-text('Resolve')").click()
    page.wait_for_selector("#alert-table tbody tr .pill:has-text('Resolved')")
    assert Alert.objects.filter(status=AlertStatus.RESOLVED).count() == 1
    assert page.locator("#alert-table tbody tr").first.locator("td.primary").bounding_box()["width"] > 300

    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("#alert-table thead").is_visible()
    assert page.locator("#alert-table tbody tr").first.locator("td.primary").bounding_box()["width"] < 900


def test_rule_editor_and_webhook_test_button(page, screenshot, monkeypatch):
    monkeypatch.setenv("ABE_ALLOW_PRIVATE_URLS", "1")  # the receiver listens on loopback
    workspace = WorkspaceFactory(name="Acme Marketing", slug="acme")
    admin = UserFactory(username="boss")
    MembershipFactory(user=admin, workspace=workspace, role=Role.ADMIN)
    receiver = Receiver()
    try:
        sub = WebhookSubscriptionFactory(workspace=workspace, name="CRM tasks", url=receiver.url)
        login(page, "boss")

        page.goto("/alerts/rules/new/")
        page.fill("#id_name", "Funding news")
        page.select_option("#id_condition_type", "trigger_event")
        assert page.is_hidden("#id_threshold") and page.is_visible("text=Funding round")
        page.check("input[name=kinds][value=funding]")
        screenshot("activation-rule-editor")
        page.click("button:has-text('Save rule')")
        page.wait_for_selector("#rule-table")
        assert page.is_visible("text=Funding news")
        screenshot("activation-rules")

        page.goto(f"/alerts/webhooks/{sub.pk}/")
        page.click("#send-test")
        page.wait_for_selector("#delivery-log .tag:has-text('200')")
        screenshot("activation-webhook-detail")
        assert len(receiver.requests) == 1
    finally:
        receiver.close()
