"""The answer to a scenario: its best package, or, when none exists, why (`forcepack.solver.solve`).

The search (`forcepack.solver.search`) finds packages; the explanation (`forcepack.solver.explain`)
solves relaxed scenarios through that search. This module composes the two, so neither imports
the other's caller.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from forcepack.models.scenario import Scenario
from forcepack.models.solution import Solution
from forcepack.solver.best_effort import best_effort
from forcepack.solver.document import Package
from forcepack.solver.explain import explain as explain_scenario
from forcepack.solver.params import SolveParams
from forcepack.solver.search import ProgressCallback, SolveReport, best

EXPLAIN_TIME_LIMIT_S = 10.0
"""Budget for explaining an infeasible scenario, on top of the solve's own."""
BEST_EFFORT_TIME_LIMIT_S = 5.0
"""Budget for the best-effort package of an infeasible scenario, on top of the explanation's."""


def solve(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    hint: Package | None = None,
    on_package: ProgressCallback | None = None,
    report: SolveReport | None = None,
    explain: bool = True,
    include: Sequence[str] = (),
    cancel: threading.Event | None = None,
    repair_from: Package | None = None,
    prefer: Package | None = None,
) -> Solution:
    """Find the best force package of a scenario.

    Parameters
    ----------
    scenario
        A validated scenario.
    params
        Time limit, workers, seed, determinism.
    hint
        A package to start the search from (a baseline, or a previous answer).
    on_package
        Called on every improving package found, for progress reports.
    report
        Filled with per-stage figures when given.
    explain
        When the scenario is infeasible, find the causes and ways out (`solver.explain`), within
        EXPLAIN_TIME_LIMIT_S more seconds, and (without `include`) the best-effort package
        (`solver.best_effort`: what can be had, and which essential lines it gives up), within
        BEST_EFFORT_TIME_LIMIT_S more.
    include
        Nation codes that must take part and offered unit ids that must deploy.
    cancel
        Set from another thread to stop the search within about 0.1 s: the best package found
        so far is returned (`feasible`), or status `unknown` when none was.
    repair_from, prefer
        A baseline package to repair (least churn first) or to break ties toward
        (`forcepack.solver.search.Search`).

    Returns
    -------
    Solution
        The solution document; `status` tells whether a package was found.
    """
    params = params or SolveParams()
    solution = best(
        scenario,
        params,
        hint=hint,
        on_package=on_package,
        report=report,
        include=include,
        cancel=cancel,
        repair_from=repair_from,
        prefer=prefer,
    )
    if solution.status != "infeasible" or not explain:
        return solution
    budget = SolveParams(time_limit_s=EXPLAIN_TIME_LIMIT_S, workers=params.effective_workers, seed=params.seed)
    explanation = explain_scenario(scenario, budget, include=include, cancel=cancel)
    if explanation is not None and not include:
        effort = SolveParams(time_limit_s=BEST_EFFORT_TIME_LIMIT_S, workers=params.effective_workers, seed=params.seed)
        explanation = explanation.model_copy(update={"best_effort": best_effort(scenario, effort, cancel=cancel)})
    return solution.model_copy(update={"explanation": explanation})
