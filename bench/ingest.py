"""Ingest throughput: the HTTP batch endpoint against a raw PostgreSQL COPY of the same rows, same table, same run.

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/ingest.py [--events 100000]``. Makes two workspaces with
the same accounts and contacts, posts the events in batches of 5,000 to ``POST /api/v1/events/batch/`` with an
``events`` key (Django's test client: the whole request, authentication, JSON parsing, validation, resolution
and the committed write of the events and of the batch's day-count increments), and COPYs the same rows
(resolved ids, one COPY and commit per 5,000) into the other workspace, alternating batch by batch. Folding a
batch into the score components and rescoring is the batch's Celery task, run by a worker; here it is only
enqueued (its cost is what ``bench/scoring.py`` measures). Before timing, the process runs ``web_process_ready()``
as every web process does (``abe/wsgi.py``). Cleans up and prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from abe.celery import app as celery_app  # noqa: E402
from abe.models import Workspace  # noqa: E402
from abe.services import api_key_create, workspace_create  # noqa: E402
from abe.startup import web_process_ready  # noqa: E402
from accounts.models import Account, Contact  # noqa: E402

BATCH = 5000
TYPES = ["email_open", "email_click", "web_visit", "pricing_page_visit", "content_download", "meeting", "reply"]


def make_workspace(slug: str, accounts: int, contacts_per: int) -> tuple[Workspace, list[tuple[int, str, str]]]:
    ws = workspace_create(name=f"Bench {slug}", slug=slug)
    Account.objects.bulk_create(
        [Account(workspace=ws, name=f"Bench {i}", domain=f"bench{i}.example.com") for i in range(accounts)]
    )
    ids = list(Account.objects.for_workspace(ws).order_by("pk").values_list("pk", flat=True))
    Contact.objects.bulk_create(
        [
            Contact(workspace=ws, account_id=a, email=f"p{j}@bench{i}.example.com", buying_role="influencer")
            for i, a in enumerate(ids)
            for j in range(contacts_per)
        ],
        batch_size=5000,
    )
    people = list(Contact.objects.for_workspace(ws).order_by("pk").values_list("pk", "account_id", "email"))
    return ws, people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the baseline is COPY.")
    # The scoring pass belongs to a worker: enqueue it (in memory), as production does, instead of running it here.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "1000000/min"}}
    rng = random.Random(1)
    suffix = f"{os.getpid()}"
    api_ws, api_people = make_workspace(f"bench-ingest-api-{suffix}", 500, 6)
    copy_ws, copy_people = make_workspace(f"bench-ingest-copy-{suffix}", 500, 6)
    now = datetime.now(UTC)
    plan = [
        (rng.randrange(len(api_people)), rng.choice(TYPES), now - timedelta(seconds=rng.randrange(0, 90 * 86400)))
        for _ in range(args.events)
    ]
    _, raw_key = api_key_create(workspace=api_ws, name="bench", scopes=["events"])
    # As every web process does once loaded (abe/wsgi.py): URLconf and templates warmed, then every object alive
    # frozen out of the cyclic GC. Without it each full collection during a timed request walks Django's ~165,000
    # start-up objects (and this bench's own), ~85 ms, which a served request does not pay.
    web_process_ready()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}", SERVER_NAME="127.0.0.1")
    batches = [plan[start : start + BATCH] for start in range(0, len(plan), BATCH)]
    copy_seconds = api_seconds = 0.0
    accepted = 0
    try:
        # Warm up both paths once, untimed: the first request of a process imports the URLconf and its views,
        # the first COPY primes the connection; a steady-state rate should not carry that one-off cost.
        warm = {
            "source": "warmup",
            "external_id": "w-0",
            "type": "web_visit",
            "occurred_at": now.isoformat(),
            "contact_email": api_people[0][2],
        }
        response = client.post("/api/v1/events/batch/", json.dumps({"events": [warm]}), content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.copy_expert(
                "COPY engagement_engagementevent (workspace_id, account_id, contact_id, type, channel,"
                " content_asset_id, occurred_at, source, external_id, metadata, received_at) FROM STDIN",
                io.StringIO(
                    f"{copy_ws.pk}\t{copy_people[0][1]}\t{copy_people[0][0]}\tweb_visit\tweb\t\\N\t"
                    f"{now.isoformat()}\twarmup\tw-0\t{{}}\t{now.isoformat()}\n"
                ),
            )
        # Batch by batch, alternating, so that load from anything else on the machine hits both alike.
        for number, batch in enumerate(batches):
            first = number * BATCH
            # a) Raw COPY of the resolved rows into the same table, one COPY and commit per batch.
            buffer = io.StringIO()
            for i, (who, kind, at) in enumerate(batch, first):
                contact, account, _ = copy_people[who]
                buffer.write(
                    f"{copy_ws.pk}\t{account}\t{contact}\t{kind}\tweb\t\\N\t{at.isoformat()}\tbench\tb-{i}\t{{}}\t"
                    f"{now.isoformat()}\n"
                )
            buffer.seek(0)
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.copy_expert(
                    "COPY engagement_engagementevent (workspace_id, account_id, contact_id, type, channel,"
                    " content_asset_id, occurred_at, source, external_id, metadata, received_at) FROM STDIN",
                    buffer,
                )
            copy_seconds += time.perf_counter() - started
            # b) The HTTP batch endpoint, same rows (contact by email, as integrations send them).
            body = json.dumps(
                {
                    "events": [
                        {
                            "source": "bench",
                            "external_id": f"b-{i}",
                            "type": kind,
                            "occurred_at": at.isoformat(),
                            "contact_email": api_people[who][2],
                            "channel": "web",
                        }
                        for i, (who, kind, at) in enumerate(batch, first)
                    ]
                }
            )
            started = time.perf_counter()
            response = client.post("/api/v1/events/batch/", body, content_type="application/json")
            api_seconds += time.perf_counter() - started
            assert response.status_code == 200, response.content[:300]
            accepted += response.json()["accepted"]
            if number == 0:
                first_body = body
        assert accepted == len(plan), accepted
        replay_started = time.perf_counter()
        replay = client.post("/api/v1/events/batch/", first_body, content_type="application/json").json()
        replay_seconds = time.perf_counter() - replay_started
    finally:
        Workspace.objects.filter(pk__in=[api_ws.pk, copy_ws.pk]).delete()
    copy_rate, api_rate = len(plan) / copy_seconds, len(plan) / api_seconds
    print(
        json.dumps(
            {
                "bench": "ingest",
                "events": len(plan),
                "batch": BATCH,
                "endpoint_events_per_s": round(api_rate),
                "copy_events_per_s": round(copy_rate),
                "ratio_endpoint_to_copy": round(api_rate / copy_rate, 3),
                "endpoint_seconds": round(api_seconds, 2),
                "copy_seconds": round(copy_seconds, 2),
                "replay_of_a_batch": {
                    "accepted": replay["accepted"],
                    "duplicates": replay["duplicates"],
                    "seconds": round(replay_seconds, 3),
                },
                "scoring": (
                    "one Celery task per batch, enqueued: it folds the batch into components (see bench/scoring.py)"
                ),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
