"""A real uvicorn killed with SIGKILL in the middle of a stream of offer writes, restarted, 40 times.

Four delegates' writers (one nation each) write offers as fast as the server takes them, each
from the ETag of its last acknowledged version. At a random moment the server process is
killed. Then, with the server dead, the database file must pass `PRAGMA integrity_check`; and
once it is restarted, every write acknowledged with 2xx must be in its nation's history with
the content sent, and each history must be contiguous (versions 1..n; a write whose answer was
lost in the crash may be there too, as the next version).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from forcepack.api.auth import Role, create_token
from forcepack.api.db import Database, upgrade
from forcepack.api.setup import load_examples
from tests.api.conftest import EXAMPLES

KILLS = 40
NATIONS = ("IDN", "MAR", "TUR", "SAU")  # the tutorial's
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """The forking server of `tests/api/forked_server.py`: start a fresh uvicorn, kill it."""

    def __init__(self, database_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.pid: int | None = None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.api.forked_server", database_url, str(self.port)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def start(self, client: httpx.Client, timeout_s: float = 20.0) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("start\n")
        self.process.stdin.flush()
        self.pid = int(self._line())
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if client.get(f"{self.url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start")
            time.sleep(0.01)

    def kill(self) -> None:
        assert self.pid is not None
        os.kill(self.pid, signal.SIGKILL)
        self.pid = None

    def close(self) -> None:
        if self.pid is not None:
            self.kill()
        if self.process.stdin is not None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        self.process.wait(timeout=10)


@dataclass
class Writer:
    """One delegate writing its nation's offer, version after version, until the server dies."""

    nation: str
    headers: dict[str, str]
    acknowledged: dict[int, str] = field(default_factory=dict)
    """version -> the id of the unit that version offers (each write offers a unit of its own)."""
    etag: str = '"0"'
    sent: int = 0

    def body(self) -> dict[str, Any]:
        self.sent += 1
        unit = f"{self.nation.lower()}-crash-{self.sent}"
        return {"units": [{"id": unit, "capability": "engineer", "count": 1, "personnel": 100 + self.sent % 500}]}

    def run(self, url: str, stop: threading.Event, written: threading.Event) -> None:
        offer_url = f"{url}/v1/scenarios/tutorial/offers/{self.nation}"
        with httpx.Client(timeout=5.0, headers=self.headers) as client:
            try:
                self.etag = client.get(offer_url).headers["ETag"]
                while not stop.is_set():
                    body = self.body()
                    response = client.put(offer_url, json=body, headers={"If-Match": self.etag})
                    assert response.status_code in (200, 201), response.text
                    view = response.json()
                    self.acknowledged[view["version"]] = body["units"][0]["id"]
                    self.etag = response.headers["ETag"]
                    written.set()
            except httpx.TransportError:
                return  # the server was killed


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    database = Database(url)
    upgrade(database)
    load_examples(database, EXAMPLES)
    database.dispose()
    yield url


def _tokens(database_url: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    database = Database(database_url)
    with database.write() as session:
        coordinator = create_token(session, Role.COORDINATOR)
        delegates = {nation: create_token(session, Role.DELEGATE, nation) for nation in NATIONS}
    database.dispose()
    bearer = {"Authorization": f"Bearer {coordinator.secret}"}
    return bearer, {nation: {"Authorization": f"Bearer {t.secret}"} for nation, t in delegates.items()}


def _integrity(path: str) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_crash_sigkill_during_offer_writes_loses_no_acknowledged_write(database_url: str) -> None:
    """40 SIGKILLs mid-stream: integrity check ok each time, every acknowledged write kept, histories contiguous."""
    coordinator, delegates = _tokens(database_url)
    writers = {nation: Writer(nation, delegates[nation]) for nation in NATIONS}
    server = Server(database_url)
    rng = random.Random(5)
    acknowledged_at_kill: list[int] = []
    try:
        with httpx.Client(timeout=5.0, headers=coordinator) as client:
            for _ in range(KILLS):
                server.start(client)
                _check_histories(client, server.url, writers)
                stop, written = threading.Event(), threading.Event()
                threads = [threading.Thread(target=w.run, args=(server.url, stop, written)) for w in writers.values()]
                before = sum(len(w.acknowledged) for w in writers.values())
                for thread in threads:
                    thread.start()
                assert written.wait(timeout=10), "no write was acknowledged"
                time.sleep(rng.uniform(0.0, 0.15))
                server.kill()  # in the middle of the stream: the writers have writes in flight
                stop.set()
                for thread in threads:
                    thread.join(timeout=10)
                acknowledged_at_kill.append(sum(len(w.acknowledged) for w in writers.values()) - before)
                assert _integrity(database_url.removeprefix("sqlite:///")) == "ok"
            server.start(client)
            _check_histories(client, server.url, writers)
    finally:
        server.close()
    assert all(n > 0 for n in acknowledged_at_kill), acknowledged_at_kill


def _check_histories(client: httpx.Client, url: str, writers: dict[str, Writer]) -> None:
    """Every acknowledged version is there with the unit sent; versions run 1..n without a gap."""
    for nation, writer in writers.items():
        items: list[dict[str, Any]] = []
        while True:  # the history answers a page at a time (100 versions at most)
            response = client.get(
                f"{url}/v1/scenarios/tutorial/offers/{nation}/history", params={"limit": 100, "offset": len(items)}
            )
            assert response.status_code == 200
            page = response.json()
            items += page["items"]
            if not page["items"] or len(items) >= page["total"]:
                break
        versions = [item["version"] for item in items]
        assert versions == list(range(1, len(versions) + 1)), (nation, versions)
        units = {item["version"]: [u["id"] for u in item["offer"]["units"]] for item in items}
        for version, unit in writer.acknowledged.items():
            assert units.get(version) == [unit], (nation, version, unit, units.get(version))
