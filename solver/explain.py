"""Why no package exists: every independent cause in the planner's words, with its figures, and
the cheapest way out that removes them all.

The scenario is built `relaxable`: every element (requirement line, red line, veto, target,
mandate condition, funding target, unit availability; in a phased scenario also a node of entry's
capacity and a unit's tours) sits behind an enforcement literal, and the options eligibility closes
stay in the model, held at zero while the elements closing them hold. A phased model also holds the
tours a unit could serve with its availability or its tour length given up, each behind those
elements (`rules.EASINGS`), so a plan that cannot be met in time names its ready day or its tours.

1. Causes, find-relax-repeat: a conflict (a core) is found among the elements still held, shrunk
   to a minimal one, and its elements are then given up; the search repeats among the rest until
   a package exists or MAX_CONFLICTS causes are named. Causes found this way share no element:
   each is independent of the others. A cause is found by counting where it is a supply
   shortfall (`_structural_core`), else CP-SAT is asked for sufficient assumptions for
   infeasibility. With presolve its core can name literals that are not assumptions (or-tools
   issue 5141); such a core is asked for again with presolve off, which keeps it in terms of
   assumptions, and every core is re-checked infeasible before it is shrunk.
2. Each core is shrunk by deletion: drop one element, re-solve; if still infeasible it stays
   dropped. A cause is `minimal` only when every element was tested this way without a time-out.
3. The way out that removes every cause together is an implicit hitting set: the cheapest set of
   elements (each weighs its `relax_cost`, or its family's default) meeting every cause found; if
   the scenario with it given up still has no package with anyone deployed, the core of what is
   left is shrunk, added, and the hitting set sought again. So the cheapest hitting set of the
   causes reported is a way out. Alternatives follow: the next cheapest sets, none containing an
   earlier one. A way out must leave a force: a change whose only package deploys nobody is none.
4. Each way out is applied to the scenario (`solver.renegotiate`) and solved for its effect, and
   carries the patch (`forcepack.patch/1`) that applies it as a what-if, where every change has a
   patch operation. Ways out are ranked by relax cost, then by the scenario's objective after the
   change.
5. Figures: an essential line's supply (`rules.requirements.supply`), and for a coupling rule the
   numbers it clashes on, found by optimising what it bounds with the rest of its cause held
   (`Family.clash`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ortools.sat.python import cp_model

from forcepack.models.common import Measure, Priority
from forcepack.models.patch import Patch
from forcepack.models.scenario import MAXIMISED, Scenario
from forcepack.models.solution import (
    Conflict,
    ConflictElement,
    ElementRef,
    Explanation,
    ObjectiveValue,
    Relaxation,
    Solution,
    Supply,
)
from forcepack.models.wording import figure, millions, plural
from forcepack.solver.builder import BuildCancelled, BuiltModel, ModelBuilder, inclusion_words
from forcepack.solver.cancel import cancellable
from forcepack.solver.criteria import criterion
from forcepack.solver.elements import Block, Element
from forcepack.solver.eligibility import Candidate
from forcepack.solver.engine import new_solver
from forcepack.solver.params import SolveParams
from forcepack.solver.phased import keeping_out, model_builder
from forcepack.solver.renegotiate import relax
from forcepack.solver.rules import family
from forcepack.solver.rules import requirements as requirement_rules
from forcepack.solver.search import Search

logger = logging.getLogger("forcepack.explain")

EFFECT_TIME_S = 2.0
"""Seconds to solve a relaxed scenario for the figures of a relaxation's effect."""
MAX_CONFLICTS = 5
"""Independent causes sought at most in one explanation."""
HITTING_ROUNDS = 20
"""Rounds of the hitting-set search for the way out that removes every cause, at most."""
CLASH_TIME_S = 1.0
"""Seconds at most for the figures of one coupling rule."""

NUMBER_WORDS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine"}


def describe_element(scenario: Scenario, e: Element) -> str:
    """One scenario element in a planner's words (its family's sentence, `forcepack.solver.rules`)."""
    return family(e.type).describe(scenario, e)


def relax_cost(scenario: Scenario, e: Element) -> int:
    """The element's `relax_cost` where the scenario gives one, else its family's default."""
    return family(e.type).relax_cost(scenario, e)


