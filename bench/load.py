"""Load test of the HTTP service: concurrent delegates reading and writing their own offers.

A real uvicorn (`uvicorn --factory forcepack.api.app:create_app`, one process) serves a temporary SQLite
database on 127.0.0.1; the scenario is `bench.generator.generate(delegates, seed)`, one nation
per delegate, each with its own delegate token. Every delegate (an asyncio task, over one
httpx client) repeats, `rounds` times or until `max_seconds`: read its offer (GET, keeping the
ETag), write a new version with `If-Match` (PUT; the version marks one figure of the offer with
the round's number), read it back. Closed loop, no think time.

Afterwards each nation's history is read: every write acknowledged with 2xx must be there with
its mark, and the history must hold exactly the first version plus the acknowledged writes.
The report gives the answers by status (no 5xx allowed), lost writes (none allowed), and the
latency of reads and writes (p50, p90, p99, max) as the clients measured it.

    python -m bench.load                       # 50 delegates, 40 rounds, at most 300 s
    python -m bench.load --delegates 10 --rounds 5 --json load.json

The exit status is 1 when an answer was a 5xx or a write was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Latency:
    """Client-side latency of one kind of request, in milliseconds."""

    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        ms = sorted(s * 1000 for s in seconds)
        cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
        return cls(len(ms), round(cuts[49], 1), round(cuts[89], 1), round(cuts[98], 1), round(ms[-1], 1))


@dataclass
class Report:
    """What a load run measured."""

    delegates: int
    rounds: int
    wall_s: float
    requests: int
    statuses: dict[str, int]
    server_errors: int
    transport_errors: dict[str, int]
    writes_acknowledged: int
    writes_lost: int
    stale_reads: int
    reads: Latency
    writes: Latency
    throughput_rps: float
    machine: dict[str, str] = field(default_factory=dict)
    server_log_tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and self.writes_lost == 0 and not self.transport_errors

    def markdown(self) -> str:
        rows = [
            "| requests | reads | writes | 5xx | lost writes | stale reads | wall | throughput |",
            "|---|---|---|---|---|---|---|---|",
            f"| {self.requests} | {self.reads.count} | {self.writes.count} | {self.server_errors} | "
            f"{self.writes_lost} of {self.writes_acknowledged} | {self.stale_reads} | {self.wall_s:.1f} s | "
            f"{self.throughput_rps:.0f} req/s |",
            "",
            "| latency (ms) | p50 | p90 | p99 | max |",
            "|---|---|---|---|---|",
        ]
        for name, latency in (("read (GET offer)", self.reads), ("write (PUT offer)", self.writes)):
            figures = (latency.p50_ms, latency.p90_ms, latency.p99_ms, latency.max_ms)
            rows.append(f"| {name} | " + " | ".join(f"{f:.1f}" for f in figures) + " |")
        rows += ["", "statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))]
        if self.transport_errors:
            rows.append("no answer: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.transport_errors.items())))
        return "\n".join(rows)


@dataclass
class _Delegate:
    nation: str
    headers: dict[str, str]
    acknowledged: dict[int, int] = field(default_factory=dict)
    """version -> the mark it carries."""


@dataclass
class _Tally:
    reads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    stale_reads: int = 0


def _mark(offer: dict[str, Any], mark: int) -> dict[str, Any]:
    """The offer with one figure set from `mark`: the first unit's personnel, else the first pledge."""
    body = {key: offer.get(key, []) for key in ("units", "funding", "red_lines")}
    if body["units"]:
        body["units"] = [{**body["units"][0], "personnel": 1000 + mark}, *body["units"][1:]]
    elif body["funding"]:
        body["funding"] = [{**body["funding"][0], "amount_usd": 1_000_000 + mark}, *body["funding"][1:]]
    return body


def _mark_of(offer: dict[str, Any]) -> int | None:
    if offer.get("units"):
        return int(offer["units"][0]["personnel"]) - 1000
    if offer.get("funding"):
        return int(offer["funding"][0]["amount_usd"]) - 1_000_000
    return None


