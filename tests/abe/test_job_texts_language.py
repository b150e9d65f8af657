"""A job's label and summary (or failure) read in the reader's language on its progress card and the home pulse;
the columns keep the English (what the admin and older jobs have)."""

from __future__ import annotations

import pytest
from django.utils import translation

from abe import texts
from abe.jobs import job_fail, job_finish
from abe.models import Job
from accounts.prospecting import services
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_a_rescore_jobs_label_and_summary_read_in_spanish(
    workspace, admin_user, client, django_capture_on_commit_callbacks
):
    for _ in range(3):
        AccountFactory(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.rescore_later(workspace=workspace, reason=texts.msg("settings changed"), by=admin_user)
    job.refresh_from_db()
    assert job.status == "done"
    assert job.label == "Rescore 3 accounts (settings changed)"
    assert job.message == "3 accounts rescored; 0 moved tier; 0 proposals awaiting a decision."
    client.force_login(admin_user)
    card = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Puntuar de nuevo 3 cuentas (ajustes cambiados)" in card
    assert "3 cuentas puntuadas de nuevo; 0 cambiaron de nivel; 0 propuestas esperan una decisión." in card


def test_a_failure_reads_in_spanish_and_a_later_plain_message_replaces_the_key(workspace):
    job = Job.objects.create(workspace=workspace, kind="x", label="Old label", total=1)
    job_fail(job=job, reason=texts.msg("The preview failed: %(error)s", error="boom"))
    with translation.override("es"):
        assert (job.label_text, job.message_text) == ("Old label", "La vista previa falló: boom")
    job_finish(job=job, message="Typed by a task", result={})
    job.refresh_from_db()
    assert (job.message, job.message_text, "message" in job.texts) == ("Typed by a task", "Typed by a task", False)
