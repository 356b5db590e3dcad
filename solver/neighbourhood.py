"""A better package around the linear relaxation's optimum, for models too large to search whole.

On a few hundred nations CP-SAT's search of the whole model hardly moves from its starting
package within a minute (docs/benchmarks.md), while a model of a few thousand free (unit, line)
pairs it searches well. The relaxation's fractional optimum says which few thousand:

1. the first round lets each pair take only the values between the fractional optimum rounded
   down and up, or the package's own (a neighbourhood of the relaxation's optimum, "RENS" in the
   MIP literature): most pairs are held at zero, a few thousand get a choice of two or three;
2. the later rounds hold every pair where the package and the fractional optimum agree, and free
   the others (a relaxation induced neighbourhood, "RINS"); a round that improves the package
   moves the neighbourhood with it;
3. when those find nothing better and the caller gives groups of pairs (the sectors), each
   further round frees the pairs of a quarter of the groups, drawn at random, and holds the rest:
   a whole sector's lines can be refilled at once, which no pair-by-pair agreement suggests.

Rounds stop when a package meets the relaxation's bound (it is optimal), when a relaxation round
finds nothing better and there are no groups, when time runs out, or on a cancel. Every package
found is a solution of the full model (only variable domains are narrowed), so it honours every
rule the model holds.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from forcepack.models.wording import plural
from forcepack.solver.cancel import cancellable
from forcepack.solver.engine import new_solver
from forcepack.solver.relaxation import Relaxation

logger = logging.getLogger("forcepack.solver")

AGREE = 1e-6
"""A pair agrees with the relaxation when its value is within this of the fractional one."""
ROUND_SHARE = 0.5
"""Of the time left to the rounds, the most one round may take (so a slow first round leaves room
for the rounds after it)."""
GROUP_ROUND_S = 6.0
"""The most one round freeing groups may take: on 500 nations six-second rounds freeing a quarter
of the sectors took the package from 622.6 to 608.9 in 30 s, where CP-SAT's own search on one
worker moved nothing."""
GROUP_SHARE = 4
"""A round frees the pairs of one group in this many (at least one group)."""


def around_relaxation(
    model: cp_model.CpModel,
    pairs: Sequence[int],
    start: Sequence[int],
    relaxation: Relaxation,
    time_limit_s: float,
    *,
    configure: Callable[[cp_model.CpSolver, float], None],
    cancel: threading.Event | None = None,
    groups: Sequence[Sequence[int]] = (),
    seed: int = 0,
    tighten: Callable[[Sequence[int]], list[int]] | None = None,
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
    groups
        Pairs (variable indices) that belong together, such as a sector's; when given, rounds
        freeing some of them follow the relaxation's rounds until time runs out.
    seed
        Seeds the choice of groups.
    tighten
        Applied to each round's package before it is compared: brings the variables that only
        bound the objective from above to their least values (`ModelBuilder.tightened`).

    Returns
    -------
    (values, objective, rounds) of the best package found when it beats `start`, else None;
    the objective as `minimised` gives it.
    """
    deadline = time.perf_counter() + time_limit_s
    values = list(start)
    best: int | None = None
    rounds = 0
    by_relaxation = True
    rng = random.Random(seed)
    while time.perf_counter() < deadline - 0.05 and not (cancel is not None and cancel.is_set()):
        first = rounds == 0
        if by_relaxation:
            kind = "around the optimum" if first else "free where they differ"
            domains = (
                _around_optimum(pairs, values, relaxation) if first else _where_they_agree(pairs, values, relaxation)
            )
        else:
            chosen = rng.sample(range(len(groups)), max(1, len(groups) // GROUP_SHARE))
            kind = f"{len(chosen)} of {plural(len(groups), 'group')} free"
            domains = _outside(pairs, values, {i for g in chosen for i in groups[g]})
        free = len(pairs) - sum(1 for low, high in domains.values() if low == high)
        if free == 0 or (not first and free == len(pairs)):
            if by_relaxation and groups:
                by_relaxation = False
                continue
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
        solver = new_solver()
        left = deadline - time.perf_counter()
        limit = left if left <= 2.0 else max(2.0, ROUND_SHARE * left)
        configure(solver, limit if by_relaxation else min(limit, GROUP_ROUND_S))
        with cancellable(solver, cancel):
            code = solver.solve(trial)
        rounds += 1
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if first or not by_relaxation:
                continue
            by_relaxation = False
            if groups:
                continue
            break
        found = list(solver.response_proto.solution)
        if tighten is not None:
            found = tighten(found)
        before, after = minimised(model, values), minimised(model, found)
        logger.debug(
            "neighbourhood round %d (%s): %d of %d pairs free, %s, %d -> %d",
            rounds,
            kind,
            free,
            len(pairs),
            solver.status_name(code),
            before,
            after,
        )
        if after < before:
            values, best = found, after
            if after <= relaxation.bound:
                break  # the relaxation's bound proves this package optimal
        elif by_relaxation and not first:
            # nothing better around this package: on to the groups, if any
            by_relaxation = False
            if not groups:
                break
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


def _outside(pairs: Sequence[int], values: Sequence[int], free: set[int]) -> dict[int, tuple[int, int]]:
    """Every pair not in `free` held at its value."""
    return {i: (values[i], values[i]) for i in pairs if i not in free}


def minimised(model: cp_model.CpModel, values: Sequence[int]) -> int:
    """CP-SAT's minimised objective of an assignment (its sign and offset left out)."""
    objective = model.proto.objective
    return sum(int(c) * int(values[v]) for v, c in zip(objective.vars, objective.coeffs, strict=True))
