"""Large event uploads run as background jobs: chunks, progress, resume, and an exact report when they stop."""

from __future__ import annotations

import time

import pytest

from abe.locks import run_class
from engagement.models import EngagementEvent, EventImport, EventImportStatus
from engagement.services import csv_import
from engagement.services.csv_import import event_import_create, event_import_run
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _csv(account, rows: int) -> bytes:
    lines = ["source,external_id,type,occurred_at,account_id"]
    lines += [f"crm,u{i},web_visit,2026-12-01T10:00:00Z,{account.pk}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_an_upload_runs_in_chunks_with_progress(workspace, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(csv_import, "MAX_BATCH", 40)
    account = AccountFactory(workspace=workspace)
    seen: list[int] = []
    real = csv_import._chunk_ingest

    def chunk(*args, **kwargs):
        seen.append(EventImport.objects.get().processed_rows)
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_chunk_ingest", chunk)

    with django_capture_on_commit_callbacks(execute=True):
        job = event_import_create(workspace=workspace, data=_csv(account, 100), filename="big.csv", by=None)

    job.refresh_from_db()
    assert (job.status, job.total_rows, job.processed_rows, job.accepted) == ("done", 100, 100, 100)
    assert seen == [0, 40, 80]  # the counters moved after each committed chunk
    assert EngagementEvent.objects.count() == 100


def test_a_job_that_stops_reports_exactly_what_was_saved_and_a_rerun_resumes(workspace, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_BATCH", 40)
    account = AccountFactory(workspace=workspace)
    job = event_import_create(workspace=workspace, data=_csv(account, 100), filename="big.csv", by=None)
    real = csv_import._chunk_ingest
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_import, "_chunk_ingest", flaky)
    with pytest.raises(RuntimeError):
        event_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.accepted) == (EventImportStatus.FAILED, 40, 40)
    assert "lines 2–41 processed (40 accepted" in job.message and "remaining 60 lines" in job.message
    assert EngagementEvent.objects.count() == 40

    EventImport.objects.filter(pk=job.pk).update(status=EventImportStatus.QUEUED)  # the task is delivered again
    monkeypatch.setattr(csv_import, "_chunk_ingest", real)
    event_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.accepted, job.duplicates) == ("done", 100, 100, 0)
    assert EngagementEvent.objects.count() == 100


def test_a_bad_file_is_a_field_error_at_upload(workspace):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Missing column"):
        event_import_create(workspace=workspace, data=b"a,b\n1,2\n", filename="x.csv", by=None)
    assert not EventImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_of_the_same_upload_does_not_run_it_concurrently(workspace):
    """The broker hands an unacknowledged task out again after its visibility timeout; if the first run is still
    at work (it holds the upload's lock), the second delivery does nothing, so no chunk is counted twice."""
    import psycopg2
    from django.db import connection

    account = AccountFactory(workspace=workspace)
    job = event_import_create(workspace=workspace, data=_csv(account, 10), filename="x.csv", by=None, enqueue=False)
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    other.autocommit = True
    try:
        with other.cursor() as cursor:  # the first run, in another worker
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [run_class(csv_import.RUN_LOCK), job.pk])
        event_import_run(job_id=job.pk)
        job.refresh_from_db()
        assert (job.status, job.processed_rows, EngagementEvent.objects.count()) == ("queued", 0, 0)
    finally:
        other.close()  # the first worker dies: its lock goes with its connection
    _advisory_lock_released(connection, run_class(csv_import.RUN_LOCK), job.pk)

    # The server drops a closed session's locks asynchronously: on a loaded machine, wait until it has.
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [job.pk])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.05)
    event_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.accepted, job.duplicates) == ("done", 10, 10, 0)


def _advisory_lock_released(connection, key1: int, key2: int, timeout: float = 15.0) -> None:
    """Wait for the server to end a closed connection's backend: its advisory locks go only then (a loaded machine
    can take a moment), and the test is about the lock being gone, not about how fast."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                [key1, key2],
            )
            if cursor.fetchone()[0] == 0 or time.monotonic() > deadline:
                return
            time.sleep(0.05)
