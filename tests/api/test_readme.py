"""The README's curl session works as written, against a real `forcepack serve` on a fresh database."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FORCEPACK = Path(sys.executable).with_name("forcepack")


def session_block() -> str:
    """The shell block that follows `<!-- session -->` in README.md."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- session -->\n```sh\n(.*?)\n```", text, re.S)
    assert found, "README.md has no shell block after `<!-- session -->`"
    return found.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """`forcepack serve` as `make run` starts it (examples loaded, a token printed): its address, token, env."""
    port = _free_port()
    env = {**os.environ, "FORCEPACK_DATABASE_URL": f"sqlite:///{tmp_path / 'forcepack.db'}"}
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


def _documents(output: str) -> list[dict[str, Any]]:
    """The JSON documents the session printed, one a line (event streams' lines are not)."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_readme_session_runs_as_written(served: tuple[str, str, dict[str, str]]) -> None:
    """Token, offer read and revised with If-Match, history, a solve and a what-if: each step answers as told."""
    assert shutil.which("curl"), "the README's session needs curl"
    api, token, env = served
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", session_block()],
        cwd=ROOT,
        env={**env, "API": api, "COORD": token},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    offer, history, solve, what_if = _documents(done.stdout)
    assert (offer["nation"], offer["version"]) == ("IDN", 2)
    assert [v["version"] for v in history["items"]] == [1, 2]
    assert (solve["kind"], solve["status"]) == ("solve", "done")
    package = solve["result"]
    assert package["status"] == "optimal"
    # Indonesia's revised offer fills Khan Younis's infantry line too: nothing is short any more.
    assert next(o["value"] for o in package["objective"] if o["criterion"] == "shortfall") == 0
    assert "IDN" in {a["nation"] for a in package["assignments"] if a["requirement"] == "ky-inf"}
    assert (what_if["kind"], what_if["status"]) == ("what-if", "done")
    patched = what_if["result"]["patched"]
    assert (patched["status"], what_if["result"]["diff"]) == ("infeasible", None)
    assert {e["id"] for e in patched["explanation"]["conflict"]} == {"group_minimums.oic", "isr-tur"}
    assert patched["explanation"]["relaxations"]
    assert done.stdout.count("event: status") >= 4  # each stream ran to its final status
    assert 'data: {"status":"done"}' in done.stdout
