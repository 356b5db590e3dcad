"""Solve jobs: the solution document, idempotency keys, limits, cancellation, crash recovery."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.generator import generate
from forcepack.api.app import create_app
from forcepack.api.deps import get_runner, get_settings
from forcepack.api.jobs import JobRunner
from forcepack.api.settings import Settings
from forcepack.api.tables import JobRow, utcnow
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams, SolveReport
from forcepack.solver import solve as real_solve
from tests.api.conftest import BlockingSolve, Service, make_settings

SOLVES = "/v1/scenarios/tutorial/solves"


def test_jobs_solve_returns_the_solution_document(service: Service) -> None:
    """POST answers 202 with Location; the finished job holds the solution document of the domain reference."""
    response = service.client.post(SOLVES, json={"time_limit_s": 20}, headers=service.coordinator)
    assert response.status_code == 202
    assert response.headers["Location"] == f"/v1/jobs/{response.json()['id']}"
    job = service.wait_job(response.headers["Location"])
    assert job["status"] == "done"
    solution = Solution.model_validate(job["result"])
    assert solution.status == "optimal"
    assert solution.objective_value("shortfall") == 1.5
    assert job["result"]["schema"] == "forcepack.solution/1"
    assert job["started_at"] is not None and job["finished_at"] is not None


def test_jobs_same_idempotency_key_ten_times_gives_one_job(service: Service) -> None:
    """Ten requests with one key and one body, five of them at once, make one job; a new key a new one."""
    body = {"time_limit_s": 5, "seed": 3}
    headers = service.auth_coordinator_with(Idempotency_Key="solve-42")
    ids: list[str] = []
    lock = threading.Lock()

    def post() -> None:
        response = TestClient(service.app).post(SOLVES, json=body, headers=headers)
        assert response.status_code == 202, response.text
        with lock:
            ids.append(response.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(5):
        post()
    assert len(ids) == 10
    assert len(set(ids)) == 1
    with service.database.read() as session:
        assert session.query(JobRow).filter(JobRow.idempotency_key == "solve-42").count() == 1
    other = service.client.post(SOLVES, json=body, headers=service.auth_coordinator_with(Idempotency_Key="solve-43"))
    assert other.json()["id"] != ids[0]
    service.wait_job(f"/v1/jobs/{ids[0]}")
    service.wait_job(other.headers["Location"])


def test_jobs_same_key_other_body_gets_422(service: Service) -> None:
    """Reusing a key with another body is a 422 naming the header; the first job is untouched."""
    headers = service.auth_coordinator_with(Idempotency_Key="k1")
    first = service.client.post(SOLVES, json={"seed": 1}, headers=headers)
    assert first.status_code == 202
    again = service.client.post(SOLVES, json={"seed": 1}, headers=headers)
    assert again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = service.client.post(SOLVES, json={"seed": 2}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["problems"][0].startswith("Idempotency-Key: already used for job")
    other_scenario = service.client.post("/v1/scenarios/gaza-isf/solves", json={"seed": 1}, headers=headers)
    assert other_scenario.status_code == 422
    service.wait_job(first.headers["Location"])


def test_jobs_solve_time_is_clamped_to_the_server_maximum(service: Service) -> None:
    """A time limit above the server maximum is cut to it (settings overridden as a dependency)."""
    limited = make_settings(Path("/unused"), max_solve_seconds=2.0)
    service.app.dependency_overrides[get_settings] = lambda: limited
    try:
        response = service.client.post(SOLVES, json={"time_limit_s": 3600}, headers=service.coordinator)
    finally:
        service.app.dependency_overrides.clear()
    assert response.status_code == 202
    assert response.json()["params"]["time_limit_s"] == 2.0
    job = service.wait_job(response.headers["Location"])
    assert job["result"]["run"]["time_limit_s"] == 2.0


def test_jobs_full_queue_gets_429_with_retry_after(make_service: Callable[..., Service]) -> None:
    """With every slot and queue place taken, a solve gets 429 and Retry-After; a freed place takes one again."""
    service = make_service()
    blocking = BlockingSolve()
    runner = JobRunner(service.database, max_concurrent=1, queue_length=1, retry_after_s=7, solve=blocking)
    service.app.dependency_overrides[get_runner] = lambda: runner
    try:
        running = service.client.post(SOLVES, headers=service.coordinator)
        queued = service.client.post(SOLVES, headers=service.coordinator)
        assert (running.status_code, queued.status_code) == (202, 202)
        assert blocking.started.acquire(timeout=10)
        refused = service.client.post(SOLVES, headers=service.coordinator)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "7"
        assert service.client.delete(queued.headers["Location"], headers=service.coordinator).status_code == 200
        assert runner.active_count() == 1  # the cancelled queued job gave its place back at once
        third = service.client.post(SOLVES, headers=service.coordinator)
        assert third.status_code == 202
        blocking.release.set()
        assert runner.wait_idle(10.0)
        assert service.wait_job(third.headers["Location"])["status"] == "done"
    finally:
        blocking.release.set()
        runner.shutdown()
        service.app.dependency_overrides.clear()
    assert blocking.calls == 2  # the cancelled queued job never ran


def test_jobs_cancel_reaches_the_solve(make_service: Callable[..., Service]) -> None:
    """A running job shows its progress; DELETE records `cancelled` and sets the solve's cancel event."""
    blocking = BlockingSolve()
    service = make_service(solve=blocking)
    response = service.client.post(SOLVES, headers=service.coordinator)
    assert blocking.started.acquire(timeout=10)
    running = service.wait_job(response.headers["Location"], until=("running",))
    assert running["status"] == "running"
    assert running["progress"] == {
        "packages_found": 1,
        "criterion": "shortfall",
        "objective": 1.5,
        "elapsed_s": 0.01,
        "step": None,
        "done": None,
        "total": None,
    }
    cancelled = service.client.delete(response.headers["Location"], headers=service.coordinator)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert service.runner.wait_idle(5.0)
    job = service.client.get(response.headers["Location"], headers=service.coordinator).json()
    assert job["status"] == "cancelled"
    assert job["result"] is None
    again = service.client.delete(response.headers["Location"], headers=service.coordinator)
    assert again.status_code == 409


