"""Fixtures of the service tests: an app on a fresh SQLite file, the examples loaded, tokens per role."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from forcepack.api.app import create_app
from forcepack.api.auth import IssuedToken, Role, create_token
from forcepack.api.db import Database
from forcepack.api.jobs import JobRunner, SolveFunction
from forcepack.api.settings import Settings
from forcepack.api.setup import load_examples
from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver import SolveParams, SolveReport
from forcepack.solver import solve as real_solve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FORCEPACK = Path(sys.executable).with_name("forcepack")
FINISHED = ("done", "failed", "cancelled")


@dataclass
class Service:
    """A running app, its database, and helpers to call it as one role or another."""

    app: FastAPI
    client: TestClient
    tokens: dict[str, IssuedToken] = field(default_factory=dict)

    @property
    def database(self) -> Database:
        database: Database = self.app.state.database
        return database

    @property
    def runner(self) -> JobRunner:
        runner: JobRunner = self.app.state.runner
        return runner

    def token(self, role: Role, nation: str | None = None) -> IssuedToken:
        """A token of this role (and nation), made once per service."""
        key = f"{role}:{nation}"
        if key not in self.tokens:
            with self.database.write() as session:
                self.tokens[key] = create_token(session, role, nation)
        return self.tokens[key]

    def auth(self, role: Role, nation: str | None = None, **headers: str) -> dict[str, str]:
        """Headers of a request by this role: the bearer token, and any others given."""
        extra = {name.replace("_", "-"): value for name, value in headers.items()}
        return {"Authorization": f"Bearer {self.token(role, nation).secret}", **extra}

    @property
    def coordinator(self) -> dict[str, str]:
        return self.auth(Role.COORDINATOR)

    def auth_coordinator_with(self, **headers: str) -> dict[str, str]:
        """A coordinator's headers, with others (`Idempotency_Key=...` becomes `Idempotency-Key`)."""
        return self.auth(Role.COORDINATOR, **headers)

    def wait_job(self, location: str, *, until: tuple[str, ...] = FINISHED, timeout_s: float = 30.0) -> dict[str, Any]:
        """Poll a job until its status is one of `until`."""
        deadline = time.monotonic() + timeout_s
        while True:
            job: dict[str, Any] = self.client.get(location, headers=self.coordinator).json()
            if job["status"] in until or time.monotonic() > deadline:
                return job
            time.sleep(0.02)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings of a test service on its own SQLite file."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'forcepack.db'}",
        "max_concurrent_solves": 2,
        "queue_length": 8,
        "default_solve_seconds": 10.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Service]]:
    """Start services (examples loaded unless `examples=False`); all are stopped at the test's end."""
    started: list[TestClient] = []

    def start(*, examples: bool = True, solve: SolveFunction | None = None, **overrides: Any) -> Service:
        app = create_app(make_settings(tmp_path_factory.mktemp("db"), **overrides), solve=solve)
        client = TestClient(app)
        client.__enter__()
        started.append(client)
        service = Service(app, client)
        if examples:
            load_examples(service.database, EXAMPLES)
        return service

    yield start
    for client in reversed(started):
        client.__exit__(None, None, None)


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    """A service with the examples loaded and the real solver."""
    return make_service()


class BlockingSolve:
    """A stand-in for `solver.solve` that holds its thread until the job is cancelled (or released).

    It then answers with a real solve of a few hundredths of a second, so a test can keep jobs
    running, or fill the queue, without burning CPU.
    """

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)
        self.calls = 0

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
        self.calls += 1
        if on_package is not None:
            on_package("shortfall", 1.5, 0.01)  # as CP-SAT reports an improving package
        self.started.release()
        while not self.release.is_set() and not (cancel is not None and cancel.is_set()):
            time.sleep(0.01)
        return real_solve(scenario, SolveParams(time_limit_s=0.05), explain=False)


def scenario_document(scenario_id: str, nations: list[str], *, extra_offer_nation: str | None = None) -> dict[str, Any]:
    """A small valid scenario file document: one secure sector, one engineer line, these nations offering."""
    offers = [
        {
            "nation": code,
            "units": [{"id": f"{code.lower()}-eng", "capability": "engineer", "count": 2, "personnel": 150}],
            "red_lines": [{"id": f"{code.lower()}-support-only", "kind": "max_engagement", "level": 0}],
        }
        for code in nations
    ]
    if extra_offer_nation is not None:
        offers.append({"nation": extra_offer_nation, "units": []})
    return {
        "schema": "forcepack.scenario/1",
        "id": scenario_id,
        "name": f"Scenario {scenario_id}",
        "horizon": {"start": "2026-03-01", "end": "2027-12-31"},
        "sectors": [{"id": "rafah", "control": "secure"}],
        "requirements": [{"id": "rafah-eng", "sector": "rafah", "capability": "engineer", "quantity": 1}],
        "nations": [{"code": code} for code in nations],
        "offers": offers,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def forcepack_serve(tmp_path: Path, **env_overrides: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """`forcepack serve` on a fresh SQLite file in `tmp_path`, as `make run` starts it (examples
    loaded, a coordinator token made): its address, the token, and its environment."""
    port = _free_port()
    env = {**os.environ, "FORCEPACK_DATABASE_URL": f"sqlite:///{tmp_path / 'forcepack.db'}", **env_overrides}
    server = subprocess.Popen(
        [str(FORCEPACK), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines: list[str] = []
        token = None
        for line in server.stdout:
            lines.append(line)
            if "coordinator token" in line:
                # Not a terminal: the secret is not printed, only the file that holds it.
                path = Path(line.split("its secret is in ", 1)[1].split(" (", 1)[0])
                assert path.parent == tmp_path and path.stat().st_mode & 0o077 == 0, line
                token = path.read_text(encoding="utf-8").strip()
                assert token not in "".join(lines)
            if "forcepack on http://" in line:
                break
        assert token, "".join(lines)
        # Keep reading the server's output, so that a full pipe never blocks it.
        threading.Thread(target=lambda: [None for _ in server.stdout or ()], daemon=True).start()
        api = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{api}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield api, token, env
    finally:
        server.terminate()
        server.wait(timeout=30)
