"""Another request, as a thread with its own database connection: the race tests (``test_delete_races.py``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

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
