"""Helpers for engagement tests: a fixed clock and a compact way to write incoming events."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_ids = count(1)


def event(*, at: datetime | str = NOW, type: str = "web_visit", source: str = "web", external_id=None, **fields):
    occurred = at if isinstance(at, str) else at.isoformat()
    return {
        "source": source,
        "external_id": external_id or f"evt-{next(_ids)}",
        "type": type,
        "occurred_at": occurred,
        **fields,
    }


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks (the scoring task) as a real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
