"""The linear relaxation: its rows hold for every solution of the CP-SAT model, its bound never
passes the optimum the exhaustive search finds, and any dual vector gives a valid bound."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from bench.generator import generate
from forcepack.models import MAXIMISED, Scenario
from forcepack.solver.builder import ModelBuilder
from forcepack.solver.criteria import criterion as criterion_of
from forcepack.solver.relaxation import LinearProgram, Row, objective_of, relax
from tests.brute import brute_force, search_space_size
from tests.strategies import tiny_scenarios


def _holds(row: Row, values: list[int]) -> bool:
    activity = sum(c * values[v] for v, c in zip(row.vars, row.coeffs, strict=True))
    return (row.lo is None or activity >= row.lo) and (row.hi is None or activity <= row.hi)


class _Every(cp_model.CpSolverSolutionCallback):
    def __init__(self, variables: list[cp_model.IntVar]) -> None:
        super().__init__()
        self.variables = variables
        self.solutions: list[list[int]] = []

    def on_solution_callback(self) -> None:
        self.solutions.append([int(self.value(v)) for v in self.variables])


def _enforced_model() -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """Constraints under one literal, a negated literal and two literals, a clause, an exactly-one."""
    model = cp_model.CpModel()
    x = model.new_int_var(0, 4, "x")
    y = model.new_int_var(-2, 3, "y")
    a, b, c = (model.new_bool_var(n) for n in "abc")
    model.add(x + y >= 3).only_enforce_if(a)
    model.add(2 * x - y <= 1).only_enforce_if(a.Not())
    model.add(x - 3 * y == 2).only_enforce_if([b, c.Not()])
    model.add_bool_or([a, b.Not(), c])
    model.add_exactly_one([a, b, c])
    return model, [x, y, a, b, c]


def test_relaxation_rows_hold_for_every_solution_of_the_model() -> None:
    """The big-M rows of enforced constraints (plain, negated and several literals), clauses and
    exactly-ones are satisfied by every solution CP-SAT enumerates: the relaxation cuts none off."""
    model, variables = _enforced_model()
    lp = LinearProgram.of(model)
    assert lp.dropped == 0
    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    every = _Every(variables)
    assert solver.solve(model, every) == cp_model.OPTIMAL
    assert len(every.solutions) > 3
    for values in every.solutions:
        assert all(_holds(row, values) for row in lp.rows), values


def test_relaxation_bound_is_the_lp_optimum_rounded_up() -> None:
    """minimise x + y with 2x + 2y >= 3: the LP optimum is 1.5, and since the objective is an
    integer over integers, the proven bound is 2 (which the integer optimum attains)."""
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    y = model.new_int_var(0, 10, "y")
    model.add(2 * x + 2 * y >= 3)
    model.minimize(x + y)
    coefficients, offset, sign = objective_of(model)
    relaxation = relax(model, coefficients, time_limit_s=5.0)
    assert relaxation is not None
    assert relaxation.value == pytest.approx(1.5)
    assert relaxation.bound == 2
    assert (offset, sign) == (0, 1)


def test_relaxation_objective_of_a_maximisation_reads_back_with_its_sign() -> None:
    """CP-SAT stores `maximize(3x + 2)` as minimising -3x - 2: the bound converts back to x <= 5
    giving 17."""
    model = cp_model.CpModel()
    x = model.new_int_var(0, 5, "x")
    model.maximize(3 * x + 2)
    coefficients, offset, sign = objective_of(model)
    relaxation = relax(model, coefficients, time_limit_s=5.0)
    assert relaxation is not None
    assert sign * (relaxation.bound + offset) == 17


@given(st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=9, max_size=9))
def test_relaxation_any_duals_give_a_bound_below_the_optimum(duals: list[float]) -> None:
    """The Lagrangian bound is computed exactly for whatever dual vector it is handed; on the
    enforced model, minimising x - y, no dual vector pushes it above the integer optimum."""
    model, variables = _enforced_model()
    x, y = variables[0], variables[1]
    model.minimize(x - y)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    optimum = round(solver.objective_value)
    lp = LinearProgram.of(model)
    coefficients, offset, _ = objective_of(model)
    vector = np.array((duals * 2)[: len(lp.rows)])
    assert lp.lagrangian_bound(coefficients, vector) + offset <= optimum


@given(tiny_scenarios())
def test_relaxation_bound_never_passes_the_exhaustive_optimum(scenario: Scenario) -> None:
    """On tiny scenarios, the relaxation's bound on the first criterion is on the right side of
    the optimum the exhaustive search (written apart from the solver) finds."""
    assume(search_space_size(scenario) <= 20_000)
    expected = brute_force(scenario)
    assume(expected.status == "optimal")
    builder = ModelBuilder(scenario)
    built = builder.build()
    criterion = scenario.objective[0].criterion
    assume(criterion != "max_share")  # a ratio: solved as a sequence of linear problems instead
    expr, factor = built.criteria[criterion]
    if criterion_of(criterion).maximised:
        built.model.maximize(expr)
    else:
        built.model.minimize(expr)
    coefficients, offset, sign = objective_of(built.model)
    relaxation = relax(built.model, coefficients, time_limit_s=5.0)
    assert relaxation is not None  # the scenario is feasible, so is its relaxation
    bound = Fraction(sign * (relaxation.bound + offset), factor)
    optimum = Fraction(str(expected.objective[0]))
    note(f"{criterion}: bound {float(bound)}, optimum {float(optimum)}")
    tolerance = Fraction(1, 10**6)  # the exhaustive search's shortfall is a float
    if criterion in MAXIMISED:
        assert bound >= optimum - tolerance
    else:
        assert bound <= optimum + tolerance


@pytest.mark.parametrize(("nations", "seed"), [(200, 1), (500, 2)])
def test_relaxation_solves_generated_scenarios(nations: int, seed: int) -> None:
    """GLOP alone reported ABNORMAL on the 500-nation model in dollars: with the columns and rows
    scaled, the relaxation solves, and its proven bound agrees with the LP optimum to 1e-6."""
    built = ModelBuilder(generate(nations, seed)).build()
    expr, _ = built.criteria["shortfall"]
    built.model.minimize(expr)
    coefficients, _, _ = objective_of(built.model)
    relaxation = relax(built.model, coefficients, time_limit_s=30.0)
    assert relaxation is not None
    assert relaxation.bound > 0
    assert relaxation.bound == pytest.approx(relaxation.value, rel=1e-6)
