"""Browser journey: a KAM opens a hot account and reads its score receipt, trend and timeline; an admin previews
a scoring change before saving it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from abe.models import Role
from engagement.services import accounts_score, events_ingest
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hot_account(workspace):
    account = AccountFactory(workspace=workspace, name="Globex Hot")
    now = timezone.now()
    people = [
        ContactFactory(account=account, first_name=first, last_name=last, buying_role=role, seniority=seniority)
        for first, last, role, seniority in [
            ("Dana", "Decider", "decision_maker", "c_level"),
            ("Chris", "Champion", "champion", "director"),
            ("Eve", "Evaluator", "technical_evaluator", "manager"),
        ]
    ]
    kinds = ["meeting", "pricing_page_visit", "webinar_attendance", "content_download", "web_visit", "email_click"]
    events = [
        {
            "source": "e2e",
            "external_id": f"e2e-{i}",
            "type": kinds[i % len(kinds)],
            "contact_email": people[i % 3].email,
            "occurred_at": (now - timedelta(days=i % 40, hours=i % 7)).isoformat(),
        }
        for i in range(120)
    ]
    trigger = {"kind": "funding", "headline": "Series C"}
    events.append(
        {
            "source": "e2e",
            "external_id": "e2e-trigger",
            "type": "trigger_event",
            "account_id": account.pk,
            "occurred_at": now.isoformat(),
            "metadata": trigger,
        }
    )
    events_ingest(workspace=workspace, events=events)
    accounts_score(workspace=workspace, account_ids=[account.pk])
    account.refresh_from_db()
    return account


def test_kam_reads_why_an_account_is_hot(page, screenshot, workspace, hot_account):
    user = UserFactory(username="kam")
    MembershipFactory(user=user, workspace=workspace, role=Role.SALES)
    login(page, "kam")

    page.goto("/accounts/?sort=-engagement")
    page.get_by_role("link", name="Globex Hot").click()
    receipt = page.locator("#engagement-receipt")
    receipt.wait_for()
    page.locator("#engagement-trend canvas").wait_for()
    page.locator("#engagement-timeline").wait_for()

    assert f"why this account scores {hot_account.engagement_score:.1f}" in receipt.inner_text()
    first_contact = page.locator("#receipt-by-contact tbody tr").first.inner_text()
    assert "Dana Decider" in first_contact
    assert "Trigger event" in page.locator("#receipt-by-type").inner_text()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('#engagement-trend canvas'))")
    screenshot("engagement-account-panels")

    page.select_option("#engagement-timeline select[name=type]", "meeting")
    only_meetings = (
        "[...document.querySelectorAll('#engagement-timeline tbody .pill')].every(p => p.textContent === 'Meeting')"
    )
    page.wait_for_function(f"() => {only_meetings}")
    rows = page.locator("#engagement-timeline tbody tr")
    assert rows.count() == 20
    screenshot("engagement-timeline-filtered")


def test_admin_previews_how_many_accounts_would_become_mqa(page, screenshot, admin_user, hot_account):
    assert hot_account.journey_stage == "mqa"
    login(page, "admin1")

    page.goto("/engagement/settings/")
    page.fill("input[name=stage_2__min_score]", "100000")  # MQA out of reach
    page.click("#preview-button")

    preview = page.locator("#preview-mqa")
    preview.wait_for()
    assert "0 accounts would be MQA with these settings (now 1)" in preview.inner_text()
    assert page.locator("input[name=stage_2__min_score]").input_value() == "100000"  # nothing saved, form kept
    screenshot("engagement-scoring-preview")
