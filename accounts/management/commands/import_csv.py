"""``manage.py import_csv KIND FILE --workspace SLUG [--preset NAME] [--map FIELD=COLUMN ...]
[--stage VALUE=STATUS ...] [--scale FIELD=FACTOR ...] [--dry-run]``.

Prints one line per rejected or warned row on stderr, then a JSON summary on the last line of stdout:
``kind, preset, rows, created, updated, unchanged, rejected, warned, duplicates, dry_run``.
Exit status: 0 when no row was rejected, 1 when some were, 2 when the file could not be read at all (or the
options are wrong), with one clear line and never a traceback. Lifecycle, fit, tiers, scores and journey
stages follow in the background (the same path as an import in the browser) unless ``--no-rescore``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from abe.models import Workspace
from accounts.imports.presets import PRESETS
from accounts.imports.services import import_derived_refresh, import_file
from accounts.models import ImportKind


class _DryRun(Exception):
    pass


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValidationError({option: f"{option} takes KEY=VALUE, not “{item}”."})
        out[key.strip()] = value.strip()
    return out


class Command(BaseCommand):
    help = "Import accounts, contacts or opportunities from a CSV file (any CRM export; see docs/import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file")
        parser.add_argument("--workspace", required=True, help="Workspace slug")
        parser.add_argument("--preset", choices=sorted(PRESETS), help="Column preset; recognised when left out")
        parser.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="Target field from a column")
        parser.add_argument("--stage", action="append", metavar="VALUE=STATUS", help="Stage value -> open/won/lost")
        parser.add_argument("--scale", action="append", metavar="FIELD=FACTOR", help="Multiply a numeric field")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing")
        parser.add_argument("--no-rescore", action="store_true", help="Do not refresh derived state afterwards")

    def fail(self, message: str) -> None:
        self.stderr.write(f"import_csv: {message}")
        sys.exit(2)

    def handle(self, *args: Any, kind: str, file: str, workspace: str, preset: str | None, **options: Any) -> None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            return self.fail(f"No workspace with the slug “{workspace}”.")
        path = Path(file)
        if not path.is_file():
            return self.fail(f"No such file: {file}")
        try:
            mapping = _pairs(options.get("map"), "--map")
            stage_map = _pairs(options.get("stage"), "--stage")
            scales = _pairs(options.get("scale"), "--scale")
            with transaction.atomic():
                result, used = import_file(
                    workspace=ws,
                    kind=kind,
                    data=path.read_bytes(),
                    preset=preset or "",
                    mapping=mapping or None,
                    stage_map=stage_map,
                    scales=scales,
                )
                if options["dry_run"]:
                    raise _DryRun
                if not options["no_rescore"]:
                    import_derived_refresh(workspace=ws, kind=kind, result=result, reason=f"Import of {path.name}")
        except ValidationError as exc:
            return self.fail(" ".join(exc.messages))
        except _DryRun:
            pass
        except OSError as exc:
            return self.fail(f"Cannot read {file}: {exc.strerror}")
        for problem in result.problems:
            self.stderr.write(f"line {problem['line']}: {problem['kind']}: {problem['reason']}")
        summary = {
            "kind": kind,
            "preset": used,
            "rows": result.rows,
            **result.summary(),
            "dry_run": bool(options["dry_run"]),
        }
        self.stdout.write(json.dumps(summary))
        if result.rejected:
            sys.exit(1)
