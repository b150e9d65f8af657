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


@pytest.mark.parametrize(
    ("language", "counts", "expected"),
    [
        ("en", (1, 1, 1), "1 account rescored; 1 moved tier; 1 proposal awaiting a decision."),
        ("en", (2000, 0, 3), "2,000 accounts rescored; 0 moved tier; 3 proposals awaiting a decision."),
        ("es", (1, 1, 1), "1 cuenta puntuada de nuevo; 1 cambió de nivel; 1 propuesta espera una decisión."),
        ("es", (5, 2, 0), "5 cuentas puntuadas de nuevo; 2 cambiaron de nivel; 0 propuestas esperan una decisión."),
        ("pt", (1, 2, 1), "1 conta repontuada; 2 mudaram de nível; 1 proposta aguarda uma decisão."),
        # Romanian has three forms: one, a few (2-19), and "de" from 20 on.
        ("ro", (1, 5, 25), "1 cont re-evaluat; 5 și-au schimbat nivelul; 25 de propuneri așteaptă o decizie."),
    ],
)
def test_a_rescore_summary_takes_each_counts_plural_form(language, counts, expected):
    """Each count of the summary has its own plural form: "1 proposals" read wrong in every language."""
    summary = services.rescore_summary_msg(dict(zip(("accounts", "tier_moves", "proposals"), counts, strict=True)))
    with translation.override(language):
        assert str(summary) == expected
    assert summary.english().startswith(f"{counts[0]:,} account")


def test_job_labels_and_previews_take_the_plural_form_of_their_count(workspace, admin_user):
    from engagement.services.config import engagement_recompute_later

    AccountFactory(workspace=workspace)
    job = engagement_recompute_later(workspace=workspace, change=None, by=admin_user)
    assert job.label == "Rescore engagement of 1 account"
    with translation.override("es"):
        assert job.label_text == "Recalcular el engagement de 1 cuenta"
    with translation.override("ro"):
        assert job.label_text == "Recalcularea implicării pentru 1 cont"


def test_the_creation_line_of_a_job_started_by_the_system_ends_once(workspace, admin_user, client):
    # English dates end in "a.m." / "p.m.": the line said "Created on Dec. 5, 2026, 9:29 p.m.." with a period of its own
    from datetime import UTC, datetime

    job = Job.objects.create(workspace=workspace, kind="x", label="Rescore", total=1)
    Job.objects.filter(pk=job.pk).update(created_at=datetime(2026, 12, 5, 21, 29, tzinfo=UTC))
    client.force_login(admin_user)

    page = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    line = page.split('id="job-created">', 1)[1].split("</p>", 1)[0]
    assert line.startswith("Created on Dec. 5, 2026, ") and line.endswith("p.m.")
    assert 'id="job-created">Creado el 5 de diciembre de 2026' in spanish
