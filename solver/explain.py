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
   to the scenario (`solver.renegotiate`) and solved, and its effect reported.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from forcepack.models.common import Measure
from forcepack.models.scenario import Scenario
from forcepack.models.solution import ConflictElement, Explanation, Relaxation, Solution
from forcepack.solver.builder import BuildCancelled, BuiltModel, build, inclusion_words
from forcepack.solver.cancel import cancellable
from forcepack.solver.elements import Block, Element
from forcepack.solver.eligibility import Candidate
from forcepack.solver.engine import new_solver
from forcepack.solver.params import SolveParams
from forcepack.solver.renegotiate import relax
from forcepack.solver.rules import family
from forcepack.solver.search import best

logger = logging.getLogger("forcepack.explain")

EFFECT_TIME_S = 2.0
"""Seconds to solve a relaxed scenario for the figures of a relaxation's effect."""


def describe_element(scenario: Scenario, e: Element) -> str:
    """One scenario element in a planner's words (its family's sentence, `forcepack.solver.rules`)."""
    return family(e.type).describe(scenario, e)


def relax_cost(scenario: Scenario, e: Element) -> int:
    """The element's `relax_cost` where the scenario gives one, else its family's default."""
    return family(e.type).relax_cost(scenario, e)


def conflict_element(scenario: Scenario, e: Element) -> ConflictElement:
    return ConflictElement(type=e.type, id=e.id, nation=e.nation, text=describe_element(scenario, e))


# -- the searches ---------------------------------------------------------------------------


@dataclass
class _Search:
    built: BuiltModel
    params: SolveParams
    deadline: float
    cancel: threading.Event | None = None
    cut_short: bool = False
    """A search ran out of time (or was cancelled), or a step was skipped for lack of time."""

    def time_left(self) -> float:
        """Seconds left; none once the explanation is cancelled."""
        if self.cancel is not None and self.cancel.is_set():
            self.cut_short = True
            return 0.0
        left = self.deadline - time.perf_counter()
        if left <= 0:
            self.cut_short = True
        return left

    def solver(self, cap: float | None = None) -> cp_model.CpSolver:
        solver = new_solver()
        left = self.time_left() if cap is None else min(cap, self.time_left())
        solver.parameters.max_time_in_seconds = max(0.05, left)
        solver.parameters.num_workers = 1  # assumptions: CP-SAT searches on one thread anyway
        solver.parameters.random_seed = self.params.seed
        return solver

    def holds(self, assumed: Sequence[Element], cap: float | None = None) -> tuple[str, list[Element]]:
        """Solve with these elements enforced (the others free): 'feasible', 'infeasible' with a
        core of them, or 'unknown' on a time-out (`cap` seconds at most, when given)."""
        model = self.built.model
        literals = self.built.vars.enforce
        model.clear_assumptions()
        model.add_assumptions([literals[e] for e in assumed])
        solver = self.solver(cap)
        with cancellable(solver, self.cancel):
            code = solver.solve(model)
        model.clear_assumptions()
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "feasible", []
        if code != cp_model.INFEASIBLE:
            self.cut_short = True
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


