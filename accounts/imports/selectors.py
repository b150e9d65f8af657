"""Reads of the import jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from abe.models import Workspace

from ..models import ImportJob


def import_job_list(*, workspace: Workspace) -> QuerySet[ImportJob]:
    return ImportJob.objects.for_workspace(workspace).select_related("created_by")
