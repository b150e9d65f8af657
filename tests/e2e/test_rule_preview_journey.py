"""Browser journey (issue 11 item 3): before saving a rule, its Preview says on how many accounts it would fire;
the event-type list offers only the types the workspace scores."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from activation.models import Rule
from engagement.services import engagement_config_update
from tests.factories import AccountFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_rule_preview_before_saving(page, screenshot, admin_user, workspace):
    engagement_config_update(workspace=workspace, weights={"web_visit": 0})  # (its rescore runs now)
    for n, score in enumerate([20, 65, 80]):
        AccountFactory(workspace=workspace, name=f"Acct {n}", engagement_score=score)
    login(page, "admin1")
    page.goto("/alerts/rules/new/")

    page.fill("#id_name", "Hot accounts")
    page.select_option("#id_condition_type", "score_threshold")
    page.fill("#id_threshold", "60")
    page.click("#rule-preview-button")
    expect(page.locator("#rule-preview-accounts")).to_have_text("2")
    screenshot("rule-preview-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("rule-preview-800")
    assert not Rule.objects.exists()

    page.select_option("#id_condition_type", "role_engaged")
    types = page.locator("#id_event_type option").evaluate_all("os => os.map(o => o.value)")
    assert "pricing_page_visit" in types and "web_visit" not in types and "outbound_touch" not in types


def test_on_the_real_stack_the_rule_preview_is_a_job_the_form_follows(
    page, screenshot, admin_user, workspace, settings, monkeypatch
):
    """Issue 11 item 4: with a worker the Preview answers at once with the job card; the box shows the count once
    the worker is done."""
    from abe.models import Job
    from activation.services.forecast import RULE_PREVIEW_JOB
    from activation.tasks import rule_preview_job_task

    for n, score in enumerate([20, 65, 80]):
        AccountFactory(workspace=workspace, name=f"Acct {n}", engagement_score=score)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published: list[int] = []
    monkeypatch.setattr(rule_preview_job_task, "delay", published.append)  # the broker; the worker is below
    login(page, "admin1")
    page.goto("/alerts/rules/new/")
    page.fill("#id_name", "Hot accounts")
    page.select_option("#id_condition_type", "score_threshold")
    page.fill("#id_threshold", "60")
    page.click("#rule-preview-button")

    page.locator("#rule-preview [data-job-status=queued]").wait_for()
    assert "Waiting for a worker" in page.locator("#rule-preview").inner_text()
    job = Job.objects.get(kind=RULE_PREVIEW_JOB)
    assert published == [job.pk]
    screenshot("rule-preview-queued-1366")

    rule_preview_job_task(job.pk)  # the worker
    expect(page.locator("#rule-preview-accounts")).to_have_text("2")
    assert page.locator("#rule-preview [data-job-status]").get_attribute("data-job-status") == "done"
    assert "ran in this request" not in page.locator("#rule-preview").inner_text()
    assert not Rule.objects.exists()
    screenshot("rule-preview-job-done-1366")
