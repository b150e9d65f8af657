"""`make run` serves while the demo loads: the pages say "demo data still loading (N%)" from the loader's record."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from abe.demo_loading import STEP_WEIGHTS, StepProgress, progress_clear, progress_read, progress_write
from abe.models import Workspace


@pytest.fixture
def record_file(settings, tmp_path):
    settings.ABE_DEMO_PROGRESS_FILE = str(tmp_path / "demo-loading.json")
    return tmp_path / "demo-loading.json"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.django_db
def test_pages_say_the_demo_is_loading_while_the_loader_runs(client, record_file, caplog):
    progress_write(step="engagement", percent=42.7, started=0.0)  # this process stands for the loader

    with caplog.at_level("WARNING", logger="django.request"):
        page = client.get("/accounts/")
    assert not caplog.records  # expected while loading: no warning per refresh in the console
    assert page.status_code == 503 and page["Retry-After"] == "5"
    body = page.content.decode()
    assert "Demo data still loading (42%)" in body
    assert "engagement events, scores and journey history" in body
    assert '<meta http-equiv="refresh"' in body and 'aria-valuenow="42"' in body

    api = client.get("/api/v1/accounts/")
    assert api.status_code == 503 and api.json()["percent"] == 42 and api.json()["step"] == "engagement"
    assert client.get("/healthz").status_code == 200  # liveness stays up

    progress_clear()
    assert not record_file.exists()
    assert client.get("/accounts/").status_code == 302  # the normal page again (login first)


@pytest.mark.django_db
def test_a_record_left_by_a_dead_loader_or_garbage_is_ignored(client, record_file):
    record_file.write_text(json.dumps({"step": "accounts", "percent": 10, "pid": _dead_pid()}))
    assert progress_read() is None
    assert client.get("/accounts/").status_code == 302

    record_file.write_text("{not json")
    assert progress_read() is None
    assert client.get("/accounts/").status_code == 302


def test_a_loader_clears_only_its_own_record(record_file):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        record_file.write_text(json.dumps({"step": "accounts", "percent": 10, "pid": other.pid}))
        progress_clear()  # this process is not the loader named in the record
        assert progress_read() == {"step": "accounts", "percent": 10, "pid": other.pid}
        progress_clear(pid=other.pid)
        assert not record_file.exists()
    finally:
        other.kill()
        other.wait()


def test_progress_is_weighted_by_step_and_never_says_100_before_the_end(record_file):
    tracker = StepProgress(enabled=True, started=0.0)
    tracker.begin("personas")
    tracker.finish("personas")
    tracker.begin("accounts")
    tracker.finish("accounts")
    tracker.begin("content")
    tracker.finish("content")
    tracker.begin("engagement")
    tracker.report(0.5)
    total = sum(v for k, v in STEP_WEIGHTS.items() if k != "migrate")  # no --migrate: the demo steps only
    expected = int(100 * (STEP_WEIGHTS["personas"] + STEP_WEIGHTS["accounts"] + STEP_WEIGHTS["content"] + 0.36) / total)
    record = progress_read()
    assert record is not None and record["step"] == "engagement" and record["percent"] == expected
    assert record["pid"] == os.getpid()
    for step in ("engagement", "activation", "keyaccounts", "analytics"):
        tracker.finish(step)
    tracker.report(1.0)
    assert progress_read()["percent"] == 99  # 100 is the demo itself, once committed

    StepProgress(enabled=False, started=0.0).report(0.5)  # without --progress nothing is written
    assert progress_read()["percent"] == 99

    migrating = StepProgress(enabled=True, started=0.0, migrating=True)  # load_demo --migrate (make run)
    migrating.begin("migrate")
    migrating.finish("migrate")
    migrating.begin("personas")
    assert progress_read()["percent"] == int(100 * STEP_WEIGHTS["migrate"] / sum(STEP_WEIGHTS.values()))


@pytest.mark.django_db(transaction=True)
def test_load_demo_with_progress_removes_its_record_when_it_ends(record_file, monkeypatch):
    from abe.management.commands.load_demo import Command

    Workspace.objects.create(name="Existing", slug="existing")
    call_command("load_demo", "--if-empty", "--progress")
    assert not record_file.exists()  # nothing loaded, nothing left

    seen = []

    def failing_load(self, **kwargs):
        seen.append(progress_read())
        raise RuntimeError("a step failed")

    monkeypatch.setattr(Command, "_load", failing_load)
    with pytest.raises(RuntimeError):
        call_command("load_demo", "--progress")
    assert seen[0] is not None and seen[0]["step"] == "starting" and seen[0]["pid"] == os.getpid()
    assert not record_file.exists()  # a failed load does not leave the pages saying "loading"
