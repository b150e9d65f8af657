"""“Save and rescore” runs the recompute as a job (issue 11 item 4): the settings page shows the shared job card
with its true status; on the embedded default it says the job ran in the request; progress written during the
recompute's transaction is visible to the page before the work commits."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from abe.jobs import job_progress_visible
from abe.models import Job, JobStatus
from engagement.services.config import RECOMPUTE_JOB, engagement_config_update
from tests.factories import AccountFactory


def _form(client, **changes):
    form = client.get("/engagement/settings/").context["form"]
    data = {name: ("on" if v is True else "" if v in (None, False) else v) for name, v in form.initial.items()}
    data.update({name: field.initial for name, field in form.fields.items() if name not in data})
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_save_and_rescore_shows_the_job_with_its_true_status(
    client, admin_user, workspace, django_capture_on_commit_callbacks
):
    for n in range(3):
        AccountFactory(workspace=workspace, name=f"A{n}")
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post("/engagement/settings/", _form(client, stage_2__min_score="77"))
    response = client.get(saved["Location"])  # the redirect, once the commit has run the job (eager)

    job = Job.objects.get(kind=RECOMPUTE_JOB)
    assert job.status == JobStatus.DONE and job.processed == job.total == 3
    assert job.message == "3 accounts rescored; 3 changed score or stage."
    html = response.content.decode()
    assert f'id="job-{job.pk}"' in html and "ran in this request" in html
    assert "status shows below" in html
    assert 'data-job-status="done"' in html


@pytest.mark.django_db
def test_a_failed_recompute_says_why(workspace, django_capture_on_commit_callbacks, monkeypatch):
    AccountFactory(workspace=workspace)

    def broken(**kwargs):
        raise RuntimeError("the events table is unreachable")

    monkeypatch.setattr("engagement.tasks.scores_recompute_step", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        engagement_config_update(workspace=workspace, breadth_bonus_per_role=0.3)

    job = Job.objects.get(kind=RECOMPUTE_JOB)
    assert job.status == JobStatus.FAILED and job.message == (
        f"The rescore failed: an unexpected error, logged for the operators as job {job.pk}; try again, and tell your "
        "administrator if it fails again"
    )  # not the exception's own text ("the events table is unreachable"): the worker logs that


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_before_the_recompute_commits(workspace):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: inline jobs report progress at the end")
    job = Job.objects.create(workspace=workspace, kind=RECOMPUTE_JOB, label="x", total=10, inline=False)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            job_progress_visible(job=job, processed=4)
            with other.cursor() as cursor:  # what the page polling the job reads meanwhile (and the watchdog)
                cursor.execute("SELECT processed, progressed_at FROM abe_job WHERE id = %s", [job.pk])
                processed, progressed_at = cursor.fetchone()
                assert processed == 4 and progressed_at > job.created_at
    finally:
        other.close()


@pytest.mark.django_db
def test_a_failed_recompute_is_started_again_by_an_admin_from_its_page(
    client, admin_user, workspace, django_capture_on_commit_callbacks, monkeypatch
):
    for n in range(3):
        AccountFactory(workspace=workspace, name=f"A{n}")

    def broken(**kwargs):
        raise RuntimeError("the events table is unreachable")

    with monkeypatch.context() as patch:
        patch.setattr("engagement.tasks.scores_recompute_step", broken)
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            engagement_config_update(workspace=workspace, breadth_bonus_per_role=0.3)
    job = Job.objects.get(kind=RECOMPUTE_JOB)
    assert job.status == JobStatus.FAILED
    client.force_login(admin_user)
    assert 'id="job-restart"' in client.get(f"/jobs/{job.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{job.pk}/restart/")

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.processed == job.total == 3
    assert job.message.startswith("3 accounts rescored;")


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql", reason="PostgreSQL only (advisory locks)"
)
@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_of_a_recompute_step_does_nothing_while_the_first_is_at_work(workspace):
    import psycopg2

    from abe.locks import run_class
    from engagement import tasks

    AccountFactory(workspace=workspace)
    job = Job.objects.create(workspace=workspace, kind=RECOMPUTE_JOB, label="Rescore", total=1)
    other = psycopg2.connect(**connection.get_connection_params())
    other.autocommit = True
    try:
        with other.cursor() as cursor:  # the first delivery, in another worker
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [run_class(tasks.RECOMPUTE_RUN_LOCK), job.pk])
        assert tasks.engagement_recompute_job_task.run(job.pk) == 0
        job.refresh_from_db()
        assert (job.status, job.processed, job.params) == (JobStatus.QUEUED, 0, {})
    finally:
        other.close()
