"""The best package that can be had when no package meets every essential line.

Every rule of the scenario holds (red lines, vetoes, targets, funding, availability) except the
essential lines, which become as covered as possible: first the fewest essential lines short
(proven least when the search finishes), then the scenario's own objective with each essential
line's uncovered fraction counted as a desirable line of weight 1. A planner reads what can be
had, and which essential lines must be given up; criticality reads how many a withdrawal costs.
"""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

from forcepack.models.common import Priority
from forcepack.models.loading import parse_scenario
from forcepack.models.scenario import Scenario
from forcepack.models.solution import BestEffort
from forcepack.solver.builder import BuildCancelled
from forcepack.solver.exact import upper_bound
from forcepack.solver.params import SolveParams
from forcepack.solver.search import Search, best

COUNT_SHARE = 0.5
"""Of the time limit, the most the search for the fewest essential lines short may take."""


def relaxed(scenario: Scenario) -> Scenario:
    """The scenario with every essential line made desirable, of weight 1 (the rest unchanged)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for r in data["requirements"]:
        if r["priority"] == Priority.ESSENTIAL.value:
            r["priority"] = Priority.DESIRABLE.value
            r["weight"] = 1.0
    return parse_scenario(data, f"{scenario.id} best effort")


def best_effort(
    scenario: Scenario, params: SolveParams | None = None, *, cancel: threading.Event | None = None
) -> BestEffort:
    """The best package with the fewest essential lines short (see the module's docstring).

    The count is searched first, on the model of the relaxed scenario with one Boolean per
    essential line (short or not) for up to COUNT_SHARE of the time; the count found is then held
    while the scenario's objective is searched in the rest."""
    params = params or SolveParams()
    essential = [r.id for r in scenario.requirements if r.priority == Priority.ESSENTIAL]
    try:
        search = Search(relaxed(scenario), cancel=cancel)
    except BuildCancelled:
        return BestEffort(package=best(scenario, params, cancel=cancel))
    builder = search.builder
    model = builder.model
    terms: dict[str, list[cp_model.IntVar]] = {}
    for key, var in builder.shortfalls().items():  # a line's, or in a phased scenario one per bucket (`line@t`)
        terms.setdefault(key.partition("@")[0], []).append(var)
    short = []
    for rid in essential:
        flag = model.new_bool_var(f"short[{rid}]")
        for var in terms.get(rid, []):
            model.add(var <= upper_bound(model, var) * flag)
        short.append(flag)
    least: int | None = None if short else 0  # (no essential line: none can be short)
    if short:
        found, code = search.lead(short, params, maximise=False, share=COUNT_SHARE, cancel=cancel)
        if code == cp_model.INFEASIBLE:
            return BestEffort(package=search.run(params))
        if code == cp_model.OPTIMAL:
            least = found
    package = search.run(params)  # (its time limit counts from the build: the count's time included)
    short_lines = {c.requirement for c in package.coverage if c.shortfall > 0}
    lines_short = [rid for rid in essential if rid in short_lines] if package.has_package else []
    return BestEffort(package=package, lines_short=lines_short, least=least if package.has_package else None)
