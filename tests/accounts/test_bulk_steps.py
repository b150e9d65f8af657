"""Issue 10: a bulk change over many accounts runs in bounded steps; each chunk commits with the job's progress and
counts, so a step that runs out of time goes on in a new task, and a redelivered one (a killed worker) resumes
after the last committed chunk: no account is changed, given a history line or counted twice."""

from __future__ import annotations

import pytest

from abe.models import Job, JobStatus
from accounts.models import Account, TierChange
from accounts.prospecting import services
from accounts.prospecting import tasks as prospecting_tasks
from tests.factories import AccountFactory, bulk_pin_job

pytestmark = pytest.mark.django_db


def _pin_job(workspace, admin_user, accounts) -> Job:
    return bulk_pin_job(workspace, admin_user, accounts)


def test_a_bulk_job_runs_as_a_chain_of_bounded_steps(workspace, admin_user, settings, monkeypatch):
    settings.ABE_TASK_STEP_SECONDS = 0  # every step does one chunk, then enqueues the next (eager here)
    monkeypatch.setattr(services, "BULK_CHUNK", 4)
    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(10)]
    job = _pin_job(workspace, admin_user, accounts)
    calls: list[int] = []
    real = prospecting_tasks.accounts_bulk_apply_task.run

    def counted(job_id):
        calls.append(job_id)
        return real(job_id)

    monkeypatch.setattr(prospecting_tasks.accounts_bulk_apply_task, "run", counted)

    prospecting_tasks.accounts_bulk_apply_task.delay(job.pk)

    job.refresh_from_db()
    assert len(calls) == 3  # 4 + 4 + 2 accounts
    assert job.status == JobStatus.DONE and job.processed == 10
    assert job.result == {"changed": 10, "skipped": {}} and job.message == "10 changed."
    assert Account.objects.filter(tier="strategic", tier_locked=True).count() == 10


def test_a_redelivered_bulk_step_resumes_after_the_committed_chunks(workspace, admin_user, monkeypatch):
    monkeypatch.setattr(services, "BULK_CHUNK", 4)
    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(10)]
    accounts[9].tier, accounts[9].tier_locked = "strategic", True
    accounts[9].save()
    job = _pin_job(workspace, admin_user, accounts)
    real, applied = services.accounts_bulk_apply, []

    def dies_on_the_third_chunk(**kwargs):
        if len(applied) == 2:
            raise SystemExit("worker killed")  # not caught by the task: as a kill -9 mid-step
        applied.append(kwargs["account_ids"])
        return real(**kwargs)

    monkeypatch.setattr(services, "accounts_bulk_apply", dies_on_the_third_chunk)
    with pytest.raises(SystemExit):
        prospecting_tasks.accounts_bulk_apply_task.run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.processed == 8 and job.result == {"changed": 8, "skipped": {}}

    monkeypatch.setattr(services, "accounts_bulk_apply", real)
    prospecting_tasks.accounts_bulk_apply_task.run(job.pk)  # the broker hands the task out again

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.processed == 10
    assert job.result == {"changed": 9, "skipped": {"already pinned to Strategic (1:1)": 1}}
    assert TierChange.objects.filter(workspace=workspace).count() == 9  # one history line per account changed


def test_a_bulk_job_that_meets_an_unexpected_error_fails_with_how_far_it_got(workspace, admin_user, monkeypatch):
    """It was left "running 8 of 10" for ever: the task raised, the broker acknowledged it, nothing resumed it. The
    reason names no exception text (``abe.jobs.failure_cause``)."""
    monkeypatch.setattr(services, "BULK_CHUNK", 4)
    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(10)]
    job = _pin_job(workspace, admin_user, accounts)
    real, applied = services.accounts_bulk_apply, []

    def fails_on_the_third_chunk(**kwargs):
        if len(applied) == 2:
            raise RuntimeError('relation "accounts_tierchange" DETAIL: Key (id)=(42)')
        applied.append(kwargs["account_ids"])
        return real(**kwargs)

    monkeypatch.setattr(services, "accounts_bulk_apply", fails_on_the_third_chunk)
    with pytest.raises(RuntimeError):  # re-raised: the worker logs it
        prospecting_tasks.accounts_bulk_apply_task.run(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.processed == 8
    assert job.message == (
        f"Stopped after 8 of 10 accounts: an unexpected error, logged for the operators as job {job.pk}; try again, "
        "and tell your administrator if it fails again. The changes made so far are saved; start the change again "
        "for the rest."
    )


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="PostgreSQL only (advisory locks)"
)
@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_of_a_bulk_step_does_nothing_while_the_first_is_at_work(workspace, admin_user):
    import psycopg2
    from django.db import connection

    from abe.locks import run_class

    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(3)]
    job = _pin_job(workspace, admin_user, accounts)
    other = psycopg2.connect(**connection.get_connection_params())
    other.autocommit = True
    try:
        with other.cursor() as cursor:  # the first delivery, in another worker
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [run_class(prospecting_tasks.BULK_RUN_LOCK), job.pk])
        assert prospecting_tasks.accounts_bulk_apply_task.run(job.pk) == {}
        job.refresh_from_db()
        assert (job.status, job.processed) == (JobStatus.QUEUED, 0)
        assert not Account.objects.filter(tier="strategic").exists()
    finally:
        other.close()
