"""``manage.py import_events WORKSPACE_SLUG FILE.csv``: the CSV import of the browser, from a shell."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from abe.models import Workspace
from engagement.services.csv_import import events_import_csv


class Command(BaseCommand):
    help = "Import engagement events from a CSV file (columns: the ingest API's fields). Safe to re-run."

    def add_arguments(self, parser) -> None:
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("file", help="Path to the CSV file")

    def handle(self, *args, workspace: str, file: str, **options) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with slug “{workspace}”.")
        # Each batch of 5,000 commits on its own and enqueues its scoring task; a re-run adds nothing.
        with open(file, "rb") as handle:
            try:
                result = events_import_csv(workspace=ws, file=handle)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        for line, errors in result.rejected:
            detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
            self.stderr.write(f"line {line}: {detail}")
        self.stdout.write(
            f"{result.rows} rows: {result.accepted} accepted, {result.duplicates} duplicates, "
            f"{len(result.rejected)} rejected."
        )
