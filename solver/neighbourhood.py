"""A better package around the linear relaxation's optimum, for models too large to search whole.

On a few hundred nations CP-SAT's search of the whole model hardly moves from its starting
package within a minute (docs/benchmarks.md), while a model of a few thousand free (unit, line)
pairs it searches well. The relaxation's fractional optimum says which few thousand:

1. the first round lets each pair take only the values between the fractional optimum rounded
   down and up, or the package's own (a neighbourhood of the relaxation's optimum, "RENS" in the
   MIP literature): most pairs are held at zero, a few thousand get a choice of two or three;
2. the later rounds hold every pair where the package and the fractional optimum agree, and free
   the others (a relaxation induced neighbourhood, "RINS"); a round that improves the package
   moves the neighbourhood with it.

Rounds stop when a later round finds nothing better, when time runs out, or on a cancel. Every
package found is a solution of the full model (only variable domains are narrowed), so it
honours every rule the model holds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from solver.cancel import cancellable
from solver.relaxation import Relaxation

logger = logging.getLogger("forcepack.solver")

AGREE = 1e-6
"""A pair agrees with the relaxation when its value is within this of the fractional one."""
ROUND_SHARE = 0.5
"""Of the time left to the rounds, the most one round may take (so a slow first round leaves room
for the rounds after it)."""


def around_relaxation(
    model: cp_model.CpModel,
    pairs: Sequence[int],
    start: Sequence[int],
    relaxation: Relaxation,
    time_limit_s: float,
    *,
    configure: Callable[[cp_model.CpSolver, float], None],
    cancel: threading.Event | None = None,
) -> tuple[list[int], int, int] | None:
    """Improve the package `start` (a value for every model variable) on `model`'s objective.

    Parameters
    ----------
    model
        The full model with the stage's objective set; it is not changed (rounds run on copies).
    pairs
        Variable indices of the (unit, line) assignments: the ones held where they agree.
    start
        A complete, feasible assignment of the model's variables.
    relaxation
        The solved linear relaxation of the same objective.
    time_limit_s
        Budget for all rounds together.
    configure
        Sets a round's CP-SAT parameters, given the seconds it may take.

    Returns
    -------
    (values, objective, rounds) of the best package found when it beats `start`, else None;
    the objective as `minimised` gives it.
    """
    deadline = time.perf_counter() + time_limit_s
    values = list(start)
    best: int | None = None
    rounds = 0
    while time.perf_counter() < deadline - 0.05 and not (cancel is not None and cancel.is_set()):
        first = rounds == 0
        domains = _around_optimum(pairs, values, relaxation) if first else _where_they_agree(pairs, values, relaxation)
        free = len(pairs) - sum(1 for low, high in domains.values() if low == high)
        if free == 0 or (not first and free == len(pairs)):
            break  # nothing to search, or the whole model: no gain over a plain search
        trial = model.clone()
        trial.clear_hints()  # type: ignore[no-untyped-call]
        proto = trial.proto
        for i, (low, high) in domains.items():
            domain = proto.variables[i].domain
            domain.clear()
            domain.extend([low, high])
        proto.solution_hint.vars.extend(range(len(values)))
        proto.solution_hint.values.extend(values)
        solver = cp_model.CpSolver()
        left = deadline - time.perf_counter()
        configure(solver, left if left <= 2.0 else max(2.0, ROUND_SHARE * left))
        with cancellable(solver, cancel):
            code = solver.solve(trial)
        rounds += 1
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if first:
                continue
            break
        found = list(solver.response_proto.solution)
        before, after = minimised(model, values), minimised(model, found)
        logger.debug(
            "neighbourhood round %d (%s): %d of %d pairs free, %s, %d -> %d",
            rounds,
            "around the optimum" if first else "free where they differ",
            free,
            len(pairs),
            solver.status_name(code),
            before,
            after,
        )
        if after < before:
            values, best = found, after
        elif not first:
            break  # nothing better around this package
    if best is None:
        return None
    return values, best, rounds


def _around_optimum(pairs: Sequence[int], values: Sequence[int], relaxation: Relaxation) -> dict[int, tuple[int, int]]:
    """Each pair between its fractional value rounded down and up, stretched to the package's value."""
    out: dict[int, tuple[int, int]] = {}
    for i in pairs:
        x = float(relaxation.x[i])
        out[i] = (min(math.floor(x + AGREE), values[i]), max(math.ceil(x - AGREE), values[i]))
    return out


def _where_they_agree(
    pairs: Sequence[int], values: Sequence[int], relaxation: Relaxation
) -> dict[int, tuple[int, int]]:
    """Pairs where the package agrees with the fractional optimum, held at their value (the others
    are left free)."""
    return {i: (values[i], values[i]) for i in pairs if abs(float(relaxation.x[i]) - values[i]) <= AGREE}


def minimised(model: cp_model.CpModel, values: Sequence[int]) -> int:
    """CP-SAT's minimised objective of an assignment (its sign and offset left out)."""
    objective = model.proto.objective
    return sum(int(c) * int(values[v]) for v, c in zip(objective.vars, objective.coeffs, strict=True))