@dataclass(frozen=True)
class Figures:
    """The numbers behind one element's part in a cause."""

    text: str
    supply: Supply | None = None


def conflict_element(scenario: Scenario, e: Element, figures: Figures | None = None) -> ConflictElement:
    return ConflictElement(
        type=e.type,
        id=e.id,
        nation=e.nation,
        text=describe_element(scenario, e),
        figures=figures.text if figures is not None else None,
        supply=figures.supply if figures is not None else None,
    )


# -- the searches ---------------------------------------------------------------------------


@dataclass
class _Search:
    builder: ModelBuilder
    built: BuiltModel
    params: SolveParams
    deadline: float
    cancel: threading.Event | None = None
    cut_short: bool = False
    """A search ran out of time (or was cancelled), or a step was skipped for lack of time."""
    nonempty: cp_model.IntVar | None = None
    """A literal that, assumed, asks for a package with at least one person deployed."""
    retried_without_presolve: int = 0
    """Cores asked for again with presolve off, because presolve named non-assumptions (tests)."""

    def time_left(self) -> float:
        """Seconds left; none once the explanation is cancelled."""
        if self.cancel is not None and self.cancel.is_set():
            self.cut_short = True
            return 0.0
        left = self.deadline - time.perf_counter()
        if left <= 0:
            self.cut_short = True
        return left

    def solver(self, cap: float | None = None, *, presolve: bool = True) -> cp_model.CpSolver:
        solver = new_solver()
        left = self.time_left() if cap is None else min(cap, self.time_left())
        solver.parameters.max_time_in_seconds = max(0.05, left)
        solver.parameters.num_workers = 1  # assumptions: CP-SAT searches on one thread anyway
        solver.parameters.random_seed = self.params.seed
        solver.parameters.cp_model_presolve = presolve
        return solver

    def holds(
        self, assumed: Sequence[Element], cap: float | None = None, *, nonempty: bool = False
    ) -> tuple[str, list[Element]]:
        """Solve with these elements enforced (the others free, but those whose holding also allows
        something, `BuiltModel.two_sided`, given up), and with `nonempty` someone deployed:
        'feasible', 'infeasible' with a core of the elements (the `nonempty` wish aside), or
        'unknown' on a time-out (`cap` seconds at most, when given)."""
        outcome, core, _ = self.holds_why(assumed, cap, nonempty=nonempty)
        return outcome, core

    def holds_why(
        self, assumed: Sequence[Element], cap: float | None = None, *, nonempty: bool = False
    ) -> tuple[str, list[Element], bool]:
        """`holds`, and whether the core needs the `nonempty` wish (a cause of an empty force, not
        of infeasibility)."""
        literals = self.built.vars.enforce
        wish = [self.nonempty] if nonempty and self.nonempty is not None else []
        by_index = {literals[e].index: e for e in assumed}
        held = set(assumed)
        # A two-sided element not held is given up, as the relaxed scenario gives it up: left free,
        # holding it could allow what giving it up does not (a unit's shorter tours).
        given_up = [literals[e].Not() for e in sorted(self.built.two_sided) if e not in held]
        allowed = set(by_index) | {w.index for w in wish} | {g.index for g in given_up}
        for presolve in (True, False):
            code, named = self._solve(assumed, [*given_up, *wish], cap, presolve)
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return "feasible", [], False
            if code != cp_model.INFEASIBLE:
                self.cut_short = True
                return "unknown", [], False
            if set(named) <= allowed and (named or not assumed):
                break
            # Presolve named literals that are not assumptions (or-tools issue 5141): ask again
            # without it, which keeps the core in terms of assumptions.
            self.retried_without_presolve += presolve
        core = [by_index[i] for i in named if i in by_index]
        needs_wish = any(w.index in named for w in wish)
        if not set(named) <= allowed or (not named and assumed):
            core, needs_wish = list(assumed), bool(wish)  # no usable core: every assumption stands
        return "infeasible", core, needs_wish

    def _solve(
        self, assumed: Sequence[Element], wish: list[Any], cap: float | None, presolve: bool
    ) -> tuple[cp_model.CpSolverStatus, list[int]]:
        model = self.built.model
        literals = self.built.vars.enforce
        model.clear_assumptions()
        model.add_assumptions([literals[e] for e in assumed] + wish)  # (wish: also the two-sided given up)
        solver = self.solver(cap, presolve=presolve)
        with cancellable(solver, self.cancel):
            code = solver.solve(model)
        model.clear_assumptions()
        named = list(solver.sufficient_assumptions_for_infeasibility()) if code == cp_model.INFEASIBLE else []
        return code, named


