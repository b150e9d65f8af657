"""Large event uploads run as background jobs: chunks, progress, resume, and an exact report when they stop."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
    account = AccountFactory(workspace=workspace)
    job = _failed_at_line_42(workspace, monkeypatch, account)

    assert (job.status, job.processed_rows, job.accepted) == (EventImportStatus.FAILED, 40, 40)
    assert "lines 2–41 processed (40 accepted" in job.message and "remaining 60 lines" in job.message
    assert EngagementEvent.objects.count() == 40

    EventImport.objects.filter(pk=job.pk).update(status=EventImportStatus.QUEUED)  # the task is delivered again
    event_import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.accepted, job.duplicates) == ("done", 100, 100, 0)
    assert EngagementEvent.objects.count() == 100


def test_a_bad_file_is_a_field_error_at_upload(workspace):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Missing column"):
        event_import_create(workspace=workspace, data=b"a,b\n1,2\n", filename="x.csv", by=None)
    assert not EventImport.objects.exists()


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="PostgreSQL only (advisory locks)"
)
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


def _failed_at_line_42(workspace, monkeypatch, account):
    """An upload of 100 lines broken at its second chunk (lines 2-41 saved), as a worker error leaves it."""
    monkeypatch.setattr(csv_import, "MAX_BATCH", 40)
    job = event_import_create(workspace=workspace, data=_csv(account, 100), filename="big.csv", by=None, enqueue=False)
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
    monkeypatch.setattr(csv_import, "_chunk_ingest", real)
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == (EventImportStatus.FAILED, 40)
    return job


def test_a_failed_upload_started_again_from_its_page_saves_the_rest_once(
    client, marketing_user, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    # given an upload that failed after its first chunk, and its page as marketing sees it
    account = AccountFactory(workspace=workspace)
    job = _failed_at_line_42(workspace, monkeypatch, account)
    client.force_login(marketing_user)
    page = client.get(f"/engagement/events/upload/{job.pk}/").content.decode()
    assert "Start again" in page and "It goes on after the 40 lines already done." in page
    # when they start it again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/engagement/events/upload/{job.pk}/start/", follow=True)
    # then it ends done with every line saved once: the same counts as a single run, its reason gone
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.accepted, job.duplicates) == ("done", 100, 100, 0)
    assert job.message == "" and job.finished_at is not None
    assert EngagementEvent.objects.count() == 100
    assert "Upload of big.csv started again." in response.content.decode()
    # and a finished upload cannot be started again: the page says why
    response = client.post(f"/engagement/events/upload/{job.pk}/start/", follow=True)
    assert "Only a failed upload can be started again." in response.content.decode()


def test_only_those_who_may_upload_start_an_upload_again_and_only_while_its_file_is_kept(
    client, viewer_user, marketing_user, workspace, other_workspace, monkeypatch
):
    # given a failed upload
    account = AccountFactory(workspace=workspace)
    job = _failed_at_line_42(workspace, monkeypatch, account)
    # then a viewer sees no button and is refused
    client.force_login(viewer_user)
    assert "Start again" not in client.get(f"/engagement/events/upload/{job.pk}/").content.decode()
    assert client.post(f"/engagement/events/upload/{job.pk}/start/").status_code == 403
    # and another workspace's member finds no such upload
    client.force_login(marketing_user)
    other = EventImport.objects.create(workspace=other_workspace, filename="x.csv", status=EventImportStatus.FAILED)
    assert client.post(f"/engagement/events/upload/{other.pk}/start/").status_code == 404
    # and once its file is gone it says to upload it again, and stays failed
    job.file.delete(save=False)
    response = client.post(f"/engagement/events/upload/{job.pk}/start/", follow=True)
    assert "The uploaded file is no longer stored: upload it again." in response.content.decode()
    job.refresh_from_db()
    assert job.status == EventImportStatus.FAILED


def test_an_upload_stopped_before_its_first_chunk_says_nothing_was_saved(workspace):
    # given an upload of 12 lines stopped before any chunk was saved
    account = AccountFactory(workspace=workspace)
    job = event_import_create(workspace=workspace, data=_csv(account, 12), filename="e.csv", by=None, enqueue=False)
    csv_import.event_import_stop(job_id=job.pk, reason="Stopped.")
    # then its report says so, not "lines 2–1 processed"
    job.refresh_from_db()
    assert job.message == (
        "Stopped. Nothing was saved before it stopped: none of its 12 lines was read. Uploading the file again adds "
        "only what is missing."
    )
    assert "2–1" not in job.message


@pytest.mark.django_db(transaction=True)  # commits for real: the job is published when the restart commits
def test_an_upload_the_broker_refuses_again_says_so_on_its_page(client, marketing_user, workspace, monkeypatch):
    # given a failed upload, and a broker that refuses the job
    from kombu.exceptions import OperationalError

    from engagement import tasks

    account = AccountFactory(workspace=workspace)
    job = _failed_at_line_42(workspace, monkeypatch, account)

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.event_import_run_task, "delay", refuse)
    client.force_login(marketing_user)
    # when it is started again
    page = client.post(f"/engagement/events/upload/{job.pk}/start/", follow=True).content.decode()
    # then it is failed again with the reason and what was saved, and the page does not say it started
    job.refresh_from_db()
    assert job.status == EventImportStatus.FAILED
    assert job.message.startswith(
        "Not started again: the background job service (the broker) was unavailable. Start it again in a few minutes. "
        "Saved before it stopped: lines 2–41 processed"
    )
    assert "nothing was changed" not in job.message  # the first run saved 40 lines
    assert "Upload of big.csv started again." not in page and "Not started again" in page


@pytest.mark.parametrize(
    ("saved_as", "encode"),
    [
        # Excel on Windows, "CSV": Windows-1252, and semicolons where the comma is the decimal mark
        ("cp1252 with semicolons", lambda text: text.replace(",", ";").encode("cp1252")),
        ("cp1252 with commas", lambda text: text.encode("cp1252")),
        # Excel's "Unicode text": UTF-16 with a byte-order mark, tabs
        ("UTF-16 with tabs", lambda text: text.replace(",", "\t").encode("utf-16")),
        # UTF-8 with a byte-order mark and Windows line ends, as many tools write it
        ("UTF-8 with BOM, CRLF", lambda text: ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")),
        # Lines ending in a lone carriage return (Excel's "CSV (Macintosh)"): a server error at upload before
        ("UTF-8, lone CR", lambda text: text.replace("\n", "\r").encode("utf-8")),
        ("cp1252 with commas, lone CR", lambda text: text.replace("\n", "\r").encode("cp1252")),
    ],
)
def test_an_events_file_saved_by_excel_is_read(
    client, marketing_user, workspace, django_capture_on_commit_callbacks, saved_as, encode
):
    # given an events file with an accented campaign name, saved as Excel and other tools save it
    account = AccountFactory(workspace=workspace)
    text = (
        "source,external_id,type,occurred_at,account_id,metadata\n"
        f'crm,e1,web_visit,2026-12-01T10:00:00Z,{account.pk},"{{""campaign"": ""Salon de Génie""}}"\n'
        f"crm,e2,email_open,2026-12-01T11:00:00Z,{account.pk},\n"
    )
    client.force_login(marketing_user)

    # when it is uploaded on the events page
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/engagement/events/upload/", {"file": SimpleUploadedFile("events.csv", encode(text))}, follow=True
        )

    # then both events are stored with the accent intact (these files were refused: "Not a readable CSV file",
    # "binary file", or every column missing)
    assert page.status_code == 200
    job = EventImport.objects.get()
    assert (job.status, job.total_rows, job.accepted, job.rejected_count) == ("done", 2, 2, 0), job.message
    event = EngagementEvent.objects.get(external_id="e1")
    assert event.metadata == {"campaign": "Salon de Génie"}
    assert EngagementEvent.objects.get(external_id="e2").type == "email_open"


@pytest.mark.parametrize(
    ("saved_as", "encode", "at_most"),
    [
        ("UTF-8 with commas", lambda text: text.encode("utf-8"), 1.0),
        ("cp1252 with commas", lambda text: text.encode("cp1252"), 2.0),
        ("cp1252 with semicolons", lambda text: text.replace(",", ";").encode("cp1252"), 2.0),
        ("UTF-16 with tabs", lambda text: text.replace(",", "\t").encode("utf-16"), 2.0),
    ],
)
def test_an_events_file_is_checked_and_converted_without_decoding_it_whole(saved_as, encode, at_most):
    # given a 4 MB events file (accented, so decoded whole it takes two bytes a character)
    import tracemalloc

    line = 'crm,e{},web_visit,2026-12-01T10:00:00Z,génie.example.com,"{{""campaign"": ""Salon""}}"\r\n'
    data = encode(
        "source,external_id,type,occurred_at,account_domain,metadata\r\n"
        + "".join(line.format(i) for i in range(50_000))
    )

    # when the upload is checked, converted and its lines counted
    tracemalloc.start()
    try:
        stored = csv_import._normalised(data)
        rows = csv_import._count_rows(stored)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # then it took at most about its own size again (five to eight times its size before: a 100 MB upload, the
    # limit, held 600-800 MB in the web process)
    assert rows == 50_000
    assert stored.decode("utf-8").count("génie.example.com") == 50_000
    assert peak <= at_most * len(data), f"{saved_as}: {peak / len(data):.2f} times the file's size"


def test_a_workbook_uploaded_as_events_says_what_it_is(client, marketing_user):
    client.force_login(marketing_user)

    page = client.post(
        "/engagement/events/upload/", {"file": SimpleUploadedFile("events.xlsx", b"PK\x03\x04" + bytes(64))}
    )

    assert "it looks like an Excel workbook or a zip archive (save it as CSV)" in page.content.decode()
    assert not EventImport.objects.exists()


def test_the_upload_page_and_the_scoring_settings_name_people_by_full_name(client, admin_user, workspace):
    from engagement.services import engagement_config_update

    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    account = AccountFactory(workspace=workspace)
    job = event_import_create(workspace=workspace, data=_csv(account, 1), filename="e.csv", by=admin_user)
    engagement_config_update(workspace=workspace, by=admin_user, breadth_bonus_per_role=0.3)
    client.force_login(admin_user)

    upload = client.get(f"/engagement/events/upload/{job.pk}/").content.decode()
    settings = client.get("/engagement/settings/").content.decode()

    # (they showed the username, "admin1", where every other page shows the name)
    assert "by Ada Admin." in upload
    assert "last changed by Ada Admin" in settings


def test_an_uploads_rejected_lines_read_in_the_readers_language_and_the_api_keeps_them_english(
    client, marketing_user, workspace, django_capture_on_commit_callbacks
):
    """The report listed every reason in English ("At most 64 characters.") in every language."""
    account = AccountFactory(workspace=workspace)
    data = (
        "source,external_id,type,occurred_at,account_id,metadata\n"
        f"crm,ok,web_visit,2026-12-01T10:00:00Z,{account.pk},\n"
        f"{'s' * 65},long,web_visit,2026-12-01T10:00:00Z,{account.pk},\n"
        f"crm,bad-type,teleport,2026-12-01T10:00:00Z,{account.pk},\n"
        f"crm,nobody,web_visit,2026-12-01T10:00:00Z,987654321,\n"
        f'crm,meta,web_visit,2026-12-01T10:00:00Z,{account.pk},"{{oops"\n'
    ).encode()
    client.force_login(marketing_user)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs inside the Spanish request
        client.post(
            "/engagement/events/upload/",
            {"file": SimpleUploadedFile("events.csv", data)},
            HTTP_ACCEPT_LANGUAGE="es",
        )
    job = EventImport.objects.get()
    assert (job.status, job.accepted, job.rejected_count) == ("done", 1, 4)

    page = client.get(f"/engagement/events/upload/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    api = client.get(f"/api/v1/event-imports/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").json()

    assert "Como máximo 64 caracteres." in page
    assert "Elige uno de:" in page
    assert "No hay ninguna cuenta con este id en este espacio de trabajo." in page
    assert "metadata no es JSON válido (o está anidado a demasiada profundidad)." in page
    assert "At most 64 characters." not in page and "No account with this id" not in page
    # Stored reasons, like an alert's title and the upload's message: the API gives them in English.
    assert [row["line"] for row in api["rejected"]] == [3, 4, 5, 6]
    assert api["rejected"][0]["errors"] == {"source": ["At most 64 characters."]}
    assert api["rejected"][2]["errors"] == {"account_id": ["No account with this id in this workspace."]}


def test_the_ingest_api_gives_each_rejected_events_reasons_in_the_requesters_language(marketing_api, workspace):
    api = marketing_api
    future = "2999-01-01T00:00:00Z"
    body = {
        "events": [
            {"source": "crm", "external_id": "1", "type": "web_visit", "occurred_at": future, "account_id": 987654321},
            {"source": "crm", "external_id": "2", "type": "web_visit", "occurred_at": "yesterday"},
        ]
    }
    spanish = api.post("/api/v1/events/batch/", body, format="json", HTTP_ACCEPT_LANGUAGE="es").json()
    english = api.post("/api/v1/events/batch/", body, format="json").json()

    assert spanish["rejected"][0]["errors"] == {"occurred_at": ["Está más de un día en el futuro."]}
    assert spanish["rejected"][1]["errors"] == {
        "occurred_at": ["Indique una fecha y hora ISO 8601, p. ej. 2026-05-01T09:30:00Z."],
        "account_id": ["Indique account_id, account_domain, contact_email o contact_external_id."],
    }
    assert english["rejected"][0]["errors"] == {"occurred_at": ["Lies more than a day in the future."]}


def test_the_ingest_apis_refusals_of_a_whole_request_read_in_the_requesters_language(marketing_api, workspace):
    api = marketing_api

    one = api.post("/api/v1/events/", [], format="json", HTTP_ACCEPT_LANGUAGE="es")
    batch = api.post("/api/v1/events/batch/", {"rows": []}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    large = api.post("/api/v1/events/batch/", {"events": [{}] * 5001}, format="json", HTTP_ACCEPT_LANGUAGE="es")

    assert (one.status_code, one.json()) == (400, {"non_field_errors": ["Envíe un evento como objeto JSON."]})
    assert (batch.status_code, batch.json()) == (400, {"events": ['Envíe {"events": [...]}.']})
    assert large.status_code == 400 and large.json()["events"][0].startswith("Como máximo 5000 eventos")