async def _timed(
    client: httpx.AsyncClient, tally: _Tally, into: list[float], method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        tally.transport_errors[f"{method} {type(exc).__name__}"] += 1
        return None
    into.append(time.perf_counter() - start)
    tally.statuses[str(response.status_code)] += 1
    return response


async def _delegate(
    client: httpx.AsyncClient, scenario_id: str, delegate: _Delegate, rounds: int, deadline: float, tally: _Tally
) -> None:
    url = f"/v1/scenarios/{scenario_id}/offers/{delegate.nation}"
    for mark in range(1, rounds + 1):
        if time.monotonic() > deadline:
            return
        read = await _timed(client, tally, tally.reads, "GET", url, headers=delegate.headers)
        if read is None or read.status_code != 200:
            continue
        body = _mark(read.json()["offer"], mark)
        headers = {**delegate.headers, "If-Match": read.headers["ETag"]}
        write = await _timed(client, tally, tally.writes, "PUT", url, json=body, headers=headers)
        if write is None or write.status_code not in (200, 201):
            continue
        version = int(write.json()["version"])
        delegate.acknowledged[version] = mark
        again = await _timed(client, tally, tally.reads, "GET", url, headers=delegate.headers)
        if again is not None and again.status_code == 200 and again.json()["version"] < version:
            tally.stale_reads += 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(database_url: str, delegates: int, seed: int) -> tuple[str, dict[str, str], list[_Delegate]]:
    """The database: migrated, the generated scenario stored, tokens made (a coordinator's and one per nation)."""
    from bench.generator import generate
    from forcepack.api.auth import Role, create_token
    from forcepack.api.db import Database, upgrade
    from forcepack.api.service import SYSTEM, store_scenario

    scenario = generate(delegates, seed)
    database = Database(database_url)
    upgrade(database)
    store_scenario(database, SYSTEM, scenario.model_dump(mode="json", by_alias=True, exclude_none=True), source="load")
    with database.write() as session:
        coordinator = create_token(session, Role.COORDINATOR, label="load test")
        tokens = {n.code: create_token(session, Role.DELEGATE, n.code, label="load test") for n in scenario.nations}
    database.dispose()
    team = [_Delegate(nation, {"Authorization": f"Bearer {t.secret}"}) for nation, t in tokens.items()]
    return scenario.id, {"Authorization": f"Bearer {coordinator.secret}"}, team


def _start_server(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FORCEPACK_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "uvicorn", "forcepack.api.app:create_app", "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_ready(base_url: str, server: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base_url}/ready", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError("the server did not become ready")


def _history(client: httpx.Client, scenario_id: str, nation: str) -> list[dict[str, Any]]:
    """Every version of a nation's offer, read a page (100 versions) at a time."""
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(
            f"/v1/scenarios/{scenario_id}/offers/{nation}/history", params={"limit": 100, "offset": len(items)}
        ).json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def _lost_writes(base_url: str, scenario_id: str, coordinator: dict[str, str], team: list[_Delegate]) -> int:
    """Acknowledged writes missing from their history (or with another mark), and versions nobody acknowledged."""
    lost = 0
    with httpx.Client(base_url=base_url, headers=coordinator, timeout=30.0) as client:
        for delegate in team:
            items = _history(client, scenario_id, delegate.nation)
            marks = {item["version"]: _mark_of(item["offer"]) for item in items}
            lost += sum(1 for version, mark in delegate.acknowledged.items() if marks.get(version) != mark)
            # Only this delegate writes this offer: the history is version 1 and its acknowledged writes.
            if sorted(marks) != list(range(1, len(delegate.acknowledged) + 2)):
                lost += 1
    return lost


def machine() -> dict[str, str]:
    """What ran the test: CPU, cores, memory, OS, Python."""
    info = {"cores": str(os.cpu_count()), "os": platform.platform(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) // 1024 // 1024} GiB"
                break
        info["load_before"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        pass
    return info


def run_load(delegates: int = 50, rounds: int = 40, max_seconds: float = 300.0, seed: int = 1) -> Report:
    """Start a server on a fresh database, run the delegates against it, check every write, stop it."""
    info = machine()
    with tempfile.TemporaryDirectory(prefix="forcepack-load-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'load.db'}"
        scenario_id, coordinator, team = _prepare(database_url, delegates, seed)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = _start_server(database_url, port, Path(folder) / "server.log")
        try:
            _wait_ready(base_url, server)
            tally = _Tally()
            start = time.monotonic()

            async def everyone() -> None:
                # Idle connections are dropped after 2 s, before uvicorn's keep-alive of 5 s closes them
                # (a request sent on a connection as the server closes it gets no answer).
                limits = httpx.Limits(
                    max_connections=delegates + 10, max_keepalive_connections=delegates + 10, keepalive_expiry=2.0
                )
                async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) as client:
                    deadline = time.monotonic() + max_seconds
                    await asyncio.gather(*(_delegate(client, scenario_id, d, rounds, deadline, tally) for d in team))

            asyncio.run(everyone())
            wall = time.monotonic() - start
            lost = _lost_writes(base_url, scenario_id, coordinator, team)
        finally:
            server_log = (Path(folder) / "server.log").read_text(errors="replace")
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    requests = len(tally.reads) + len(tally.writes)
    return Report(
        delegates=delegates,
        rounds=rounds,
        wall_s=round(wall, 2),
        requests=requests,
        statuses=dict(tally.statuses),
        server_errors=sum(n for status, n in tally.statuses.items() if status.startswith("5")),
        transport_errors=dict(tally.transport_errors),
        writes_acknowledged=sum(len(d.acknowledged) for d in team),
        writes_lost=lost,
        stale_reads=tally.stale_reads,
        reads=Latency.of(tally.reads),
        writes=Latency.of(tally.writes),
        throughput_rps=round(requests / wall, 1) if wall else 0.0,
        machine=info,
        server_log_tail=server_log.splitlines()[-40:],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=50, help="concurrent delegates, one nation each")
    parser.add_argument("--rounds", type=int, default=40, help="read-write-read rounds per delegate")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="stop starting rounds after this")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated scenario")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    report = run_load(args.delegates, args.rounds, args.max_seconds, args.seed)
    print(report.markdown())
    print("machine: " + ", ".join(f"{k}: {v}" for k, v in report.machine.items()))
    if not report.ok and report.server_log_tail:
        print("server log (last lines):\n" + "\n".join(report.server_log_tail))
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(report), indent=2) + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
