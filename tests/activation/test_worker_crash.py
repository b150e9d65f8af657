"""A real Celery worker on Redis, killed with SIGKILL in the middle of a webhook delivery, loses nothing and
duplicates no alert: after a restart the outbox sweep sends the delivery, and replaying the evaluation adds
no alert.

Needs PostgreSQL (the worker process shares the test database) and ``REDIS_URL``; skipped otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from activation.models import Alert, DeliveryStatus, EmailDelivery, WebhookDelivery
from activation.webhooks import webhook_signature_verify
from tests.factories import RuleFactory, WebhookSubscriptionFactory

from .conftest import Receiver, score

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 13  # a Redis database of its own: parallel sessions use others


def redis_url_for_test() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class HangingReceiver(Receiver):
    """Holds the first request open (the worker dies while waiting for the answer), answers 200 afterwards."""

    def __init__(self) -> None:
        self.release = threading.Event()
        super().__init__()
        original = self.server.RequestHandlerClass.do_POST
        receiver = self

        def do_post(handler) -> None:
            if len(receiver.requests) == 0:
                body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": {k.lower(): v for k, v in handler.headers.items()}, "body": body})
                receiver.release.wait(60)
                return  # the client is gone; nothing to answer
            original(handler)

        self.server.RequestHandlerClass.do_POST = do_post


def start_worker(redis_url: str, database_url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "abe.settings.local",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DB_CONN_MAX_AGE": "0",
            "ABE_DELIVERY_LEASE_SECONDS": "3",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "abe",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"crashtest-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker we started and its pool child (its own process group, started above)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real broker: set REDIS_URL (and DATABASE_URL)")
def test_worker_killed_mid_delivery_loses_nothing_and_duplicates_no_alert(
    transactional_db, workspace, account, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must share the test database: run with DATABASE_URL on PostgreSQL")
    redis_url = redis_url_for_test()
    database_url = urlunsplit(
        urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}")
    )
    publisher = Celery(broker=redis_url, set_as_current=False)  # never replace the eager app of the other tests
    publisher.conf.task_routes = settings.CELERY_TASK_ROUTES  # the named queues, as the portal publishes them
    publisher.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with publisher.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # our own Redis database: no message from an earlier run
    receiver = HangingReceiver()
    subscription = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url)
    RuleFactory(workspace=workspace, params={"threshold": 50}, severity="high")
    score(account, 80)  # what the scoring pass wrote
    log = tmp_path / "worker.log"
    worker = start_worker(redis_url, database_url, log)
    try:
        # Given the scoring pass's follow-up task, when the worker dies while POSTing the webhook...
        publisher.send_task(
            "activation.tasks.rules_evaluate", kwargs={"workspace_id": workspace.id, "account_ids": [account.id]}
        )
        wait_for(lambda: len(receiver.requests) == 1, 90, f"the first webhook request (log: {log.read_text()[-2000:]})")
        kill_worker(worker)
        receiver.release.set()

        delivery = WebhookDelivery.objects.get(subscription=subscription)
        assert Alert.objects.count() == 1
        assert (delivery.status, delivery.sent_at, delivery.attempts) == (DeliveryStatus.PENDING, None, 1)

        # ...then a restarted worker, the beat sweep and a replay of the same evaluation:
        worker = start_worker(redis_url, database_url, log)
        publisher.send_task(
            "activation.tasks.rules_evaluate", kwargs={"workspace_id": workspace.id, "account_ids": [account.id]}
        )

        def swept_and_sent() -> bool:
            publisher.send_task("activation.tasks.deliveries_sweep")
            time.sleep(0.8)
            return WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT

        wait_for(swept_and_sent, 60, f"the swept delivery (log: {log.read_text()[-2000:]})")
        wait_for(
            lambda: set(EmailDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}, 30, "emails"
        )
    finally:
        kill_worker(worker)
        receiver.release.set()
        receiver.close()

    delivery.refresh_from_db()
    assert Alert.objects.count() == 1, "the replayed evaluation must not create a second alert"
    assert delivery.attempts == 2 and [a.status_code for a in delivery.attempt_log.all()] == [200]
    assert len(receiver.requests) == 2
    ids = {r["headers"]["x-abe-delivery"] for r in receiver.requests}
    assert ids == {str(delivery.id)}, "the receiver can dedupe the repeat on X-ABE-Delivery"
    last = receiver.requests[-1]
    webhook_signature_verify(
        secret=subscription.secret,
        body=last["body"],
        timestamp=last["headers"]["x-abe-timestamp"],
        signature=last["headers"]["x-abe-signature"],
    )
    assert EmailDelivery.objects.get().to == "kam@example.com"
