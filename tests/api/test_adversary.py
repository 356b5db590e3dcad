"""The adversary (`tests/api/adversary.py`) against a real `forcepack serve` on loopback: nothing gets through."""

from __future__ import annotations

from pathlib import Path

from tests.api.adversary import run
from tests.api.conftest import forcepack_serve


def test_adversary_finds_no_way_through(tmp_path: Path) -> None:
    """Every attack class the hardening closed, replayed over HTTP: no breach."""
    # A quota of 1 MiB: the history attack reaches it in a few dozen writes instead of hundreds.
    settings = {
        "FORCEPACK_MAX_CONCURRENT_SOLVES": "1",
        "FORCEPACK_QUEUE_LENGTH": "0",
        "FORCEPACK_MAX_OFFER_HISTORY_BYTES": str(1024 * 1024),
    }
    with forcepack_serve(tmp_path, **settings) as (api, _, env):
        report = run(api, env["FORCEPACK_DATABASE_URL"], max_seconds=600)
    assert report.checks and not report.breaches, report.text()
