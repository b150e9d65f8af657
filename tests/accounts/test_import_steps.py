"""Issue 10: an account CSV import job runs in bounded steps. Each chunk of rows commits with the job's progress,
counts and resume state; a step out of time goes on in a new task, and a step redelivered after a killed worker
resumes after the last committed chunk. The result (rows, counts, every problem) is the one of a single run."""

from __future__ import annotations

import time

import pytest

from accounts.imports import services as imports
from accounts.imports import tasks as import_tasks
from accounts.models import Account, ImportJob, ImportStatus
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

HEADER = "Account Name,CRM ID,Website,Industry,Parent CRM ID\n"
LINES = [
    "Acme,A1,acme.com,Retail,P9",  # its parent comes last in the file: resolved after the last row
    "Beta,B1,beta.com,Retail,",
    "Gamma,G1,gamma.com,,",
    "Acme,A1,acme.com,Retail,P9",  # the same line again: a duplicate, in another chunk
    "Delta,D1,delta.com,Retail,Z0",  # no such parent: a warning, for a line of an earlier chunk
    "Beta,B1,beta.com,Media,",  # the same account changed twice: rejected
    "Parent,P9,parent.com,Retail,",
    ",,,,",  # an empty line: not a row
]
DATA = (HEADER + "\n".join(LINES) + "\n").encode()
MAPPING = {"name": "Account Name", "external_id": "CRM ID", "domain": "Website", "industry": "Industry",
           "parent_external_id": "Parent CRM ID"}  # fmt: skip


def _job(workspace) -> ImportJob:
    job = imports.import_job_create(workspace=workspace, kind="accounts", filename="a.csv", data=DATA, mapping=MAPPING)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    return job


def _outcome(workspace, job_id):
    job = ImportJob.objects.get(pk=job_id)
    accounts = {
        a.external_id: (a.name, a.industry, a.parent.external_id if a.parent else None)
        for a in Account.objects.for_workspace(workspace).select_related("parent")
    }
    return job.status, job.summary(), job.errors, job.processed_rows, accounts


@pytest.fixture
def single_run():
    """The same file imported in one go (one step, chunks of 2) in a workspace of its own."""
    other = WorkspaceFactory(name="Single", slug="single")
    job = _job(other)
    assert not imports.import_job_step(job_id=job.pk, deadline=None)
    return _outcome(other, job.pk)


