"""Monitoring endpoints and the worker heartbeat.

- ``/healthz`` (liveness): the process answers; touches nothing else, so a database outage does not get
  every web process restarted.
- ``/readyz`` (readiness): database, broker, cache, worker heartbeat, queue depths and the scoring backlog
  (oldest pending batch, quarantined batches). 200 when the database, the broker and a worker are fine, else
  503; the JSON body says what is wrong either way.

The worker heartbeat is stamped by the workers themselves: Celery's ``heartbeat_sent`` signal (every 2 s in each
worker's main process, unless it runs with ``--without-heartbeat``) and ``worker_ready`` call
:func:`worker_heartbeat_stamp`, which writes the cache at most every 10 s. So ``/readyz`` says whether a worker is
alive whether or not beat runs. Beat's own liveness is reported apart (``beat``: a beat task stamps it every
30 s) and does not make the instance unready.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
HEARTBEAT_KEY = "abe:worker-heartbeat"
BEAT_KEY = "abe:beat-heartbeat"
HEARTBEAT_STALE_SECONDS = 60
BEAT_STALE_SECONDS = 120
STAMP_EVERY_SECONDS = 10.0
_last_stamp = 0.0


def worker_heartbeat_stamp(now: float | None = None) -> bool:
    """Stamp the worker heartbeat (at most every 10 s per process); True when written. Never raises."""
    global _last_stamp
    now = time.time() if now is None else now
    if now - _last_stamp < STAMP_EVERY_SECONDS:
        return False
    _last_stamp = now
    try:
        cache.set(HEARTBEAT_KEY, now, HEARTBEAT_STALE_SECONDS * 10)
    except Exception:  # the cache down must not stop a worker; /readyz then reports the broker anyway
        logger.warning("Could not stamp the worker heartbeat", exc_info=True)
        return False
    return True


DEFAULT_QUEUES = ("celery", "default", "deliveries", "scoring", "imports")


@shared_task(name="abe.tasks.worker_heartbeat", time_limit=10, ignore_result=True)
def worker_heartbeat_task() -> float:
    """Beat, every 30 s: stamps beat's liveness (a worker ran it, so the worker's too). Safe to repeat."""
    now = time.time()
    cache.set(BEAT_KEY, now, BEAT_STALE_SECONDS * 10)
    cache.set(HEARTBEAT_KEY, now, HEARTBEAT_STALE_SECONDS * 10)
    return now


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure is the answer, not an error of this endpoint
        return {"ok": False, "error": str(exc)[:300]}


def _queue_names() -> list[str]:
    names = [getattr(q, "name", q) for q in (getattr(settings, "CELERY_TASK_QUEUES", None) or ())]
    return sorted({str(n) for n in names} | set(DEFAULT_QUEUES))


def _check_broker() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process (no broker)", "queues": {}}
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {"ok": True, "mode": url.split(":", 1)[0], "queues": {}}
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        pipe = client.pipeline(transaction=False)
        names = _queue_names()
        for name in names:
            pipe.llen(name)
        depths = dict(zip(names, pipe.execute(), strict=True))
        return {"ok": True, "queues": depths}
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:300], "queues": {}}


def _beat_info(missing: str) -> dict[str, Any]:
    """Beat's liveness from its heartbeat task's stamp, for information (it never makes the instance unready)."""
    beat = cache.get(BEAT_KEY)
    if beat is None:
        return {"ok": False, "error": missing}
    return {"ok": time.time() - float(beat) < BEAT_STALE_SECONDS, "last_seconds_ago": round(time.time() - beat, 1)}


def _check_worker() -> dict[str, Any]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded default: the schedule runs in a thread of ``runserver`` (abe/embedded_beat.py), whose heartbeat
        # task stamps this process's local-memory cache.
        missing = (
            "No beat heartbeat: on the embedded default the schedule runs only under manage.py runserver, which "
            "stamps it every 30 s from 30 s after its start."
        )
        return {"ok": True, "mode": "in-process", "beat": _beat_info(missing)}
    stamp = cache.get(HEARTBEAT_KEY)
    beat_info = _beat_info("No beat heartbeat (is beat running?).")
    if stamp is None:
        return {"ok": False, "error": "No worker heartbeat (is a worker running?).", "beat": beat_info}
    age = time.time() - float(stamp)
    return {"ok": age < HEARTBEAT_STALE_SECONDS, "last_heartbeat_seconds_ago": round(age, 1), "beat": beat_info}


def _scoring_backlog() -> dict[str, Any]:
    try:
        # By name: the core app must not import an upper app; the engagement app keeps the backlog.
        PendingBatch = apps.get_model("engagement", "PendingBatch")  # noqa: N806
        waiting = PendingBatch.objects.filter(quarantined_at__isnull=True)
        oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
        return {
            "pending_batches": waiting.count(),
            "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else None,
            "quarantined_batches": PendingBatch.objects.filter(quarantined_at__isnull=False).count(),
        }
    except Exception as exc:
        return {"error": str(exc)[:300]}


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    database = _check_database()
    checks: dict[str, Any] = {"database": database, "broker": _check_broker(), "worker": _check_worker()}
    if database["ok"]:
        checks["scoring"] = _scoring_backlog()
    ready = all(checks[name]["ok"] for name in ("database", "broker", "worker"))
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
