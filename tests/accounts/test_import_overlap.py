"""An import outside a transaction writes each chunk in a second thread, on a connection of its own, while it reads
the next chunk (``accounts.imports.services._ChunkWriter``). The reports and the rows are those of the import that
writes each chunk itself; an error in a chunk's write rolls that chunk back and is raised; a killed step resumes
after the last committed chunk; inside a transaction (a dry run) everything stays on the caller's connection.

These tests commit (``transaction=True``): a second connection sees only committed rows."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from abe import bulk
from abe.services import workspace_create
from accounts.imports import services as imports
from accounts.imports import tasks as import_tasks
from accounts.models import Account, ImportJob, ImportStatus, Opportunity
from tests.accounts.test_import_thirdparty import ACCOUNT_MAP, OPPORTUNITY_MAP

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the second thread writes on PostgreSQL only"),
]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _copying_threads(monkeypatch) -> set[str]:
    """The names of the threads that send a COPY from now on (filled as the import runs)."""
    threads: set[str] = set()
    real_copy = bulk._copy_csv_text

    def copy(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(bulk, "_copy_csv_text", copy)
    return threads


# (kind, file, mapping, scales): the real Salesforce exports (preset recognised) and the hand-written third-party ones
# (names, parents further down the file, rejected and warned lines).
FILES = [
    ("accounts", "salesforce/accountData.csv", None, None),
    ("opportunities", "salesforce/opportunityData.csv", None, None),
    ("accounts", "thirdparty/accounts.csv", ACCOUNT_MAP, {"annual_revenue": "1000000"}),
    ("opportunities", "thirdparty/opportunities.csv", OPPORTUNITY_MAP, None),
]


def _import_all(ws, chunk_size: int) -> list:
    reports = []
    for _ in range(2):  # a second time: unchanged lines (digests) and updates go through the writer too
        for kind, name, mapping, scales in FILES:
            data = (FIXTURES / name).read_bytes()
            result, preset = imports.import_file(
                workspace=ws, kind=kind, data=data, mapping=mapping, scales=scales, chunk_size=chunk_size
            )
            changed = sorted(Account.objects.filter(pk__in=result.changed_accounts).values_list("name", flat=True))
            reports.append((kind, name, preset, result.summary(), result.problems, changed))
    return reports


def _rows(ws) -> tuple:
    accounts = sorted(
        Account.objects.for_workspace(ws).values_list(
            "external_id", "name", "domain", "industry", "country", "employees", "annual_revenue", "founded_year",
            "parent__name", "import_digest",
        ),
        key=repr,
    )  # fmt: skip
    opportunities = sorted(
        Opportunity.objects.for_workspace(ws).values_list(
            "external_id", "account__name", "name", "status", "stage", "created_date", "close_date", "amount"
        ),
        key=repr,
    )
    return [(*a[:-1], bytes(a[-1]) if a[-1] is not None else None) for a in accounts], opportunities


def _new_workspace(name: str, owner):
    return workspace_create(name=name, owner=owner)


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(username="importer", email="importer@example.com")


@pytest.mark.parametrize("chunk_size", [7, 5000])
def test_reports_and_rows_equal_those_of_writing_each_chunk_in_the_caller(owner, monkeypatch, chunk_size):
    overlapped = _new_workspace(f"Overlapped {chunk_size}", owner)
    threads = _copying_threads(monkeypatch)
    reports = _import_all(overlapped, chunk_size)
    # The chunks in the writer's thread (the rows that name a parent are linked after the last chunk, in the caller).
    assert any(name.startswith("import-writer") for name in threads)

    threads.clear()
    monkeypatch.setattr(imports, "IMPORT_OVERLAP", False)
    sequential = _new_workspace(f"Sequential {chunk_size}", owner)
    assert _import_all(sequential, chunk_size) == reports
    assert threads == {threading.main_thread().name}
    assert _rows(sequential) == _rows(overlapped)
    assert len(_rows(overlapped)[0]) == 423 + 17 and reports[0][3]["created"] == 423


def test_the_next_chunk_is_read_while_a_chunk_is_written(owner, monkeypatch):
    """The COPY of chunk 1 waits until a line of chunk 2 has been decided: it can only finish when both run at
    once (writing each chunk before reading the next, it would wait in vain and the import fail)."""
    ws = _new_workspace("Overlap", owner)
    data = (FIXTURES / "salesforce/accountData.csv").read_bytes()
    next_chunk_read = threading.Event()
    real_copy, real_decide, decided = bulk._copy_csv_text, imports._decide_row, []

    def decide(*args):
        decided.append(1)
        if len(decided) > 100:
            next_chunk_read.set()
        return real_decide(*args)

    def copy(*args, **kwargs):
        if not next_chunk_read.wait(timeout=20):
            raise AssertionError("no line of the next chunk was read while this chunk was written")
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(imports, "_decide_row", decide)
    monkeypatch.setattr(bulk, "_copy_csv_text", copy)
    result, _ = imports.import_file(workspace=ws, kind="accounts", data=data, chunk_size=100)

    assert result.summary()["created"] == 423
    assert Account.objects.for_workspace(ws).count() == 423


@pytest.mark.parametrize("overlap", [True, False])
def test_a_failed_chunk_write_is_rolled_back_and_raised_as_when_written_in_the_caller(owner, monkeypatch, overlap):
    monkeypatch.setattr(imports, "IMPORT_OVERLAP", overlap)
    ws = _new_workspace(f"Failing {overlap}", owner)
    data = (FIXTURES / "salesforce/accountData.csv").read_bytes()
    real_copy, copies = bulk._copy_csv_text, []

    def copy(*args, **kwargs):
        copies.append(1)
        if len(copies) == 2:
            raise IntegrityError("duplicate key value violates unique constraint (chunk 2)")
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(bulk, "_copy_csv_text", copy)
    with pytest.raises(IntegrityError, match=r"\(chunk 2\)"):
        imports.import_file(workspace=ws, kind="accounts", data=data, chunk_size=100)

    assert len(copies) == 2  # no chunk after the failed one is written
    assert Account.objects.for_workspace(ws).count() == 100  # chunk 1 committed, chunk 2 rolled back


STEP_DATA = (
    b"Account Name,CRM ID,Website,Industry,Parent CRM ID\n"
    b"Acme,A1,acme.com,Retail,P9\n"
    b"Beta,B1,beta.com,Retail,\n"
    b"Gamma,G1,gamma.com,,\n"
    b"Acme,A1,acme.com,Retail,P9\n"
    b"Delta,D1,delta.com,Retail,Z0\n"
    b"Beta,B1,beta.com,Media,\n"
    b"Parent,P9,parent.com,Retail,\n"
)
STEP_MAPPING = {"name": "Account Name", "external_id": "CRM ID", "domain": "Website", "industry": "Industry",
                "parent_external_id": "Parent CRM ID"}  # fmt: skip


def _job(ws) -> ImportJob:
    job = imports.import_job_create(
        workspace=ws, kind="accounts", filename="a.csv", data=STEP_DATA, mapping=STEP_MAPPING
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    return job


def _outcome(ws, job_id):
    job = ImportJob.objects.get(pk=job_id)
    accounts = sorted(
        Account.objects.for_workspace(ws).values_list("external_id", "name", "industry", "parent__external_id")
    )
    return job.status, job.summary(), job.errors, job.processed_rows, accounts


def test_a_killed_step_resumes_after_the_chunks_its_writer_committed(owner, monkeypatch):
    """Killed while reading row 6 (chunks of 2): chunk 2 (rows 3-4) may still be in the writer's hands; it commits
    with its checkpoint before the step ends, and the redelivered step goes on from row 5."""
    single = _new_workspace("Single", owner)
    job = _job(single)
    assert not imports.import_job_step(job_id=job.pk, deadline=None)
    expected = _outcome(single, job.pk)

    monkeypatch.setattr(imports, "CHUNK", 2)
    ws = _new_workspace("Killed", owner)
    job = _job(ws)
    real, decided, threads = imports._decide_row, [], set()
    real_copy = bulk._copy_csv_text

    def copy(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real_copy(*args, **kwargs)

    def killed_at_row_six(*args):
        if len(decided) == 5:
            raise SystemExit("worker killed")
        decided.append(1)
        return real(*args)

    monkeypatch.setattr(bulk, "_copy_csv_text", copy)
    monkeypatch.setattr(imports, "_decide_row", killed_at_row_six)
    with pytest.raises(SystemExit):
        import_tasks.import_job_run_task.run(job.pk)
    saved = ImportJob.objects.get(pk=job.pk)
    assert saved.status == ImportStatus.RUNNING and saved.processed_rows == 4 and saved.resume["done"] == 4
    assert Account.objects.for_workspace(ws).count() == 3  # A1, B1, G1: row 4 repeats row 1
    assert all(name.startswith("import-writer") for name in threads)

    monkeypatch.setattr(imports, "_decide_row", real)
    import_tasks.import_job_run_task.run(job.pk)

    assert _outcome(ws, job.pk) == expected
    assert expected[0] == ImportStatus.DONE and expected[3] == 7


def test_inside_a_transaction_every_chunk_is_written_on_the_callers_connection(owner, monkeypatch):
    """A dry run imports inside a transaction and rolls it back: a second connection could not join it."""
    ws = _new_workspace("Dry run", owner)
    data = (FIXTURES / "salesforce/accountData.csv").read_bytes()
    threads = _copying_threads(monkeypatch)
    with transaction.atomic():
        result, _ = imports.import_file(workspace=ws, kind="accounts", data=data, chunk_size=100)
        assert Account.objects.for_workspace(ws).count() == 423
        transaction.set_rollback(True)

    assert result.summary()["created"] == 423 and threads == {threading.main_thread().name}
    assert not Account.objects.for_workspace(ws).exists()


def test_a_job_in_steps_of_one_chunk_equals_a_single_run(owner, settings, monkeypatch):
    """Out of time after each chunk: the step waits for the chunk in flight, the next step resumes after it."""
    single = _new_workspace("Single", owner)
    job = _job(single)
    assert not imports.import_job_step(job_id=job.pk, deadline=None)
    expected = _outcome(single, job.pk)

    monkeypatch.setattr(imports, "CHUNK", 2)
    settings.ABE_TASK_STEP_SECONDS = 0
    ws = _new_workspace("Stepped", owner)
    job = _job(ws)
    steps: list[int] = []
    real = import_tasks.import_job_run_task.run
    monkeypatch.setattr(import_tasks.import_job_run_task, "run", lambda job_id: steps.append(1) or real(job_id))

    import_tasks.import_job_run_task.delay(job.pk)

    assert len(steps) == 4 and _outcome(ws, job.pk) == expected
    assert ImportJob.objects.get(pk=job.pk).resume == {}
