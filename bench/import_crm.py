"""Benchmark: a CRM's contacts and opportunities imported after its accounts (rows/s, new and unchanged).

Run: DATABASE_URL=postgres://... python bench/import_crm.py   (prints one JSON object on its last line)
``BENCH_ACCOUNTS`` (default 20,000) accounts, each with ``BENCH_CONTACTS_PER_ACCOUNT`` (5) contacts and two
opportunities, as Salesforce report exports (every field quoted, the accounts' "Account ID" on each contact and
opportunity). Each file is imported twice: the first time every row is new, the second every row is unchanged.
Goal 4 of issue 15 names the accounts only (``bench/import_accounts.py``); this measures the files that follow
them, whose rows reference the accounts by their CRM id. Creates its own workspace and deletes it afterwards.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

import django  # noqa: E402

django.setup()

from _prospecting_data import account_dicts, cleanup, csv_bytes, salesforce_accounts_csv  # noqa: E402
from django.db import connection  # noqa: E402

from abe.models import Workspace  # noqa: E402
from accounts.imports.services import import_file  # noqa: E402
from accounts.models import Account, Contact, Opportunity  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "20000"))
PER_ACCOUNT = int(os.environ.get("BENCH_CONTACTS_PER_ACCOUNT", "5"))
TITLES = ["VP Marketing", "Chief Financial Officer", "IT Manager", "Head of Sales", "Software Engineer"]


def files() -> list[tuple[str, bytes, int]]:
    """The three exports: ``(kind, bytes, rows)``."""
    accounts = account_dicts(ACCOUNTS)
    contact_rows = [
        [
            f"003C{i:07d}{j}",
            f"First{j}",
            f"Last{i}",
            f"p{j}.{i}@{r['domain']}",
            TITLES[j % len(TITLES)],
            r["external_id"],
            "0",
        ]
        for i, r in enumerate(accounts)
        for j in range(PER_ACCOUNT)
    ]
    opportunity_rows = [
        [
            f"006O{i:07d}{j}",
            f"Deal {i}-{j}",
            r["external_id"],
            str(1000 * (j + 1) + i % 977),
            "Closed Won" if j else "Prospecting",
            "New Business",
            "2025-03-04",
            "2026-06-30",
            "1" if j else "0",
            "1" if j else "0",
        ]
        for i, r in enumerate(accounts)
        for j in range(2)
    ]
    return [
        ("accounts", salesforce_accounts_csv(accounts), len(accounts)),
        (
            "contacts",
            csv_bytes(
                ["Contact ID", "First Name", "Last Name", "Email", "Title", "Account ID", "Email Opt Out"],
                contact_rows,
            ),
            len(contact_rows),
        ),
        (
            "opportunities",
            csv_bytes(
                [
                    "Opportunity ID",
                    "Opportunity Name",
                    "Account ID",
                    "Amount",
                    "Stage",
                    "Type",
                    "Created Date",
                    "Close Date",
                    "Won",
                    "Closed",
                ],
                opportunity_rows,
            ),
            len(opportunity_rows),
        ),
    ]


def main() -> None:
    exports = files()
    workspace = Workspace.objects.create(name="Bench CRM import", slug=f"bench-crm-{os.getpid()}")
    figures: dict[str, Any] = {}
    try:
        for kind, data, rows in exports:
            for run in ("new", "unchanged"):
                started = time.perf_counter()
                result, preset = import_file(workspace=workspace, kind=kind, data=data)
                seconds = time.perf_counter() - started
                summary = result.summary()
                expected = "created" if run == "new" else "unchanged"
                if summary[expected] != rows:  # a figure for rows that were not imported as intended means nothing
                    sys.exit(f"{kind} ({run}): {summary}, expected {rows} {expected}")
                figures[f"{kind}_{run}"] = {"seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}
        stored = {
            "accounts": Account.objects.for_workspace(workspace).count(),
            "contacts": Contact.objects.for_workspace(workspace).count(),
            "opportunities": Opportunity.objects.for_workspace(workspace).count(),
        }
    finally:
        cleanup(workspace)
    print(
        json.dumps(
            {
                "bench": "import_crm",
                "database": connection.vendor,
                "preset": preset,
                "rows": {kind: rows for kind, _, rows in exports},
                "stored": stored,
                **figures,
                "contacts_rows_per_s_new": figures["contacts_new"]["rows_per_s"],
                "contacts_rows_per_s_unchanged": figures["contacts_unchanged"]["rows_per_s"],
                "opportunities_rows_per_s_new": figures["opportunities_new"]["rows_per_s"],
                "opportunities_rows_per_s_unchanged": figures["opportunities_unchanged"]["rows_per_s"],
            }
        )
    )


if __name__ == "__main__":
    main()
