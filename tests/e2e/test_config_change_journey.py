"""Browser journey (issue 11 item 3): an admin lowers the MQA threshold, reads in the preview how many accounts
move and exactly how many alerts that would fire (a rule in cool-down on one account is not counted), saves, and
finds one summary notice in the inbox instead of one alert per account; the withheld alerts are listed under their
own status, "Held back (configuration change)"; the notice's link opens exactly the accounts that change moved
(not an account that moved later)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from abe.models import Role
from accounts.models import Account
from activation.models import Alert, AlertKind, AlertStatus
from engagement.models import JourneyStageChange
from engagement.services import accounts_score, engagement_config_update, events_ingest
from tests.factories import AccountFactory, ContactFactory, MembershipFactory, RuleFactory, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def engaged_accounts(workspace):
    kam = UserFactory(username="kam", first_name="Kim", last_name="Ames")
    MembershipFactory(user=kam, workspace=workspace, role=Role.SALES)
    engagement_config_update(
        workspace=workspace,
        stages=[
            {"key": "customer", "name": "Customer", "opportunity": "won"},
            {"key": "opportunity", "name": "Opportunity", "opportunity": "open"},
            {"key": "mqa", "name": "MQA", "min_score": 100000, "min_breadth": 2},
            {"key": "engaged", "name": "Engaged", "min_score": 1},
            {"key": "aware", "name": "Aware"},
        ],
    )
    now = timezone.now()
    accounts = []
    for n in range(4):
        account = AccountFactory(workspace=workspace, name=f"Initech {n}", owner=kam)
        people = [ContactFactory(account=account, buying_role=r) for r in ("decision_maker", "champion")]
        events_ingest(
            workspace=workspace,
            events=[
                {
                    "source": "e2e",
                    "external_id": f"cfg-{n}-{i}",
                    "type": "meeting",
                    "contact_email": people[i % 2].email,
                    "occurred_at": (now - timedelta(days=i)).isoformat(),
                }
                for i in range(6)
            ],
        )
        accounts.append(account)
    quiet = AccountFactory(workspace=workspace, name="Quiet Corp", owner=kam)
    accounts_score(workspace=workspace, account_ids=[a.pk for a in [*accounts, quiet]])
    RuleFactory(
        workspace=workspace, name="Entered MQA", condition_type="stage_entered", params={"stage": "mqa", "days": 7}
    )
    # A second rule, with a cool-down running on the first account: the preview counts it on the three others.
    meetings = RuleFactory(
        workspace=workspace,
        name="Decision maker met",
        condition_type="role_engaged",
        params={"buying_role": "decision_maker", "event_type": "meeting", "days": 2},
        cooldown_hours=24,
    )
    Alert.objects.create(
        workspace=workspace,
        rule=meetings,
        account=accounts[0],
        dedupe_key="earlier-meeting-alert",
        severity=meetings.severity,
        title="Decision maker at Initech 0 (earlier)",
        created_at=timezone.now() - timedelta(hours=2),
    )
    return accounts


def test_a_threshold_change_sends_one_summary_notice(page, screenshot, admin_user, engaged_accounts):
    login(page, "admin1")
    page.goto("/engagement/settings/")
    page.fill("input[name=stage_2__min_score]", "1")
    page.click("#preview-button")

    page.locator("#preview-consequences").wait_for()
    assert page.locator("#preview-moved").inner_text() == "4"
    # 4 "entered MQA" + 3 "decision maker met" (the fourth account's is inside its cool-down).
    assert page.locator("#preview-alerts").inner_text() == "7"
    assert "one summary notice" in page.locator("#preview-delivery").inner_text()
    screenshot("config-change-preview-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("config-change-preview-800")
    page.set_viewport_size({"width": 1366, "height": 900})

    assert not page.locator("#id_per_account_alerts").is_checked()
    page.get_by_role("button", name="Save and rescore").click()
    page.wait_for_url("**/engagement/settings/")
    assert "one summary notice" in page.locator(".messages").inner_text()

    rule_alerts = Alert.objects.filter(kind=AlertKind.RULE).exclude(dedupe_key="earlier-meeting-alert")
    assert rule_alerts.filter(status=AlertStatus.HELD_BACK).count() == 7  # what the preview said
    assert rule_alerts.filter(status=AlertStatus.SUPPRESSED).count() == 1  # the cool-down, labelled as such
    assert not rule_alerts.exclude(status__in=[AlertStatus.HELD_BACK, AlertStatus.SUPPRESSED]).exists()

    page.goto("/alerts/?scope=all")
    page.select_option("#f-status", "held_back")
    page.wait_for_url("**status=held_back**")
    page.locator("#alert-table tbody tr").first.wait_for()
    statuses = page.locator("#alert-table tbody tr .pill.st-held_back").all_inner_texts()
    assert len(statuses) == 7 and set(statuses) == {"Held back (configuration change)"}
    screenshot("config-change-held-back-1366")

    # Later, an account moves for another reason: the notice's link must not list it.
    quiet = Account.objects.get(name="Quiet Corp")
    JourneyStageChange.objects.create(
        workspace=quiet.workspace,
        account=quiet,
        from_stage="aware",
        to_stage="engaged",
        changed_at=timezone.now() + timedelta(seconds=5),
    )
    Account.objects.filter(pk=quiet.pk).update(journey_stage="engaged", journey_stage_changed_at=timezone.now())

    page.goto("/alerts/")
    notice = page.get_by_role("link", name="Engagement scoring settings changed: 4 accounts changed journey stage")
    assert notice.count() == 1
    notice.click()
    page.locator("#config-change").wait_for()
    assert "Engaged → MQA: 4" in page.locator("#alert-message").inner_text()
    screenshot("config-change-notice-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("config-change-notice-800")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.locator("#affected-accounts").click()
    page.wait_for_url("**/accounts/?config_change=*")
    page.locator("#config-change-filter").wait_for()
    names = page.locator("#account-results tbody tr td a").all_inner_texts()
    assert sorted(n for n in names if n.startswith(("Initech", "Quiet"))) == [a.name for a in engaged_accounts]
    screenshot("config-change-affected-accounts-1366")


def test_on_the_real_stack_the_preview_is_a_job_the_page_follows(
    page, screenshot, admin_user, engaged_accounts, settings, monkeypatch
):
    """Issue 11 item 4: with a worker (not the embedded default) the Preview answers at once with the job card; the
    preview box polls it and shows the same consequences panel once the worker is done."""
    from abe.models import Job, JobStatus
    from engagement.services.config import PREVIEW_JOB
    from engagement.tasks import engagement_preview_job_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    published: list[int] = []
    monkeypatch.setattr(engagement_preview_job_task, "delay", published.append)  # the broker; the worker is below
    login(page, "admin1")
    page.goto("/engagement/settings/")
    page.fill("input[name=stage_2__min_score]", "1")
    page.click("#preview-button")

    page.locator("#preview [data-job-status=queued]").wait_for()
    assert "Waiting for a worker" in page.locator("#preview").inner_text()
    assert not page.locator("#preview-consequences").count()
    job = Job.objects.get(kind=PREVIEW_JOB)
    assert published == [job.pk] and not job.inline
    screenshot("config-change-preview-queued-1366")

    engagement_preview_job_task(job.pk)  # the worker picks it up
    page.locator("#preview-consequences").wait_for()
    assert page.locator("#preview [data-job-status]").get_attribute("data-job-status") == "done"
    assert page.locator("#preview-moved").inner_text() == "4"
    assert page.locator("#preview-alerts").inner_text() == "7"
    assert "ran in this request" not in page.locator("#preview").inner_text()
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
    assert not JourneyStageChange.objects.filter(to_stage="mqa").exists()  # a dry run: nothing kept
    screenshot("config-change-preview-job-done-1366")
