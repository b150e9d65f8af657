"""``/api/v1/event-imports/``: an events CSV upload (multipart) run as a background job with progress and an
exact report; ``import_events`` uses the same chunked path; a broker that refuses the job fails it at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from kombu.exceptions import OperationalError as BrokerError

from engagement import tasks as engagement_tasks
from engagement.models import EngagementEvent, EventImport, EventImportStatus
from engagement.services import csv_import
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ROWS = 3000


def _csv(accounts, rows: int, bad_lines: tuple[int, ...] = ()) -> bytes:
    """``rows`` events spread over ``accounts`` (so every chunk touches every account); data line n is file line
    n + 1, and the lines in ``bad_lines`` have an unreadable date."""
    out = ["source,external_id,type,occurred_at,account_id,metadata"]
    for i in range(rows):
        when = "not a date" if i + 2 in bad_lines else "2026-11-30T10:00:00Z"
        out.append(f'crm,r{i},web_visit,{when},{accounts[i % len(accounts)].pk},"{{""page"": ""/p{i}""}}"')
    return ("\n".join(out) + "\n").encode()


def _upload(client, data: bytes, name: str = "events.csv"):
    return client.post("/api/v1/event-imports/", {"file": SimpleUploadedFile(name, data)}, format="multipart")


def test_a_few_thousand_row_upload_runs_in_chunks_and_reports_exactly_what_was_saved(
    key_client, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(csv_import, "MAX_BATCH", 1000)
    accounts = [AccountFactory(workspace=workspace) for _ in range(7)]
    progress: list[int] = []
    real = csv_import._chunk_ingest

    def chunk(*args, **kwargs):
        progress.append(EventImport.objects.get().processed_rows)
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_chunk_ingest", chunk)
    client = key_client("events")

    with django_capture_on_commit_callbacks(execute=True):
        created = _upload(client, _csv(accounts, ROWS, bad_lines=(5, 2500)))
    followed = client.get(f"/api/v1/event-imports/{created.json()['id']}/")

    assert created.status_code == 202, created.content
    assert created.json()["total_rows"] == ROWS
    assert progress == [0, 1000, 2000]  # the counters moved after each committed chunk
    body = followed.json()
    assert followed.status_code == 200
    assert (body["status"], body["processed_rows"], body["progress_percent"]) == ("done", ROWS, 100)
    assert (body["accepted"], body["duplicates"], body["rejected_count"]) == (ROWS - 2, 0, 2)
    assert [r["line"] for r in body["rejected"]] == [5, 2500]
    assert "occurred_at" in body["rejected"][0]["errors"]
    assert EngagementEvent.objects.filter(workspace=workspace).count() == ROWS - 2


def test_uploading_the_same_file_again_adds_nothing(key_client, workspace, django_capture_on_commit_callbacks):
    account = AccountFactory(workspace=workspace)
    client = key_client("events")
    data = _csv([account], 50)

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, data)
    with django_capture_on_commit_callbacks(execute=True):
        again = _upload(client, data)

    job = client.get(f"/api/v1/event-imports/{again.json()['id']}/").json()
    assert (job["accepted"], job["duplicates"]) == (0, 50)
    assert EngagementEvent.objects.count() == 50


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it looks like a PNG image"),
        (b"source,external_id,type,occurred_at\nweb,1,web_visit,2026-12-01\x00\n", "binary"),
        (b"source,external_id\nweb,1\n", "Missing column"),
    ],
)
def test_an_unreadable_file_is_a_400_and_nothing_is_queued(key_client, content, message):
    response = _upload(key_client("events"), content)

    assert response.status_code == 400
    assert message in str(response.json()["file"])
    assert not EventImport.objects.exists()


def test_no_file_is_a_400(key_client):
    response = key_client("events").post("/api/v1/event-imports/", {}, format="multipart")

    assert response.status_code == 400 and "file" in response.json()


def test_keys_need_the_events_scope_and_uploads_stay_in_their_workspace(
    key_client, workspace, other_workspace, django_capture_on_commit_callbacks
):
    account = AccountFactory(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        mine = _upload(key_client("events"), _csv([account], 3)).json()["id"]

    assert _upload(key_client("read", "write"), _csv([account], 3)).status_code == 403
    assert key_client("read").get("/api/v1/event-imports/").status_code == 403
    assert key_client("events", ws=other_workspace).get(f"/api/v1/event-imports/{mine}/").status_code == 404
    assert key_client("events", ws=other_workspace).get("/api/v1/event-imports/").json()["count"] == 0


def test_the_list_is_paginated_with_a_constant_number_of_queries(
    key_client, workspace, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    account = AccountFactory(workspace=workspace)
    client = key_client("events")
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _upload(client, _csv([account], 2 + n), name=f"f{n}.csv")

    with django_assert_max_num_queries(8):  # key, workspace, count, page (no query per upload)
        response = client.get("/api/v1/event-imports/?page_size=2")

    assert response.status_code == 200
    assert response.json()["count"] == 3 and len(response.json()["results"]) == 2


def _broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(engagement_tasks.event_import_run_task, "delay", refuse)


def test_with_the_broker_down_the_upload_fails_at_once_with_the_reason_never_queued_forever(
    key_client, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    account = AccountFactory(workspace=workspace)
    _broker_down(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(key_client("events"), _csv([account], 5))

    job = EventImport.objects.get()
    assert response.status_code == 202
    assert job.status == EventImportStatus.FAILED and job.finished_at is not None
    assert "background job service" in job.message and "never ran" in job.message
    assert EngagementEvent.objects.count() == 0


def test_import_events_command_uses_the_upload_path_and_prints_every_rejected_line(workspace, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_BATCH", 2)
    account = AccountFactory(workspace=workspace)
    path = tmp_path / "events.csv"
    path.write_bytes(_csv([account], 6, bad_lines=(3, 7)))
    out, err = StringIO(), StringIO()

    call_command("import_events", "acme", str(path), stdout=out, stderr=err)

    job = EventImport.objects.get()
    assert (job.status, job.processed_rows, job.accepted, job.rejected_count) == ("done", 6, 4, 2)
    assert f"6 rows: 4 accepted, 0 duplicates, 2 rejected (upload {job.pk})." in out.getvalue()
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == ["line 3", "line 7"]


@pytest.mark.django_db(transaction=True)  # the publish runs after the real commit, inside the command
def test_import_events_background_queues_the_job_or_says_the_broker_is_down(workspace, tmp_path, monkeypatch):
    account = AccountFactory(workspace=workspace)
    path = tmp_path / "events.csv"
    path.write_bytes(_csv([account], 4))
    queued: list[int] = []
    monkeypatch.setattr(engagement_tasks.event_import_run_task, "delay", lambda job_id: queued.append(job_id))

    out = StringIO()
    call_command("import_events", "acme", str(path), "--background", stdout=out)
    _broker_down(monkeypatch)
    with pytest.raises(CommandError, match="background job service"):
        call_command("import_events", "acme", str(path), "--background", stdout=StringIO())

    first, second = EventImport.objects.order_by("pk")
    assert queued == [first.pk] and first.status == EventImportStatus.QUEUED
    assert f"Queued upload {first.pk} (4 rows)" in out.getvalue()
    assert second.status == EventImportStatus.FAILED


def test_a_failed_upload_is_started_again_through_the_api_and_only_a_failed_one(
    key_client, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    # given an upload the broker refused (failed, nothing saved)
    account = AccountFactory(workspace=workspace)
    client = key_client("events")
    with django_capture_on_commit_callbacks(execute=True):
        monkeypatch.setattr(engagement_tasks.event_import_run_task, "delay", _refused)
        job_id = _upload(client, _csv([account], 5)).json()["id"]
    assert EventImport.objects.get(pk=job_id).status == EventImportStatus.FAILED
    # when it is started again with the broker back
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/event-imports/{job_id}/start/")
    # then it is queued again (202) and runs to the end
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and response.json()["message"] == ""
    job = EventImport.objects.get(pk=job_id)
    assert (job.status, job.accepted) == ("done", 5)
    # and starting a finished one again is a 400 that says why
    response = client.post(f"/api/v1/event-imports/{job_id}/start/")
    assert response.status_code == 400
    assert "Only a failed upload can be started again." in str(response.json())


def _refused(*args, **kwargs):
    raise BrokerError("connection refused")