def test_jobs_cancel_stops_a_long_solve_by_its_event(make_service: Callable[..., Service]) -> None:
    """A 500-nation solve (generate(500, 1), 300 s allowed) is cancelled: the DELETE answers
    `cancelled` at once, the solve stops because it saw the cancel event (its report says so), and
    its thread ends long before its time limit would have ended it. No verdict here depends on the
    machine's speed: the bound on the thread (120 s) is far below the solve's own 300 s.
    """
    reports: list[SolveReport] = []

    def solve(scenario: Scenario, params: SolveParams | None = None, **kwargs: Any) -> Solution:
        reports.append(kwargs["report"])
        return real_solve(scenario, params, **kwargs)

    service = make_service(examples=False, max_concurrent_solves=1, max_solve_seconds=300.0, solve=solve)
    scenario = generate(500, 1)
    body = scenario.model_dump_json(by_alias=True, exclude_none=True)
    created = service.client.post(
        "/v1/scenarios", content=body, headers=service.auth_coordinator_with(Content_Type="application/json")
    )
    assert created.status_code == 201, created.text[:500]
    response = service.client.post(
        f"/v1/scenarios/{scenario.id}/solves", json={"time_limit_s": 300}, headers=service.coordinator
    )
    location = response.headers["Location"]
    assert service.wait_job(location, until=("running",), timeout_s=120)["status"] == "running"
    cancelled = service.client.delete(location, headers=service.coordinator)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert service.runner.wait_idle(120.0), "the solve's thread did not stop"
    assert len(reports) == 1 and reports[0].cancelled
    job = service.client.get(location, headers=service.coordinator).json()
    assert (job["status"], job["result"]) == ("cancelled", None)


def test_jobs_running_at_a_crash_are_marked_failed(tmp_path: Path) -> None:
    """Jobs left queued or running by a dead process are failed at the next start, with a reason."""
    settings = make_settings(tmp_path)
    first = create_app(settings)
    with TestClient(first) as client:
        from forcepack.api.setup import load_examples
        from tests.api.conftest import EXAMPLES

        load_examples(first.state.database, EXAMPLES)
        with first.state.database.write() as session:
            for job_id, status in (("a" * 32, "running"), ("b" * 32, "queued"), ("c" * 32, "done")):
                session.add(
                    JobRow(
                        id=job_id,
                        kind="solve",
                        scenario_id="tutorial",
                        scenario_version=1,
                        offer_versions={},
                        params={"time_limit_s": 1.0, "seed": 0, "explain": True, "workers": 1},
                        status=status,
                        created_by="test",
                        created_at=utcnow(),
                    )
                )
        assert client.get("/health").status_code == 200
        # The process "dies" here: the rows stay as they are, whatever the shutdown would have done.
        first.state.runner.shutdown = lambda: None
    with TestClient(create_app(settings)) as client:
        database = client.app.state.database  # type: ignore[attr-defined]
        with database.read() as session:
            rows = {row.id: row for row in session.query(JobRow)}
    assert rows["a" * 32].status == rows["b" * 32].status == "failed"
    assert "submit it again" in (rows["a" * 32].error or "")
    assert rows["c" * 32].status == "done"


def test_jobs_settings_come_from_the_environment(monkeypatch: object) -> None:
    """FORCEPACK_* variables set the settings; unset ones keep their defaults."""
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("FORCEPACK_MAX_SOLVE_SECONDS", "12.5")
    monkeypatch.setenv("FORCEPACK_QUEUE_LENGTH", "3")
    settings = Settings()
    assert (settings.max_solve_seconds, settings.queue_length) == (12.5, 3)
    assert settings.database_url == "sqlite:///./forcepack.db"
    assert settings.max_concurrent_solves >= 1
