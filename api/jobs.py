"""Jobs (solves and analyses) run on a bounded pool of threads (CP-SAT releases the GIL while it searches).

At most `max_concurrent_solves` run at once and `queue_length` wait; a job beyond that is
refused (429) before anything is stored. The job's state lives in the `jobs` table; the runner
keeps only what cannot be stored: the cancel event, the progress of the jobs under way, and
their events (improving packages, steps, status changes) for the Server-Sent Events stream.

A job's work is a function of a `JobContext`: it solves through `context.solve` (the runner's
solve function, wired to the job's progress and cancel event) and returns the result document.

Cancelling sets the job `cancelled` in the table at once, and sets the event `solver.solve`
watches: CP-SAT's search stops at its next check. The thread is released when the work
returns, and its answer, if any, is discarded; until then it still holds its slot.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from forcepack.api.db import Database
from forcepack.api.errors import QueueFull, database_busy, failure_message, new_incident
from forcepack.api.schemas import Progress
from forcepack.api.tables import JobRow, utcnow
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams, SolveReport
from forcepack.solver.builder import BuildCancelled

logger = logging.getLogger("forcepack.api.jobs")

MARK_RETRY_S = 600.0
"""How long a job's outcome is tried again on a busy database before it is given up (and the job
failed at the next start)."""
UNFINISHED = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


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


class JobCancelled(Exception):
    """Raised inside a job's work when it notices it was cancelled: nothing is recorded."""


@dataclass(frozen=True)
class JobEvent:
    """Something that happened to a job: `package`, `step` or `status`, numbered from 1."""

    id: int
    event: str
    data: dict[str, Any]


@dataclass
class JobContext:
    """A job the runner holds (admitted, queued or running), as its work sees it."""

    job_id: str
    solve_function: SolveFunction
    cancel: threading.Event = field(default_factory=threading.Event)
    future: Future[None] | None = None
    packages_found: int = 0
    criterion: str | None = None
    objective: float | None = None
    elapsed_s: float | None = None
    step_name: str | None = None
    done: int | None = None
    total: int | None = None
    events: list[JobEvent] = field(default_factory=list)
    closed: bool = False
    """The runner let go of the job: no further event will come (the table has the last word)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- what the work calls ---------------------------------------------------------------

    def solve(self, scenario: Scenario, params: SolveParams, *, explain: bool = True) -> Solution:
        """Solve with this job's progress reports and cancel event."""
        return self.solve_function(
            scenario, params, on_package=self.on_package, report=SolveReport(), explain=explain, cancel=self.cancel
        )

    def on_package(self, criterion: str, objective: float, elapsed_s: float) -> None:
        """The solver found an improving package (its `on_package` callback)."""
        with self._lock:
            self.packages_found += 1
            self.criterion, self.objective, self.elapsed_s = criterion, objective, elapsed_s
            self._add("package", {"criterion": criterion, "value": objective, "seconds": round(elapsed_s, 3)})

    def step(self, name: str, done: int | None = None, total: int | None = None) -> None:
        """The work moved on to another step (an analysis: baseline, patched, withdrawals 3 of 7)."""
        with self._lock:
            self.step_name, self.done, self.total = name, done, total
            data: dict[str, Any] = {"step": name}
            if total is not None:
                data |= {"done": done, "total": total}
            self._add("step", data)

    def check_cancelled(self) -> None:
        """Stop the work here if the job was cancelled."""
        if self.cancel.is_set():
            raise JobCancelled(self.job_id)

    # -- what the runner and readers call ------------------------------------------------------

    def status(self, status: str) -> None:
        with self._lock:
            self._add("status", {"status": status})

    def close(self) -> None:
        with self._lock:
            self.closed = True

    def events_after(self, last_id: int) -> tuple[list[JobEvent], bool]:
        """Events numbered after `last_id`, and whether the runner has let go of the job."""
        with self._lock:
            return self.events[max(last_id, 0) :], self.closed  # ids are 1, 2, 3, ...: event n is at n - 1

    def progress(self) -> Progress:
        with self._lock:
            return Progress(
                packages_found=self.packages_found,
                criterion=self.criterion,
                objective=self.objective,
                elapsed_s=self.elapsed_s,
                step=self.step_name,
                done=self.done,
                total=self.total,
            )

    def _add(self, event: str, data: dict[str, Any]) -> None:
        self.events.append(JobEvent(len(self.events) + 1, event, data))


Work = Callable[[JobContext], BaseModel]
"""A job's work: given its context, the result document (a pydantic model)."""


@dataclass(frozen=True)
class Ticket:
    """A place in the runner, taken before the job is stored and given back if it is not."""

    job_id: str


