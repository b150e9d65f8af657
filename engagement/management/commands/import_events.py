"""``manage.py import_events WORKSPACE_SLUG FILE.csv [--background]``: the events CSV upload, from a shell.

The same path as the browser and ``POST /api/v1/event-imports/``: the file is stored as an upload
(:class:`~engagement.models.EventImport`) and ingested in chunks of 5,000 rows, each its own transaction that
locks account rows in a fixed order. By default the command runs it here and prints every rejected line;
``--background`` queues it for a worker (queue ``imports``) and prints the upload's id.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from abe.models import Workspace
from engagement.models import EventImportStatus
from engagement.services.csv_import import event_import_create, event_import_run


class Command(BaseCommand):
    help = "Import engagement events from a CSV file (columns: the ingest API's fields). Safe to re-run."

    def add_arguments(self, parser) -> None:
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("file", help="Path to the CSV file")
        parser.add_argument(
            "--background", action="store_true", help="Queue it for a worker instead of running it here."
        )

    def handle(self, *args, workspace: str, file: str, background: bool, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug “{workspace}”.")
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            job = event_import_create(workspace=ws, data=data, filename=file, by=None, enqueue=background)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if background:
            job.refresh_from_db()
            if job.status == EventImportStatus.FAILED:
                raise CommandError(job.message)
            self.stdout.write(f"Queued upload {job.pk} ({job.total_rows} rows); GET /api/v1/event-imports/{job.pk}/")
            return

        def report(rejected: list[tuple[int, dict[str, list[str]]]]) -> None:
            for line, errors in rejected:
                detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
                self.stderr.write(f"line {line}: {detail}")

        # Each chunk of 5,000 commits on its own and enqueues its scoring task; a re-run adds nothing.
        done = event_import_run(job_id=job.pk, on_rejected=report)
        assert done is not None
        if done.status == EventImportStatus.FAILED:
            raise CommandError(done.message)
        self.stdout.write(
            f"{done.processed_rows} rows: {done.accepted} accepted, {done.duplicates} duplicates, "
            f"{done.rejected_count} rejected (upload {done.pk})."
        )
