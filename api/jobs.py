"""Solves run as jobs on a bounded pool of threads (CP-SAT releases the GIL while it searches).

At most `max_concurrent_solves` run at once and `queue_length` wait; a solve beyond that is
refused (429) before anything is stored. The job's state lives in the `jobs` table; the runner
keeps only what cannot be stored: the cancel event and the progress of the solves under way.

Cancelling sets the job `cancelled` in the table at once, and sets the event `solver.solve`
watches: CP-SAT's search stops at its next check. The thread is released when `solve` returns,
and its answer, if any, is discarded; until then it still holds its slot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import update

from api.db import Database
from api.errors import QueueFull
from api.schemas import Progress
from api.tables import JobRow, utcnow
from models.scenario import Scenario
from models.solution import Solution
from solver import SolveParams, SolveReport

logger = logging.getLogger("forcepack.api.jobs")

UNFINISHED = ("queued", "running")


class SolveFunction(Protocol):
    """`solver.solve`, or a stand-in with the same keywords (tests)."""

    def __call__(
        self,
        scenario: Scenario,
        params: SolveParams | None = None,
        *,
        on_package: Callable[[str, float, float], None] | None = None,
        report: SolveReport | None = None,
        explain: bool = True,
        cancel: threading.Event | None = None,
    ) -> Solution: ...


@dataclass
class _Active:
    """A job the runner holds: admitted, queued or running."""

    cancel: threading.Event = field(default_factory=threading.Event)
    future: Future[None] | None = None
    packages_found: int = 0
    criterion: str | None = None
    objective: float | None = None
    elapsed_s: float | None = None

    def on_package(self, criterion: str, objective: float, elapsed_s: float) -> None:
        self.packages_found += 1
        self.criterion, self.objective, self.elapsed_s = criterion, objective, elapsed_s


@dataclass(frozen=True)
class Ticket:
    """A place in the runner, taken before the job is stored and given back if it is not."""

    job_id: str


class JobRunner:
    """Runs solve jobs on a bounded thread pool and records their outcome in the database."""

    def __init__(
        self,
        database: Database,
        *,
        max_concurrent: int,
        queue_length: int,
        retry_after_s: int,
        solve: SolveFunction | None = None,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError(f"Expected max_concurrent >= 1, got {max_concurrent}.")
        if queue_length < 0:
            raise ValueError(f"Expected queue_length >= 0, got {queue_length}.")
        if solve is None:
            from solver import solve as solver_solve

            solve = solver_solve
        self._db = database
        self._solve = solve
        self.capacity = max_concurrent + queue_length
        self.max_concurrent = max_concurrent
        self._retry_after_s = retry_after_s
        self._executor = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="forcepack-solve")
        self._lock = threading.Lock()
        self._active: dict[str, _Active] = {}
        self._closed = False

    # -- admission ----------------------------------------------------------------------

    def admit(self, job_id: str) -> Ticket:
        """Take a place for a new job, or refuse (429) when every slot and queue place is taken."""
        with self._lock:
            if self._closed or len(self._active) >= self.capacity:
                raise QueueFull(self._retry_after_s)
            self._active[job_id] = _Active()
        return Ticket(job_id)

    def release(self, ticket: Ticket) -> None:
        """Give back a place whose job was not stored."""
        with self._lock:
            active = self._active.get(ticket.job_id)
            if active is not None and active.future is None:
                del self._active[ticket.job_id]

    def start(self, ticket: Ticket, scenario: Scenario, params: SolveParams, *, explain: bool) -> None:
        """Queue the stored job of `ticket` for a thread."""
        with self._lock:
            active = self._active[ticket.job_id]
            active.future = self._executor.submit(self._run, ticket.job_id, active, scenario, params, explain)

    # -- what callers see ------------------------------------------------------------------

    def active_count(self) -> int:
        """Jobs admitted and not yet finished (their threads included)."""
        with self._lock:
            return len(self._active)

    def progress(self, job_id: str) -> Progress | None:
        """The latest improving package of a running job, None when the runner does not hold it."""
        with self._lock:
            active = self._active.get(job_id)
            if active is None:
                return None
            return Progress(
                packages_found=active.packages_found,
                criterion=active.criterion,
                objective=active.objective,
                elapsed_s=active.elapsed_s,
            )

    def cancel(self, job_id: str) -> None:
        """Stop the job's solve (the table already says `cancelled`); a queued job never starts."""
        with self._lock:
            active = self._active.get(job_id)
        if active is not None:
            active.cancel.set()
            if active.future is not None and active.future.cancel():
                self._forget(job_id)

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no job is held (tests, shutdown); False on time-out."""
        deadline = time.monotonic() + timeout_s
        while self.active_count():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def shutdown(self) -> None:
        """Stop every solve, wait for the threads, and record unfinished jobs as failed."""
        with self._lock:
            self._closed = True
            actives = list(self._active.values())
        for active in actives:
            active.cancel.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        fail_unfinished(self._db, "the server stopped before this job finished; submit it again")

    # -- the worker ------------------------------------------------------------------------

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._active.pop(job_id, None)

    def _run(self, job_id: str, active: _Active, scenario: Scenario, params: SolveParams, explain: bool) -> None:
        try:
            self._solve_and_record(job_id, active, scenario, params, explain)
        except Exception:  # the pool would swallow it: log it; the job is failed at the next start
            logger.exception("job %s could not be recorded", job_id)
        finally:
            self._forget(job_id)

    def _solve_and_record(
        self, job_id: str, active: _Active, scenario: Scenario, params: SolveParams, explain: bool
    ) -> None:
        if active.cancel.is_set() or not self._mark(job_id, "queued", status="running", started_at=utcnow()):
            return  # cancelled while queued
        try:
            solution = self._solve(
                scenario,
                params,
                on_package=active.on_package,
                report=SolveReport(),
                explain=explain,
                cancel=active.cancel,
            )
        except Exception as exc:
            logger.exception("job %s failed", job_id)
            self._mark(job_id, "running", status="failed", error=f"{type(exc).__name__}: {exc}")
            return
        if not active.cancel.is_set():
            result = solution.model_dump(mode="json", by_alias=True)
            self._mark(job_id, "running", status="done", result=result)

    def _mark(self, job_id: str, expected: str, **values: Any) -> bool:
        """Move a job on from `expected` (a cancel may have moved it already); True when it moved."""
        if values.get("status") in ("done", "failed"):
            values.setdefault("finished_at", utcnow())
        with self._db.write("normal") as session:
            moved = session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.status == expected).values(**values)
            )
            return bool(getattr(moved, "rowcount", 0))


def fail_unfinished(database: Database, reason: str) -> int:
    """Record every queued or running job as failed (after a crash or a stop); how many there were."""
    with database.write("normal") as session:
        moved = session.execute(
            update(JobRow)
            .where(JobRow.status.in_(UNFINISHED))
            .values(status="failed", error=reason, finished_at=utcnow())
        )
        return int(getattr(moved, "rowcount", 0))
