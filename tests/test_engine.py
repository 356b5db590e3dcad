"""The CP-SAT solver every search starts from (`solver.engine`), and the presolve bug it guards against."""

from __future__ import annotations

from pathlib import Path

from forcepack.models import load_scenario
from forcepack.solver import SolveParams, solve
from forcepack.solver.check import check
from forcepack.solver.engine import new_solver
from tests.brute import brute_force

DATA = Path(__file__).resolve().parent / "data" / "solver"


def test_engine_turns_inclusion_presolve_off() -> None:
    """Every solver the project makes carries the workaround of google/or-tools#5293."""
    assert new_solver().parameters.presolve_inclusion_work_limit == 0


def test_engine_presolve_bug_case_is_solved_exactly() -> None:
    """Three lines, two nations: CP-SAT's inclusion presolve proved a largest share of 0.6 optimal
    here; the exhaustive search finds 0.5, and so does the solver with the guard."""
    scenario = load_scenario(DATA / "presolve-inclusion.json")
    expected = brute_force(scenario)
    assert expected.status == "optimal"
    assert expected.objective == (0.5,)
    solution = solve(scenario, SolveParams(time_limit_s=20, deterministic=True), explain=False)
    assert solution.status == "optimal"
    assert check(scenario, solution) == []
    assert [o.value for o in solution.objective] == [0.5]
