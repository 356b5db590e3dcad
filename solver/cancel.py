"""Cancelling a search from another thread: a set `threading.Event` stops CP-SAT within 0.05 s."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ortools.sat.python import cp_model

POLL_S = 0.05


@contextmanager
def cancellable(solver: cp_model.CpSolver, cancel: threading.Event | None) -> Iterator[None]:
    """Stop `solver`'s search soon after `cancel` is set, from a watcher thread.

    CP-SAT's `stop_search` is the one call that may come from another thread; the search then
    returns as if its time had run out (its best package so far, or none).
    """
    with interruptible(solver.stop_search, cancel):
        yield


@contextmanager
def interruptible(stop: Callable[[], object], cancel: threading.Event | None) -> Iterator[None]:
    """Call `stop` (a solver's thread-safe interrupt) soon after `cancel` is set, from a watcher thread."""
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(POLL_S):
            if cancel.is_set():
                stop()
                return

    watcher = threading.Thread(target=watch, name="forcepack-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
