"""Why no package exists: a minimal conflict in the planner's words, and the cheapest ways out.

The scenario is built `relaxable`: every element (requirement line, red line, veto, target,
mandate condition, funding target, unit availability) sits behind an enforcement literal, and the
options eligibility closes stay in the model, held at zero while the elements closing them hold.

1. CP-SAT is asked for sufficient assumptions for infeasibility (a core). It searches on one
   thread with assumptions; its core need not be minimal, and with presolve it can name literals
   that are not assumptions (or-tools issue 5141), so only known element literals are kept.
2. The core is shrunk by deletion: drop one element, re-solve; if still infeasible it stays
   dropped. `minimal` is true only when every element was tested this way without a time-out.
3. Relaxations: the lowest-cost sets of elements whose removal restores feasibility (each
   element weighs its `relax_cost`, or a default per type), each new one required to keep at
   least one element of every earlier one, so none is a superset of another. Each is applied
   to the scenario (`solver.relax`) and solved, and its effect reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from models.scenario import Scenario
from models.solution import ConflictElement, Explanation, Relaxation
from solver.build import BuiltModel, build
from solver.elements import Element
from solver.eligibility import Candidate
from solver.params import SolveParams
from solver.relax import relax
from solver.rules import availability, funding, requirements, targets, vetoes
from solver.rules.red_lines import describe as describe_red_line

logger = logging.getLogger("forcepack.explain")

DEFAULT_RELAX_COST = {
    "availability": 5,
    "red_line": 10,
    "funding": 20,
    "target": 20,
    "veto": 30,
    "requirement": 40,
    "mandate": 50,
}
"""How hard each kind of element is to give up, when the scenario does not say (docs/explanations.md)."""


# -- elements in words -----------------------------------------------------------------------


def describe_element(scenario: Scenario, e: Element) -> str:
    """One scenario element in a planner's words."""
    if e.type == "requirement":
        return requirements.describe(scenario.requirement_by_id[e.id], scenario)
    if e.type == "red_line":
        nation = e.nation or ""
        line = next(r for r in scenario.red_lines_of(nation) if r.id == e.id)
        return f"red line `{e.id}`: {describe_red_line(line, scenario, nation)}"
    if e.type == "veto":
        veto = next(v for v in scenario.vetoes if v.id == e.id)
        return f"veto `{e.id}`: {vetoes.describe(veto, e.nation or '')}"
    if e.type == "target":
        return f"target `{e.id}`: {targets.describe(e.id, scenario)}"
    if e.type == "mandate":
        return f"mandate condition `{e.id}` does not hold"
    if e.type == "funding":
        return f"target `funding_coverage`: {funding.describe(scenario)}"
    return availability.describe(scenario, scenario.unit_by_id[e.id], e.nation or "")


def relax_cost(scenario: Scenario, e: Element) -> int:
    """The element's `relax_cost` where the scenario gives one, else the default of its type."""
    given: int | None = None
    if e.type == "requirement":
        given = scenario.requirement_by_id[e.id].relax_cost
    elif e.type == "red_line":
        given = next(r for r in scenario.red_lines_of(e.nation or "") if r.id == e.id).relax_cost
    elif e.type == "veto":
        given = next(v for v in scenario.vetoes if v.id == e.id).relax_cost
    return DEFAULT_RELAX_COST[e.type] if given is None else given


def conflict_element(scenario: Scenario, e: Element) -> ConflictElement:
    return ConflictElement(type=e.type, id=e.id, nation=e.nation, text=describe_element(scenario, e))


# -- the searches ---------------------------------------------------------------------------


@dataclass
class _Search:
    built: BuiltModel
    params: SolveParams
    deadline: float

    def time_left(self) -> float:
        return self.deadline - time.perf_counter()

    def solver(self) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, self.time_left())
        solver.parameters.num_workers = 1  # assumptions: CP-SAT searches on one thread anyway
        solver.parameters.random_seed = self.params.seed
        return solver

    def holds(self, assumed: Sequence[Element]) -> tuple[str, list[Element]]:
        """Solve with these elements enforced (the others free): 'feasible', 'infeasible' with a
        core of them, or 'unknown' on a time-out."""
        model = self.built.model
        literals = self.built.vars.enforce
        model.clear_assumptions()
        model.add_assumptions([literals[e] for e in assumed])
        solver = self.solver()
        code = solver.solve(model)
        model.clear_assumptions()
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "feasible", []
        if code != cp_model.INFEASIBLE:
            return "unknown", []
        by_index = {literals[e].index: e for e in assumed}
        named = solver.sufficient_assumptions_for_infeasibility()
        core = [by_index[i] for i in named if i in by_index]
        if named and not core:
            # Only literals that are not assumptions (or-tools issue 5141): fall back to all.
            core = list(assumed)
        return "infeasible", core


def _shrink(search: _Search, core: list[Element]) -> tuple[list[Element], bool]:
    """Deletion filter: drop each element in turn, keep it dropped while the rest stays infeasible."""
    minimal = True
    i = 0
    while i < len(core):
        if search.time_left() <= 0:
            return core, False
        trial = core[:i] + core[i + 1 :]
        outcome, sub = search.holds(trial)
        if outcome == "infeasible":
            keep = set(sub)
            # Elements already proven necessary stay in any smaller infeasible subset.
            core = core[:i] + [e for e in core[i + 1 :] if e in keep]
        else:
            minimal = minimal and outcome == "feasible"
            i += 1
    return core, minimal