def _shrink(search: _Search, core: list[Element], *, nonempty: bool = False) -> tuple[list[Element], bool]:
    """Deletion filter: drop each element in turn, keep it dropped while the rest stays infeasible."""
    minimal = True
    i = 0
    while i < len(core):
        if search.time_left() <= 0:
            return core, False
        trial = core[:i] + core[i + 1 :]
        outcome, sub = search.holds(trial, nonempty=nonempty)
        if outcome == "infeasible":
            keep = set(sub)
            # Elements already proven necessary stay in any smaller infeasible subset.
            core = core[:i] + [e for e in core[i + 1 :] if e in keep]
        else:
            minimal = minimal and outcome == "feasible"
            i += 1
    return core, minimal


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


def _structural_core(built: BuiltModel, active: set[Element]) -> list[Element] | None:
    """A minimal conflict among the `active` elements read off eligibility, without search: an
    essential line that its open options cannot fill even with every unit sent there, and the
    blocks closing the others (blocks of active elements only: a given-up element closes nothing).

    With only these elements enforced the line's coverage is the sole constraint left (filter
    elements couple nothing), so infeasibility and minimality follow from counting capacity, in a
    static scenario; a phased one's is confirmed and shrunk by the model (`_causes`).
    """
    scenario = built.scenario
    best: list[Element] | None = None
    for r in scenario.requirements:
        element = Element("requirement", r.id)
        if element not in built.vars.enforce or element not in active:
            continue
        pairs = [c for c in built.candidates if c.requirement.id == r.id]
        core = {element}
        for c in pairs:
            blocks = [b for b in c.blocks if all(e in active for e in b)]
            if blocks:
                chosen: Block = min(blocks, key=_smallest)
                core.update(chosen)
        if _open_capacity(pairs, core, r.measure) >= r.quantity:
            continue
        for e in sorted(core - {element}):  # deletion filter, by counting
            if _open_capacity(pairs, core - {e}, r.measure) < r.quantity:
                core.discard(e)
        if best is None or len(core) < len(best):
            best = sorted(core)
    return best


@dataclass
class _Cause:
    elements: list[Element]
    minimal: bool


def _cheapest_hitting_set(scenario: Scenario, cores: Sequence[Iterable[Element]]) -> list[Element]:
    """The cheapest set of elements meeting every core (relax cost, then fewest), proven."""
    model = cp_model.CpModel()
    pick: dict[Element, cp_model.IntVar] = {}
    for core in cores:
        for e in core:
            if e not in pick:
                pick[e] = model.new_bool_var(str(e))
    for core in cores:
        model.add_bool_or([pick[e] for e in core])
    model.minimize(sum((relax_cost(scenario, e) * 1000 + 1) * var for e, var in pick.items()))
    solver = new_solver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    return sorted(e for e, var in pick.items() if solver.boolean_value(var))


def _causes(search: _Search, elements: list[Element], bound: int, quick: bool) -> tuple[str, list[_Cause]]:
    """Find-relax-repeat: up to `bound` causes sharing no element. Returns how the search ended
    ('feasible': every cause found; 'bound'; 'unknown'; 'nothing': no package even with every
    element given up) and the causes."""
    causes: list[_Cause] = []
    given_up: set[Element] = set()
    while len(causes) < bound:
        active = [e for e in elements if e not in given_up]
        found = _structural_core(search.built, set(active)) if quick else None
        if found is not None and search.built.scenario.phasing is not None:
            # In time, counting units is not enough: a line may be short in one bucket and not in
            # another, a tour fills its line only after its relief. The count names a candidate,
            # which the model confirms and shrinks.
            if search.holds(found)[0] == "infeasible":
                shrunk, minimal = _shrink(search, found)
                cause = _Cause(shrunk, minimal)
            else:
                found = None
        elif found is not None:
            cause = _Cause(found, True)
        if found is None:
            outcome, core = search.holds(active)
            if outcome != "infeasible":
                return outcome, causes
            if not core:
                return ("nothing" if not causes else "unknown"), causes
            if len(core) < len(active) and search.holds(core)[0] != "infeasible":
                core = active  # a core that does not hold alone is not trusted
            shrunk, minimal = _shrink(search, core)
            cause = _Cause(shrunk, minimal)
        if not cause.elements:
            # Nothing left to give up is in it: what was asked (the inclusions) cannot be had at all.
            return ("nothing" if not causes else "unknown"), causes
        causes.append(cause)
        given_up |= set(cause.elements)
    outcome, _ = search.holds([e for e in elements if e not in given_up])
    return ("bound" if outcome == "infeasible" else outcome), causes