class JobRunner:
    """Runs jobs on a bounded thread pool and records their outcome in the database."""

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
            from forcepack.solver import solve as solver_solve

            solve = solver_solve
        self._db = database
        self._solve = solve
        self.capacity = max_concurrent + queue_length
        self.max_concurrent = max_concurrent
        self._retry_after_s = retry_after_s
        self._executor = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="forcepack-job")
        self._lock = threading.Lock()
        self._active: dict[str, JobContext] = {}
        self._closed = False
        self.busy_retries = 0
        """Writes of a job's state tried again because the database was busy (tests, logs)."""

    # -- admission ----------------------------------------------------------------------

    def admit(self, job_id: str) -> Ticket:
        """Take a place for a new job, or refuse (429) when every slot and queue place is taken."""
        with self._lock:
            if self._closed or len(self._active) >= self.capacity:
                raise QueueFull(self._retry_after_s)
            self._active[job_id] = JobContext(job_id, self._solve)
        return Ticket(job_id)

    def release(self, ticket: Ticket) -> None:
        """Give back a place whose job was not stored."""
        with self._lock:
            active = self._active.get(ticket.job_id)
            if active is not None and active.future is None:
                del self._active[ticket.job_id]

    def start(self, ticket: Ticket, work: Work) -> None:
        """Queue the stored job of `ticket` for a thread."""
        with self._lock:
            active = self._active[ticket.job_id]
            active.status("queued")
            active.future = self._executor.submit(self._run, active, work)

    # -- what callers see ------------------------------------------------------------------

    def active_count(self) -> int:
        """Jobs admitted and not yet finished (their threads included)."""
        with self._lock:
            return len(self._active)

    def context(self, job_id: str) -> JobContext | None:
        """The job's context while the runner holds it (its events stay readable after)."""
        with self._lock:
            return self._active.get(job_id)

    def progress(self, job_id: str) -> Progress | None:
        """The progress of a running job, None when the runner does not hold it."""
        active = self.context(job_id)
        return active.progress() if active is not None else None

    def cancel(self, job_id: str) -> None:
        """Stop the job's work (the table already says `cancelled`); a queued job never starts."""
        active = self.context(job_id)
        if active is not None:
            active.cancel.set()
            active.status("cancelled")
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
        """Stop every job, wait for the threads, and record unfinished jobs as failed."""
        with self._lock:
            self._closed = True
            actives = list(self._active.values())
        for active in actives:
            active.cancel.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        fail_unfinished(self._db, "the server stopped before this job finished; submit it again")
        for active in actives:
            active.close()

    # -- the worker ------------------------------------------------------------------------

    def _forget(self, job_id: str) -> None:
        with self._lock:
            active = self._active.pop(job_id, None)
        if active is not None:
            active.close()

    def _run(self, active: JobContext, work: Work) -> None:
        try:
            self._work_and_record(active, work)
        except Exception:  # the pool would swallow it: log it; the job is failed at the next start
            logger.exception("job %s could not be recorded", active.job_id)
        finally:
            self._forget(active.job_id)

    def _work_and_record(self, active: JobContext, work: Work) -> None:
        job_id = active.job_id
        if active.cancel.is_set() or not self._mark(job_id, "queued", status="running", started_at=utcnow()):
            return  # cancelled while queued
        active.status("running")
        try:
            result = work(active)
        except (JobCancelled, BuildCancelled):  # (a build that saw the cancel event stops the same way)
            return
        except Exception as exc:
            # An exception's text may quote any nation's offer: it goes to the log and to
            # coordinators (`error_detail`); every role reads only the incident it was logged under.
            incident = new_incident()
            logger.exception("job %s failed (incident %s)", job_id, incident)
            detail = f"{type(exc).__name__}: {exc} (incident {incident})"
            if self._mark(job_id, "running", status="failed", error=failure_message(incident), error_detail=detail):
                active.status("failed")
            return
        if not active.cancel.is_set():
            document = result.model_dump(mode="json", by_alias=True)
            if self._mark(job_id, "running", status="done", result=document):
                active.status("done")

    def _mark(self, job_id: str, expected: str, **values: Any) -> bool:
        """Move a job on from `expected` (a cancel may have moved it already); True when it moved.

        A database too busy to take the write (another writer held it past the busy timeout) does
        not lose a job's answer: the write is tried again, waiting longer each time, for up to
        MARK_RETRY_S, then the job is left for the next start to mark failed."""
        if values.get("status") in ("done", "failed"):
            values.setdefault("finished_at", utcnow())
        delay, deadline = 0.05, time.monotonic() + MARK_RETRY_S
        while True:
            try:
                with self._db.write("normal") as session:
                    moved = session.execute(
                        update(JobRow).where(JobRow.id == job_id, JobRow.status == expected).values(**values)
                    )
                    return bool(getattr(moved, "rowcount", 0))
            except (PoolTimeout, OperationalError) as exc:
                if (isinstance(exc, OperationalError) and not database_busy(exc)) or time.monotonic() >= deadline:
                    raise
                self.busy_retries += 1
                logger.warning(
                    "job %s: the database is busy; recording `%s` again in %.2fs", job_id, values.get("status"), delay
                )
                time.sleep(delay)
                delay = min(2 * delay, 2.0)


def fail_unfinished(database: Database, reason: str) -> int:
    """Record every queued or running job as failed (after a crash or a stop); how many there were."""
    with database.write("normal") as session:
        moved = session.execute(
            update(JobRow)
            .where(JobRow.status.in_(UNFINISHED))
            .values(status="failed", error=reason, finished_at=utcnow())
        )
        return int(getattr(moved, "rowcount", 0))
