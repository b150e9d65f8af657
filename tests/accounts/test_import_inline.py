"""The import page says when the import ran inside the upload request (embedded default), issue 11 item 4."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_import_page_says_when_the_import_ran_inline(client, admin_user, workspace, settings):
    from django.core.files.base import ContentFile

    from accounts.models import ImportJob

    job = ImportJob(workspace=workspace, kind="accounts", filename="a.csv", status="done", total_rows=2, created=2)
    job.file.save("a.csv", ContentFile(b"name\nA\nB\n"), save=True)
    client.force_login(admin_user)

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker
    assert 'id="import-inline"' in client.get(f"/accounts/import/{job.pk}/").content.decode()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker ran it
    assert 'id="import-inline"' not in client.get(f"/accounts/import/{job.pk}/").content.decode()
