"""Benchmark: the committee coverage heatmap (default and filtered), the gap list and next-best content (the
account API) at 2,000 and at 100,000 accounts (~4 contacts each): query count and median time, and their ratio.

Run: DATABASE_URL=postgres://... python bench/committees.py   (prints one JSON object on its last line)
BENCH_ACCOUNTS sets the large size (default 100000). Creates two workspaces (2,000 and BENCH_ACCOUNTS accounts, in
the same tables) with a user each, renders each page in both alternately (small, large, small, ...) through Django's
test client so that the load of a shared machine weighs on both sizes alike, and deletes them afterwards.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

import django  # noqa: E402

django.setup()

from _prospecting_data import account_dicts, cleanup  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from abe.bulk import objects_insert, rows_insert  # noqa: E402
from abe.models import Membership, Role, Workspace  # noqa: E402
from accounts.models import Account, Contact  # noqa: E402
from content.models import AssetPerformance, ContentAsset, ContentSettings  # noqa: E402
from personas.models import CommitteeTemplate, Persona  # noqa: E402

SMALL, LARGE = 2000, int(os.environ.get("BENCH_ACCOUNTS", "100000"))
RUNS = 7
ROLES = ["decision_maker", "economic_buyer", "champion", "influencer", "technical_evaluator", "end_user"]
TITLES = {
    "decision_maker": "CEO",
    "economic_buyer": "CFO",
    "champion": "Head of Marketing",
    "influencer": "Marketing manager",
    "technical_evaluator": "IT architect",
    "end_user": "Analyst",
}
FIELDS = ("external_id", "name", "domain", "industry", "country", "employees")
TIERS = ["strategic"] + ["priority"] * 4 + ["standard"] * 35  # 2.5% strategic, 10% priority
STAGES = ["unaware", "aware", "aware", "engaged", "engaged", "mqa", "opportunity"]


def add_accounts(workspace: Workspace, owner, personas: list[Persona], start: int, n: int) -> None:
    rows = account_dicts(n, start=start, seed=start + 1)
    accounts = [
        Account(
            workspace=workspace,
            owner=owner if i % 3 == 0 else None,
            tier=TIERS[(start + i) % len(TIERS)],
            journey_stage=STAGES[(start + i) % len(STAGES)],
            **{f: r[f] for f in FIELDS},
        )
        for i, r in enumerate(rows)
    ]
    objects_insert(Account, accounts)  # sets each pk
    now = timezone.now()
    contacts = []
    for i, account in enumerate(accounts):
        for k in range(2 + (start + i) % 4):  # 2 to 5 people per committee
            role = ROLES[(i + k) % len(ROLES)]
            contacts.append(
                {
                    "workspace_id": workspace.pk,
                    "account_id": account.pk,
                    "first_name": "Pat",
                    "last_name": f"P{k}",
                    "title": TITLES[role],
                    "buying_role": role,
                    "persona_id": personas[(i + k) % len(personas)].pk,
                    "last_engaged_at": now if (i + k) % 3 == 0 else None,
                    "engagement_score": 0.0,
                }
            )
    rows_insert(Contact, contacts)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("ANALYZE accounts_accountrank")
        cursor.execute("ANALYZE accounts_accountengagementrank")
        cursor.execute("ANALYZE accounts_contact")


def add_content(workspace: Workspace, personas: list[Persona]) -> None:
    stages, efforts = ["prospecting", "engagement", "activation", "post_sale"], ["low", "medium", "high"]
    assets = ContentAsset.objects.bulk_create(
        [
            ContentAsset(
                workspace=workspace, title=f"Asset {i}", format="report", stage=stages[i % 4], effort=efforts[i % 3]
            )
            for i in range(60)
        ]
    )
    Through = ContentAsset.personas.through
    Through.objects.bulk_create(
        [Through(contentasset_id=a.pk, persona_id=personas[i % len(personas)].pk) for i, a in enumerate(assets)]
    )
    now = timezone.now()
    AssetPerformance.objects.bulk_create(
        [
            AssetPerformance(
                workspace=workspace,
                asset=a,
                persona_key=key,
                stage=stage,
                accounts_reached=20 + i,
                accounts_moved=i % 7,
                computed_at=now,
            )
            for i, a in enumerate(assets)
            for key in (0, personas[i % len(personas)].pk)
            for stage in ("", "engaged")
        ]
    )


def _workspace(label: str, n: int) -> tuple[Workspace, object, Client, dict[str, str]]:
    pid = os.getpid()
    workspace = Workspace.objects.create(name=f"Bench committees {label}", slug=f"bench-committees-{label}-{pid}")
    user = get_user_model().objects.create_user(username=f"bench-committees-{label}-{pid}", password="x")
    Membership.objects.create(user=user, workspace=workspace, role=Role.ADMIN)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    personas = [
        Persona.objects.create(workspace=workspace, name=f"Persona {i}", typical_buying_role=r)
        for i, r in enumerate(ROLES)
    ]
    add_content(workspace, personas)
    add_accounts(workspace, user, personas, 0, n)
    probe = Account.objects.filter(workspace=workspace, journey_stage="engaged").order_by("pk").first()
    pages = {
        "heatmap": "/content/committees/",
        # Page 2 of tier + stage + owner: ~170 matches at 2,000 accounts, ~8,300 at 100,000, so both sizes show a
        # full page of 50 rows (with tier=priority, the 2,000-account workspace had 19 matches: page 2 fell back to a
        # 19-row page 1, and the bench compared 19 rows against 50).
        "heatmap_filtered": f"/content/committees/?tier=standard&stage=engaged&owner={user.pk}&page=2",
        "gap_list": "/content/committees/gaps/?tier=strategic",
        "next_best_content": f"/api/v1/accounts/{probe.pk}/next-best-content/",
        "coverage_api": f"/api/v1/accounts/{probe.pk}/coverage/",
    }
    return workspace, user, client, pages


def measure_pair(small: tuple, large: tuple, name: str) -> tuple[dict, dict]:
    """One page in the small and the large workspace, requested alternately so that the load of a shared machine
    weighs on both sizes alike; median of ``RUNS`` each."""
    out = []
    times: dict[int, list[float]] = {0: [], 1: []}
    queries = {0: 0, 1: 0}
    for _, _, client, pages in (small, large):
        client.get(pages[name])  # warm caches
    for _ in range(RUNS):
        for k, (_, _, client, pages) in enumerate((small, large)):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(pages[name])
                times[k].append(time.perf_counter() - started)
            assert response.status_code == 200, (pages[name], response.status_code)
            queries[k] = len(ctx.captured_queries)
    for k in (0, 1):
        out.append({"queries": queries[k], "ms": round(statistics.median(times[k]) * 1000, 1)})
    return out[0], out[1]


def main() -> None:
    made = []
    results: dict[str, dict] = {"small": {}, "large": {}}
    try:
        made.append(_workspace("small", SMALL))
        made.append(_workspace("large", LARGE))
        for name in made[0][3]:
            results["small"][name], results["large"][name] = measure_pair(made[0], made[1], name)
    finally:
        for workspace, user, _, _ in made:
            for model in (AssetPerformance, ContentAsset, ContentSettings, CommitteeTemplate):
                model.objects.filter(workspace=workspace).delete()
            cleanup(workspace)
            user.delete()
    out = {"bench": "committees", "database": connection.vendor, "small_accounts": SMALL, "large_accounts": LARGE}
    worst = 0.0
    for name in results["small"]:
        small, large = results["small"][name], results["large"][name]
        ratio = round(large["ms"] / small["ms"], 2)
        worst = max(worst, ratio)
        out[name] = {
            "queries_at_small": small["queries"],
            "queries_at_large": large["queries"],
            "ms_at_small": small["ms"],
            "ms_at_large": large["ms"],
            "query_ratio": round(large["queries"] / small["queries"], 2),
            "time_ratio": ratio,
        }
    out["worst_time_ratio"] = worst
    print(json.dumps(out))


if __name__ == "__main__":
    main()
