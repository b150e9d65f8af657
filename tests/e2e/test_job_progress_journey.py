"""Browser journey (issue 11 item 4): “Save and rescore” hands the recompute to a worker; the settings page shows
the shared job card, which follows the job's true status by itself: queued, running n of N, done with a summary."""

from __future__ import annotations

import pytest

from abe.jobs import job_finish, job_progress, job_start
from abe.models import Job
from engagement.services.config import RECOMPUTE_JOB

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_job_card_follows_a_worker_rescore(page, screenshot, workspace, admin_user):
    # What "Save and rescore" leaves on the real stack: a queued job that a worker will pick up.
    job = Job.objects.create(
        workspace=workspace,
        kind=RECOMPUTE_JOB,
        label="Rescore engagement of 2,423 accounts (engagement scoring settings changed)",
        total=2423,
        inline=False,
    )
    login(page, "admin1")
    page.goto("/engagement/settings/")
    card = page.locator(f"#job-{job.pk}")
    assert "Waiting for a worker" in card.inner_text()
    assert card.locator("[data-job-status]").get_attribute("data-job-status") == "queued"

    job_start(job=job)
    job_progress(job=job, processed=1200)
    page.wait_for_function(
        f"() => document.querySelector('#job-{job.pk} .job-message').textContent.includes('1,200 of 2,423 done')"
    )
    assert page.locator(f"#job-{job.pk} [role=progressbar]").get_attribute("aria-valuenow") == "49"
    screenshot("engagement-job-running-1366")
    page.set_viewport_size({"width": 800, "height": 900})
    screenshot("engagement-job-running-800")

    job_finish(job=job, message="2,423 accounts rescored; 164 changed score or stage.", result={})
    page.wait_for_function(
        f"() => document.querySelector('#job-{job.pk} [data-job-status]').dataset.jobStatus == 'done'"
    )
    assert "164 changed score or stage" in page.locator(f"#job-{job.pk}").inner_text()
    assert "ran in this request" not in page.locator(f"#job-{job.pk}").inner_text()
