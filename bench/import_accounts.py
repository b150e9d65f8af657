"""Benchmark: import a 100,000-row accounts CSV (rows/s), then the same file again (all unchanged).

Run: DATABASE_URL=postgres://... python bench/import_accounts.py   (prints one JSON object on its last line)
Creates its own workspace and deletes it afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

import django  # noqa: E402

django.setup()

from _prospecting_data import account_dicts, cleanup, salesforce_accounts_csv  # noqa: E402
from django.db import connection  # noqa: E402

from abe.models import Workspace  # noqa: E402
from accounts.imports.services import import_file  # noqa: E402
from accounts.models import Account  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))


def main() -> None:
    rows = account_dicts(ROWS)
    data = salesforce_accounts_csv(rows)
    workspace = Workspace.objects.create(name="Bench import", slug=f"bench-import-{os.getpid()}")
    try:
        started = time.perf_counter()
        first, preset = import_file(workspace=workspace, kind="accounts", data=data)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second, _ = import_file(workspace=workspace, kind="accounts", data=data)
        second_seconds = time.perf_counter() - started
        stored = Account.objects.for_workspace(workspace).count()
    finally:
        cleanup(workspace)
    print(
        json.dumps(
            {
                "bench": "import_accounts",
                "database": connection.vendor,
                "rows": ROWS,
                "bytes": len(data),
                "preset": preset,
                "seconds": round(first_seconds, 2),
                "rows_per_second": round(ROWS / first_seconds),
                "summary": first.summary(),
                "reimport_seconds": round(second_seconds, 2),
                "reimport_rows_per_second": round(ROWS / second_seconds),
                "reimport_summary": second.summary(),
                "accounts_stored": stored,
                "rows_per_s_new": round(ROWS / first_seconds),
                "rows_per_s_unchanged": round(ROWS / second_seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
