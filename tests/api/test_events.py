"""Progress by Server-Sent Events: status changes and the solver's improving packages, until the final status."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from forcepack.api import events
from forcepack.api.auth import Role
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams, SolveReport
from forcepack.solver import solve as real_solve
from tests.api.conftest import FINISHED, BlockingSolve, Service

SOLVES = "/v1/scenarios/{}/solves"


@dataclass(frozen=True)
class Event:
    """One event as a client reads it."""

    event: str
    data: dict[str, Any]
    id: int | None


def read_events(response: httpx.Response, comments: list[str] | None = None) -> Iterator[Event]:
    """Parse a `text/event-stream` body as it arrives (the wire format of the HTML standard)."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            if comments is not None:
                comments.append(line)
            continue
        if line:
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
            continue
        if fields:
            yield Event(fields["event"], json.loads(fields["data"]), int(fields["id"]) if "id" in fields else None)
            fields = {}


class GatedSolve:
    """The real solver, held back until `go` is set (or the job is cancelled), so a stream can open first."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def __call__(
        self,
        scenario: Scenario,
        params: SolveParams | None = None,
        *,
        on_package: Callable[[str, float, float], None] | None = None,
        report: SolveReport | None = None,
        explain: bool = True,
        cancel: threading.Event | None = None,
    ) -> Solution:
        while not self.go.wait(0.01):
            if cancel is not None and cancel.is_set():
                break
        return real_solve(scenario, params, on_package=on_package, report=report, explain=explain, cancel=cancel)


def test_events_follow_a_solve_from_queued_to_done(make_service: Callable[..., Service]) -> None:
    """A stream opened before the solve starts reads queued, running, every improving package, then done, and ends."""
    gated = GatedSolve()
    service = make_service(solve=gated)
    response = service.client.post(SOLVES.format("gaza-isf"), json={"time_limit_s": 20}, headers=service.coordinator)
    location = response.headers["Location"]
    with service.client.stream("GET", f"{location}/events", headers=service.coordinator) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        received: list[Event] = []
        for event in read_events(stream):
            received.append(event)
            if event.data == {"status": "running"}:
                polled = service.client.get(location, headers=service.coordinator).json()
                assert polled["status"] == "running"  # polling keeps working while the stream is open
                gated.go.set()
    statuses = [e.data["status"] for e in received if e.event == "status"]
    assert statuses == ["queued", "running", "done"]
    assert received[-1].data == {"status": "done"}
    packages = [e.data for e in received if e.event == "package"]
    assert packages, "no improving package was streamed"
    assert all(set(p) == {"criterion", "value", "seconds"} for p in packages)
    assert [e.id for e in received] == list(range(1, len(received) + 1))
    job = service.client.get(location, headers=service.coordinator).json()
    first = job["result"]["objective"][0]
    last_of_first = [p for p in packages if p["criterion"] == first["criterion"]][-1]
    assert last_of_first["value"] == pytest.approx(first["value"])


def test_events_of_a_finished_job_are_its_final_status(service: Service) -> None:
    """A stream on a job that has finished is one event, its final status."""
    response = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator)
    location = response.headers["Location"]
    assert service.wait_job(location)["status"] == "done"
    service.runner.wait_idle(5.0)
    with service.client.stream("GET", f"{location}/events", headers=service.auth(Role.OBSERVER)) as stream:
        assert [e.data for e in read_events(stream)] == [{"status": "done"}]


def test_events_cancel_ends_the_stream(make_service: Callable[..., Service]) -> None:
    """A DELETE while the stream is open ends it with `cancelled`, before the solve's thread has returned."""
    blocking = BlockingSolve()
    service = make_service(solve=blocking)
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    with service.client.stream("GET", f"{location}/events", headers=service.auth(Role.DELEGATE, "IDN")) as stream:
        received = []
        for event in read_events(stream):
            received.append(event)
            if event.event == "package":
                assert service.client.delete(location, headers=service.coordinator).status_code == 200
    assert [(e.event, e.data) for e in received] == [
        ("status", {"status": "queued"}),
        ("status", {"status": "running"}),
        ("package", {"criterion": "shortfall", "value": 1.5, "seconds": 0.01}),
        ("status", {"status": "cancelled"}),
    ]


