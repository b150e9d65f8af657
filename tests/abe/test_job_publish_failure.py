"""A job whose message the broker refuses (Redis down) is failed at once with the reason, never "queued" forever.

These tests run with real transactions (``transaction=True``): the publish happens after the commit, as in
production, so what the failure handler writes is what stays.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
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
    assert job.message == PUBLISH_FAILED_REASON  # the API's words
    with translation.override("es"):  # the card's, in the reader's language
        assert job.message_text.startswith("No empezó: el servicio de tareas en segundo plano (el intermediario)")


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
    assert job.status == ImportStatus.FAILED and job.message == PUBLISH_FAILED_REASON
    page = marketing_api.get(f"/accounts/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No empezó: el servicio de tareas en segundo plano (el intermediario) no estaba disponible" in page


def test_an_event_upload_the_broker_refuses_says_so_in_the_readers_language(client, marketing_user, monkeypatch):
    from engagement.models import EventImport, EventImportStatus
    from engagement.tasks import event_import_run_task

    monkeypatch.setattr(event_import_run_task, "delay", _refuse)
    upload = SimpleUploadedFile(
        "events.csv", b"source,external_id,type,occurred_at,contact_email\n", content_type="text/csv"
    )

    client.force_login(marketing_user)
    client.post("/engagement/events/upload/", {"file": upload})

    job = EventImport.objects.get()
    assert job.status == EventImportStatus.FAILED
    assert job.message == PUBLISH_FAILED_REASON
    page = client.get(f"/engagement/events/upload/{job.pk}/", HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    assert "Não começou: o serviço de tarefas em segundo plano (o intermediário) estava indisponível" in page
