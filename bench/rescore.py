"""Benchmark: rescore 100,000 accounts after an ICP change (fit, win probability with an active model, priority,
tiers, proposals), in seconds and accounts/s.

Run: DATABASE_URL=postgres://... python bench/rescore.py   (prints one JSON object on its last line)
Creates its own workspace (accounts, 3,000 closed deals, a trained model) and deletes it afterwards.
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

from _prospecting_data import BENCH_ICP, account_dicts, cleanup, closed_deals  # noqa: E402
from django.db import connection  # noqa: E402

from abe.bulk import objects_insert  # noqa: E402
from abe.models import Workspace  # noqa: E402
from accounts.models import Account, Opportunity  # noqa: E402
from accounts.prospecting import services  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100000"))
FIELDS = (
    "external_id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "technologies",
    "number_of_offices",
)


def main() -> None:
    workspace = Workspace.objects.create(name="Bench rescore", slug=f"bench-rescore-{os.getpid()}")
    try:
        rows = account_dicts(ACCOUNTS)
        accounts = objects_insert(Account, [Account(workspace=workspace, **{f: r[f] for f in FIELDS}) for r in rows])
        deals = closed_deals([a.pk for a in accounts], rows, 3000)
        Opportunity.objects.bulk_create([Opportunity(workspace=workspace, **d) for d in deals], batch_size=2000)
        services.icp_save(workspace=workspace, criteria=BENCH_ICP, rescore=False)
        services.prospecting_rescore(workspace=workspace, tiering=False)
        model = services.model_train(workspace=workspace, activate=True, rescore=False)
        initial = services.prospecting_rescore(workspace=workspace, reason="initial tiering")

        changed = [dict(c) for c in BENCH_ICP]
        changed[0] = {**changed[0], "weight": 40}  # the ICP changes: industry matters more
        services.icp_save(workspace=workspace, criteria=changed, rescore=False)
        # A workspace at rest: autovacuum has cleaned up after the initial load and tiering (each wrote every row).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE accounts_account")
            cursor.execute("VACUUM ANALYZE accounts_accountrank")
            cursor.execute("VACUUM ANALYZE accounts_accountengagementrank")
        started = time.perf_counter()
        summary = services.prospecting_rescore(workspace=workspace, reason="ICP v2")
        seconds = time.perf_counter() - started
    finally:
        cleanup(workspace)
    print(
        json.dumps(
            {
                "bench": "rescore",
                "database": connection.vendor,
                "accounts": ACCOUNTS,
                "seconds": round(seconds, 2),
                "accounts_per_second": round(ACCOUNTS / seconds),
                "score_seconds": summary["score_seconds"],
                "write_seconds": summary["write_seconds"],
                "tier_moves": summary["tier_moves"],
                "proposals": summary["proposals"],
                "tiers": summary["tiers"],
                "initial_tiering_seconds": round(initial["score_seconds"] + initial["write_seconds"], 2),
                "model_auc": model.metrics["model"]["roc_auc"],
            }
        )
    )


if __name__ == "__main__":
    main()
