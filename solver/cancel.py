"""Cancelling a search from another thread: a set `threading.Event` stops CP-SAT within 0.05 s."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ortools.sat.python import cp_model

POLL_S = 0.05


@contextmanager
def cancellable(solver: cp_model.CpSolver, cancel: threading.Event | None) -> Iterator[None]:
    """Stop `solver`'s search soon after `cancel` is set, from a watcher thread.

    CP-SAT's `stop_search` is the one call that may come from another thread; the search then
    returns as if its time had run out (its best package so far, or none).
    """
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(POLL_S):
            if cancel.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, name="forcepack-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
