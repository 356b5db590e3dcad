"""The solve itself: statuses, time limits, cancellation, hints, parameters."""

from __future__ import annotations

import threading
import time

import pytest

from bench.generator import generate
from models import load_scenario
from solver import Package, SolveParams, SolveReport, solve
from solver.check import check


def test_solve_cancel_stops_within_a_second() -> None:
    """Setting the cancel event stops a long search soon after; the answer is still a document."""
    scenario = generate(200, 2)
    cancel = threading.Event()
    report = SolveReport()
    threading.Timer(0.5, cancel.set).start()
    start = time.perf_counter()
    solution = solve(scenario, SolveParams(time_limit_s=60, workers=1), cancel=cancel, report=report)
    elapsed = time.perf_counter() - start
    assert report.cancelled
    assert elapsed < 0.5 + 1.5
    assert solution.status in ("feasible", "unknown")
    assert check(scenario, solution) == []


def test_solve_hint_from_a_previous_package_keeps_the_optimum() -> None:
    """Hinting the optimum back gives the same objective values."""
    scenario = load_scenario("examples/gaza-isf.yaml")
    params = SolveParams(time_limit_s=20, workers=1)
    first = solve(scenario, params)
    again = solve(scenario, params, hint=Package.from_solution(first))
    assert again.status == "optimal"
    assert [o.value for o in again.objective] == pytest.approx([o.value for o in first.objective])


def test_solve_params_reject_nonsense() -> None:
    """Parameters say what they expected."""
    with pytest.raises(ValueError, match="Expected workers >= 1"):
        SolveParams(workers=0)
    with pytest.raises(ValueError, match="Expected time_limit_s > 0"):
        SolveParams(time_limit_s=0)


def test_solve_gaza_is_optimal_and_checked() -> None:
    """The Gaza example solves to a proven optimum that passes the checker."""
    scenario = load_scenario("examples/gaza-isf.yaml")
    solution = solve(scenario, SolveParams(time_limit_s=20, workers=1))
    assert solution.status == "optimal"
    assert solution.gap == 0
    assert check(scenario, solution) == []
    assert all(c.shortfall == 0 for c in solution.coverage if c.priority == "essential")


def test_solve_max_share_stage_proves_its_optimum() -> None:
    """Six nations, the largest share minimised: with the share as a product of two variables CP-SAT
    ran 20 s without proving it (`feasible`); the stage's linear steps prove it, and the value is
    the package's own largest share."""
    scenario = load_scenario("tests/data/solver/max-share-proof.json")
    report = SolveReport()
    solution = solve(scenario, SolveParams(time_limit_s=20, seed=0, deterministic=True), report=report, explain=False)
    assert solution.status == "optimal"
    assert check(scenario, solution) == []
    (share,) = solution.objective
    assert share.criterion == "max_share"
    assert share.value == pytest.approx(max(n.share for n in solution.nations), abs=1e-7)
    assert share.bound == pytest.approx(share.value, abs=1e-7)
    assert [s.status for s in report.stages] == ["OPTIMAL"]
