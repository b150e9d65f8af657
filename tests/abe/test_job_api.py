"""The jobs API: follow a job another call started (a settings change's ``recompute_job``, a bulk change), newest
first, filtered by status and kind, scoped to the workspace; start a failed bulk change or recompute again."""

from __future__ import annotations

import pytest

from abe.models import Job, JobStatus
from tests.factories import AccountFactory, bulk_pin_job

pytestmark = pytest.mark.django_db


def _bulk(workspace, user, accounts, **fields) -> Job:
    return bulk_pin_job(workspace, user, accounts, role="marketing", **fields)


def test_jobs_are_listed_newest_first_filtered_and_scoped(
    viewer_api, workspace, other_workspace, marketing_user, django_assert_max_num_queries
):
    older = _bulk(workspace, marketing_user, [], status=JobStatus.DONE, message="2 changed.")
    newer = Job.objects.create(workspace=workspace, kind="engagement_recompute", label="Rescore", status="failed")
    Job.objects.create(workspace=other_workspace, kind="accounts_bulk", label="Theirs")

    with django_assert_max_num_queries(8):
        listed = viewer_api.get("/api/v1/jobs/").json()
    failed = viewer_api.get("/api/v1/jobs/?status=failed").json()
    one = viewer_api.get(f"/api/v1/jobs/{older.pk}/").json()

    assert [j["id"] for j in listed["results"]] == [newer.pk, older.pk]
    assert [j["id"] for j in failed["results"]] == [newer.pk] and failed["results"][0]["restartable"] is True
    assert failed["results"][0]["created_by"] is None  # started by the system: null, as the schema says
    assert one["status"] == "done" and one["message"] == "2 changed." and one["created_by"] == "marketing1"
    assert one["progress_percent"] == 100 and one["restartable"] is False
    assert viewer_api.get("/api/v1/jobs/?status=exploded").status_code == 400


def test_a_failed_bulk_change_starts_again_through_the_api(
    marketing_api, marketing_user, workspace, django_capture_on_commit_callbacks
):
    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(2)]
    job = _bulk(workspace, marketing_user, accounts, status=JobStatus.FAILED, message="Stopped.")

    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_api.post(f"/api/v1/jobs/{job.pk}/restart/")

    assert response.status_code == 200 and response.json()["status"] == "queued"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["changed"] == 2


def test_restart_refuses_a_job_that_cannot_resume_a_role_that_may_not_and_another_workspaces_job(
    marketing_api, viewer_api, marketing_user, workspace, other_workspace
):
    preview = Job.objects.create(workspace=workspace, kind="engagement_preview", label="Preview", status="failed")
    done = _bulk(workspace, marketing_user, [], status=JobStatus.DONE)
    recompute = Job.objects.create(workspace=workspace, kind="engagement_recompute", label="Rescore", status="failed")
    theirs = Job.objects.create(workspace=other_workspace, kind="accounts_bulk", label="Theirs", status="failed")

    refused = marketing_api.post(f"/api/v1/jobs/{preview.pk}/restart/")
    assert refused.status_code == 400
    assert "Only a failed bulk change or rescore can be started again." in str(refused.json())
    assert marketing_api.post(f"/api/v1/jobs/{done.pk}/restart/").status_code == 400
    assert marketing_api.post(f"/api/v1/jobs/{recompute.pk}/restart/").status_code == 403  # admins only
    assert viewer_api.post(f"/api/v1/jobs/{done.pk}/restart/").status_code == 403
    assert marketing_api.post(f"/api/v1/jobs/{theirs.pk}/restart/").status_code == 404


def test_the_schema_says_who_started_a_job_may_be_null(admin_api):
    schema = admin_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    created_by = schema["components"]["schemas"]["Job"]["properties"]["created_by"]
    assert created_by["nullable"] is True and created_by["readOnly"] is True