def _correction_sets(
    search: _Search, k: int, conflict: list[Element], include: Sequence[str] = ()
) -> list[tuple[list[Element], Solution | None]]:
    """Up to k lowest-cost sets of elements to give up, none containing another.

    Every set must relax at least one element of the conflict. Single elements of the conflict
    are tried first, cheapest first (each check gets an equal share of the time left); then the
    lowest-cost sets are searched for; a set found but not proven lowest-cost is made minimal
    (`_irreducible`) and ends the search.
    """
    built = search.built
    model = built.model
    literals = built.vars.enforce
    scenario = built.scenario
    out: list[tuple[list[Element], Solution | None]] = []
    singles = sorted(conflict, key=lambda e: (relax_cost(scenario, e), e))
    for i, e in enumerate(singles):
        if len(out) >= k or search.time_left() <= 0:
            break
        share = search.time_left() / (len(singles) - i + 1)
        package = _package_after(scenario, [e], search.params, share, include, search.cancel, search)
        if package is not None:
            out.append(([e], package))
    if len(out) >= k or search.time_left() <= 0:
        return out
    # Costs scaled so that among equal costs the smaller set wins.
    weight = {e: relax_cost(scenario, e) * 1000 + 1 for e in literals}
    model.clear_assumptions()
    model.add_bool_or([literals[e].Not() for e in conflict])
    for found, _ in out:
        model.add_bool_or([literals[e] for e in found])
    model.minimize(sum(weight[e] * (1 - lit) for e, lit in literals.items()))
    while len(out) < k and search.time_left() > 0:
        # Half the time left at most: a set found but not proven cheapest is then made minimal.
        solver = search.solver(cap=search.time_left() / 2)
        solver.parameters.num_workers = search.params.effective_workers
        with cancellable(solver, search.cancel):
            code = solver.solve(model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            search.cut_short |= code != cp_model.INFEASIBLE  # INFEASIBLE: no further way out exists
            break
        dropped = sorted(e for e, lit in literals.items() if not solver.boolean_value(lit))
        if not dropped:
            break
        if code == cp_model.FEASIBLE:
            # A way out, perhaps not the cheapest: give back what it need not give up, and stop looking.
            search.cut_short = True
            model.clear_objective()  # type: ignore[no-untyped-call]
            out.append((_irreducible(search, dropped), None))
            break
        out.append((dropped, None))
        model.add_bool_or([literals[e] for e in dropped])
    model.clear_objective()  # type: ignore[no-untyped-call]
    return out


def _irreducible(search: _Search, dropped: list[Element]) -> list[Element]:
    """`dropped` less every element that can be enforced again with the others still dropped.

    Enforcing more only removes packages, so the set left is minimal: no proper subset of it is
    a way out. An element whose check runs out of time stays dropped (the set still works).
    """
    kept = [e for e in search.built.vars.enforce if e not in set(dropped)]
    needed = list(dropped)
    order = sorted(dropped, key=lambda e: (-relax_cost(search.built.scenario, e), e))
    for i, e in enumerate(order):
        if search.time_left() <= 0:
            break
        trial = [x for x in needed if x != e]
        cap = search.time_left() / (len(order) - i)
        if trial and search.holds([*kept, e], cap)[0] == "feasible":
            kept.append(e)
            needed = trial
    return sorted(needed)


def _open_capacity(pairs: list[Candidate], enforced: set[Element], measure: Measure) -> int:
    """What the options of one line can provide when only `enforced` elements hold: an option is
    closed while one of its blocks is wholly enforced."""
    total = 0
    for c in pairs:
        if any(all(e in enforced for e in block) for block in c.blocks):
            continue
        total += c.unit.count * (c.unit.personnel if measure == Measure.PERSONNEL else 1)
    return total


def _smallest(block: Block) -> tuple[int, Block]:
    return len(block), block


def _structural_core(built: BuiltModel) -> list[Element] | None:
    """A minimal conflict read off eligibility, without search: an essential line that its open
    options cannot fill even with every unit sent there, and the blocks closing the others.

    With only these elements enforced the line's coverage is the sole constraint left (filter
    elements couple nothing), so infeasibility and minimality follow from counting capacity.
    """
    scenario = built.scenario
    best: list[Element] | None = None
    for r in scenario.requirements:
        element = Element("requirement", r.id)
        if element not in built.vars.enforce:
            continue
        pairs = [c for c in built.candidates if c.requirement.id == r.id]
        core = {element}
        for c in pairs:
            if c.blocks:
                chosen: Block = min(c.blocks, key=_smallest)
                core.update(chosen)
        if _open_capacity(pairs, core, r.measure) >= r.quantity:
            continue
        for e in sorted(core - {element}):  # deletion filter, by counting
            if _open_capacity(pairs, core - {e}, r.measure) < r.quantity:
                core.discard(e)
        if best is None or len(core) < len(best):
            best = sorted(core)
    return best


def _package_after(
    scenario: Scenario,
    dropped: Sequence[Element],
    params: SolveParams,
    seconds: float,
    include: Sequence[str],
    cancel: threading.Event | None = None,
    search: _Search | None = None,
) -> Solution | None:
    """The best package once these elements are relaxed, or None (none, or none found in time:
    then `search` is marked cut short)."""
    budget = SolveParams(time_limit_s=max(0.05, seconds), workers=params.effective_workers, seed=params.seed)
    solution = best(relax(scenario, dropped), budget, include=include, cancel=cancel)
    if search is not None and solution.status == "unknown":
        search.cut_short = True
    return solution if solution.has_package else None


def _effect(solution: Solution | None) -> str:
    """What the relaxed scenario's package looks like."""
    if solution is None:
        return "a package exists (its figures were not computed within the time limit)"
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
        asked = ", ".join(inclusion_words(name) for name in include)
        head = f"{asked} cannot be had: " if include else "These cannot all hold together: "
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
    cancel: threading.Event | None = None,
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
    cancel
        Set from another thread to stop soon (within about 0.1 s): the explanation found so
        far is returned, marked not minimal where the check was cut short.
    """
    params = params or SolveParams(time_limit_s=10.0)
    start = time.perf_counter()
    try:
        built = build(scenario, relaxable=True, include=include, cancel=cancel)
    except BuildCancelled:
        return Explanation(
            minimal=False, conflict=[], summary="The explanation was cancelled before it began.", complete=False
        )
    search = _Search(built, params, start + params.time_limit_s, cancel)
    elements = sorted(built.vars.enforce)
    # An essential line nobody eligible can fill is the common case, and cheap to find; the
    # search over every element at once is left for the rest.
    quick = _structural_core(built) if not include else None
    if quick is not None:
        core, minimal = quick, True
    else:
        outcome, core = search.holds(elements)
        if outcome == "feasible":
            return None
        if outcome == "unknown":
            return Explanation(
                minimal=False,
                conflict=[],
                summary="No conflict could be isolated within the time limit.",
                complete=False,
            )
        if not core:
            return Explanation(
                minimal=True,
                conflict=[],
                summary="No package exists even with every red line, veto, target and condition relaxed: "
                + (f"{', '.join(include)} offer(s) nothing the requirements can use." if include else "nothing fits."),
            )
        if len(core) < len(elements) and search.holds(core)[0] != "infeasible":
            core = elements  # a core that names non-assumptions (or-tools #5141) may be unsound
        core, minimal = _shrink(search, core)
    conflict = [conflict_element(scenario, e) for e in core]
    relax_list = [
        Relaxation(
            changes=[conflict_element(scenario, e) for e in dropped],
            effect=_effect(
                package
                if package is not None
                else _package_after(scenario, dropped, params, EFFECT_TIME_S, include, cancel)
            ),
        )
        for dropped, package in _correction_sets(search, relaxations, core, include)
    ]
    summary = _summary(scenario, core, built.closed, include)
    if not minimal:
        summary += " (The conflict may hold more elements than needed: the time limit stopped the check.)"
    logger.debug("explained %s in %.2fs: %d elements", scenario.id, time.perf_counter() - start, len(core))
    if search.cut_short and not relax_list:
        summary += " No way out was found within the time limit; more time may find one."
    return Explanation(
        minimal=minimal, conflict=conflict, summary=summary, relaxations=relax_list, complete=not search.cut_short
    )
