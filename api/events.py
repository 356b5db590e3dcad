"""A job's progress as Server-Sent Events (`text/event-stream`), fed from the runner's job context.

Events, each with an `id` (a reconnecting client sends the last one as `Last-Event-ID` and
gets only later ones):

- `status`: `{"status": "queued" | "running" | "done" | "failed" | "cancelled"}`;
- `package`: an improving package, as the solver's `on_package` callback reports it:
  `{"criterion": "shortfall", "value": 1.5, "seconds": 0.42}`;
- `step`: an analysis moved on: `{"step": "withdrawals", "done": 3, "total": 7}`.

The stream ends after the final status (`done`, `failed` or `cancelled`); for a job the runner
no longer holds (finished, or left by an earlier process), that status is the only event. A
comment line every `HEARTBEAT_S` keeps proxies from closing a quiet stream.

The events are FastAPI's own (`fastapi.sse`: the route answers with `EventSourceResponse` and yields
`ServerSentEvent`s, which FastAPI writes in the wire format); this module decides which events a
caller gets and when.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from anyio import to_thread
from fastapi.sse import ServerSentEvent

from forcepack.api.errors import NotFound
from forcepack.api.jobs import FINISHED, JobContext

POLL_S = 0.05
"""How often the stream looks for new events (they are in memory: a lock and a list slice)."""
HEARTBEAT_S = 15.0


KEEP_ALIVE = ServerSentEvent(comment="keep-alive")
"""The comment line a quiet stream sends every `HEARTBEAT_S`."""


def event(name: str, data: dict[str, Any], event_id: int | None = None) -> ServerSentEvent:
    """One event: its name, its data as compact JSON, and its id (to resume after it)."""
    return ServerSentEvent(
        event=name, raw_data=json.dumps(data, separators=(",", ":")), id=None if event_id is None else str(event_id)
    )


RECHECK_S = 2.0
"""How often a stream asks again whether its caller may still read it."""


async def _final(current_status: Callable[[], str]) -> AsyncIterator[ServerSentEvent]:
    """The job's status as the table has it (nothing when the caller no longer sees the job)."""
    try:
        status = await to_thread.run_sync(current_status)
    except NotFound:  # its nation left the scenario meanwhile
        return
    yield event("status", {"status": status})


async def job_events(
    context: JobContext | None,
    last_event_id: int,
    current_status: Callable[[], str],
    allowed: Callable[[], bool] | None = None,
) -> AsyncIterator[ServerSentEvent]:
    """The job's events after `last_event_id`, until its final status.

    `current_status` reads the job's status from the table (it runs in a worker thread): the
    last word once the runner has let go of the job. `allowed` (also in a worker thread, every
    RECHECK_S) says whether the caller may still read: a revoked or expired token, or a nation
    no longer listed, ends the stream without another event.
    """
    if context is None:
        async for line in _final(current_status):
            yield line
        return
    last, quiet_since, checked = last_event_id, time.monotonic(), time.monotonic()
    while True:
        if allowed is not None and time.monotonic() - checked >= RECHECK_S:
            if not await to_thread.run_sync(allowed):
                return
            checked = time.monotonic()
        events, closed = context.events_after(last)
        for recorded in events:
            yield event(recorded.event, recorded.data, recorded.id)
            last = recorded.id
            if recorded.event == "status" and recorded.data.get("status") in FINISHED:
                return
        if closed:  # let go without a final event (cancelled while queued, or not recorded): ask the table
            async for line in _final(current_status):
                yield line
            return
        if events:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= HEARTBEAT_S:
            yield KEEP_ALIVE
            quiet_since = time.monotonic()
        await asyncio.sleep(POLL_S)
