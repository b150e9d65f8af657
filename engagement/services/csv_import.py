"""CSV import of events (browser upload and ``manage.py import_events``): the ingest rules, line by line.

Columns are the ingest API's field names; ``metadata`` is a JSON object in one cell. Rows go through
``events_ingest`` in batches of 5,000, so a re-import adds nothing and each rejected line is reported with
its line number (the header is line 1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO, Any

import pandas as pd
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from abe.models import Workspace

from .ingest import FIELDS, MAX_BATCH, events_ingest

REQUIRED_COLUMNS = {"source", "external_id", "type", "occurred_at"}


@dataclass
class CsvImportResult:
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)


def _row(record: dict[str, str]) -> dict[str, Any] | str:
    event: dict[str, Any] = {k: v.strip() for k, v in record.items() if k in FIELDS and v and v.strip()}
    if "metadata" in event:
        try:
            event["metadata"] = json.loads(event["metadata"])
        except ValueError:
            return "metadata is not valid JSON."
    return event


def events_import_csv(*, workspace: Workspace, file: IO[Any], by: User | None = None) -> CsvImportResult:
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ValidationError({"file": f"Not a readable CSV file ({exc})."}) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = REQUIRED_COLUMNS - set(frame.columns)
    if missing:
        raise ValidationError({"file": f"Missing column(s): {', '.join(sorted(missing))}."})
    result = CsvImportResult(rows=len(frame))
    records = frame.to_dict("records")
    for start in range(0, len(records), MAX_BATCH):
        chunk, lines = [], []
        for offset, record in enumerate(records[start : start + MAX_BATCH]):
            line = start + offset + 2
            row = _row(record)
            if isinstance(row, str):
                result.rejected.append((line, {"metadata": [row]}))
                continue
            chunk.append(row)
            lines.append(line)
        outcome = events_ingest(workspace=workspace, events=chunk, by=by)
        result.accepted += outcome.accepted
        result.duplicates += outcome.duplicates
        result.rejected += [(lines[r["index"]], r["errors"]) for r in outcome.rejected]
    result.rejected.sort(key=lambda item: item[0])
    return result
