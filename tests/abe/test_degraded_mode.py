"""Degraded mode: Redis (cache and broker) down, health endpoints, exact rate limits, statement timeouts."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from kombu.exceptions import OperationalError as BrokerError

from abe import db as abe_db
from abe.cache import ResilientRedisCache, window_hit
from abe.health import HEARTBEAT_KEY
from engagement import tasks as engagement_tasks
from engagement.api.throttling import EventsRateThrottle
from engagement.models import EngagementEvent, PendingBatch
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
LIVE_REDIS = "redis://127.0.0.1:6379/3"


def _redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=1).ping())
    except Exception:
        return False


needs_redis = pytest.mark.skipif(not _redis_is_up(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "abe.cache.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(engagement_tasks.engagement_score_accounts_task, "delay", refuse)


def _event(account, external_id="e1"):
    return {
        "source": "web",
        "external_id": external_id,
        "type": "web_visit",
        "occurred_at": "2026-12-01T10:00:00Z",
        "account_id": account.pk,
    }


def test_with_redis_down_ingest_stores_events_and_answers_2xx(
    redis_down, broker_down, key_client, workspace, django_capture_on_commit_callbacks
):
    account = AccountFactory(workspace=workspace)
    client = key_client("events")

    with django_capture_on_commit_callbacks(execute=True):
        single = client.post("/api/v1/events/", _event(account), format="json")
    with django_capture_on_commit_callbacks(execute=True):
        batch = client.post("/api/v1/events/batch/", {"events": [_event(account, "e2")]}, format="json")

    assert (single.status_code, batch.status_code) == (201, 200)
    assert EngagementEvent.objects.count() == 2
    assert PendingBatch.objects.count() == 2  # waiting for the sweep


def test_the_sweep_scores_what_was_ingested_while_the_broker_was_down(
    broker_down, workspace, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import UTC, datetime, timedelta

    from engagement.services import events_ingest

    account = AccountFactory(workspace=workspace)
    with django_capture_on_commit_callbacks(execute=True):
        events_ingest(workspace=workspace, events=[{**_event(account), "occurred_at": datetime.now(UTC).isoformat()}])
    monkeypatch.undo()  # the broker is back
    PendingBatch.objects.update(created_at=datetime.now(UTC) - timedelta(minutes=5))

    engagement_tasks.engagement_pending_sweep_task()

    account.refresh_from_db()
    assert account.engagement_score > 0 and not PendingBatch.objects.exists()


def test_with_redis_down_the_tier_board_answers(redis_down, admin_client, workspace):
    AccountFactory(workspace=workspace)

    response = admin_client.get("/accounts/tiers/")

    assert response.status_code == 200


def test_a_button_that_queues_a_task_with_the_broker_down_is_a_503_not_a_500(admin_client, monkeypatch):
    from accounts.prospecting.tasks import prospecting_rescore_job_task

    def refuse(*args, **kwargs):
        raise BrokerError("Connection refused")

    monkeypatch.setattr(prospecting_rescore_job_task, "delay", refuse)
    # Outside the test's transaction a request runs in autocommit: the task is published inside the view.
    monkeypatch.setattr("abe.tasks.transaction.on_commit", lambda callback, *args, **kwargs: callback())

    response = admin_client.post("/accounts/tiers/rescore/")

    assert response.status_code == 503
    assert "unavailable" in response.content.decode()
    assert 'id="main-nav"' in response.content.decode()  # a page in the layout, not a bare line of text


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_in_process_mode_reports_database_and_backlog(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["scoring"]["pending_batches"] == 0


def test_readyz_in_process_mode_reports_the_embedded_schedules_heartbeat(client, settings):
    # the embedded default runs beat in a thread of runserver (abe/embedded_beat.py): its heartbeat task's stamp
    # says whether it runs; readiness does not depend on it
    from abe import health

    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.delete(health.BEAT_KEY)
    without = client.get("/readyz")
    cache.set(health.BEAT_KEY, time.time() - 12)
    running = client.get("/readyz")

    assert without.status_code == 200 and running.status_code == 200
    assert without.json()["checks"]["worker"]["beat"] == {
        "ok": False,
        "error": (
            "No beat heartbeat: on the embedded default the schedule runs only under manage.py runserver, which "
            "stamps it every 30 s from 30 s after its start."
        ),
    }
    beat = running.json()["checks"]["worker"]["beat"]
    assert beat["ok"] is True and 11 <= beat["last_seconds_ago"] <= 30


def test_readyz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = DEAD_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@needs_redis
def test_readyz_reports_queue_depths_and_the_worker_heartbeat(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = LIVE_REDIS
    cache.delete(HEARTBEAT_KEY)

    stale = client.get("/readyz")
    cache.set(HEARTBEAT_KEY, time.time())
    fresh = client.get("/readyz")

    assert stale.status_code == 503 and stale.json()["checks"]["worker"]["ok"] is False
    assert fresh.status_code == 200
    assert "deliveries" in fresh.json()["checks"]["broker"]["queues"]


@needs_redis
def test_window_counter_is_exact_under_concurrency(settings):
    settings.CACHES = {"default": {"BACKEND": "abe.cache.ResilientRedisCache", "LOCATION": LIVE_REDIS}}
    key = f"test-window-{time.time()}"

    with ThreadPoolExecutor(max_workers=50) as pool:
        counts = list(pool.map(lambda _: window_hit(key, 60), range(500)))

    assert sorted(counts) == list(range(1, 501))


@needs_redis
def test_the_events_rate_limit_lets_exactly_the_rate_through_under_50_concurrent_clients(settings):
    settings.CACHES = {"default": {"BACKEND": "abe.cache.ResilientRedisCache", "LOCATION": LIVE_REDIS}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "100/hour"}}
    request = SimpleNamespace(api_key=SimpleNamespace(pk=int(time.time() * 1000)), user=None)

    def attempt(_):
        return EventsRateThrottle().allow_request(request, None)

    with ThreadPoolExecutor(max_workers=50) as pool:
        allowed = sum(pool.map(attempt, range(400)))

    assert allowed == 100


def test_the_rate_limit_fails_open_when_the_cache_is_down(redis_down, settings, caplog):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"events": "1/hour"}}
    request = SimpleNamespace(api_key=SimpleNamespace(pk=1), user=None)

    answers = [EventsRateThrottle().allow_request(request, None) for _ in range(3)]

    assert answers == [True, True, True]
    assert "Rate limit not applied" in caplog.text


def test_the_resilient_cache_reads_miss_and_writes_skip_when_redis_is_down():
    dead = ResilientRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 1}})

    dead.set("k", 1)

    assert dead.get("k", "missing") == "missing" and dead.get_many(["k"]) == {}
    assert dead.delete("k") is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_web_connections_get_a_statement_timeout_and_workers_a_longer_one(settings):
    # The defaults from abe.settings (the environment of the test run does not set them).
    assert (settings.ABE_DB_STATEMENT_TIMEOUT_MS, settings.ABE_DB_WORKER_STATEMENT_TIMEOUT_MS) == (30000, 540000)
    try:
        shown = []
        for role in ("web", "worker"):
            abe_db.process_role_set(role)
            abe_db.on_connection_created(sender=None, connection=connection)
            with connection.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                shown.append(cursor.fetchone()[0])
    finally:
        abe_db.process_role_set("")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")

    assert shown == ["30s", "9min"]


def test_a_worker_statement_ends_before_the_hard_time_limit_of_the_task_running_it(settings):
    # A statement outliving its task would be cut by the task's SIGKILL instead of cancelled cleanly by PostgreSQL
    # (and a repeated step would find its rows locked): the worker timeout stays below every long task's limit.
    from abe.celery import app

    app.loader.import_default_modules()
    limits = [task.time_limit for name, task in app.tasks.items() if not name.startswith("celery.") and task.time_limit]
    assert max(limits) <= app.conf.task_time_limit
    assert 0 < settings.ABE_DB_WORKER_STATEMENT_TIMEOUT_MS < max(limits) * 1000


def test_celery_reliability_settings(settings):
    from abe.celery import app

    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert app.conf.task_time_limit < visibility <= 15 * 60  # minutes, not kombu's hour


@needs_redis
def test_readyz_sees_a_worker_without_beat_through_the_worker_heartbeat_signal(client, settings, monkeypatch):
    from celery.signals import heartbeat_sent

    import abe.celery  # noqa: F401  (connects the worker signals)
    from abe import health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = LIVE_REDIS
    cache.delete(HEARTBEAT_KEY)
    cache.delete(health.BEAT_KEY)
    monkeypatch.setattr(health, "_last_stamp", 0.0)

    before = client.get("/readyz")
    heartbeat_sent.send(sender=None)  # what a running worker's main process sends every 2 s
    after = client.get("/readyz")

    assert before.status_code == 503 and "No worker heartbeat" in before.json()["checks"]["worker"]["error"]
    assert after.status_code == 200, after.json()
    worker = after.json()["checks"]["worker"]
    assert worker["ok"] is True and worker["last_heartbeat_seconds_ago"] < 5
    assert worker["beat"]["ok"] is False  # beat is not running, and that alone does not make the instance unready


def test_the_worker_heartbeat_writes_at_most_every_ten_seconds(monkeypatch):
    from abe import health

    writes: list[float] = []
    monkeypatch.setattr(health, "_last_stamp", 0.0)
    monkeypatch.setattr(health.cache, "set", lambda key, value, timeout: writes.append(value))

    stamped = [health.worker_heartbeat_stamp(now=t) for t in (1000.0, 1002.0, 1009.9, 1010.0, 1012.0)]

    assert stamped == [True, False, False, True, False]
    assert writes == [1000.0, 1010.0]


@needs_redis
def test_a_stale_worker_heartbeat_makes_readyz_503(client, settings):
    from abe import health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = LIVE_REDIS
    cache.set(HEARTBEAT_KEY, time.time() - health.HEARTBEAT_STALE_SECONDS - 1)

    response = client.get("/readyz")

    assert response.status_code == 503 and response.json()["checks"]["worker"]["ok"] is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (statement_timeout, pg_sleep)")
@pytest.mark.parametrize("path", ["/api/v1/accounts/", "/accounts/"])
def test_a_statement_cancelled_by_its_timeout_is_a_503_to_retry_not_a_500(admin_api, workspace, monkeypatch, path):
    """A lock wait or a slow statement that reaches ``statement_timeout`` (or a deadlock) is transient: the request
    was rolled back and trying again is the remedy, so the answer is a 503 with Retry-After (issue 10: no 500s)."""
    from django.db import transaction

    from accounts import selectors

    def cancelled(*args, **kwargs):
        with transaction.atomic(), connection.cursor() as cursor:  # a real QueryCanceled from PostgreSQL
            cursor.execute("SET LOCAL statement_timeout = '20ms'")
            cursor.execute("SELECT pg_sleep(1)")

    monkeypatch.setattr(selectors, "account_filterset", cancelled)
    monkeypatch.setattr("accounts.api.views.AccountViewSet.get_queryset", cancelled)

    response = admin_api.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database was busy" in response.content.decode()
