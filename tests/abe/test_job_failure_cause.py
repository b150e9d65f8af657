"""A failed job says what went wrong in words for the person who reads it, never the exception's own text (a
driver's message names tables, constraints and values, in English whatever the reader's language); the worker
logs the exception itself."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.utils import translation

from abe import texts
from abe.jobs import failure_cause, job_fail
from abe.models import Job
from accounts.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

LEAK = 'relation "engagement_engagementday" violates check constraint "x" DETAIL: Key (id)=(42)'


def test_a_validation_error_keeps_its_own_words():
    assert failure_cause(ValidationError(["Pick a tier.", "Give a reason."]), job_id=7) == "Pick a tier. Give a reason."


@pytest.mark.parametrize("error", [OperationalError(LEAK), InterfaceError(LEAK)])
def test_the_database_unavailable_or_busy_is_worth_trying_again(error):
    cause = failure_cause(error, job_id=7)
    assert str(cause) == "the database was unavailable or too busy; try again in a few minutes"


def test_anything_else_is_an_unexpected_error_with_the_jobs_number_and_no_driver_text(caplog):
    try:
        raise RuntimeError(LEAK)
    except RuntimeError as exc:
        cause = failure_cause(exc, job_id=7)
    assert str(cause) == (
        "an unexpected error, logged for the operators as job 7; try again, and tell your administrator if it "
        "fails again"
    )
    # What "logged as job 7" promises: the line the operators search for, with the exception and its traceback.
    [record] = [r for r in caplog.records if r.name == "abe.jobs"]
    assert record.getMessage() == "Job 7 failed" and record.exc_info and record.exc_info[1].args == (LEAK,)


def test_the_cause_reads_in_the_readers_language(workspace):
    job = Job.objects.create(workspace=workspace, kind="x", label="Rescore", total=1)
    job_fail(
        job=job, reason=texts.msg("The rescore failed: %(error)s", error=failure_cause(RuntimeError(LEAK), job_id=3))
    )
    assert LEAK not in job.message
    with translation.override("es"):
        assert job.message_text.startswith("El recálculo falló: un error inesperado")


def test_an_import_that_meets_an_unexpected_error_says_so_without_the_drivers_text(
    workspace, admin_user, monkeypatch, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from accounts.imports import services as import_services

    settings.MEDIA_ROOT = tmp_path / "media"  # the upload lands here, not in the project's media folder

    job = ImportJob.objects.create(
        workspace=workspace, kind="accounts", filename="a.csv", created_by=admin_user, status=ImportStatus.QUEUED
    )
    job.file.save("a.csv", ContentFile(b"name,domain\nAcme,acme.example\n"))

    def broken(**kwargs):
        raise RuntimeError(LEAK)

    monkeypatch.setattr(import_services, "import_rows_step", broken)
    import_services.import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == (
        f"an unexpected error, logged for the operators as job {job.pk}; try again, and tell your administrator if "
        "it fails again"
    )
    with translation.override("ro"):  # the import's page reads it in the reader's language
        assert job.message_text.startswith(f"o eroare neașteptată, înregistrată pentru operatori ca lucrarea {job.pk}")
