"""Pause Python's cyclic garbage collector around one bulk operation.

A bulk path (a 5,000-event batch, a 100,000-row import or rescore) allocates hundreds of thousands of small
objects (parsed JSON, rows, tuples) that hold no reference cycles. Each 700 allocations start a young
collection, and every so often a full one walks *every* live object of the process: Django, NumPy, pandas and
the request's own rows. Measured with cProfile on 4 batches of 5,000 events: about a quarter of the CPU time of
the batch endpoint went to those collections (docs/performance.md, "Ingest").

``gc_paused()`` turns automatic collection off for the body and back on afterwards (only if it was on, and
only when the outermost pause ends, so pauses nest and threads that pause together do not re-enable it under
each other). Reference counting still frees everything as usual; only cycles wait for the next collection.
The body must be bounded (one batch, one import): memory held by cycles is not reclaimed during it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
