"""The CP-SAT solver every search of the project starts from, with the settings all of them need."""

from __future__ import annotations

from ortools.sat.python import cp_model


def new_solver() -> cp_model.CpSolver:
    """A CP-SAT solver with the project's guard against a known presolve bug.

    OR-Tools 9.15's presolve can certify a wrong optimum, or call a feasible model infeasible,
    through its inclusion reductions (google/or-tools#5293): seen here on a three-line scenario,
    where the `max_share` stage proved 0.6 while a package of 0.5 exists (`tests/test_engine.py`).
    The reported workaround turns that presolve family off; every solve here uses it.

    Its symmetry reductions can also call a feasible model infeasible (as google/or-tools#5274
    reports of 9.15's presolve): on a generated four-nation scenario, `symmetry: fixed to false in
    general orbit` after the dominance reductions emptied a domain, so a search maximising
    `nations` or `readiness` answered "infeasible" where a package exists
    (`tests/data/solver/nations-objective-infeasible.json`). Symmetry is off (`symmetry_level=0`):
    on the Gaza example and generated 25- and 70-nation scenarios the optima were the same and the
    times within the machine's noise (docs/decisions.md).
    """
    solver = cp_model.CpSolver()
    solver.parameters.presolve_inclusion_work_limit = 0
    solver.parameters.symmetry_level = 0
    return solver
