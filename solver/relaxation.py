"""The linear relaxation of a stage: a proven bound, and the fractional package that guides search.

On a few hundred nations CP-SAT's own search may run for a minute without solving its root linear
relaxation, so the bound it reports stays at the trivial one and the gap at nearly 100 %, however
good the package. GLOP (OR-Tools' simplex) solves the same relaxation in a second or two.

The relaxation is read off the CP-SAT model itself, so it relaxes exactly what the solver holds:
every linear constraint as a row; one under enforcement literals as a row that each false literal
loosens by as much as the variables' domains allow (a big-M from the domains themselves); a clause
as a sum of literals of at least one; any other constraint left out (a relaxation may drop
constraints). Integrality is dropped.

The bound is not GLOP's objective value, which is only as exact as floating point: GLOP's dual
values are turned into a Lagrangian bound computed in exact integer arithmetic. Any dual vector
gives a valid bound this way, so a numerically rough solve can make the bound weaker but never
wrong.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh
from ortools.sat.python import cp_model

from forcepack.solver.cancel import interruptible

logger = logging.getLogger("forcepack.solver")

INT64_MAX = 2**63 - 1
COLUMN_RANGE = 1e3
"""Columns whose domain reaches past this are scaled down to it (dollars: 1e9 against units: 1..4)."""
DUAL_SCALE = 2**64
"""Duals are rounded to multiples of 1 / DUAL_SCALE before the exact bound is computed."""


@dataclass(frozen=True)
class Row:
    """lo <= sum(coeffs x vars) <= hi, in integers; None for an open side; each variable once."""

    vars: list[int]
    coeffs: list[int]
    lo: int | None
    hi: int | None

    @classmethod
    def of(cls, vars_: list[int], coeffs: list[int], lo: int | None, hi: int | None) -> Row:
        """The row with repeated variables' coefficients added up (an enforcement literal may also
        appear in the constraint it enforces)."""
        merged: dict[int, int] = {}
        for var, coeff in zip(vars_, coeffs, strict=True):
            merged[var] = merged.get(var, 0) + coeff
        return cls(list(merged), list(merged.values()), lo, hi)


@dataclass
class LinearProgram:
    """Variable domains (hulls) and rows of a CP-SAT model, integrality dropped."""

    lb: list[int]
    ub: list[int]
    rows: list[Row]
    dropped: int = 0
    """Constraints of kinds the relaxation leaves out."""

    @classmethod
    def of(cls, model: cp_model.CpModel) -> LinearProgram:
        """Relax a CP-SAT model (its objective aside)."""
        proto = model.proto
        lb: list[int] = []
        ub: list[int] = []
        for variable in proto.variables:
            domain = variable.domain
            lb.append(int(domain[0]))
            ub.append(int(domain[len(domain) - 1]))  # the proto wrapper does not index from the end
        lp = cls(lb, ub, [])
        for constraint in proto.constraints:
            enforcement = list(constraint.enforcement_literal)
            if constraint.has_linear():
                lp._linear(constraint.linear, enforcement)
            elif constraint.has_bool_or() and not enforcement:
                lp._at_least_one(list(constraint.bool_or.literals))
            elif constraint.has_exactly_one() and not enforcement:
                lp._at_least_one(list(constraint.exactly_one.literals))
                lp._at_most_one(list(constraint.exactly_one.literals))
            elif constraint.has_at_most_one() and not enforcement:
                lp._at_most_one(list(constraint.at_most_one.literals))
            else:
                lp.dropped += 1
        return lp

    # -- constraints, one row or two each ------------------------------------------------

    @staticmethod
    def _literal(literal: int) -> tuple[int, int, int]:
        """A literal as (variable, coefficient, constant): its value is constant + coefficient x var."""
        return (literal, 1, 0) if literal >= 0 else (-literal - 1, -1, 1)

    def _linear(self, linear: object, enforcement: list[int]) -> None:
        vars_ = [int(v) for v in linear.vars]  # type: ignore[attr-defined]
        coeffs = [int(c) for c in linear.coeffs]  # type: ignore[attr-defined]
        domain = linear.domain  # type: ignore[attr-defined]
        lo = int(domain[0])
        hi = int(domain[len(domain) - 1])
        lo_side = None if lo <= -INT64_MAX else lo
        hi_side = None if hi >= INT64_MAX else hi
        if not enforcement:
            self.rows.append(Row.of(vars_, coeffs, lo_side, hi_side))
            return
        least = sum(c * (self.lb[v] if c > 0 else self.ub[v]) for v, c in zip(vars_, coeffs, strict=True))
        most = sum(c * (self.ub[v] if c > 0 else self.lb[v]) for v, c in zip(vars_, coeffs, strict=True))
        # Each false literal (1 - literal = 1) loosens the row by M: enough to make it hold always.
        slack_vars: list[int] = []
        slack_coeffs: list[int] = []
        constant = 0  # sum over literals of (1 - their constant)
        for literal in enforcement:
            var, coeff, const = self._literal(literal)
            slack_vars.append(var)
            slack_coeffs.append(coeff)
            constant += 1 - const
        if lo_side is not None and lo_side > least:
            m = lo_side - least  # sum >= lo - m x sum(1 - literal)
            self.rows.append(
                Row.of(vars_ + slack_vars, coeffs + [-m * c for c in slack_coeffs], lo_side - m * constant, None)
            )
        if hi_side is not None and hi_side < most:
            m = most - hi_side  # sum <= hi + m x sum(1 - literal)
            self.rows.append(
                Row.of(vars_ + slack_vars, coeffs + [m * c for c in slack_coeffs], None, hi_side + m * constant)
            )

    def _at_least_one(self, literals: list[int]) -> None:
        parts = [self._literal(literal) for literal in literals]
        self.rows.append(Row.of([p[0] for p in parts], [p[1] for p in parts], 1 - sum(p[2] for p in parts), None))

    def _at_most_one(self, literals: list[int]) -> None:
        parts = [self._literal(literal) for literal in literals]
        self.rows.append(Row.of([p[0] for p in parts], [p[1] for p in parts], None, 1 - sum(p[2] for p in parts)))

    # -- the bound -------------------------------------------------------------------------

    def lagrangian_bound(self, objective: dict[int, int], duals: np.ndarray) -> int:
        """min over the domains of objective + sum of duals x (side - row), exactly, rounded up.

        Valid for every dual vector whose signs match the rows' sides (a positive dual prices a
        lower side, a negative one an upper side); a dual on a side the row lacks is dropped. So
        the result bounds the relaxation, and the model, from below whatever the LP solver's
        accuracy; the objective has integer coefficients over integer variables, so the bound
        rounds up to the next integer.
        """
        reduced: dict[int, int] = {v: c * DUAL_SCALE for v, c in objective.items()}
        constant = 0
        for row, dual in zip(self.rows, duals, strict=True):
            if dual == 0 or not math.isfinite(dual):
                continue
            side = row.lo if dual > 0 else row.hi
            if side is None:
                continue
            y = int(dual * DUAL_SCALE)  # exact: the float times a power of two, truncated
            if y == 0:
                continue
            constant += y * side
            for var, coeff in zip(row.vars, row.coeffs, strict=True):
                reduced[var] = reduced.get(var, 0) - y * coeff
        total = constant
        for var, d in reduced.items():
            total += d * (self.lb[var] if d > 0 else self.ub[var])
        return -(-total // DUAL_SCALE)


@dataclass(frozen=True)
class Relaxation:
    """The solved relaxation of one stage objective (minimised)."""

    bound: int
    """A proven lower bound on the objective (offset aside) over every package: the exact
    Lagrangian bound, rounded up."""
    value: float
    """The LP optimum as GLOP reports it (floating point)."""
    x: np.ndarray
    """The fractional optimum, by model variable index."""
    seconds: float
    rows: int
    columns: int


def relax(
    model: cp_model.CpModel,
    objective: dict[int, int],
    time_limit_s: float,
    cancel: threading.Event | None = None,
    lp: LinearProgram | None = None,
) -> Relaxation | None:
    """Solve the linear relaxation of `model` minimising `objective` (coefficient per variable index).

    Returns None when GLOP finds no optimum in time (or the relaxation is infeasible, which only
    happens for an infeasible model). Pass `lp` to reuse the rows of an earlier call on the same
    model.
    """
    start = time.perf_counter()
    lp = lp if lp is not None else LinearProgram.of(model)
    n = len(lp.lb)
    lb = np.array(lp.lb, dtype=float)
    ub = np.array(lp.ub, dtype=float)
    # Scaling: dollars reach 1e9 where unit counts stay below 10; GLOP's own scaling alone
    # reported ABNORMAL on 500 nations. x = column_scale x x'; each row divided by its largest
    # coefficient; the objective by its own.
    column_scale = np.where(
        np.maximum(np.abs(lb), np.abs(ub)) > COLUMN_RANGE, np.maximum(np.abs(lb), np.abs(ub)) / COLUMN_RANGE, 1.0
    )
    cost = np.zeros(n)
    for var, coeff in objective.items():
        cost[var] += coeff
    cost_scale = float(np.max(np.abs(cost), initial=0.0)) or 1.0
    builder = mbh.ModelBuilderHelper()
    # (the stubs of OR-Tools misname the array types)
    builder.add_var_array_with_bounds(lb / column_scale, ub / column_scale, np.zeros(n, dtype=bool), "x")  # type: ignore[arg-type]
    for column in np.nonzero(cost)[0].tolist():
        builder.set_var_objective_coefficient(column, float(cost[column] * column_scale[column] / cost_scale))
    row_scale = np.ones(len(lp.rows))
    for i, row in enumerate(lp.rows):
        index = builder.add_linear_constraint()
        if row.vars:
            coeffs = np.array(row.coeffs, dtype=float) * column_scale[row.vars]
            row_scale[i] = float(np.max(np.abs(coeffs), initial=0.0)) or 1.0
            for var, coeff in zip(row.vars, coeffs / row_scale[i], strict=True):
                builder.set_constraint_coefficient(index, var, float(coeff))
        builder.set_constraint_lower_bound(index, -math.inf if row.lo is None else row.lo / row_scale[i])
        builder.set_constraint_upper_bound(index, math.inf if row.hi is None else row.hi / row_scale[i])
    solver = mbh.ModelSolverHelper("glop")
    solver.set_time_limit_in_seconds(max(0.01, time_limit_s - (time.perf_counter() - start)))
    with interruptible(solver.interrupt_solve, cancel):
        solver.solve(builder)
    status = solver.status()
    if status != mbh.SolveStatus.OPTIMAL or not solver.has_solution():
        logger.debug("linear relaxation: %s after %.2fs", status.name, time.perf_counter() - start)
        return None
    x = np.asarray(solver.variable_values()) * column_scale
    duals = np.asarray(solver.dual_values()) / row_scale * cost_scale
    bound = lp.lagrangian_bound(objective, duals)
    seconds = time.perf_counter() - start
    value = float(solver.objective_value()) * cost_scale
    logger.debug(
        "linear relaxation: %d rows, %d columns, optimum %.6g, proven bound %.6g, %.2fs",
        len(lp.rows),
        n,
        value,
        bound,
        seconds,
    )
    return Relaxation(bound=bound, value=value, x=x, seconds=seconds, rows=len(lp.rows), columns=n)


def objective_of(model: cp_model.CpModel) -> tuple[dict[int, int], int, int]:
    """The model's objective as CP-SAT minimises it: (coefficients, integer offset, sign).

    The criterion's value is `sign x (sum + offset)`: CP-SAT stores a maximisation negated.
    """
    proto = model.proto.objective
    coefficients: dict[int, int] = {}
    for var, coeff in zip(proto.vars, proto.coeffs, strict=True):
        coefficients[int(var)] = coefficients.get(int(var), 0) + int(coeff)
    sign = -1 if proto.scaling_factor < 0 else 1
    return coefficients, round(proto.offset), sign
