"""``manage.py import_csv {accounts|contacts|opportunities} FILE --workspace SLUG [--preset NAME]``.

Prints one line per rejected row, then a JSON summary (created, updated, unchanged, rejected) on the last line.
Importing accounts rescores the workspace afterwards (fit, win probability, tiers) unless ``--no-rescore``.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from abe.models import Workspace
from accounts.imports.presets import PRESETS
from accounts.imports.services import import_file
from accounts.models import ImportKind
from accounts.prospecting.services import prospecting_rescore


class Command(BaseCommand):
    help = "Import accounts, contacts or opportunities from a CSV file (Salesforce, HubSpot or this portal's format)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True, help="Workspace slug")
        parser.add_argument("--preset", choices=sorted(PRESETS), help="Column preset; recognised when left out")
        parser.add_argument("--no-rescore", action="store_true", help="Do not rescore accounts afterwards")

    def handle(self, *args, kind: str, file: str, workspace: str, preset: str | None, no_rescore: bool, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace with the slug “{workspace}”.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            result, used = import_file(workspace=ws, kind=kind, data=path.read_bytes(), preset=preset or "")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for error in result.errors:
            self.stderr.write(f"line {error['line']}: {error['reason']}")
        if kind == ImportKind.ACCOUNTS and (result.created or result.updated) and not no_rescore:
            prospecting_rescore(workspace=ws, reason=f"Import of {path.name}")
        self.stdout.write(json.dumps({"kind": kind, "preset": used, **result.summary()}))
