"""A job nothing will resume (its worker killed at the task time limit, its message lost by the broker) is failed by
the watchdog with the reason, instead of showing "running 8 of 10" or "queued" for ever; a job that is making
progress, however long it has been running, is left alone. Every write of a job's progress stamps it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from abe.jobs import jobs_stalled_fail, jobs_stalled_fail_task
from abe.models import Job, JobStatus
from accounts.imports import services as import_services
from accounts.imports.tasks import import_job_run_task, import_jobs_stalled_fail_task
from accounts.models import Account, ImportJob, ImportStatus
from accounts.prospecting import tasks as prospecting_tasks
from engagement.models import EventImport, EventImportStatus
from engagement.tasks import event_imports_stalled_fail_task

from ..factories import AccountFactory, bulk_pin_job

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _job(workspace, *, status, progressed_ago, started_ago=None, **fields) -> Job:
    now = timezone.now()
    return Job.objects.create(
        workspace=workspace,
        kind=fields.pop("kind", "x"),
        label="Rescore",
        total=fields.pop("total", 10),
        status=status,
        started_at=now - started_ago if started_ago else None,
        progressed_at=now - progressed_ago,
        **fields,
    )


def test_a_running_job_silent_for_the_limit_is_failed_with_the_reason(workspace):
    job = _job(workspace, status=JobStatus.RUNNING, progressed_ago=HOUR + timedelta(minutes=1), processed=8)

    assert jobs_stalled_fail_task.apply().get() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.message == (
        "Stopped: no progress for 60 minutes (the worker running it stopped or lost it). What it saved before is "
        "kept; start it again for the rest."
    )
    assert job.processed == 8  # how far it got stays on the card
    with translation.override("es"):
        assert job.message_text.startswith("Detenido: sin avances durante 60 minutos")


def test_a_queued_job_that_never_started_within_the_limit_is_failed(workspace):
    job = _job(workspace, status=JobStatus.QUEUED, progressed_ago=2 * HOUR)

    assert jobs_stalled_fail() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "Not started within 60 minutes: the background job service lost it or is far behind. Start it again."
    )


def test_a_job_running_for_hours_that_progressed_recently_is_left_alone(workspace):
    # The stamp is the last progress, not the start: a long rescore making progress is not "stalled".
    job = _job(workspace, status=JobStatus.RUNNING, started_ago=5 * HOUR, progressed_ago=timedelta(minutes=5))
    queued = _job(workspace, status=JobStatus.QUEUED, progressed_ago=timedelta(minutes=50))
    done = _job(workspace, status=JobStatus.DONE, progressed_ago=30 * HOUR)

    assert jobs_stalled_fail() == 0
    assert [j.status for j in Job.objects.filter(pk__in=[job.pk, queued.pk, done.pk]).order_by("pk")] == [
        JobStatus.RUNNING,
        JobStatus.QUEUED,
        JobStatus.DONE,
    ]


def test_the_limit_is_the_setting(workspace, settings):
    settings.ABE_JOB_STALL_SECONDS = 600
    job = _job(workspace, status=JobStatus.RUNNING, progressed_ago=timedelta(minutes=11))

    assert jobs_stalled_fail() == 1
    job.refresh_from_db()
    assert job.message.startswith("Stopped: no progress for 10 minutes")


def test_each_step_of_a_bulk_job_stamps_its_progress_and_a_late_delivery_after_the_watchdog_does_nothing(
    workspace, admin_user, settings, monkeypatch
):
    settings.ABE_TASK_STEP_SECONDS = 0  # one chunk per step
    monkeypatch.setattr("accounts.prospecting.services.BULK_CHUNK", 2)
    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(4)]
    job = bulk_pin_job(
        workspace,
        admin_user,
        accounts,
        status=JobStatus.RUNNING,  # resumed: job_start is not called, only the chunk's own save stamps it
        progressed_at=timezone.now() - 2 * HOUR,
    )
    next_steps: list[int] = []
    monkeypatch.setattr(prospecting_tasks.accounts_bulk_apply_task, "delay", next_steps.append)

    prospecting_tasks.accounts_bulk_apply_task.run(job.pk)  # one chunk, then the next step is "enqueued"

    job.refresh_from_db()
    assert next_steps == [job.pk] and job.processed == 2
    assert timezone.now() - job.progressed_at < timedelta(minutes=1)
    assert jobs_stalled_fail() == 0

    # The next step's message is lost; an hour later the watchdog fails the job, then the message turns up.
    Job.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - 2 * HOUR)
    assert jobs_stalled_fail() == 1
    prospecting_tasks.accounts_bulk_apply_task.run(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.processed == 2
    tiers = sorted(a.tier for a in type(accounts[0]).objects.filter(pk__in=[a.pk for a in accounts]))
    assert tiers == ["standard", "standard", "strategic", "strategic"]


def _import(workspace, admin_user, tmp_path, settings, **fields) -> ImportJob:
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob.objects.create(
        workspace=workspace,
        kind="accounts",
        filename="a.csv",
        created_by=admin_user,
        mapping={"name": "name", "domain": "domain"},
        **fields,
    )
    job.file.save("a.csv", ContentFile(b"name,domain\nAcme,acme.example\nBeta,beta.example\n"))
    return job


def test_an_import_silent_for_the_limit_is_failed_with_the_rows_saved_and_a_late_step_does_nothing(
    workspace, admin_user, tmp_path, settings
):
    job = _import(
        workspace,
        admin_user,
        tmp_path,
        settings,
        status=ImportStatus.RUNNING,
        total_rows=2_500,
        processed_rows=1_000,
    )
    ImportJob.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - 2 * HOUR)
    waiting = _import(workspace, admin_user, tmp_path, settings, status=ImportStatus.UPLOADED)
    ImportJob.objects.filter(pk=waiting.pk).update(progressed_at=timezone.now() - 30 * HOUR)

    assert import_jobs_stalled_fail_task.apply().get() == 1

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert job.message == (
        "Stopped: no progress for 60 minutes (the worker running it stopped or lost it). 1,000 of 2,500 rows were "
        "done and saved; start it again to go on from there."
    )
    # Waiting for its mapping is the person's turn, not a stalled job.
    assert ImportJob.objects.get(pk=waiting.pk).status == ImportStatus.UPLOADED

    import_job_run_task.run(job.pk)  # the lost step turns up
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.processed_rows == 1_000
    assert not Account.objects.filter(workspace=workspace).exists()  # its rows were not imported after all


def test_an_import_step_stamps_its_progress(workspace, admin_user, tmp_path, settings, monkeypatch):
    job = _import(workspace, admin_user, tmp_path, settings, status=ImportStatus.QUEUED, total_rows=2)
    ImportJob.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - 2 * HOUR)
    stamps: list = []
    real = import_services.import_rows_step

    def step(**kwargs):
        stamps.append(ImportJob.objects.get(pk=job.pk).progressed_at)  # stamped when it started
        return real(**kwargs)

    monkeypatch.setattr(import_services, "import_rows_step", step)
    import_services.import_job_step(job_id=job.pk, deadline=None)

    assert timezone.now() - stamps[0] < timedelta(minutes=1)
    assert import_services.import_jobs_stalled_fail() == 0


def test_a_queued_import_that_never_started_is_failed(workspace, admin_user, tmp_path, settings):
    job = _import(workspace, admin_user, tmp_path, settings, status=ImportStatus.QUEUED, total_rows=2)
    ImportJob.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - 2 * HOUR)

    assert import_services.import_jobs_stalled_fail() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message.startswith("Not started within 60 minutes: the background job service lost it")


def test_an_event_upload_silent_for_the_limit_is_failed_with_the_report_of_what_was_saved(
    workspace, admin_user, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = EventImport(
        workspace=workspace,
        filename="events.csv",
        status=EventImportStatus.RUNNING,
        total_rows=12_000,
        processed_rows=5_000,
        accepted=4_990,
        duplicates=10,
        created_by=admin_user,
    )
    job.file.save("events.csv", ContentFile(b"source,external_id,type,occurred_at\n"), save=False)
    job.save()
    EventImport.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - 2 * HOUR)
    fresh = EventImport.objects.create(workspace=workspace, filename="b.csv", status=EventImportStatus.QUEUED)

    assert event_imports_stalled_fail_task.apply().get() == 1

    job.refresh_from_db()
    assert job.status == EventImportStatus.FAILED and job.finished_at is not None
    assert job.message == (
        "Stopped: no progress for 60 minutes (the worker running it stopped or lost it). Saved before it stopped: "
        "lines 2–5,001 processed (4,990 accepted, 10 already received, 0 rejected); the remaining 7,000 lines were "
        "not read. Uploading the file again adds only what is missing."
    )
    with translation.override("es"):  # the upload's page reads it in the reader's language
        assert job.message_text == (
            "Detenido: sin avances durante 60 minutos (el proceso que lo ejecutaba se detuvo o lo perdió). Guardado "
            "antes de detenerse: líneas 2–5\u00a0001 procesadas (4\u00a0990 aceptadas, 10 ya recibidas, 0 "
            "rechazadas); las 7\u00a0000 líneas restantes no se leyeron. Volver a subir el archivo añade solo lo que "
            "falta."
        )
    assert EventImport.objects.get(pk=fresh.pk).status == EventImportStatus.QUEUED


def test_the_watchdogs_are_on_the_beat_schedule_every_five_minutes():
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        task: schedule.get(task)
        for task in (
            "abe.tasks.jobs_stalled_fail",
            "accounts.tasks.import_jobs_stalled_fail",
            "engagement.tasks.event_imports_stalled_fail",
        )
    } == {
        "abe.tasks.jobs_stalled_fail": 300.0,
        "accounts.tasks.import_jobs_stalled_fail": 300.0,
        "engagement.tasks.event_imports_stalled_fail": 300.0,
    }


def test_a_running_card_says_how_long_it_has_not_moved_and_a_queued_one_how_long_it_has_waited(admin_client, workspace):
    quiet = _job(workspace, status=JobStatus.RUNNING, progressed_ago=timedelta(minutes=12), processed=8)
    moving = _job(workspace, status=JobStatus.RUNNING, progressed_ago=timedelta(minutes=2), processed=3)
    waiting = _job(workspace, status=JobStatus.QUEUED, progressed_ago=timedelta(minutes=7))
    htmx = {"HTTP_HX_REQUEST": "true"}

    quiet_card = admin_client.get(f"/jobs/{quiet.pk}/", **htmx).content.decode()
    moving_card = admin_client.get(f"/jobs/{moving.pk}/", **htmx).content.decode()
    waiting_card = admin_client.get(f"/jobs/{waiting.pk}/", **htmx, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '8 of 10 done… <span class="job-quiet">No progress for 12 minutes.</span>' in quiet_card
    assert "3 of 10 done…" in moving_card and "job-quiet" not in moving_card
    assert "En cola desde hace 7 minutos." in waiting_card
    assert 'hx-trigger="every 1s"' in quiet_card  # still polled: the watchdog decides, not the card


def test_a_job_opened_as_a_page_is_its_card_in_the_sites_layout_and_the_home_pulse_links_to_it(
    client, marketing_user, admin_user, workspace, django_assert_max_num_queries
):
    job = _job(
        workspace, status=JobStatus.RUNNING, progressed_ago=timedelta(minutes=1), processed=4, created_by=admin_user
    )
    client.force_login(marketing_user)

    with django_assert_max_num_queries(12):
        page = client.get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "<nav" in html
        and f"<h1>Background job {job.pk}</h1>" in html
        and "<title>Rescore" in html
        and f'id="job-{job.pk}"' in html
    )
    assert "by admin1." in html and "4 of 10 done…" in html

    pulse = client.get("/home/pulse/").content.decode()
    assert f'<a href="/jobs/{job.pk}/">Rescore</a>' in pulse


def _bulk_job(workspace, user, accounts, **fields) -> Job:
    return bulk_pin_job(workspace, user, accounts, role="marketing", **fields)


def test_a_bulk_change_the_watchdog_failed_starts_again_from_its_page_after_the_accounts_it_saved(
    client, marketing_user, workspace, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ABE_TASK_STEP_SECONDS = 0  # one chunk per step
    monkeypatch.setattr("accounts.prospecting.services.BULK_CHUNK", 2)
    accounts = [AccountFactory(workspace=workspace, tier="standard") for _ in range(4)]
    job = _bulk_job(workspace, marketing_user, accounts)
    lost: list[int] = []
    monkeypatch.setattr(prospecting_tasks.accounts_bulk_apply_task, "delay", lost.append)  # the next step is lost
    prospecting_tasks.accounts_bulk_apply_task.run(job.pk)
    Job.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - 2 * HOUR)
    assert jobs_stalled_fail() == 1
    monkeypatch.undo()
    settings.ABE_TASK_STEP_SECONDS = 0
    client.force_login(marketing_user)

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-restart"' in page and "It goes on from where it stopped (2 of 4 done)." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{job.pk}/restart/")

    job.refresh_from_db()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE and job.processed == 4 and job.result["changed"] == 4
    tiers = sorted(type(accounts[0]).objects.filter(pk__in=[a.pk for a in accounts]).values_list("tier", flat=True))
    assert tiers == ["strategic"] * 4
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-restart"' not in page  # done: nothing to start again


def test_only_a_failed_job_of_a_kind_that_resumes_starts_again_and_only_for_the_roles_allowed(
    client, viewer_user, marketing_user, workspace
):
    accounts = [AccountFactory(workspace=workspace)]
    failed = _bulk_job(workspace, marketing_user, accounts, status=JobStatus.FAILED, message="Stopped.")
    preview = _job(workspace, status=JobStatus.FAILED, progressed_ago=HOUR, kind="engagement_preview")
    recompute = _job(workspace, status=JobStatus.FAILED, progressed_ago=HOUR, kind="engagement_recompute")

    client.force_login(viewer_user)
    assert 'id="job-restart"' not in client.get(f"/jobs/{failed.pk}/").content.decode()
    assert client.post(f"/jobs/{failed.pk}/restart/").status_code == 403

    client.force_login(marketing_user)
    assert 'id="job-restart"' not in client.get(f"/jobs/{preview.pk}/").content.decode()
    refused = client.post(f"/jobs/{preview.pk}/restart/", follow=True).content.decode()
    assert "Only a failed bulk change or rescore can be started again." in refused
    assert client.post(f"/jobs/{recompute.pk}/restart/").status_code == 403  # a settings recompute: admins only
    assert [j.status for j in Job.objects.filter(pk__in=[failed.pk, preview.pk, recompute.pk])] == [
        JobStatus.FAILED
    ] * 3


def test_a_failed_card_links_to_its_job_page_where_it_can_be_started_again(admin_client, workspace):
    job = _job(workspace, status=JobStatus.FAILED, progressed_ago=HOUR, kind="accounts_bulk")

    card = admin_client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    page = admin_client.get(f"/jobs/{job.pk}/").content.decode()

    assert f'<a href="/jobs/{job.pk}/" class="job-open">Open the job</a>' in card
    assert "job-open" not in page and 'id="job-restart"' in page
