"""Analytics at scale: dashboards and the KPI endpoint over the rollups, against the same figures from raw tables.

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/analytics.py [--scale 0.1]``. Builds a workspace of
20,000 accounts (tiers 1% / 5% / rest, 8 owners, 10 industries) and 2,000,000 engagement events over a year (COPY),
1.5 opportunities per account, stage changes and 30 days of score snapshots; folds the events into the day counts
the scoring workers keep (one INSERT ... SELECT, standing in for the workers); rebuilds the rollups; then requests
every dashboard page and the summary endpoint (``--repeat`` times each, Django test client, a logged-in marketing
user) and takes the worst p95. The pages are cached per rollup version (``analytics.selectors.cache``): the first
request of each page after the rebuild is reported apart as ``cold_ms_by_page`` (nothing cached), the repeats
measure what users meet until the next refresh. The URL configuration is imported before the first page (a
preloading WSGI server does it before serving; Django does it on a process's first request): its time is
``process_url_import_ms``, apart from the pages' cold times. ``ratio_raw_to_rollup`` times the overview's event
figures (events, active accounts, touches, conversations and meetings per tier over 90 days) computed from the raw
event table against the same figures from the tier rollup the dashboards read (results compared).
``refresh_seconds_after_10k_events``: 10,000 new events COPYed and folded into the day counts, then the after-
scoring refresh of the accounts they touched. Cleans up (unless ``--keep``) and prints one JSON object on its last
line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from abe.models import Membership, Role, Workspace  # noqa: E402
from abe.services import workspace_create  # noqa: E402
from accounts.models import Account, Opportunity  # noqa: E402
from analytics.services.rollups import facts_rebuild, facts_refresh_accounts  # noqa: E402

TYPES = [
    "email_open",
    "email_click",
    "web_visit",
    "pricing_page_visit",
    "content_download",
    "meeting",
    "reply",
    "form_submission",
]
INDUSTRIES = [
    "Software",
    "Financial Services",
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Telecommunications",
    "Logistics",
    "Energy",
    "Education",
    "Media",
]
STAGES = ["unaware", "aware", "engaged", "mqa", "opportunity", "customer"]
PAGES = [
    "/analytics/",
    "/analytics/journey/",
    "/analytics/funnel/",
    "/analytics/response/",
    "/analytics/content/",
    "/analytics/impact/",
    "/analytics/economics/",
    "/analytics/maturity/",
    "/api/v1/analytics/summary/",
]


def copy_rows(table: str, columns: str, rows: io.StringIO) -> None:
    rows.seek(0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", rows)


def copy_events(ws: Workspace, accounts: list[int], n: int, *, days: int, seed: int, prefix: str) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    chunk = 200_000
    for start in range(0, n, chunk):
        buffer = io.StringIO()
        for i in range(start, min(n, start + chunk)):
            at = now - timedelta(seconds=rng.randrange(0, days * 86400))
            buffer.write(
                f"{ws.pk}\t{rng.choice(accounts)}\t\\N\t{rng.choice(TYPES)}\temail\t\\N\t{at.isoformat()}\t"
                f"bench\t{prefix}-{i}\t{{}}\t{now.isoformat()}\n"
            )
        copy_rows(
            "engagement_engagementevent",
            "workspace_id, account_id, contact_id, type, channel, content_asset_id,"
            " occurred_at, source, external_id, metadata, received_at",
            buffer,
        )


def fold_day_counts(ws: Workspace, prefix: str) -> None:
    """What the scoring workers keep (EngagementDay) for the events of this prefix: one set-based upsert."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO engagement_engagementday (workspace_id, account_id, contact_id, contact_key, type, day, count,"
            " last_at) SELECT workspace_id, account_id, NULL, 0, type, (occurred_at AT TIME ZONE 'UTC')::date,"
            " COUNT(*), MAX(occurred_at) FROM engagement_engagementevent WHERE workspace_id = %s AND external_id"
            " LIKE %s GROUP BY workspace_id, account_id, type, (occurred_at AT TIME ZONE 'UTC')::date"
            " ON CONFLICT (account_id, contact_key, type, day, workspace_id) DO UPDATE"
            " SET count = engagement_engagementday.count + EXCLUDED.count,"
            " last_at = GREATEST(engagement_engagementday.last_at, EXCLUDED.last_at)",
            [ws.pk, f"{prefix}-%"],
        )


