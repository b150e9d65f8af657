"""Another request, as a thread with its own database connection: the race tests (``test_delete_races.py``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections


def in_thread(target: Callable[[], object], errors: list[BaseException]) -> threading.Thread:
    """Start ``target`` on another thread (so another connection); whatever it raises goes into ``errors``."""

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 -- reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@dataclass
class Race:
    """The other request ``delete_after`` started: its thread, what it raised, and whether it was still running
    (waiting for the first request's transaction) when the patched call returned."""

    errors: list[BaseException] = field(default_factory=list)
    thread: threading.Thread | None = None
    waited: bool = False

    def finish(self, timeout: float = 20) -> threading.Thread:
        """Wait for the other request to end (the first one has committed); its thread."""
        assert self.thread is not None, "the patched call never ran"
        self.thread.join(timeout)
        return self.thread


def delete_after(
    monkeypatch: Any,
    owner: object,
    name: str,
    delete: Callable[[], object],
    *,
    wait: float = 1.5,
    when: Callable[..., bool] | None = None,
) -> Race:
    """Patch ``owner.name`` so that once its first call (that ``when`` accepts) has returned, inside the caller's
    still open transaction, ``delete`` runs as another request; give it ``wait`` seconds before going on."""
    race = Race()
    real = getattr(owner, name)

    def patched(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if race.thread is None and (when is None or when(*args, **kwargs)):
            race.thread = in_thread(delete, race.errors)
            race.thread.join(wait)
            race.waited = race.thread.is_alive()
        return result

    monkeypatch.setattr(owner, name, patched)
    return race
