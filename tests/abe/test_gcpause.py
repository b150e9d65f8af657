"""abe.gcpause: automatic garbage collection is off inside a pause, back on after it (nested, and on errors)."""

from __future__ import annotations

import gc

import pytest

from abe.gcpause import gc_paused


def test_collection_is_paused_inside_and_restored_after_nested_pauses_and_errors():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause ending does not re-enable it under the outer one
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_pause_leaves_collection_off_if_it_was_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