def build(scale: float, seed: int) -> tuple[Workspace, object, list[int]]:
    rng = random.Random(seed)
    n_accounts, n_events = int(20_000 * scale), int(2_000_000 * scale)
    ws = workspace_create(name="Bench analytics", slug=f"bench-analytics-{os.getpid()}")
    User = get_user_model()
    owners = []
    for i in range(8):
        user, _ = User.objects.get_or_create(username=f"bench-analytics-owner-{i}")
        Membership.objects.create(user=user, workspace=ws, role=Role.SALES)
        owners.append(user.pk)
    viewer, _ = User.objects.get_or_create(username="bench-analytics-marketing")
    Membership.objects.create(user=viewer, workspace=ws, role=Role.MARKETING)
    today = date.today()
    accounts = []
    for i in range(n_accounts):
        tier = "strategic" if i % 100 == 0 else ("priority" if i % 20 == 1 else "standard")
        accounts.append(
            Account(
                workspace=ws,
                name=f"Bench {i}",
                domain=f"bench-an-{i}.example.com",
                tier=tier,
                owner_id=rng.choice(owners),
                industry=rng.choice(INDUSTRIES),
                employees=rng.randint(50, 20000),
                journey_stage=rng.choice(STAGES),
                journey_stage_changed_at=datetime.now(UTC) - timedelta(days=rng.randint(1, 200)),
                engagement_score=rng.random() * 300,
            )
        )
    Account.objects.bulk_create(accounts, batch_size=5000)
    ids = list(Account.objects.for_workspace(ws).values_list("pk", flat=True))
    opps = []
    for i in range(int(n_accounts * 1.5)):
        created = today - timedelta(days=rng.randint(20, 365))
        status = rng.choice(["won", "lost", "lost", "open"])
        opps.append(
            Opportunity(
                workspace=ws,
                account_id=rng.choice(ids),
                name=f"Deal {i}",
                amount=rng.randint(10, 200) * 1000,
                created_date=created,
                status=status,
                close_date=None if status == "open" else min(today, created + timedelta(days=rng.randint(10, 200))),
            )
        )
    Opportunity.objects.bulk_create(opps, batch_size=5000)
    buffer = io.StringIO()
    for account in ids[: len(ids) // 2]:
        a, b = rng.sample(STAGES, 2)
        at = datetime.now(UTC) - timedelta(days=rng.randint(1, 300))
        buffer.write(f"{ws.pk}\t{account}\t{a}\t{b}\t{at.isoformat()}\n")
    copy_rows("engagement_journeystagechange", "workspace_id, account_id, from_stage, to_stage, changed_at", buffer)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO engagement_accountscoresnapshot (workspace_id, account_id, day, score, stage)"
            " SELECT a.workspace_id, a.id, d::date, a.engagement_score * (0.8 + random() * 0.4), a.journey_stage"
            " FROM accounts_account a CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d"
            " WHERE a.workspace_id = %s",
            [today - timedelta(days=29), today, ws.pk],
        )
    copy_events(ws, ids, n_events, days=365, seed=seed, prefix="base")
    fold_day_counts(ws, "base")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ws, viewer, ids


RAW_SQL = """
SELECT a.tier, COUNT(*), COUNT(DISTINCT (e.account_id, (e.occurred_at AT TIME ZONE 'UTC')::date)),
       SUM(CASE WHEN e.type IN ('email_open', 'email_click') THEN 1 ELSE 0 END),
       SUM(CASE WHEN e.type IN ('reply', 'form_submission') THEN 1 ELSE 0 END),
       SUM(CASE WHEN e.type = 'meeting' THEN 1 ELSE 0 END)
FROM engagement_engagementevent e JOIN accounts_account a ON a.id = e.account_id
WHERE e.workspace_id = %s AND e.occurred_at >= %s AND e.occurred_at < %s GROUP BY a.tier ORDER BY a.tier
"""
ROLLUP_SQL = """
SELECT tier, SUM(events), SUM(accounts_active), SUM(touches), SUM(conversations), SUM(meetings)
FROM analytics_tierdayfact WHERE workspace_id = %s AND day BETWEEN %s AND %s GROUP BY tier ORDER BY tier
"""