def _correction_sets(search: _Search, k: int) -> list[list[Element]]:
    """Up to k lowest-cost sets of elements to give up, none containing another."""
    built = search.built
    model = built.model
    literals = built.vars.enforce
    scenario = built.scenario
    # Costs scaled so that among equal costs the smaller set wins.
    weight = {e: relax_cost(scenario, e) * 1000 + 1 for e in literals}
    model.clear_assumptions()
    model.minimize(sum(weight[e] * (1 - lit) for e, lit in literals.items()))
    out: list[list[Element]] = []
    while len(out) < k and search.time_left() > 0:
        solver = search.solver()
        solver.parameters.num_workers = search.params.effective_workers
        code = solver.solve(model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        dropped = sorted(e for e, lit in literals.items() if not solver.boolean_value(lit))
        if not dropped:
            break
        out.append(dropped)
        model.add_bool_or([literals[e] for e in dropped])
    return out


def _effect(scenario: Scenario, dropped: list[Element], params: SolveParams, include: Sequence[str]) -> str:
    """What the relaxed scenario's package looks like."""
    from solver.solve import solve  # solve() explains through this module

    relaxed = relax(scenario, dropped)
    budget = SolveParams(time_limit_s=2.0, workers=params.effective_workers, seed=params.seed)
    solution = solve(relaxed, budget, explain=False, include=include)
    if not solution.has_package:
        return "not enough on its own within the time allowed"
    short = solution.objective_value("shortfall")
    return (
        f"a package exists: {solution.totals.personnel:,} personnel from {solution.totals.nations_contributing} "
        f"nations, cost USD {solution.funding.total_cost_usd / 1e6:,.1f}M"
        + (f", desirable shortfall {short:.3g}" if short else "")
    )


def _summary(scenario: Scenario, conflict: list[Element], closed: list[Candidate], include: Sequence[str] = ()) -> str:
    """One short paragraph a coordinator can paste into a brief."""
    lines = [e for e in conflict if e.type == "requirement"]
    others = [e for e in conflict if e.type != "requirement"]
    if not lines:
        head = f"{', '.join(include)} cannot take part: " if include else "These cannot all hold together: "
        return head + "; ".join(describe_element(scenario, e) for e in others) + "."
    wanted = {e.id for e in lines}
    in_conflict = set(others)
    blocked = sorted(
        {e for c in closed if c.requirement.id in wanted for block in c.blocks for e in block if e in in_conflict}
    )
    rest = [e for e in others if e not in blocked]
    names = ", ".join(f"`{e.id}`" for e in lines)
    text = f"The essential line{'s' if len(lines) > 1 else ''} {names} cannot be met"
    if blocked:
        text += f": the units that could fill {'them' if len(lines) > 1 else 'it'} are kept out by "
        text += "; ".join(describe_element(scenario, e) for e in blocked)
    if rest:
        text += ", and by " if blocked else " together with "
        text += "; ".join(describe_element(scenario, e) for e in rest)
    return text + "."


def explain(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    relaxations: int = 3,
    include: Sequence[str] = (),
) -> Explanation | None:
    """A conflict and relaxations for an infeasible scenario; None when a package exists.

    Parameters
    ----------
    scenario
        The scenario to explain.
    params
        Time budget (`time_limit_s` bounds the whole explanation), seed and workers.
    relaxations
        How many alternative ways out to look for.
    include
        Nations that must take part and units that must deploy (a why-not question): the
        conflict then says what keeps them out.
    """
    params = params or SolveParams(time_limit_s=10.0)
    start = time.perf_counter()
    built = build(scenario, relaxable=True, include=include)
    search = _Search(built, params, start + params.time_limit_s)
    elements = sorted(built.vars.enforce)
    outcome, core = search.holds(elements)
    if outcome == "feasible":
        return None
    if outcome == "unknown":
        return Explanation(
            minimal=False,
            conflict=[],
            summary="No conflict could be isolated within the time limit.",
        )
    if not core:
        return Explanation(
            minimal=True,
            conflict=[],
            summary="No package exists even with every red line, veto, target and condition relaxed: "
            + (f"{', '.join(include)} offer(s) nothing the requirements can use." if include else "nothing fits."),
        )
    core, minimal = _shrink(search, core)
    sets = _correction_sets(search, relaxations)
    conflict = [conflict_element(scenario, e) for e in core]
    relax_list = [
        Relaxation(
            changes=[conflict_element(scenario, e) for e in dropped],
            effect=_effect(scenario, dropped, params, include),
        )
        for dropped in sets
    ]
    summary = _summary(scenario, core, built.closed, include)
    if not minimal:
        summary += " (The conflict may hold more elements than needed: the time limit stopped the check.)"
    logger.debug("explained %s in %.2fs: %d elements", scenario.id, time.perf_counter() - start, len(core))
    return Explanation(minimal=minimal, conflict=conflict, summary=summary, relaxations=relax_list)