def _way_out(search: _Search, elements: list[Element], causes: list[_Cause]) -> list[Element] | None:
    """The cheapest set of elements meeting every cause whose giving up leaves a package with
    someone deployed (an implicit hitting set); a cause found on the way is added to `causes`.
    None when there is none, or none was found in time."""
    scenario = search.built.scenario
    cores: list[list[Element]] = [c.elements for c in causes]
    for _ in range(HITTING_ROUNDS):
        if search.time_left() <= 0:
            return None
        chosen = set(_cheapest_hitting_set(scenario, cores)) if cores else set()
        rest = [e for e in elements if e not in chosen]
        outcome, core, needs_wish = search.holds_why(rest, nonempty=True)
        if outcome == "feasible":
            return sorted(chosen)
        if outcome == "unknown" or not core:
            return None  # (no core: nobody can be deployed even with every element given up)
        if search.holds(core, nonempty=needs_wish)[0] != "infeasible":
            core = rest
        shrunk, minimal = _shrink(search, core, nonempty=needs_wish)
        if not shrunk:
            return None
        if not needs_wish:
            causes.append(_Cause(shrunk, minimal))
        cores.append(shrunk)
    search.cut_short = True
    return None


def _alternatives(search: _Search, k: int, causes: list[_Cause], found: list[list[Element]]) -> list[list[Element]]:
    """Up to k further ways out, cheapest first, none containing an earlier one (`found` first).

    A set found but not proven cheapest is made minimal (`_irreducible`) and ends the search."""
    built = search.built
    model = built.model
    literals = built.vars.enforce
    scenario = built.scenario
    out: list[list[Element]] = []
    if k <= 0 or search.time_left() <= 0:
        return out
    # Costs scaled so that among equal costs the smaller set wins.
    weight = {e: relax_cost(scenario, e) * 1000 + 1 for e in literals}
    model.clear_assumptions()
    if search.nonempty is not None:
        model.add_bool_or([search.nonempty])
    for cause in causes:
        model.add_bool_or([literals[e].Not() for e in cause.elements])
    for dropped in found:
        model.add_bool_or([literals[e] for e in dropped])
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
            out.append(_irreducible(search, dropped))
            break
        out.append(dropped)
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
        if trial and search.holds([*kept, e], cap, nonempty=True)[0] == "feasible":
            kept.append(e)
            needed = trial
    return sorted(needed)


def package_after(
    scenario: Scenario,
    dropped: Sequence[Element],
    params: SolveParams,
    seconds: float,
    include: Sequence[str] = (),
    cancel: threading.Event | None = None,
) -> Solution | None:
    """The best package once these elements are relaxed, with someone deployed, or None (none, or
    none found in time)."""
    budget = SolveParams(time_limit_s=max(0.05, seconds), workers=params.effective_workers, seed=params.seed)
    try:
        search = Search(relax(scenario, dropped), include=include, cancel=cancel)
    except BuildCancelled:
        return None
    builder = search.builder
    builder.model.add(builder.total_personnel() >= 1)  # a way out leaves a force
    solution = search.run(budget)
    return solution if solution.has_package and solution.totals.personnel > 0 else None


def _effect(solution: Solution | None) -> str:
    """What the relaxed scenario's package looks like."""
    if solution is None:
        return "a package exists (its figures were not computed within the time limit)"
    short = solution.objective_value("shortfall")
    return (
        f"a package exists: {solution.totals.personnel:,} personnel from "
        f"{plural(solution.totals.nations_contributing, 'nation')}, cost USD "
        f"{millions(solution.funding.total_cost_usd)}" + (f", desirable shortfall {figure(short, 3)}" if short else "")
    )