def timed(sql: str, params: list, repeat: int) -> tuple[float, list]:
    times, rows = [], []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def cleanup(ws: Workspace) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "engagement_engagementevent",
            "engagement_engagementday",
            "engagement_accountscoresnapshot",
            "engagement_journeystagechange",
            "analytics_accountdayfact",
            "analytics_segmentdayfact",
            "analytics_tierdayfact",
            "analytics_tierdaysnapshot",
            "analytics_accountstagereach",
            "analytics_stagestandfact",
            "analytics_alertsegmentfact",
            "analytics_tieractivegap",
            "analytics_eventtypeday",
            "analytics_rollupstate",
            "analytics_analyticssettings",
            "analytics_maturityassessment",
            "accounts_opportunity",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [ws.pk])
    ws.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 20,000 accounts and 2,000,000 events")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--clean", action="store_true", help="Only remove workspaces left by interrupted runs.")
    args = parser.parse_args()
    if args.clean:
        for leftover in Workspace.objects.filter(slug__startswith="bench-analytics-"):
            cleanup(leftover)
        return
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    ws, viewer, ids = build(args.scale, args.seed)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rebuild = facts_rebuild(workspace=ws)
    rebuild_seconds = time.perf_counter() - started
    try:
        client = Client()
        client.force_login(viewer)
        # The process's own start-up, apart from the pages: Django imports every app's URL module (and what they
        # import) on the first request of a process; a WSGI server that preloads the app pays it before serving.
        t = time.perf_counter()
        get_resolver().url_patterns  # noqa: B018 - the lazy import of the URL configuration
        process_url_import_ms = (time.perf_counter() - t) * 1000
        p95: dict[str, float] = {}
        cold: dict[str, float] = {}
        for path in PAGES:
            t = time.perf_counter()
            client.get(path)  # first request after the rebuild: nothing cached yet for this rollup version
            cold[path] = (time.perf_counter() - t) * 1000
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            p95[path] = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        today = date.today()
        start = today - timedelta(days=89)
        since = datetime.combine(start, datetime.min.time(), UTC)
        until = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
        raw_s, raw_rows = timed(RAW_SQL, [ws.pk, since, until], 3)
        rollup_s, rollup_rows = timed(ROLLUP_SQL, [ws.pk, start, today], 5)
        same = [tuple(int(v) for v in r[1:]) for r in raw_rows] == [tuple(int(v) for v in r[1:]) for r in rollup_rows]
        # 10,000 new events in the last two days, folded as the workers do, then the after-scoring refresh.
        copy_events(ws, ids, 10_000, days=2, seed=args.seed + 1, prefix="fresh")
        fold_day_counts(ws, "fresh")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT account_id FROM engagement_engagementevent WHERE workspace_id = %s AND"
                " external_id LIKE 'fresh-%%'",
                [ws.pk],
            )
            touched = [row[0] for row in cursor.fetchall()]
        t = time.perf_counter()
        facts_refresh_accounts(workspace=ws, account_ids=touched)
        refresh_seconds = time.perf_counter() - t
        result = {
            "accounts": len(ids),
            "events": int(2_000_000 * args.scale) + 10_000,
            "build_seconds": round(build_seconds, 1),
            "rebuild_seconds": round(rebuild_seconds, 2),
            "account_day_facts": rebuild["rows"],
            "p95_ms_by_page": {k: round(v, 1) for k, v in p95.items()},
            "p95_ms": round(max(p95.values()), 1),
            "cold_ms_by_page": {k: round(v, 1) for k, v in cold.items()},
            "cold_ms_max": round(max(cold.values()), 1),
            "process_url_import_ms": round(process_url_import_ms, 1),
            "raw_ms": round(raw_s * 1000, 1),
            "rollup_ms": round(rollup_s * 1000, 2),
            "raw_equals_rollup": same,
            "ratio_raw_to_rollup": round(raw_s / rollup_s, 1),
            "refresh_accounts": len(touched),
            "refresh_seconds_after_10k_events": round(refresh_seconds, 2),
        }
    finally:
        if not args.keep:
            cleanup(ws)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
