"""Beat for the embedded default: ``CELERY_BEAT_SCHEDULE`` run by a thread of the development server.

With no ``REDIS_URL`` Celery runs every task in the process that queues it (``task_always_eager``), and there is no
beat process. Without this module nothing on the schedule would ever run on a fresh clone's ``make run``: the
analytics roll-ups (every 5 minutes) and the nightly rebuild, decay and stage re-evaluation, the day's closing
snapshots, time-based alert rules, due play steps, digests, the pending-batch sweep and the job watchdogs (a job
whose request died with the server stayed "running" for ever).

:func:`start_if_embedded` is called from ``AbeConfig.ready``. It starts one daemon thread, only where all hold:

- tasks run in-process (``task_always_eager``: no broker, so no real beat could be running);
- ``ABE_EMBEDDED_BEAT`` is on (the default; ``0`` turns it off);
- the process is the one ``manage.py runserver`` serves from (the autoreloader's child, ``RUN_MAIN=true``, or
  ``--noreload``): never the reloader's parent, a test run, a migration or a gunicorn worker (a production
  deployment runs ``celery beat`` with Redis; several gunicorn workers would each run the schedule).

The thread keeps Celery's own in-memory scheduler (:class:`celery.beat.Scheduler`: the same due times as ``celery
beat``, intervals counted from the server's start, crontab entries at their hour) and runs each due task in
itself, one at a time, through ``Task.apply`` (what an eager call does), instead of sending it to a broker. A task
that fails is logged with its traceback and the schedule goes on. It waits while the demo is still loading (the
loader's progress record, ``abe.demo_loading``: the tables may not exist yet), and closes its database
connections after each tick so the long-lived thread never holds one between runs.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, cast

from celery.beat import ScheduleEntry, Scheduler
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

#: Longest sleep between two looks at the schedule (seconds), and the wait while the demo loads.
MAX_SLEEP = 60.0
LOADING_WAIT = 5.0

_started: threading.Thread | None = None
_lock = threading.Lock()


class EmbeddedScheduler(Scheduler):
    """Celery's in-memory scheduler, running each due task here (``Task.apply``) rather than sending it."""

    @property
    def producer(self) -> Any:  # Celery's is a broker producer (cached_property)
        """No broker connection: :meth:`Scheduler.tick` passes this to :meth:`apply_async`, which does not use it."""
        return None

    def install_default_entries(self, data: Any) -> None:
        """Only the project's schedule (not Celery's result-backend cleanup: there is no result backend)."""

    def apply_async(self, entry: ScheduleEntry, producer: Any = None, advance: bool = True, **kwargs: Any) -> Any:
        if advance:
            entry = cast(ScheduleEntry, self.reserve(entry))
        task = self.app.tasks.get(entry.task or "")
        if task is None:
            logger.error("Embedded beat: no task %s (schedule entry %s)", entry.task, entry.name)
            return None
        # Its failure is logged here, not raised (CELERY_TASK_EAGER_PROPAGATES would raise it): the tick goes on.
        result = task.apply(tuple(entry.args or ()), dict(entry.kwargs or {}), throw=False)
        if result.failed():
            logger.error("Embedded beat: %s failed: %r\n%s", entry.task, result.result, result.traceback or "")
        return result


def demo_loading() -> bool:
    """Whether ``load_demo --progress`` is still building the demo (its record exists and its process lives)."""
    from .demo_loading import progress_read

    return progress_read() is not None


def tick(scheduler: Scheduler) -> float:
    """Run every entry due now, one after the other (unless the demo is loading); the seconds to sleep before the
    next look."""
    if demo_loading():
        return LOADING_WAIT
    try:
        # Celery's tick runs one due entry and answers 0 while another is due: every entry due now, in turn.
        for _ in range(len(scheduler.schedule) + 1):
            wait = float(scheduler.tick())
            if wait > 0:
                return min(wait, MAX_SLEEP)
        return 0.5
    except Exception:  # one bad tick must not end the schedule for the server's lifetime
        logger.exception("Embedded beat: a tick failed")
        return MAX_SLEEP


def scheduler_create() -> EmbeddedScheduler:
    """The scheduler of the project's schedule, every app's task module imported first (as a worker or ``celery
    beat`` does at start: a task is found by name only once its module is imported)."""
    from .celery import app

    app.loader.import_default_modules()
    return EmbeddedScheduler(app)


def _run(stop: threading.Event) -> None:
    from django.apps import apps

    while not apps.ready:  # started from ``AbeConfig.ready``: the other apps are still loading
        if stop.wait(0.2):
            return
    try:
        scheduler = scheduler_create()
    except Exception:  # a task module that cannot be imported: said once, and the server serves on without it
        logger.exception("Embedded beat: the schedule could not be set up; nothing on it will run in this process")
        return
    logger.info("Embedded beat: running %s schedule entries in this process", len(scheduler.schedule))
    while not stop.is_set():
        try:
            wait = tick(scheduler)
        finally:
            connections.close_all()  # this thread's own connections: none held while it sleeps
        stop.wait(max(wait, 0.5))


def should_start(argv: Sequence[str], environ: Mapping[str, str], *, eager: bool, enabled: bool) -> bool:
    """Whether this process is a development server's serving process running tasks in-process (see above)."""
    if not (eager and enabled) or len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start(stop: threading.Event | None = None) -> threading.Thread:
    """Start the schedule's thread (a daemon: it ends with the server) and return it."""
    thread = threading.Thread(target=_run, args=(stop or threading.Event(),), name="abe-embedded-beat", daemon=True)
    thread.start()
    return thread


def start_if_embedded() -> threading.Thread | None:
    """Start the thread once per process where :func:`should_start` says so; the thread, or None."""
    global _started
    if not should_start(
        sys.argv,
        os.environ,
        eager=bool(settings.CELERY_TASK_ALWAYS_EAGER),  # what the Celery app's task_always_eager is read from
        enabled=bool(getattr(settings, "ABE_EMBEDDED_BEAT", True)),
    ):
        return None
    with _lock:
        if _started is None:
            _started = start()
    return _started
