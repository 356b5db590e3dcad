"""The search around the relaxation's optimum on large models: it only ever returns a better
package, the package honours every rule (checked apart from CP-SAT), and `solve` reports the
relaxation's bound with the answer."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import assume, given, note
from ortools.sat.python import cp_model

from bench.generator import generate
from forcepack.models import MAXIMISED, Scenario
from forcepack.models.solution import RunInfo
from forcepack.solver import SolveParams, SolveReport, solve
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.check import check
from forcepack.solver.construct import construct
from forcepack.solver.document import Package, solution_document
from forcepack.solver.neighbourhood import around_relaxation, minimised
from forcepack.solver.relaxation import objective_of, relax
from tests.brute import brute_force, search_space_size
from tests.strategies import tiny_scenarios

RUN = RunInfo(solver="neighbourhood", solver_version="0", workers=1, seed=0, time_limit_s=5.0, wall_s=0.0)


def deterministic(solver: cp_model.CpSolver, seconds: float) -> None:
    """One worker, stopped by deterministic time: the same rounds on any machine load."""
    p = solver.parameters
    p.num_workers = 1
    p.linearization_level = 2
    p.max_deterministic_time = min(seconds, 5.0)
    p.max_time_in_seconds = 120.0


def test_neighbourhood_improves_the_constructed_package_within_every_rule() -> None:
    """On a generated 200-nation scenario the rounds improve the constructed package's shortfall,
    and the improved package passes the independent checker."""
    scenario = generate(200, 2)
    builder = ModelBuilder(scenario)
    built = builder.build()
    construction = construct(builder, time_limit_s=5.0)
    assert construction is not None
    expr, _ = built.criteria["shortfall"]
    built.model.minimize(expr)
    coefficients, _, _ = objective_of(built.model)
    relaxation = relax(built.model, coefficients, time_limit_s=10.0)
    assert relaxation is not None
    pairs = [var.index for var in built.vars.units.values()]
    better = around_relaxation(built.model, pairs, construction.values, relaxation, 60.0, configure=deterministic)
    assert better is not None
    values, objective, rounds = better
    assert rounds >= 1
    assert objective == minimised(built.model, values) < minimised(built.model, construction.values)
    assert objective >= relaxation.bound
    package = Package.of(
        {pair: values[var.index] for pair, var in built.vars.units.items()},
        {key: values[var.index] for key, var in built.vars.flows.items()},
    )
    document = solution_document(scenario, package, status="feasible", run=RUN)
    assert check(scenario, document) == []


def test_neighbourhood_returns_nothing_around_an_optimal_package() -> None:
    """Started from a proven optimum, no round can find better: the answer is None, not a package
    of equal value reported as an improvement."""
    scenario = generate(70, 1)
    built = ModelBuilder(scenario).build()
    expr, _ = built.criteria["shortfall"]
    built.model.minimize(expr)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    assert solver.solve(built.model) == cp_model.OPTIMAL
    optimum = list(solver.response_proto.solution)
    coefficients, _, _ = objective_of(built.model)
    relaxation = relax(built.model, coefficients, time_limit_s=10.0)
    assert relaxation is not None
    pairs = [var.index for var in built.vars.units.values()]
    assert around_relaxation(built.model, pairs, optimum, relaxation, 30.0, configure=deterministic) is None


def test_solve_reports_the_relaxation_bound_on_large_models(searches_get_no_time: None) -> None:
    """On a 200-nation scenario the first stage's bound is at least the relaxation's (CP-SAT's own
    may be better), never above the package's value, the gap no wider than the relaxation allows,
    and the package passes the checker."""
    scenario = generate(200, 1)
    report = SolveReport()
    solution = solve(scenario, SolveParams(time_limit_s=300, workers=1), report=report)
    assert solution.has_package
    assert check(scenario, solution) == []
    stage = report.stages[0]
    assert stage.criterion == "shortfall"
    assert stage.relaxation_bound is not None and stage.relaxation_bound > 0
    _, factor = ModelBuilder(scenario).build().criteria["shortfall"]
    first = solution.objective[0]
    relaxed = stage.relaxation_bound / factor
    assert relaxed - 1e-9 <= first.bound <= first.value + 1e-9
    assert solution.gap <= (first.value - relaxed) / first.value + 1e-9


def test_params_workers_default_and_deterministic() -> None:
    """Unset, the default (two: `default_workers`); set, kept; deterministic mode is always one worker."""
    assert SolveParams().effective_workers == 2
    assert SolveParams(workers=3).effective_workers == 3
    assert SolveParams(workers=3, deterministic=True).effective_workers == 1


@given(tiny_scenarios())
def test_solve_large_model_path_matches_exhaustive_search(scenario: Scenario) -> None:
    """With every model treated as large (construction, relaxation bounds, the search around the
    relaxation, proofs by the relaxation's bound), tiny scenarios still get the exhaustive search's
    status and lexicographic optimum, and a package that passes the checker."""
    assume(search_space_size(scenario) <= 20_000)
    expected = brute_force(scenario)
    with patch("forcepack.solver.search.MIN_PAIRS", 0):
        solution = solve(scenario, SolveParams(time_limit_s=30, workers=1, seed=0, deterministic=True))
    note(f"solver: {solution.status} {[o.value for o in solution.objective]}; brute: {expected}")
    assert check(scenario, solution) == []
    assert solution.status == expected.status
    if expected.status == "optimal":
        got = [o.value for o in solution.objective]
        assert got == pytest.approx(list(expected.objective), rel=1e-6, abs=1e-6)


@given(tiny_scenarios())
def test_solve_whole_stage_neighbourhoods_never_pass_the_optimum(scenario: Scenario) -> None:
    """With the neighbourhoods taking every stage's whole time (as from 20,000 pairs up), on tiny
    scenarios the package passes the checker, its first criterion is never better than the
    exhaustive optimum, and the bound reported never passes it either."""
    assume(search_space_size(scenario) <= 20_000)
    expected = brute_force(scenario)
    assume(expected.status == "optimal")
    with patch("forcepack.solver.search.MIN_PAIRS", 0), patch("forcepack.solver.search.WHOLE_NEIGHBOURHOOD_PAIRS", 0):
        solution = solve(scenario, SolveParams(time_limit_s=0.5, workers=1, seed=0))
    assert check(scenario, solution) == []
    if not solution.has_package:  # a slow machine: no package in the half second, and none claimed
        assert solution.status == "unknown"
        return
    first, best = solution.objective[0], expected.objective[0]
    note(f"{first.criterion}: {first.value} (bound {first.bound}); optimum {best}")
    if first.criterion in MAXIMISED:
        assert first.value <= best + 1e-6 <= first.bound + 2e-6
    else:
        assert first.value >= best - 1e-6 >= first.bound - 2e-6