def _nothing_fits(include: Sequence[str]) -> str:
    """Why no package exists with every element relaxed: nothing fits at all, or nothing fits around
    what the package is asked to include (each said once: a unit kept on two lines is one unit)."""
    said = "No package exists even with every red line, veto, target and condition relaxed"
    if not include:
        return said + ": nothing fits."
    asked = ", ".join(dict.fromkeys(inclusion_words(n) for n in include))
    kept = any(n.partition(":")[0] in ("arrive", "keep") and "#" in n for n in include)
    own = " (the units with tours kept keep their ready day, tour length and relief as offered)" if kept else ""
    return f"{said}, with {asked}: what is offered cannot fill the requirements around it{own}."


def patch_of(scenario: Scenario, dropped: Sequence[Element]) -> tuple[Patch | None, list[str]]:
    """The patch giving these elements up (each by its family's operations), and the changes no
    operation expresses (then no patch: a what-if must apply the whole way out)."""
    ops = []
    missing = []
    for e in dropped:
        found = family(e.type).patch(scenario, e)
        if found is None:
            ref = ElementRef(type=e.type, id=e.id, nation=e.nation)
            why = family(e.type).unpatchable(scenario, e) or "no what-if operation changes it"
            missing.append(f"{requirement_rules.ref_words(ref)}: {why}")
        else:
            ops.extend(found)
    if missing:
        return None, missing
    words = "give up " + ", ".join(str(e) for e in dropped)
    return Patch(description=words, ops=ops), []


def _rank(scenario: Scenario, cost: int, package: Solution | None) -> tuple[object, ...]:
    """Relax cost first, then the scenario's objective after the change (each criterion in its
    sense; a way out whose package was not found comes after those that were)."""
    if package is None:
        return (cost, 1, ())
    values = tuple(-(v.value) if v.criterion in MAXIMISED else v.value for v in package.objective)
    return (cost, 0, values)


# -- figures ----------------------------------------------------------------------------------


def _clash_figures(search: _Search, cause: list[Element], e: Element) -> str | None:
    """The numbers a coupling element clashes on: its family's `Clash` optimised with the rest of
    the cause held (everything else given up)."""
    clash = family(e.type).clash(search.builder, e)
    if clash is None or search.time_left() <= 0:
        return None
    objective = clash.objective
    if isinstance(objective, int):  # nothing the package decides: the figure is known
        reads = {k: v if isinstance(v, int) else 0 for k, v in clash.reads.items()}
        return clash.words(objective, reads)
    model = search.built.model
    literals = search.built.vars.enforce
    model.clear_assumptions()
    model.add_assumptions([literals[x] for x in cause if x != e])
    if clash.maximise:
        model.maximize(objective)
    else:
        model.minimize(objective)
    solver = search.solver(cap=CLASH_TIME_S)
    with cancellable(solver, search.cancel):
        code = solver.solve(model)
    model.clear_assumptions()
    model.clear_objective()  # type: ignore[no-untyped-call]
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    bound = solver.best_objective_bound
    best = math.floor(bound + 1e-9) if clash.maximise else math.ceil(bound - 1e-9)
    reads = {k: int(solver.value(v)) for k, v in clash.reads.items()}
    return clash.words(best, reads)


def _figures(search: _Search, cause: list[Element]) -> dict[Element, Figures]:
    """The figures of each element of a cause that has some."""
    scenario = search.built.scenario
    out: dict[Element, Figures] = {}
    for e in cause:
        if e.type == "requirement":
            requirement = scenario.requirement_by_id[e.id]
            if requirement.priority != Priority.ESSENTIAL:
                continue
            options = [c for c in search.built.candidates if c.requirement.id == e.id]
            keeping = (lambda c: keeping_out(scenario, c)) if scenario.phasing is not None else None
            supply = requirement_rules.supply(requirement, options, scenario, keeping)
            out[e] = Figures(requirement_rules.supply_sentence(supply), supply)
        else:
            text = _clash_figures(search, cause, e)
            if text is not None:
                out[e] = Figures(text)
    return out


# -- words ------------------------------------------------------------------------------------


def _said(element: ConflictElement) -> str:
    """An element's sentence and its figures."""
    return element.text + (f" ({element.figures})" if element.figures else "")


TIME_TYPES = frozenset({"node", "tour", "availability"})
"""The families that say when a phased plan's units can arrive and how long they stay: a cause naming
one in a phased scenario is a line that cannot be met in time."""


