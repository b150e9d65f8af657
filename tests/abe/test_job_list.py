"""The background jobs page: every job of the workspace, newest first, a page at a time, filtered by status, each
linking to its own page; the home page's list of jobs and the settings page link to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from abe.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _jobs(workspace, n: int, **fields) -> list[Job]:
    now = timezone.now()
    return [
        Job.objects.create(
            workspace=workspace,
            kind="accounts_bulk",
            label=f"Job {i:02d}",
            total=10,
            created_at=now - timedelta(minutes=i),
            **fields,
        )
        for i in range(n)
    ]


def test_jobs_are_listed_newest_first_and_page_two_has_the_rest(
    client, sales_user, workspace, django_assert_max_num_queries
):
    _jobs(workspace, 30, status=JobStatus.DONE, message="9 changed.")
    client.force_login(sales_user)

    with django_assert_max_num_queries(12):
        first = client.get("/jobs/").content.decode()
    second = client.get("/jobs/?page=2").content.decode()

    assert first.index("Job 00") < first.index("Job 24") and "Job 25" not in first
    assert "Job 25" in second and "Job 29" in second and "Job 00" not in second
    assert "1–25 of 30" in first and "26–30 of 30" in second
    assert "9 changed." in first


def test_the_page_filters_by_status_and_says_which_value_it_ignored(admin_client, workspace):
    failed = _jobs(workspace, 1, status=JobStatus.FAILED, message="Stopped: no progress for 60 minutes.")[0]
    Job.objects.create(workspace=workspace, kind="x", label="Still going", total=5, status=JobStatus.RUNNING)

    only_failed = admin_client.get("/jobs/?status=failed").content.decode()
    junk = admin_client.get("/jobs/?status=exploded").content.decode()
    none = admin_client.get("/jobs/?status=queued").content.decode()

    assert f'href="/jobs/{failed.pk}/"' in only_failed and "Still going" not in only_failed
    assert "Still going" in junk and "status=exploded" in junk  # every job, and the notice of what was ignored
    assert "No job with this status." in none


def test_another_workspaces_jobs_are_not_listed_and_an_empty_workspace_says_what_shows_here(
    admin_client, workspace, other_workspace
):
    _jobs(other_workspace, 2)

    html = admin_client.get("/jobs/").content.decode()

    assert "Job 00" not in html and "No background job yet." in html


def test_the_home_pulse_and_the_settings_page_link_to_the_jobs_page(client, marketing_user, workspace):
    client.force_login(marketing_user)

    assert 'href="/jobs/" id="pulse-all-jobs"' in client.get("/home/pulse/").content.decode()
    assert 'href="/jobs/"' in client.get("/settings/").content.decode()
