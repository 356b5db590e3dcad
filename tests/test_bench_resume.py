"""Resuming an interrupted benchmark run: the records kept, the ones measured again."""

from __future__ import annotations

from typing import Any

from bench.records import LONG_RUNS, record_key, start_records, with_long_runs


def test_start_records_keeps_measured_records_only_when_resuming() -> None:
    """Resuming keeps the records measured without error (failed ones run again); a fresh run starts empty."""
    ok = {"kind": "sweep", "nations": 25, "seed": 1, "mode": "n1", "hinted": True, "executor": "pool"}
    failed = {**ok, "executor": "dask", "error": "killed"}
    results: dict[str, Any] = {"sweep": [ok, failed]}
    kept, done = start_records("sweep", results, resume=True)
    assert kept == [ok] and results["sweep"] is kept
    assert done == {("sweep", 25, 1, "n1", True, "pool")}
    fresh, none = start_records("sweep", {"sweep": [ok]}, resume=False)
    assert (fresh, none) == ([], set())


def test_record_key_tells_apart_what_a_family_measures() -> None:
    """Each family's key names what was measured: sizes and seeds, workers, executors, files."""
    base = {"kind": "baseline", "nations": 70, "seed": 2}
    assert record_key("sweep", base) == ("baseline", 70, 2)
    assert record_key("sweep", {"kind": "gaza", "executor": "none"}) == ("gaza", "none")
    assert record_key("workers", {"nations": 25, "seed": 1, "workers": 2}) != record_key(
        "workers", {"nations": 25, "seed": 1, "workers": 1}
    )
    assert record_key("cli", {"file": "examples/gaza-isf.yaml"}) == ("examples/gaza-isf.yaml",)
    assert record_key("solve", {"nations": 200, "seed": 3}) == (200, 3)
    assert record_key("phased", {"file": "examples/gaza-phased.yaml", "nations": None, "seed": None}) != record_key(
        "phased", {"file": None, "nations": 25, "seed": 1}
    )


def test_with_long_runs_adds_committed_records_only_where_missing() -> None:
    """A fresh clone (no results file) gets the committed long sweeps; a results file holding its own keeps them."""
    assert LONG_RUNS.exists()
    fresh = with_long_runs(None)
    assert fresh is not None and fresh["sweep-full"] and "sweep-full" in fresh["families"]
    own = {"sweep-full": [{"kind": "baseline", "nations": 25, "seed": 9}], "families": {"sweep-full": {"x": 1}}}
    kept = with_long_runs(own)
    assert kept is not None and kept["sweep-full"] == own["sweep-full"] and kept["families"]["sweep-full"] == {"x": 1}
