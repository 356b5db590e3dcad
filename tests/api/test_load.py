"""The load test of bench/load.py, small: a real uvicorn, a few delegates, every write checked."""

from __future__ import annotations

from bench.load import Latency, run_load


def test_load_small_run_has_no_5xx_and_loses_no_write() -> None:
    """Five delegates, three read-write-read rounds each, against a real server on loopback."""
    report = run_load(delegates=5, rounds=3, max_seconds=60.0)
    assert report.ok, report.markdown()
    assert (report.writes_acknowledged, report.writes_lost, report.server_errors) == (15, 0, 0)
    assert report.reads.count == 30 and report.writes.count == 15
    assert report.statuses == {"200": 45}
    assert 0 < report.writes.p50_ms <= report.writes.p99_ms <= report.writes.max_ms
    assert "| write (PUT offer) |" in report.markdown()


def test_load_latency_percentiles() -> None:
    """Percentiles are read from the sorted samples, in milliseconds."""
    latency = Latency.of([i / 1000 for i in range(1, 101)])
    assert (latency.count, latency.p50_ms, latency.p99_ms, latency.max_ms) == (100, 50.5, 99.0, 100.0)
    assert Latency.of([]).count == 0
    assert Latency.of([0.004]).p99_ms == 4.0
