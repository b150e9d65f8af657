"""The import page says when the import ran inside the upload request (embedded default), issue 11 item 4."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_import_page_says_when_the_import_ran_inline(client, admin_user, workspace, settings):
    from django.core.files.base import ContentFile

    from accounts.models import ImportJob

    job = ImportJob(
        workspace=workspace,
        kind="accounts",
        filename="a.csv",
        status="done",
        total_rows=2,
        created=2,
        started_at=timezone.now(),
    )
    job.file.save("a.csv", ContentFile(b"name\nA\nB\n"), save=True)
    client.force_login(admin_user)

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker
    assert 'id="import-inline"' in client.get(f"/accounts/import/{job.pk}/").content.decode()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker ran it
    assert 'id="import-inline"' not in client.get(f"/accounts/import/{job.pk}/").content.decode()


def test_an_import_that_never_started_does_not_say_it_ran_in_the_request(client, admin_user, workspace, settings):
    """A failed import that never ran (the broker refused it, on a deployment with a broker) said "this import ran
    in the upload request" when read from a process without one; it says so only for an import that started."""
    from django.core.files.base import ContentFile

    from accounts.models import ImportJob

    job = ImportJob(workspace=workspace, kind="accounts", filename="a.csv", status="failed", total_rows=2)
    job.file.save("a.csv", ContentFile(b"name\nA\nB\n"), save=True)
    client.force_login(admin_user)
    settings.CELERY_TASK_ALWAYS_EAGER = True

    assert 'id="import-inline"' not in client.get(f"/accounts/import/{job.pk}/").content.decode()