def test_events_resume_after_last_event_id(make_service: Callable[..., Service]) -> None:
    """A client reconnecting with `Last-Event-ID` gets only the later events."""
    blocking = BlockingSolve()
    service = make_service(solve=blocking)
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    assert blocking.started.acquire(timeout=10)
    headers = service.auth_coordinator_with(Last_Event_ID="2")
    with service.client.stream("GET", f"{location}/events", headers=headers) as stream:
        received = read_events(stream)
        first = next(received)
        assert (first.id, first.event) == (3, "package")
        blocking.release.set()
        rest = list(received)
    assert rest[-1].data == {"status": "done"}


def test_events_of_an_analysis_name_its_steps(make_service: Callable[..., Service]) -> None:
    """A what-if streams its steps (baseline, patched) between its status changes."""
    gated = GatedSolve()
    service = make_service(solve=gated)
    body = {"ops": [{"op": "drop_veto", "id": "isr-tur"}]}
    location = service.client.post("/v1/scenarios/tutorial/what-ifs", json=body, headers=service.coordinator).headers[
        "Location"
    ]
    with service.client.stream("GET", f"{location}/events", headers=service.coordinator) as stream:
        gated.go.set()
        received = list(read_events(stream))
    steps = [e.data["step"] for e in received if e.event == "step"]
    assert steps == ["baseline", "patched"]
    assert received[-1].data == {"status": "done"}


def test_events_send_heartbeats_on_a_quiet_stream(
    make_service: Callable[..., Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While nothing happens, a comment line keeps the connection alive."""
    monkeypatch.setattr(events, "HEARTBEAT_S", 0.1)
    blocking = BlockingSolve()
    service = make_service(solve=blocking)
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    comments: list[str] = []
    with service.client.stream("GET", f"{location}/events", headers=service.coordinator) as stream:
        for event in read_events(stream, comments):
            if event.event == "package":
                threading.Timer(0.5, blocking.release.set).start()
    assert comments and comments[0] == ": keep-alive"


def test_events_answer_like_the_job(service: Service) -> None:
    """No token: 401; a job of a scenario the delegate does not see (BGD: not in the tutorial), or none: 404."""
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    assert service.client.get(f"{location}/events").status_code == 401
    foreign = service.client.get(f"{location}/events", headers=service.auth(Role.DELEGATE, "BGD"))
    unknown = service.client.get("/v1/jobs/nope/events", headers=service.auth(Role.DELEGATE, "BGD"))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.headers["content-type"] == "application/problem+json"
    assert service.wait_job(location)["status"] in FINISHED


def test_events_end_when_the_token_is_revoked(
    make_service: Callable[..., Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An observer follows a running solve; its token is revoked: the stream ends, with no final
    status (the job is still running), and the same token reads nothing more."""
    from forcepack.api.auth import revoke_token

    monkeypatch.setattr(events, "RECHECK_S", 0.05)
    monkeypatch.setattr(events, "HEARTBEAT_S", 0.05)
    blocking = BlockingSolve()
    service = make_service(solve=blocking)
    location = service.client.post(SOLVES.format("tutorial"), headers=service.coordinator).headers["Location"]
    observer = service.auth(Role.OBSERVER)
    seen: list[Event] = []
    try:
        with service.client.stream("GET", f"{location}/events", headers=observer) as stream:
            for event in read_events(stream, []):
                seen.append(event)
                if event.event == "package":
                    with service.database.write() as session:
                        assert revoke_token(session, service.token(Role.OBSERVER).id)
        assert "package" in [e.event for e in seen]
        assert not [e for e in seen if e.event == "status" and e.data.get("status") in FINISHED]
        assert service.client.get(location, headers=observer).status_code == 401
        assert service.client.get(location, headers=service.coordinator).json()["status"] == "running"
    finally:
        blocking.release.set()
