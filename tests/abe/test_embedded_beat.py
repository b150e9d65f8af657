"""The embedded default (no REDIS_URL: tasks in-process, no beat process) runs the beat schedule in a thread of the
development server: a job whose request died with the server is failed by the watchdog there too, the analytics
roll-ups and the sweeps run, and the thread never starts where a real beat or a test run could be."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta

import pytest
from celery.beat import ScheduleEntry
from django.conf import settings as django_settings
from django.utils import timezone

from abe import embedded_beat
from abe.celery import app
from abe.embedded_beat import EmbeddedScheduler, scheduler_create, should_start, tick
from abe.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def _scheduler(*names: str, ago: timedelta) -> EmbeddedScheduler:
    """A scheduler holding these entries of the project's schedule, each last run ``ago``."""
    scheduler = scheduler_create()
    scheduler.data = {}
    scheduler.update_from_dict({name: django_settings.CELERY_BEAT_SCHEDULE[name] for name in names})
    for entry in scheduler.data.values():
        entry.last_run_at = timezone.now() - ago
    return scheduler


def _stalled_job(workspace) -> Job:
    return Job.objects.create(
        workspace=workspace,
        kind="x",
        label="Rescore",
        total=10,
        processed=4,
        status=JobStatus.RUNNING,
        progressed_at=timezone.now() - timedelta(hours=2),
    )


@pytest.mark.parametrize(
    ("argv", "environ", "eager", "enabled", "expected"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True, True, True),  # reloader's child
        (["manage.py", "runserver", "--noreload"], {}, True, True, True),
        (["manage.py", "runserver"], {}, True, True, False),  # the reloader's parent serves nothing
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, True, False),  # a broker: celery beat runs it
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, True, False, False),  # ABE_EMBEDDED_BEAT=0
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, True, True, False),
        (["pytest"], {}, True, True, False),
        (["gunicorn", "abe.wsgi:application"], {}, True, True, False),
    ],
)
def test_it_starts_only_in_the_serving_process_of_runserver_with_tasks_in_process(
    argv, environ, eager, enabled, expected
):
    assert should_start(argv, environ, eager=eager, enabled=enabled) is expected


def test_the_test_run_has_no_schedule_thread():
    assert embedded_beat.start_if_embedded() is None
    assert not any(t.name == "abe-embedded-beat" for t in threading.enumerate())


def test_a_due_watchdog_fails_the_job_a_dead_server_left_running(workspace):
    # given a job left "running" two hours ago (its request died with the server), and the watchdog's entry due
    job = _stalled_job(workspace)
    scheduler = _scheduler("abe-jobs-stalled", ago=timedelta(minutes=6))

    # when the embedded beat looks at its schedule
    tick(scheduler)

    # then the watchdog ran here, in-process, and the job says why it stopped
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Stopped: no progress for 60 minutes")
    assert job.processed == 4


def test_an_entry_not_yet_due_does_not_run_and_the_next_look_is_when_it_is(workspace):
    job = _stalled_job(workspace)
    scheduler = _scheduler("abe-jobs-stalled", ago=timedelta(minutes=1))  # every 5 minutes: due in 4

    wait = tick(scheduler)

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert 0 < wait <= embedded_beat.MAX_SLEEP


def test_nothing_runs_while_the_demo_is_loading(workspace, settings, tmp_path):
    # given the demo loader's progress record (its process alive: this one)
    settings.ABE_DEMO_PROGRESS_FILE = str(tmp_path / "progress.json")
    (tmp_path / "progress.json").write_text(f'{{"step": "engagement", "percent": 40, "pid": {os.getpid()}}}')
    job = _stalled_job(workspace)
    scheduler = _scheduler("abe-jobs-stalled", ago=timedelta(minutes=6))

    assert tick(scheduler) == embedded_beat.LOADING_WAIT

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # the tables may not even exist yet while a load migrates


def test_a_failing_task_is_logged_and_the_schedule_goes_on(workspace, monkeypatch):
    # given two due entries, the first of which fails (Celery's own log handlers replace pytest's once a task
    # has run, so the module's logger is watched directly)
    job = _stalled_job(workspace)
    scheduler = _scheduler("engagement-pending-sweep", "abe-jobs-stalled", ago=timedelta(minutes=6))
    errors = []
    monkeypatch.setattr(embedded_beat.logger, "error", lambda message, *args, **kwargs: errors.append(message % args))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(app.tasks["engagement.tasks.engagement_pending_sweep"], "run", broken)
    tick(scheduler)

    assert [e.splitlines()[0] for e in errors] == [
        "Embedded beat: engagement.tasks.engagement_pending_sweep failed: RuntimeError('boom')"
    ]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED  # the other due entry still ran