def cause_summary(
    elements: Sequence[ConflictElement],
    closed: list[Candidate],
    include: Sequence[str] = (),
    *,
    phased: bool = False,
) -> str:
    """One cause in a sentence a coordinator can paste into a brief, with its figures. In a phased
    scenario, the elements that time the plan (a node's capacity, a unit's tours, its ready day) come
    first: the line "cannot be met in time, given" them."""
    lines = [e for e in elements if e.type == "requirement"]
    others = [e for e in elements if e.type != "requirement"]
    if not lines:
        asked = ", ".join(inclusion_words(name) for name in include)
        head = f"{asked} cannot be had: " if include else "These cannot all hold together: "
        return head + "; ".join(_said(e) for e in others) + "."
    timed = [e for e in others if e.type in TIME_TYPES] if phased else []
    others = [e for e in others if e not in timed]
    wanted = {e.id for e in lines}
    keys = {(e.type, e.id, e.nation) for e in others}
    closing = {
        (x.type, x.id, x.nation)
        for c in closed
        if c.requirement.id in wanted
        for block in c.blocks
        for x in block
        if (x.type, x.id, x.nation) in keys
    }
    # In a phased scenario what keeps units out in some buckets only is in the lines' supply rows.
    parted = {
        (ref.type, ref.id, ref.nation)
        for e in lines
        if e.supply is not None
        for row in e.supply.nations
        if row.kept_out_part
        for ref in row.by
        if (ref.type, ref.id, ref.nation) in keys
    }
    keeping = closing | parted
    blocked = [e for e in others if (e.type, e.id, e.nation) in keeping]
    rest = [e for e in others if (e.type, e.id, e.nation) not in keeping]
    names = ", ".join(f"`{e.id}`" + (f" ({e.figures})" if e.figures else "") for e in lines)
    text = f"The essential line{'s' if len(lines) > 1 else ''} {names} cannot be met"
    if timed:
        text += " in time, given " + "; ".join(_said(e) for e in timed)
    if blocked:
        text += "; and " if timed else ": "
        text += f"the units that could fill {'them' if len(lines) > 1 else 'it'} are kept out"
        text += " by " if any((e.type, e.id, e.nation) in closing for e in blocked) else " part of the time by "
        text += "; ".join(_said(e) for e in blocked)
    if rest:
        text += ", and by " if blocked else ("; and " if timed else " together with ")
        text += "; ".join(_said(e) for e in rest)
    return text + "."


def _summary(causes: list[Conflict], ways: list[Relaxation], independent: bool, more: bool) -> str:
    """The causes, numbered when several, and the way out that removes them all."""
    if len(causes) == 1:
        text = causes[0].summary
    else:
        count = NUMBER_WORDS.get(len(causes), str(len(causes)))
        kind = "independent causes" if independent else "causes"
        text = f"{count}{' or more' if more else ''} {kind}: " + " ".join(
            f"({i}) {c.summary}" for i, c in enumerate(causes, 1)
        )
    if ways and len(causes) > 1:
        changes = ways[0].changes
        all_of = "both" if len(causes) == 2 else "all " + NUMBER_WORDS.get(len(causes), str(len(causes))).lower()
        text += f" One way out removes {all_of}: give up " + "; ".join(c.text for c in changes) + "."
    return text


