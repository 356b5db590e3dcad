"""The README's curl session works as written, against a real `forcepack serve` on a fresh database."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import forcepack_serve

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FORCEPACK = Path(sys.executable).with_name("forcepack")


def session_block() -> str:
    """The shell block that follows `<!-- session -->` in README.md."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- session -->\n```sh\n(.*?)\n```", text, re.S)
    assert found, "README.md has no shell block after `<!-- session -->`"
    return found.group(1)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """`forcepack serve` as `make run` starts it (examples loaded, a token made): its address, token, env."""
    with forcepack_serve(tmp_path) as running:
        yield running


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
