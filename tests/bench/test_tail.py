"""The tail benchmark family (`bench.tail`): its quick configuration runs CP-SAT and HiGHS on the
same instances, interleaved, and its section counts proofs and reports the p90 and the largest time."""

from __future__ import annotations

import math
from typing import Any

from bench.records import Config
from bench.tail import percentile, render_tail, run_tail, summary


def _quick() -> Config:
    """The tail family's quick configuration, on two families."""
    return Config(
        sizes=(12,),
        seeds=(1,),
        time_limit_s=5.0,
        explain_sizes=(),
        workers=None,
        command="test",
        results="-",
        families=("tail",),
        tail_families=("standard", "heavy-caveats"),
        tail_sizes=(12,),
        tail_seeds=(1,),
        tail_search_seeds=(0, 1),
        tail_time_limit_s=5.0,
    )


def test_tail_quick_run_interleaves_cp_sat_and_highs() -> None:
    """Each instance: CP-SAT with every search seed, then HiGHS; all proven, checked, and rendered."""
    config = _quick()
    results: dict[str, Any] = {}
    run_tail(config, results, lambda _line: None, lambda: None)
    records = results["tail"]
    assert [(r["family"], r["solver"], r["search_seed"]) for r in records] == [
        ("standard", "cp-sat", 0),
        ("standard", "cp-sat", 1),
        ("standard", "highs", 0),
        ("heavy-caveats", "cp-sat", 0),
        ("heavy-caveats", "cp-sat", 1),
        ("heavy-caveats", "highs", 0),
    ]
    assert all("error" not in r and r["status"] == "optimal" and r["violations"] == [] for r in records)
    lines = render_tail(results, {"config": config.to_dict()})
    text = "\n".join(lines)
    assert "## The tail" in text and "Every CP-SAT run was proven optimal" in text
    assert text.count("| heavy-caveats |") == 2


def test_tail_summary_counts_a_run_not_proven_as_past_the_limit() -> None:
    """A run with a gap and one without a package are counted apart, and push p90 and max past the limit."""
    runs = [{"status": "optimal", "wall_s": float(i), "load_before": 1.0} for i in range(1, 9)]
    runs += [{"status": "feasible", "wall_s": 20.0}, {"status": "unknown", "wall_s": 20.0}]
    s = summary(runs, 20.0)
    assert (s["runs"], s["proven"], s["unproven"], s["no_package"]) == (10, 8, 1, 1)
    assert math.isinf(s["p90"]) and math.isinf(s["max"])
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.0
