"""Money that stays where it was: a what-if's package draws on the same pledges as the baseline
wherever its units allow.

Which pledge pays for a unit is not a criterion: among packages equally good on every criterion
the money may flow from any usable pledge, so two solves of much the same scenario can draw on
different donors (one solve asks the United Arab Emirates, the next Bahrain) and a what-if would
report money moving that no change moved. After the patched package is found, its units are held
and the flows are chosen again, as close to the baseline's as every rule allows.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver.builder import BuildCancelled, build
from forcepack.solver.construct import solve_fixed
from forcepack.solver.document import Package, Pair, solution_document

MOST_UNIT_LINES = 1_000
"""Past this many offered unit lines (about 200 nations of the generator) the step is skipped: the
model's build, which its time limit does not bound, would cost more than the tidiness is worth."""
TIME_SHARE = 0.05
"""Of the what-if's time limit, the share this step may take (at least `LEAST_S`, at most `MOST_S`)."""
LEAST_S = 0.2
MOST_S = 2.0


def keep_money(
    scenario: Scenario,
    solution: Solution,
    baseline: Solution,
    *,
    time_limit_s: float,
    cancel: threading.Event | None = None,
) -> Solution:
    """`solution` (a package of `scenario`) with its money drawn as near the baseline's as its units
    allow: the same units, criteria and status; unchanged when it cannot come nearer, when either
    side has no package, for a phased plan (its money follows its months), past `MOST_UNIT_LINES`,
    or when cancelled."""
    if not solution.has_package or not baseline.has_package or scenario.phasing is not None:
        return solution
    if sum(len(o.units) for o in scenario.offers) > MOST_UNIT_LINES:
        return solution
    package = Package.from_solution(solution)
    before = Package.from_solution(baseline).flows
    if _distance(package.flows, before) == 0:
        return solution
    try:
        built = build(scenario, cancel=cancel)
    except BuildCancelled:
        return solution
    fixed = {var.index: package.assignment.get(pair, 0) for pair, var in built.vars.units.items()}
    near = {var.index: before.get(key, 0) for key, var in built.vars.flows.items()}
    limit = min(MOST_S, max(LEAST_S, time_limit_s * TIME_SHARE))
    solver = solve_fixed(built.model, fixed, limit, cancel=cancel, near=near)
    if solver is None:
        return solution
    values = solver.response_proto.solution
    flows = {key: values[var.index] for key, var in built.vars.flows.items()}
    if _distance(flows, before) >= _distance(package.flows, before):
        return solution
    kept = Package.of(package.assignment, flows)
    return solution_document(
        scenario,
        kept,
        status=solution.status,
        run=solution.run,
        bounds={o.criterion: o.bound for o in solution.objective},
        gap=solution.gap,
        explanation=solution.explanation,
        criteria=[o.criterion for o in solution.objective],
        baseline=Package.from_solution(baseline),
    )


def _distance(flows: Mapping[Pair, int], before: Mapping[Pair, int]) -> int:
    """Dollars that flow otherwise, per pledge and capability, summed."""
    return sum(abs(flows.get(k, 0) - before.get(k, 0)) for k in set(flows) | set(before))