def test_the_scheduler_runs_every_entry_of_the_project_schedule():
    scheduler = scheduler_create()

    assert set(scheduler.schedule) == set(django_settings.CELERY_BEAT_SCHEDULE)  # and nothing of Celery's own
    missing = [e.task for e in scheduler.schedule.values() if e.task not in app.tasks]
    assert missing == []


def test_the_thread_stops_when_asked():
    stop = threading.Event()
    stop.set()

    thread = embedded_beat.start(stop)
    thread.join(timeout=10)

    assert not thread.is_alive() and thread.daemon


def test_an_entry_runs_its_task_with_its_arguments(monkeypatch):
    seen = []
    task = app.tasks["abe.tasks.worker_heartbeat"]
    monkeypatch.setattr(task, "run", lambda *args, **kwargs: seen.append((args, kwargs)))
    scheduler = EmbeddedScheduler(app, lazy=True)
    entry = ScheduleEntry(name="x", task=task.name, schedule=timedelta(seconds=30), args=(1,), kwargs={"a": 2}, app=app)

    scheduler.apply_async(entry)

    assert seen == [((1,), {"a": 2})]


def test_runserver_on_the_embedded_default_starts_one_thread_per_process(settings, monkeypatch):
    # given the serving process of `manage.py runserver --noreload` with tasks in-process
    started = []
    monkeypatch.setattr(embedded_beat, "start", lambda: started.append(object()) or started[-1])
    monkeypatch.setattr(embedded_beat, "_started", None)
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver", "--noreload"])
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.ABE_EMBEDDED_BEAT = True

    first, second = embedded_beat.start_if_embedded(), embedded_beat.start_if_embedded()

    assert first is second is started[0] and len(started) == 1
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker: celery beat runs the schedule
    monkeypatch.setattr(embedded_beat, "_started", None)
    assert embedded_beat.start_if_embedded() is None and len(started) == 1


def test_a_nightly_entry_missed_while_the_server_was_down_is_due_when_it_starts_again(tmp_path, settings):
    # given the beat's file of a server that last ran the nightly analytics rebuild (00:40) three days ago
    state = tmp_path / "beat.json"
    state.write_text(json.dumps({"analytics-nightly-rebuild": (timezone.now() - timedelta(days=3)).isoformat()}))

    # when the server starts again, and, for comparison, a server with no file
    settings.ABE_EMBEDDED_BEAT_STATE = str(state)
    restarted = scheduler_create()
    settings.ABE_EMBEDDED_BEAT_STATE = ""
    fresh = scheduler_create()

    # then the entry is due at once (its hour came while the server was down), where without the file it waits for
    # its next 00:40 (a laptop off at night never ran it)
    assert restarted.schedule["analytics-nightly-rebuild"].is_due().is_due
    assert not fresh.schedule["analytics-nightly-rebuild"].is_due().is_due


def test_running_an_entry_writes_down_the_last_runs_and_a_restart_reads_them(tmp_path, settings, monkeypatch):
    # given a server keeping its beat's file, and a task that does nothing
    state = tmp_path / "beat.json"
    settings.ABE_EMBEDDED_BEAT_STATE = str(state)
    task = app.tasks["abe.tasks.worker_heartbeat"]
    monkeypatch.setattr(task, "run", lambda *args, **kwargs: None)
    scheduler = scheduler_create()

    # when an entry runs, and the server starts again
    scheduler.apply_async(scheduler.schedule["abe-worker-heartbeat"])
    stored = json.loads(state.read_text())
    again = scheduler_create()

    # then every entry's last run is in the file, the one that ran just now, and the new server counts from them
    assert set(stored) == set(django_settings.CELERY_BEAT_SCHEDULE)
    ran = datetime.fromisoformat(stored["abe-worker-heartbeat"])
    assert timezone.now() - ran < timedelta(seconds=30)
    assert again.schedule["abe-worker-heartbeat"].last_run_at == ran


def test_an_unreadable_beat_file_is_said_and_the_schedule_counts_from_now(tmp_path, settings, monkeypatch):
    said = []
    monkeypatch.setattr(embedded_beat.logger, "warning", lambda message, *args, **kwargs: said.append(message % args))
    state = tmp_path / "beat.json"
    state.write_text("{not json")
    settings.ABE_EMBEDDED_BEAT_STATE = str(state)

    scheduler = scheduler_create()

    assert said == [f"Embedded beat: {state} could not be read; the schedule counts from now"]
    assert not scheduler.schedule["analytics-nightly-rebuild"].is_due().is_due
