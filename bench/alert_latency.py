"""Event-to-alert latency: HTTP response of an ingest batch -> the alert row visible in the database.

Starts a real Celery worker on Redis and a Django server on 127.0.0.1, creates a throw-away workspace with
accounts, a decision maker on each, and two rules (decision maker on the pricing page; account score crosses a
low threshold), then posts one batch per account to ``POST /api/v1/events/batch/`` (the ingest contract) and
polls for the account's first alert. The path measured: ingest commit -> scoring task -> after-scoring hook ->
``activation.tasks.rules_evaluate`` -> alert committed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abe_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/alert_latency.py --batches 40

Needs PostgreSQL and Redis (use a Redis database of its own: the worker consumes the default queue).
The last line of output is JSON: {"batches", "alerts", "missing", "p50_s", "p95_s", "max_s", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abe.settings.local")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # the server answers (401/403/404 are fine here)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up in {timeout}s")


def post(url: str, key: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")[:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="one batch (and one account) per measurement")
    parser.add_argument("--events", type=int, default=5, help="events per batch")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each alert")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    # Turn SIGTERM (e.g. from `timeout`) into an exit, so the worker and server we started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the bench needs a real worker and database.")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import close_old_connections

    from abe.models import Membership, Role, Workspace
    from abe.services import api_key_create
    from accounts.models import Account, Contact
    from activation.models import Alert
    from activation.services.rules import rule_create

    call_command("migrate", verbosity=0)
    slug = f"bench-latency-{int(time.time())}"
    workspace = Workspace.objects.create(name="Latency bench", slug=slug)
    owner, _ = get_user_model().objects.get_or_create(username="bench.kam", defaults={"email": "bench.kam@example.com"})
    Membership.objects.create(user=owner, workspace=workspace, role=Role.SALES)
    _, key = api_key_create(workspace=workspace, name="bench", scopes=["events"])
    rule_create(
        workspace=workspace,
        name="Bench: decision maker on pricing",
        condition_type="role_engaged",
        severity="high",
        params={"buying_role": "decision_maker", "event_type": "pricing_page_visit", "days": 2},
        cooldown_hours=0,
    )
    rule_create(
        workspace=workspace,
        name="Bench: account heats up",
        condition_type="score_threshold",
        cooldown_hours=0,
        params={"subject": "account", "threshold": 0.5},
    )
    accounts = []
    for i in range(args.batches):
        account = Account.objects.create(
            workspace=workspace, name=f"Bench {i}", domain=f"bench{i}.{slug}.test", owner=owner, tier="strategic"
        )
        Contact.objects.create(
            workspace=workspace,
            account=account,
            first_name="Dee",
            last_name=f"M{i}",
            email=f"dm{i}@bench{i}.{slug}.test",
            buying_role="decision_maker",
        )
        accounts.append(account)
    close_old_connections()

    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="abe.settings.local", ABE_EVENTS_RATE="100000/min", DEBUG="0")
    logs = Path(tempfile.mkdtemp(prefix="abe-alert-latency-"))
    print(f"server and worker logs: {logs}", file=sys.stderr)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "latency-server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "abe",
            "worker",
            f"--concurrency={args.concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{slug}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=(logs / "latency-worker.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    latencies: list[float] = []
    missing = 0
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/login/", 60)
        time.sleep(3)  # let the worker connect to the broker
        for i, account in enumerate(accounts):
            now = datetime.now(UTC)
            events = [
                {
                    "source": "bench",
                    "external_id": f"{slug}-{i}-{n}",
                    "account_id": account.id,
                    "contact_email": f"dm{i}@bench{i}.{slug}.test",
                    "type": "pricing_page_visit" if n == args.events - 1 else "web_visit",
                    "occurred_at": (now - timedelta(seconds=args.events - n)).isoformat(),
                }
                for n in range(args.events)
            ]
            status, body = post(base + "/api/v1/events/batch/", key, {"events": events})
            answered = time.monotonic()
            if status != 200 or not body.get("accepted"):
                raise SystemExit(f"ingest answered {status}: {body} (is the engagement ingest endpoint merged?)")
            deadline = answered + args.timeout
            while time.monotonic() < deadline:
                if Alert.objects.filter(account_id=account.id).exists():
                    latencies.append(time.monotonic() - answered)
                    break
                time.sleep(0.02)
            else:
                missing += 1
            close_old_connections()
    finally:
        for process in (server, worker):
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)  # the worker's main process: a warm shutdown
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        Workspace.objects.filter(pk=workspace.pk).delete()

    result = {
        "bench": "alert_latency",
        "batches": args.batches,
        "events_per_batch": args.events,
        "alerts": len(latencies),
        "missing": missing,
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "worker_concurrency": args.concurrency,
        "target_p95_s": 5.0,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
