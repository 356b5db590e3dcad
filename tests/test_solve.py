"""The solve itself: statuses, time limits, cancellation, hints, parameters."""

from __future__ import annotations

import threading

import pytest

from bench.generator import generate
from forcepack.models import load_scenario
from forcepack.solver import Package, SolveParams, SolveReport, solve
from forcepack.solver.builder import BuildCancelled, ModelBuilder
from forcepack.solver.check import check


def test_solve_cancel_stops_a_long_search() -> None:
    """Setting the cancel event stops a long search (300 s allowed); the answer is still a checked
    document. It stopped for the event (the report says so); how soon is the benchmark's to
    measure, never a test's verdict."""
    scenario = generate(200, 2)
    cancel = threading.Event()
    report = SolveReport()
    threading.Timer(0.5, cancel.set).start()
    solution = solve(scenario, SolveParams(time_limit_s=300, workers=1), cancel=cancel, report=report)
    assert report.cancelled
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
    with pytest.raises(ValueError, match="Expected 1 <= workers <= 64, got 0"):
        SolveParams(workers=0)
    with pytest.raises(ValueError, match="Expected 0 < time_limit_s"):
        SolveParams(time_limit_s=0)
    with pytest.raises(ValueError, match="Expected 0 <= seed <= 2,147,483,647"):
        SolveParams(seed=2**31)


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


class _SetAfter(threading.Event):
    """A cancel event that reads as set from its `after`-th look on: a cancel arriving mid-build."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after, self.looks = after, 0

    def is_set(self) -> bool:
        self.looks += 1
        return self.looks >= self.after or super().is_set()


def test_build_stops_when_cancelled_midway() -> None:
    """A 200-nation build looks at the cancel event between its steps and every 1,000 pairs: set on
    its fifth look, the build stops there (BuildCancelled), long before its last look."""
    scenario = generate(200, 1)
    full = ModelBuilder(scenario, cancel=threading.Event())
    full.build()
    assert full.checks > 20
    builder = ModelBuilder(scenario, cancel=_SetAfter(5))
    with pytest.raises(BuildCancelled):
        builder.build()
    assert builder.checks == 5


def test_solve_cancelled_during_the_build_answers_unknown_without_a_search() -> None:
    """A solve whose cancel event is set while it builds answers `unknown` with no stage searched."""
    report = SolveReport()
    solution = solve(generate(200, 1), SolveParams(time_limit_s=300), report=report, cancel=_SetAfter(3))
    assert solution.status == "unknown" and not solution.has_package
    assert report.cancelled and report.stages == []
