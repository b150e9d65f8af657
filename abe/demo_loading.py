"""The demo's loading progress, so ``make run`` can serve pages while ``load_demo`` is still building the demo.

``load_demo --progress`` writes a small JSON record (``settings.ABE_DEMO_PROGRESS_FILE``) as it goes: the step
running, the share of the load done, its own process id. ``DemoLoadingMiddleware`` answers every page with a
"demo data still loading (N%)" page while a record exists whose process is alive; the loader removes the record
when it ends (done, failed or interrupted), and a record left by a killed loader is ignored (its process is gone).

The share done is weighted by what each step typically costs (measured on SQLite, ``docs/performance.md``),
with the engagement step reporting its own stages, since it is most of the load.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Typical share of the load per step (load_demo's summary lines on SQLite, 2 December 2026); "migrate" counts
# only with ``load_demo --migrate`` (what ``make run`` does on the embedded default).
STEP_WEIGHTS = {
    "migrate": 0.3,
    "personas": 0.005,
    "accounts": 0.12,
    "content": 0.005,
    "engagement": 0.72,
    "activation": 0.05,
    "keyaccounts": 0.03,
    "analytics": 0.07,
}

# What the loading page says each step is building.
STEP_LABELS = {
    "starting": _("starting"),
    "migrate": _("the database tables (migrate)"),
    "personas": _("buyer personas"),
    "accounts": _("accounts, contacts, opportunities and tiers"),
    "content": _("content library and buying committees"),
    "engagement": _("engagement events, scores and journey history"),
    "activation": _("alert rules and alerts"),
    "keyaccounts": _("account plans"),
    "analytics": _("dashboards and their history"),
}


def progress_path() -> Path:
    return Path(settings.ABE_DEMO_PROGRESS_FILE)


def progress_write(*, step: str, percent: float, started: float, pid: int | None = None) -> None:
    """Replace the record atomically (write a temporary file, then rename), so a reader never sees half of it."""
    path = progress_path()
    record = {
        "step": step,
        "percent": max(0, min(99, int(percent))),
        "started": started,
        "updated": time.time(),
        "pid": pid or os.getpid(),
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(record))
    os.replace(temporary, path)


def progress_clear(*, pid: int | None = None) -> None:
    """Remove the record if it is this process's (or ``pid``'s)."""
    record = _read(progress_path())
    if record is not None and record.get("pid") not in (pid or os.getpid(), None):
        return
    with contextlib.suppress(FileNotFoundError):
        progress_path().unlink()


def _read(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (FileNotFoundError, ValueError, OSError):
        return None
    return record if isinstance(record, dict) else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def progress_read() -> dict[str, Any] | None:
    """The loading record while a load is running, else ``None`` (no record, or its process is gone)."""
    path = progress_path()
    if not path.exists():  # the common case: one stat per request
        return None
    record = _read(path)
    if record is None or not _alive(record.get("pid")):
        return None
    return record


class StepProgress:
    """What ``load_demo`` hands each step: ``report(fraction)`` records how far the step is (0-1)."""

    def __init__(self, *, enabled: bool, started: float, migrating: bool = False) -> None:
        self.enabled = enabled
        self.started = started
        self.weights = {k: v for k, v in STEP_WEIGHTS.items() if migrating or k != "migrate"}
        self.done = 0.0  # weight of the finished steps
        self.step = "starting"

    def begin(self, step: str) -> None:
        self.step = step
        self.report(0.0)

    def finish(self, step: str) -> None:
        self.done += self.weights.get(step, 0.0)

    def report(self, fraction: float) -> None:
        if not self.enabled:
            return
        total = sum(self.weights.values())
        share = (self.done + self.weights.get(self.step, 0.0) * max(0.0, min(1.0, fraction))) / total
        progress_write(step=self.step, percent=100 * share, started=self.started)