def test_a_stepped_import_equals_a_single_run(workspace, single_run, settings, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    settings.ABE_TASK_STEP_SECONDS = 0  # one chunk per step; the next step is enqueued (eager in tests)
    job = _job(workspace)
    steps: list[int] = []
    real = import_tasks.import_job_run_task.run
    monkeypatch.setattr(import_tasks.import_job_run_task, "run", lambda job_id: steps.append(1) or real(job_id))

    import_tasks.import_job_run_task.delay(job.pk)

    outcome = _outcome(workspace, job.pk)
    assert len(steps) == 4  # 7 rows, 2 per step; the last step also resolves the parents and finishes
    assert outcome == single_run
    status, summary, errors, processed, accounts = outcome
    assert status == ImportStatus.DONE and processed == 7
    assert summary == {"created": 5, "updated": 0, "unchanged": 1, "rejected": 1, "warned": 2, "duplicates": 1}
    assert accounts["A1"][2] == "P9" and any(e["line"] == 6 and e["kind"] == "warning" for e in errors)
    assert ImportJob.objects.get(pk=job.pk).resume == {}


def test_a_redelivered_step_resumes_after_the_committed_chunks(workspace, single_run, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    job = _job(workspace)
    real, decided = imports._decide_row, []

    def killed_at_row_six(*args):
        if len(decided) == 5:
            raise SystemExit("worker killed")  # as a kill -9: nothing of the running chunk commits
        decided.append(1)
        return real(*args)

    monkeypatch.setattr(imports, "_decide_row", killed_at_row_six)
    with pytest.raises(SystemExit):
        import_tasks.import_job_run_task.run(job.pk)
    saved = ImportJob.objects.get(pk=job.pk)
    assert saved.status == ImportStatus.RUNNING and saved.processed_rows == 4 and saved.resume["done"] == 4

    monkeypatch.setattr(imports, "_decide_row", real)
    import_tasks.import_job_run_task.run(job.pk)  # the broker hands the task out again

    assert _outcome(workspace, job.pk) == single_run


def test_a_failed_import_started_again_from_its_page_goes_on_after_the_saved_chunks(
    workspace, single_run, monkeypatch, client, marketing_user, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "CHUNK", 2)
    job = _job(workspace)
    real, decided = imports._decide_row, []

    def broken_at_row_six(*args):
        if len(decided) == 5:
            raise RuntimeError("the disk is full")  # an unexpected error: the job is failed, chunks 1-2 are saved
        decided.append(1)
        return real(*args)

    monkeypatch.setattr(imports, "_decide_row", broken_at_row_six)
    import_tasks.import_job_run_task.run(job.pk)
    failed = ImportJob.objects.get(pk=job.pk)
    assert failed.status == ImportStatus.FAILED and failed.processed_rows == 4
    client.force_login(marketing_user)
    page = client.get(f"/accounts/import/{job.pk}/").content.decode()
    assert 'name="restart"' in page and "It goes on after the 4 rows already done." in page

    monkeypatch.setattr(imports, "_decide_row", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/import/{job.pk}/", {"restart": "1"})

    assert response.status_code == 302
    assert _outcome(workspace, job.pk) == single_run  # every row once, every count as in one run
    done = ImportJob.objects.get(pk=job.pk)
    assert done.message == "" and done.texts == {} and done.finished_at is not None
    page = client.get(f"/accounts/import/{job.pk}/").content.decode()
    assert 'name="restart"' not in page  # done: nothing to start again
    again = client.post(f"/accounts/import/{job.pk}/", {"restart": "1"}, follow=True).content.decode()
    assert "This import has already been started." in again


def test_only_those_who_import_may_start_a_failed_import_again(workspace, client, viewer_user):
    job = _job(workspace)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message="Stopped.")
    client.force_login(viewer_user)

    assert 'name="restart"' not in client.get(f"/accounts/import/{job.pk}/").content.decode()
    assert client.post(f"/accounts/import/{job.pk}/", {"restart": "1"}).status_code == 403
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED


def test_the_api_starts_a_failed_import_again(workspace, marketing_api, django_capture_on_commit_callbacks):
    job = _job(workspace)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message="Stopped.")

    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_api.post(f"/api/v1/import-jobs/{job.pk}/start/")

    assert response.status_code == 200 and response.json()["status"] == "queued"  # as it was sent back
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 5


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="PostgreSQL only (advisory locks)"
)
@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_of_an_import_step_does_nothing_while_the_first_is_at_work(workspace):
    """A redelivered step, or a late step of a run the watchdog failed after the import was started again, while
    another worker holds the import: it does nothing, so no row is applied or counted twice."""
    import psycopg2
    from django.db import connection

    from abe.locks import run_class

    job = _job(workspace)
    other = psycopg2.connect(**connection.get_connection_params())
    other.autocommit = True
    try:
        with other.cursor() as cursor:  # the first delivery, in another worker
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [run_class(imports.RUN_LOCK), job.pk])
        assert imports.import_job_step(job_id=job.pk, deadline=None) is False
        saved = ImportJob.objects.get(pk=job.pk)
        assert (saved.status, saved.processed_rows, Account.objects.count()) == (ImportStatus.QUEUED, 0, 0)
    finally:
        other.close()  # the first worker dies: its lock goes with its connection
    for _ in range(200):  # the server drops a closed session's locks asynchronously
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [job.pk])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.05)

    imports.import_job_run(job_id=job.pk)  # the next delivery resumes it

    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE and Account.objects.count() == 5
