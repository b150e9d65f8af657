"""A job whose message the broker refuses (Redis down) is failed at once with the reason, never "queued" forever.

These tests run with real transactions (``transaction=True``): the publish happens after the commit, as in
production, so what the failure handler writes is what stays.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu.exceptions import OperationalError as BrokerError

from abe.models import Job, JobStatus
from abe.tasks import PUBLISH_FAILED_REASON
from accounts.models import ImportJob, ImportStatus
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _refuse(*args, **kwargs):
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_rescore_job_the_broker_refuses_is_failed_with_the_reason_and_the_button_answers_503(
    admin_client, workspace, monkeypatch
):
    from accounts.prospecting.tasks import prospecting_rescore_job_task

    AccountFactory(workspace=workspace)
    monkeypatch.setattr(prospecting_rescore_job_task, "delay", _refuse)

    response = admin_client.post("/accounts/tiers/rescore/")

    job = Job.objects.get()
    assert response.status_code == 503
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.message == PUBLISH_FAILED_REASON


def test_a_job_the_broker_accepts_stays_queued_for_its_worker(admin_client, workspace, monkeypatch):
    from accounts.prospecting.tasks import prospecting_rescore_job_task

    sent: list[int] = []
    monkeypatch.setattr(prospecting_rescore_job_task, "delay", lambda job_id: sent.append(job_id))

    admin_client.post("/accounts/tiers/rescore/")

    job = Job.objects.get()
    assert sent == [job.pk] and job.status == JobStatus.QUEUED


def test_a_csv_import_the_broker_refuses_is_failed_not_left_queued(marketing_api, workspace, monkeypatch):
    from accounts.imports.tasks import import_job_run_task

    monkeypatch.setattr(import_job_run_task, "delay", _refuse)
    upload = SimpleUploadedFile("a.csv", b"name,domain\nAcme,acme.com\n", content_type="text/csv")

    response = marketing_api.post(
        "/api/v1/import-jobs/", {"kind": "accounts", "file": upload, "start": "true"}, format="multipart"
    )

    job = ImportJob.objects.get()
    assert response.status_code == 503 and "unavailable" in response.json()["detail"]
    assert job.status == ImportStatus.FAILED and "background job service" in job.message