def explain(
    scenario: Scenario,
    params: SolveParams | None = None,
    *,
    relaxations: int = 3,
    include: Sequence[str] = (),
    cancel: threading.Event | None = None,
    conflicts: int = MAX_CONFLICTS,
    hold: Sequence[tuple[str, Fraction]] = (),
) -> Explanation | None:
    """Every independent cause (up to `conflicts`) and the ways out of an infeasible scenario;
    None when a package exists.

    Parameters
    ----------
    scenario
        The scenario to explain.
    params
        Time budget (`time_limit_s` bounds the whole explanation), seed and workers.
    relaxations
        How many ways out to look for: the cheapest that removes every cause, and alternatives.
    include
        Nations that must take part and units that must deploy (a why-not question): the
        conflict then says what keeps them out.
    cancel
        Set from another thread to stop soon (within about 0.1 s): the explanation found so
        far is returned, marked not minimal where the check was cut short.
    conflicts
        How many independent causes to name at most.
    hold
        Criteria held no worse than a value (exact, in the domain's units), as a rule that is not
        given up: with `include`, what makes including something cost a price (why-not).
    """
    params = params or SolveParams(time_limit_s=10.0)
    start = time.perf_counter()
    try:
        builder = model_builder(scenario, relaxable=True, include=include, cancel=cancel)
        built = builder.build()
    except BuildCancelled:
        return Explanation(
            minimal=False, conflict=[], summary="The explanation was cancelled before it began.", complete=False
        )
    for name, value in hold:
        criterion(name).hold(builder, value)
    nonempty = built.model.new_bool_var("someone_deployed")
    built.model.add(builder.total_personnel() >= 1).only_enforce_if(nonempty)
    search = _Search(builder, built, params, start + params.time_limit_s, cancel, nonempty=nonempty)
    elements = sorted(e for e in built.vars.enforce if not builder.is_held(e))  # (a held one is never given up)
    # An essential line nobody eligible can fill is the common case, and cheap to find; the
    # search over every element at once is left for the rest.
    ended, found = _causes(search, elements, max(1, conflicts), quick=not include)
    if not found:
        if ended == "feasible":
            return None
        if ended == "nothing":
            return Explanation(
                minimal=True,
                conflict=[],
                summary=_nothing_fits(include),
            )
        return Explanation(
            minimal=False,
            conflict=[],
            summary="No conflict could be isolated within the time limit.",
            complete=False,
        )
    independent_count = len(found)
    combined = _way_out(search, elements, found) if relaxations > 0 else None
    causes: list[Conflict] = []
    for cause in found:
        figures = _figures(search, cause.elements)
        words = [conflict_element(scenario, e, figures.get(e)) for e in cause.elements]
        causes.append(
            Conflict(
                elements=words,
                minimal=cause.minimal,
                summary=cause_summary(words, built.closed, include, phased=scenario.phasing is not None),
            )
        )
    sets = ([combined] if combined else []) + _alternatives(
        search, relaxations - (1 if combined else 0), found, [combined] if combined else []
    )
    ways: list[tuple[tuple[object, ...], Relaxation]] = []
    for dropped in sets:
        share = max(0.05, min(EFFECT_TIME_S, search.time_left() / max(1, len(sets))))
        package = package_after(scenario, dropped, params, share, include, cancel)
        cost = sum(relax_cost(scenario, e) for e in dropped)
        patch, missing = patch_of(scenario, dropped)
        hit = set(dropped)
        ways.append(
            (
                _rank(scenario, cost, package),
                Relaxation(
                    changes=[conflict_element(scenario, e) for e in dropped],
                    effect=_effect(package),
                    cost=cost,
                    removes=[i for i, c in enumerate(found) if hit & set(c.elements)],
                    personnel=package.totals.personnel if package is not None else None,
                    objective=[
                        ObjectiveValue(criterion=v.criterion, value=v.value, bound=v.bound)
                        for v in (package.objective if package is not None else [])
                    ],
                    patch=patch.model_dump(mode="json", by_alias=True, exclude_none=True) if patch else None,
                    unpatchable=missing,
                ),
            )
        )
    # The way out removing every cause together comes first; the rest by cost, then objective.
    first = ways[:1] if combined else []
    relax_list = [r for _, r in first] + [r for _, r in sorted(ways[len(first) :], key=lambda w: w[0])]
    more = ended == "bound"
    summary = _summary(causes, relax_list, independent=len(causes) == independent_count, more=more)
    if not all(c.minimal for c in causes):
        summary += " (A conflict may hold more elements than needed: the time limit stopped the check.)"
    if search.cut_short and not relax_list:
        summary += " No way out was found within the time limit; more time may find one."
    elif not relax_list and relaxations > 0:
        summary += " No change of the scenario's elements leaves a package with anyone deployed."
    logger.debug(
        "explained %s in %.2fs: %s, %s out",
        scenario.id,
        time.perf_counter() - start,
        plural(len(causes), "cause"),
        plural(len(relax_list), "way"),
    )
    return Explanation(
        minimal=causes[0].minimal,
        conflict=causes[0].elements,
        summary=summary,
        relaxations=relax_list,
        conflicts=causes,
        complete=not search.cut_short,
    )
