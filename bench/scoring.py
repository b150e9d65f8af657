"""Scoring cost: the incremental update after 10,000 new events on top of 2,000,000, against a full recompute.

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/scoring.py [--accounts 100000 --base 2000000 --new 10000
--touched 0.02]`` (develop at e.g. ``--accounts 10000 --base 200000 --new 1000``). Makes a workspace (the
accounts, six contacts each), COPYs the base events, recomputes once (the starting state), draws the new events
from the people of ``--touched`` of the accounts (2%: what a day of activity touches), then times:

- incremental: ``events_ingest`` of the new events in batches of 5,000 plus what their scoring tasks run:
  folding the batches into day counts and score components, and rescoring the accounts they touched;
- full: ``scores_recompute`` (day counts and components rebuilt from every event, every account rescored).

It also checks that both give the same scores. Cleans up and prints one JSON object on its last line.

``ratio_full_to_incremental`` (issue 15's goal 2) charges the incremental side with the whole ``events_ingest``:
validating the events, finding their contacts, and storing them, which the full recompute reads for free. The
bench also prints ``ratio_full_to_incremental_without_event_storage``: the same full recompute over the
incremental side less what storing the events costs (each side then starts from the events stored, which a
deployment pays whichever way it scores). What only the incremental design adds to the ingestion, the pending
batches (``store.pending_add``), is timed inside it and stays on the incremental side. It is printed beside the
goal's figure, not in its place.

Two things happen before the timed part, both to measure what a running deployment pays, not a cold start:

- ``VACUUM ANALYZE`` of the tables the setup filled. PostgreSQL's autovacuum does both in a deployment; this
  machine's server runs with ``autovacuum = off``. Without ANALYZE the planner would take the freshly loaded tables
  for a few pages and pick whole-workspace scans for the incremental pass's look-ups. Without VACUUM the pass would
  run on what the setup's recompute left: it rewrote every account and contact, and autovacuum removes those
  100,000 dead account rows (far past its threshold, 20% of the table) within a minute of the recompute; left in
  place, they cost the incremental pass ~0.2 s at full scale (``bench/rescore.py`` vacuums for the same reason, and
  ``bench/tier_board.py`` analyses). The full recompute runs on the same tables.
- ``CHECKPOINT`` before each timed part. The setup writes gigabytes (2,000,000 events, a recompute, the vacuum),
  so PostgreSQL checkpoints every 15-60 s while it runs (``max_wal_size``), and a checkpoint still flushing the
  setup's pages during the 2-second incremental part moved it by ±20% between runs (1.94 and 2.31 s for the same
  code). After ``CHECKPOINT`` each timed part starts with nothing of the setup left to flush; it pays the
  full-page images of the first change of each page after a checkpoint, as a deployment does once per
  checkpoint interval.
- Importing the scoring task modules (``engagement.tasks``, which imports pandas through the CSV import, and the
  after-scoring tasks): a Celery worker imports its task modules once at start, so the first ``events_ingest``
  of the process would otherwise pay ~0.5 s of imports inside the timed part.
- One publish of the scoring task (to the bench's in-memory broker, never consumed): a web process or worker that
  has published once has its Celery app finalised and its producer set up; the first publish of a process pays
  that (~20-25 ms, measured with py-spy on the twenty-third session's machine) inside the timed part otherwise.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from abe.bulk import bulk_load  # noqa: E402
from abe.celery import app as celery_app  # noqa: E402
from abe.models import Workspace  # noqa: E402
from abe.registry import after_scoring_tasks  # noqa: E402
from abe.services import workspace_create  # noqa: E402
from accounts.models import Account, AccountEngagementRank, AccountRank, Contact  # noqa: E402
from engagement.models import (  # noqa: E402
    AccountEngagement,
    AccountScoreSnapshot,
    EngagementDay,
    EngagementEvent,
    EventType,
    ScoreComponent,
)
from engagement.services import accounts_score, events_ingest, scores_recompute, store  # noqa: E402
from engagement.services.scoring import scores_evaluate, scoring_rules  # noqa: E402

ROLES = ["decision_maker", "economic_buyer", "champion", "influencer", "technical_evaluator", "end_user"]
SENIORITIES = ["c_level", "vp", "director", "manager", "individual"]
TYPES = [t for t in EventType.values if t != EventType.TRIGGER_EVENT]
# The new events go through the ingestion, which refuses the portal's own outreach touches (it records those
# itself): drawn from every other type, all 10,000 are stored (one in fourteen was refused until 6 December).
NEW_TYPES = [t for t in TYPES if t != EventType.OUTBOUND_TOUCH]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=2_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--touched", type=float, default=0.02, help="share of the accounts the new events touch")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    celery_app.conf.task_always_eager = False  # the pass is timed here, not run again by an eager task
    celery_app.conf.broker_url = "memory://"
    rng = np.random.default_rng(7)
    ws = workspace_create(name="Bench scoring", slug=f"bench-scoring-{os.getpid()}")
    try:
        Account.objects.bulk_create(
            [Account(workspace=ws, name=f"Bench {i}", domain=f"bs{i}.example.com") for i in range(args.accounts)],
            batch_size=5000,
        )
        accounts = np.array(Account.objects.for_workspace(ws).order_by("pk").values_list("pk", flat=True))
        Contact.objects.bulk_create(
            [
                Contact(
                    workspace=ws,
                    account_id=int(a),
                    email=f"p{j}@bs{i}.example.com",
                    buying_role=ROLES[j % 6],
                    seniority=SENIORITIES[(i + j) % 5],
                )
                for i, a in enumerate(accounts)
                for j in range(6)
            ],
            batch_size=5000,
        )
        people = list(Contact.objects.for_workspace(ws).order_by("pk").values_list("pk", "account_id", "email"))
        now = datetime.now(UTC)
        # Skewed like real engagement: a tenth of the people make most of the events.
        weights = rng.pareto(1.2, len(people)) + 0.05
        weights /= weights.sum()

        def draw(n: int, span_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            who = rng.choice(len(people), size=n, p=weights)
            kinds = rng.choice(len(TYPES), size=n)
            ages = rng.uniform(0, span_days * 86400, size=n)
            return who, kinds, ages

        who, kinds, ages = draw(args.base, 180)
        started = time.perf_counter()
        with transaction.atomic(), bulk_load([EngagementEvent]):
            buffer = io.StringIO()
            stamp = now.isoformat()
            for i, (w, k, a) in enumerate(zip(who.tolist(), kinds.tolist(), ages.tolist(), strict=True)):
                contact, account, _ = people[w]
                at = (now - timedelta(seconds=a)).isoformat()
                buffer.write(f"{ws.pk}\t{account}\t{contact}\t{TYPES[k]}\tweb\t\\N\t{at}\tbase\tb{i}\t{{}}\t{stamp}\n")
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    "COPY engagement_engagementevent (workspace_id, account_id, contact_id, type, channel,"
                    " content_asset_id, occurred_at, source, external_id, metadata, received_at) FROM STDIN",
                    buffer,
                )
        load_seconds = time.perf_counter() - started
        scores_recompute(workspace=ws, now=now)  # the starting state: every score current

        # New activity, the last two days, from the people of a random ``--touched`` share of the accounts.
        hot = set(rng.choice(accounts, size=max(1, int(len(accounts) * args.touched)), replace=False).tolist())
        hot_people = np.array([i for i, (_, account, _) in enumerate(people) if account in hot])
        who = hot_people[rng.integers(0, len(hot_people), size=args.new)]
        kinds = rng.choice(len(NEW_TYPES), size=args.new)
        ages = rng.uniform(0, 2 * 86400, size=args.new)
        new_events = [
            {
                "source": "new",
                "external_id": f"n{i}",
                "type": NEW_TYPES[k],
                "contact_email": people[w][2],
                "occurred_at": (now - timedelta(seconds=a)).isoformat(),
            }
            for i, (w, k, a) in enumerate(zip(who.tolist(), kinds.tolist(), ages.tolist(), strict=True))
        ]
        with connection.cursor() as cursor:  # what autovacuum does in a deployment (see the docstring)
            tables = (
                Account,
                AccountRank,
                AccountEngagementRank,
                Contact,
                EngagementEvent,
                EngagementDay,
                ScoreComponent,
                AccountEngagement,
                AccountScoreSnapshot,
            )
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table._meta.db_table}")
            cursor.execute("CHECKPOINT")  # the setup's writes flushed before, not during, the timed part
        import engagement.tasks  # a worker's start-up imports (see the docstring)

        for path in after_scoring_tasks():
            import_string(path)
        engagement.tasks.engagement_score_accounts_task.delay(ws.pk, [])  # a running process's first publish
        pending_seconds = 0.0  # the pending batches' part of the ingestion (see the docstring)
        pending_add = store.pending_add

        def timed_pending_add(**kwargs) -> None:
            nonlocal pending_seconds
            begun = time.perf_counter()
            pending_add(**kwargs)
            pending_seconds += time.perf_counter() - begun

        store.pending_add = timed_pending_add
        started = time.perf_counter()
        touched: set[int] = set()
        for start in range(0, len(new_events), 5000):
            result = events_ingest(workspace=ws, events=new_events[start : start + 5000], now=now)
            touched.update(result.account_ids)
            if result.rejected:  # a refused event would make the incremental part cheaper than it is
                sys.exit(f"The ingestion refused {len(result.rejected)} new events: {result.rejected[:3]}")
        ingest_seconds = time.perf_counter() - started
        store.pending_add = pending_add
        started = time.perf_counter()
        accounts_score(workspace=ws, account_ids=sorted(touched), now=now)
        pass_seconds = time.perf_counter() - started
        incremental_seconds = ingest_seconds + pass_seconds
        incremental = dict(Account.objects.for_workspace(ws).values_list("pk", "engagement_score"))

        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # the same for the full recompute: the incremental part's writes flushed
        started = time.perf_counter()
        scores_recompute(workspace=ws, now=now)
        full_seconds = time.perf_counter() - started
        # Compare with the scores the rebuilt components give (a pass stores a score only when it moves by more
        # than 1e-9 relative, so the stored ones would hide smaller differences).
        rules = scoring_rules(workspace=ws)
        full = {}
        for start in range(0, len(incremental), 1000):
            results, _ = scores_evaluate(
                workspace=ws, account_ids=sorted(incremental)[start : start + 1000], rules=rules, now=now
            )
            full.update({pk: r.score for pk, r in results.items()})
        max_rel_diff = max(abs(full[k] - incremental[k]) / max(abs(full[k]), 1e-12) for k in full)
        events = EngagementEvent.objects.for_workspace(ws).count()
    finally:
        Workspace.objects.filter(pk=ws.pk).delete()
    print(
        json.dumps(
            {
                "bench": "scoring",
                "base_events": args.base,
                "new_events": args.new,
                "events_after": events,
                "accounts": args.accounts,
                "contacts": len(people),
                "accounts_touched": len(touched),
                "incremental_seconds": round(incremental_seconds, 3),
                "incremental_breakdown": {
                    "ingest_events_and_pending_batches": round(ingest_seconds, 3),
                    "of_which_pending_batches": round(pending_seconds, 3),
                    "fold_batches_and_rescore_touched_accounts": round(pass_seconds, 3),
                },
                "full_recompute_seconds": round(full_seconds, 3),
                "ratio_full_to_incremental": round(full_seconds / incremental_seconds, 1),
                "ratio_full_to_incremental_without_event_storage": round(
                    full_seconds / (pending_seconds + pass_seconds), 1
                ),
                "max_relative_difference_incremental_vs_full": max_rel_diff,
                "base_load_copy_seconds": round(load_seconds, 1),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
