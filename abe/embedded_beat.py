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
beat``, crontab entries at their hour; each entry's last run kept in a small file, so one missed while the server was
down runs when it starts again: :class:`EmbeddedScheduler`) and runs each due task in
itself, one at a time, through ``Task.apply`` (what an eager call does), instead of sending it to a broker. A task
that fails is logged with its traceback and the schedule goes on. It waits while the demo is still loading (the
loader's progress record, ``abe.demo_loading``: the tables may not exist yet), and closes its database
connections after each tick so the long-lived thread never holds one between runs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
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
    """Celery's in-memory scheduler, running each due task here (``Task.apply``) rather than sending it.

    ``state_path`` (``ABE_EMBEDDED_BEAT_STATE``): a JSON file of each entry's last run, written whenever one runs
    and read at start. Without it an entry counts from the server's start, so a nightly entry (the analytics
    rebuild at 00:40, asset performance at 02:40, the key accounts' day at 05:30, the day's closing snapshots at
    23:55) never ran on a laptop that is off at that hour. With it, an entry whose time came while the server was
    down is due at once when it starts again, and runs once (as ``celery beat`` does with its schedule file)."""

    def __init__(self, app: Any, *args: Any, state_path: str = "", **kwargs: Any) -> None:
        self.state_path = state_path  # before ``Scheduler.__init__``, which sets the schedule up
        super().__init__(app, *args, **kwargs)

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self._last_runs_restore()

    def reserve(self, entry: ScheduleEntry) -> Any:  # Celery's stubs say ``event_t``; it is the next entry
        """The entry's next state (its last run now), then every entry's last run written down."""
        reserved = super().reserve(entry)
        self._last_runs_save()
        return reserved

    def _last_runs_restore(self) -> None:
        if not self.state_path or not os.path.exists(self.state_path):
            return
        try:
            with open(self.state_path, encoding="utf-8") as f:
                stored = json.load(f)
            now = self.app.now()
            for name, entry in self.schedule.items():
                if isinstance(stored, dict) and isinstance(stored.get(name), str):
                    last = datetime.fromisoformat(stored[name])
                    if last.tzinfo is not None:
                        entry.last_run_at = min(last, now)  # a clock set back: not a run in the future
        except (OSError, ValueError, TypeError):  # unreadable or not ours: every entry counts from now
            logger.warning("Embedded beat: %s could not be read; the schedule counts from now", self.state_path)

    def _last_runs_save(self) -> None:
        if not self.state_path:
            return
        runs = {name: entry.last_run_at.isoformat() for name, entry in self.schedule.items() if entry.last_run_at}
        partial = f"{self.state_path}.{os.getpid()}.tmp"
        try:
            with open(partial, "w", encoding="utf-8") as f:
                json.dump(runs, f, indent=0, sort_keys=True)
            os.replace(partial, self.state_path)  # whole or not at all, even if the server stops mid-write
        except OSError:
            logger.warning("Embedded beat: %s could not be written", self.state_path, exc_info=True)

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
    return EmbeddedScheduler(app, state_path=getattr(settings, "ABE_EMBEDDED_BEAT_STATE", ""))


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
