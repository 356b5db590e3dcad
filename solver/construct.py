"""A first package by construction, for scenarios too large for CP-SAT to find one quickly.

On a few hundred nations, CP-SAT's search can run for tens of seconds before its first package:
the funding flows (integers in dollars) and the share ceilings are rows no branching finds by
luck. A planner's rules of thumb find one in a fraction of a second, so this module follows them:

1. essential lines and nation minimums are filled only by nations whose caveats do not couple
   them to others (no `not_alongside`, `requires_partner` or `min_contingent` of their own);
   the desirable fill also takes nations with partners or a minimum contingent, which leave it
   again (or send more, up to their contingent) when those caveats end unmet; if the completion
   still rejects that package, the construction runs again without them;
2. essential lines first, the scarcest first (least fitting supply for what they ask), each
   filled unit by unit: from nations still within the share ceiling of the force as it stands,
   units fewer essential lines could use, then the fewest personnel and the lowest cost per unit
   of the line's measure; a pass that leaves a line short starts again with that line first;
   each nation's `max_personnel` and `max_sectors` and the force's `max_personnel` respected as
   units are placed;
3. group minimums, then `min_nations`: one small unit from each missing nation;
4. desirable lines, unit by unit, by the weighted shortfall a unit removes over the share it
   takes of the personnel and money left (a lazy priority queue); then as much of that fill as
   the money pays for: a maximum flow from the usable pledges through their earmarks to each
   capability's pooled cost decides, and the least valuable tail goes back;
5. a nation above the share ceiling gives back its desirable-line units.

The result is completed by CP-SAT with every unit fixed (the money flows, nations, sectors and
shortfalls, in well under a second) and so checked against every rule of the model, including any
constraint a caller added; a construction that breaks one is dropped, never returned.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.graph.python import max_flow
from ortools.sat.python import cp_model

from forcepack.models.common import Measure, Priority
from forcepack.models.red_lines import MaxPersonnel, MaxSectors, MinContingent, NotAlongside, RequiresPartner
from forcepack.models.scenario import Requirement, offer_key
from forcepack.solver.cancel import cancellable
from forcepack.solver.document import Package
from forcepack.solver.eligibility import Candidate
from forcepack.solver.engine import new_solver
from forcepack.solver.rules.red_lines import RequiresPartnerRule
from forcepack.solver.rules.targets import ratio

if TYPE_CHECKING:
    from forcepack.solver.builder import ModelBuilder

logger = logging.getLogger("forcepack.solver")

Pair = tuple[str, str]

MIN_PAIRS = 3_000
"""Construct a first package only for models with at least this many (unit, line) pairs: below it
CP-SAT finds its own first package in well under a second (docs/benchmarks.md)."""

COUPLING = (NotAlongside, RequiresPartner, MinContingent)

ESSENTIAL_ATTEMPTS = 4
"""Passes over the essential lines, each starting with the lines the last one left short."""


@dataclass
class Construction:
    """A constructed package, completed by CP-SAT into a value for every model variable."""

    package: Package
    values: list[int]
    """Every variable of the model, by index: a complete solution hint."""
    seconds: float
    solver: cp_model.CpSolver
    """The completion's solver: reads the value of any expression over the model's variables."""


@dataclass
class _State:
    """The package under construction and the running figures every rule reads."""

    assignment: Counter[Pair] = field(default_factory=Counter)
    left: dict[str, int] = field(default_factory=dict)
    personnel: Counter[str] = field(default_factory=Counter)
    sectors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    provided: Counter[str] = field(default_factory=Counter)
    total: int = 0


class _Constructor:
    def __init__(self, builder: ModelBuilder, *, extended: bool = False) -> None:
        self.b = builder
        self.scenario = s = builder.scenario
        self.state = _State()
        self.free: set[str] = set()
        self.conditional: dict[str, list[RequiresPartner | MinContingent]] = {}
        """Nations whose only coupling caveats are partners or a minimum contingent: they may join
        the desirable fill (`extended`), and leave it again if those caveats end unmet."""
        self.person_cap: dict[str, int] = {}
        self.sector_cap: dict[str, int] = {}
        for offer in s.offers:
            lines = offer.red_lines
            if not any(isinstance(line, COUPLING) for line in lines):
                self.free.add(offer.nation)
            elif extended and not any(isinstance(line, NotAlongside) for line in lines):
                self.conditional[offer.nation] = [
                    line for line in lines if isinstance(line, RequiresPartner | MinContingent)
                ]
            for line in lines:
                if isinstance(line, MaxPersonnel):
                    self.person_cap[offer.nation] = min(line.limit, self.person_cap.get(offer.nation, line.limit))
                if isinstance(line, MaxSectors):
                    self.sector_cap[offer.nation] = min(line.count, self.sector_cap.get(offer.nation, line.count))
            for unit in offer.units:
                self.state.left[offer_key(offer.nation, unit.id)] = unit.count
        self.max_total = s.targets.max_personnel
        self.contention: Counter[str] = Counter()
        """Per offered unit line, the essential lines it could fill."""
        self.pair = {(c.key, c.requirement.id): c for c in builder.pairs()}
        self.allowed = set(self.free)
        """Nations whose units may be placed now."""
        share = s.targets.max_nation_share
        self.share = ratio(share, round_up=False, max_denominator=10**9) if share is not None and share < 1 else None

    # -- placing one unit --------------------------------------------------------------

    def accepts(self, c: Candidate) -> bool:
        st = self.state
        if c.nation not in self.allowed or st.left[c.key] <= 0:
            return False
        p = c.unit.personnel
        cap = self.person_cap.get(c.nation)
        if cap is not None and st.personnel[c.nation] + p > cap:
            return False
        if self.max_total is not None and st.total + p > self.max_total:
            return False
        most = self.sector_cap.get(c.nation)
        held = st.sectors[c.nation]
        return most is None or c.requirement.sector in held or len(held) < most

    def place(self, c: Candidate, n: int = 1) -> None:
        st = self.state
        st.assignment[(c.key, c.requirement.id)] += n
        st.left[c.key] -= n
        st.personnel[c.nation] += n * c.unit.personnel
        st.total += n * c.unit.personnel
        st.sectors[c.nation][c.requirement.sector] += n
        st.provided[c.requirement.id] += n * self.measure(c)

    def take_back(self, c: Candidate) -> None:
        self.place(c, -1)
        held = self.state.sectors[c.nation]
        if held[c.requirement.sector] == 0:
            del held[c.requirement.sector]

    @staticmethod
    def measure(c: Candidate) -> int:
        return c.unit.personnel if c.requirement.measure == Measure.PERSONNEL else 1

    def key(self, c: Candidate) -> tuple[bool, int, float, float, str]:
        """Nations within the share ceiling first, then units fewer essential lines could use, then
        the fewest personnel and the lowest cost per unit of the line's measure (personnel is what
        the force ceiling rations)."""
        m = self.measure(c)
        per_cost = self.b.cost_coefficient(c.unit, c.requirement) / m
        return (self.over_share(c), self.contention[c.key], c.unit.personnel / m, per_cost, c.key)

    def over_share(self, c: Candidate) -> bool:
        """Placing the unit would put its nation above the share ceiling of the force as it stands."""
        if self.share is None:
            return False
        num, den = self.share
        p = c.unit.personnel
        return den * (self.state.personnel[c.nation] + p) > num * (self.state.total + p)

    def fill(self, r: Requirement, upto: int, placed: list[Candidate] | None = None) -> int:
        """Place units on line `r` until it provides `upto`; returns what it provides."""
        pairs = self.b.options_of_requirement(r.id)
        while self.state.provided[r.id] < upto:
            options = [c for c in pairs if self.accepts(c)]
            if not options:
                break
            best = min(options, key=self.key)
            self.place(best)
            if placed is not None:
                placed.append(best)
        return self.state.provided[r.id]

    # -- the steps ---------------------------------------------------------------------

    def essentials(self) -> bool:
        """Cover every essential line, scarcest first; a line left short goes first next time."""
        lines = [r for r in self.scenario.requirements if r.priority == Priority.ESSENTIAL]
        for r in lines:
            for c in self.b.options_of_requirement(r.id):
                self.contention[c.key] += 1

        def scarcity(r: Requirement) -> tuple[float, str]:
            supply = sum(
                c.unit.count * self.measure(c) for c in self.b.options_of_requirement(r.id) if c.nation in self.free
            )
            return (supply / r.quantity, r.id)

        order = sorted(lines, key=scarcity)
        for _ in range(ESSENTIAL_ATTEMPTS):
            short = [r for r in order if self.fill(r, r.quantity) < r.quantity]
            if not short:
                return True
            logger.debug("construction: essential lines left short: %s", ", ".join(r.id for r in short))
            for pair, n in list(self.state.assignment.items()):
                if n:
                    c = self.pair[pair]
                    for _ in range(n):
                        self.take_back(c)
            order = short + [r for r in order if r not in short]
        return False

    def nations(self) -> bool:
        """Group minimums, then the number of contributing nations."""
        t = self.scenario.targets
        for group, minimum in sorted(t.group_minimums.items()):
            members = self.scenario.group_members.get(group, [])
            if not self._add_nations(members, minimum):
                return False
        if t.min_nations:
            return self._add_nations([n.code for n in self.scenario.nations], t.min_nations)
        return True

    def _add_nations(self, pool: Iterable[str], minimum: int) -> bool:
        st = self.state
        candidates = sorted(
            (c for n in pool if n in self.free for c in self.b.options_of_nation(n)),
            key=lambda c: (c.unit.personnel, -self._remaining_need(c.requirement), c.key, c.requirement.id),
        )
        have = sum(1 for n in set(pool) if st.personnel[n] > 0)
        for c in candidates:
            if have >= minimum:
                break
            if st.personnel[c.nation] == 0 and self.accepts(c):
                self.place(c)
                have += 1
        return have >= minimum

    def _remaining_need(self, r: Requirement) -> int:
        return max(0, r.quantity - self.state.provided[r.id])

    def desirables(self) -> list[Candidate]:
        """Fill desirable lines by value for what it costs; returns the units placed, in order.

        A unit's value is the weighted shortfall it removes; its price, the fractions it takes of
        what is left under the force's personnel ceiling and of the money pledged (each only when
        the scenario sets that target). Units go in by value over price, highest first, from a lazy
        priority queue: a unit's value only falls as its line fills, so a stale entry is re-priced
        when it comes up and placed only if it still beats the next one.
        """
        st = self.state
        t = self.scenario.targets
        people = (t.max_personnel - st.total) if t.max_personnel is not None else None
        money = self.money_left() if t.funding_coverage else None
        pooled_cost = self.b.cost_coefficient

        def density(c: Candidate) -> float:
            r = c.requirement
            need = r.quantity - st.provided[r.id]
            if need <= 0:
                return 0.0
            gain = r.weight * min(self.measure(c), need) / r.quantity
            price = 0.0
            if people is not None:
                price += c.unit.personnel / max(1, people)
            if money is not None and not c.unit.self_funded:
                price += pooled_cost(c.unit, r) / max(1, money)
            return gain / price if price > 0 else gain * 1e12

        self.allowed |= set(self.conditional)
        heap: list[tuple[float, str, str, Candidate]] = []
        for r in self.scenario.requirements:
            if r.priority != Priority.DESIRABLE:
                continue
            for c in self.b.options_of_requirement(r.id):
                if c.nation in self.allowed:
                    heap.append((-density(c), c.key, r.id, c))
        heapq.heapify(heap)
        placed: list[Candidate] = []
        deferred: list[Candidate] = []  # above the share ceiling for now: the force may grow
        while True:
            progress = False
            while heap:
                _, unit_id, rid, c = heapq.heappop(heap)
                if not self.accepts(c):
                    continue
                value = density(c)
                if value <= 0:
                    continue
                if self.over_share(c):
                    deferred.append(c)
                    continue
                if heap and value < -heap[0][0]:
                    heapq.heappush(heap, (-value, unit_id, rid, c))
                    continue
                self.place(c)
                placed.append(c)
                progress = True
                heapq.heappush(heap, (-density(c), unit_id, rid, c))
            if not progress or not deferred:
                return placed
            heap = [(-density(c), c.key, c.requirement.id, c) for c in deferred]
            heapq.heapify(heap)
            deferred = []

    def money_left(self) -> int:
        """Pledged money of free donors, less the pooled cost placed so far (an estimate; the
        maximum flow in `funded` decides)."""
        pledged = sum(p.amount_usd for n, p in self.b.usable_pledges() if self.donor_free(n))
        units = self.scenario.unit_by_key
        requirements = self.scenario.requirement_by_id
        spent = sum(
            n * self.b.cost_coefficient(units[u], requirements[r])
            for (u, r), n in self.state.assignment.items()
            if n and not units[u].self_funded
        )
        return pledged - spent

    def afford(self, fill: list[Candidate]) -> bool:
        """Give back the longest tail of the desirable fill that the pledges cannot pay for."""
        if self.scenario.targets.funding_coverage in (None, 0):
            return True
        if self.funded():
            return True
        low, high = 0, len(fill)  # the first `low` units are affordable; `high` are not
        for c in fill:
            self.take_back(c)
        if not self.funded():
            return False
        while high - low > 1:
            mid = (low + high) // 2
            for c in fill[low:mid]:
                self.place(c)
            if self.funded():
                low = mid
            else:
                for c in fill[low:mid]:
                    self.take_back(c)
                high = mid
        del fill[low:]
        return True

    def funded(self) -> bool:
        """The pooled cost of the package is covered as the target asks, by a maximum flow from the
        pledges of donors free to take part, through their earmarks, to each capability's pooled cost."""
        coverage = self.scenario.targets.funding_coverage
        if not coverage:
            return True
        pooled: Counter[str] = Counter()
        units = self.scenario.unit_by_key
        requirements = self.scenario.requirement_by_id
        for (unit_id, rid), n in self.state.assignment.items():
            unit = units[unit_id]
            if n and not unit.self_funded:
                pooled[unit.capability] += n * self.b.cost_coefficient(unit, requirements[rid])
        total = sum(pooled.values())
        if total == 0:
            return True
        num, den = ratio(coverage, round_up=True, max_denominator=10**6)
        need = -(-num * total // den)
        flow = max_flow.SimpleMaxFlow()
        caps = sorted(pooled)
        index = {cap: i + 1 for i, cap in enumerate(caps)}
        sink = len(caps) + 1
        for cap in caps:
            flow.add_arc_with_capacity(index[cap], sink, pooled[cap])
        node = sink + 1
        for nation, pledge in self.b.usable_pledges():
            if not self.donor_free(nation):
                continue
            for cap in pledge.earmark or caps:
                if cap in index:
                    flow.add_arc_with_capacity(node, index[cap], pledge.amount_usd)
            flow.add_arc_with_capacity(0, node, pledge.amount_usd)
            node += 1
        if node == sink + 1 or flow.solve(0, sink) != flow.OPTIMAL:
            return False
        return int(flow.optimal_flow()) >= need

    def donor_free(self, nation: str) -> bool:
        """A donor whose money may be drawn whatever else the package holds."""
        return nation in self.free

    def shares(self) -> bool:
        """Bring every nation within the share ceiling by giving back its desirable-line units."""
        share = self.scenario.targets.max_nation_share
        if share is None or share >= 1:
            return True
        num, den = ratio(share, round_up=False, max_denominator=10**9)
        st = self.state
        desirable = {r.id for r in self.scenario.requirements if r.priority == Priority.DESIRABLE}
        while True:
            over = [n for n, p in st.personnel.items() if den * p > num * st.total]
            if not over:
                return True
            worst = max(over, key=lambda n: (st.personnel[n], n))
            given = [
                c
                for c in self.b.options_of_nation(worst)
                if c.requirement.id in desirable and st.assignment[(c.key, c.requirement.id)] > 0
            ]
            if not given:
                return False
            self.take_back(max(given, key=lambda c: (c.unit.personnel, c.key, c.requirement.id)))

    def settle(self, fill: list[Candidate], *, top_up: bool) -> bool:
        """Hold the caveats of the conditional nations in the fill: a nation short of its partners
        leaves; one short of its minimum contingent sends more of its units (when `top_up`) or
        leaves. Returns whether any nation left. Their units are all in the fill, never on an
        essential line's cover, so leaving never uncovers one."""
        st = self.state
        left_any = False
        changed = True
        while changed:
            changed = False
            for nation in sorted(self.conditional):
                if st.personnel[nation] == 0:
                    continue
                if self._caveats_hold(nation, fill if top_up else None):
                    continue
                for pair_c in self.b.options_of_nation(nation):
                    for _ in range(st.assignment[(pair_c.key, pair_c.requirement.id)]):
                        self.take_back(pair_c)
                fill[:] = [c for c in fill if c.nation != nation]
                self.allowed.discard(nation)
                changed = left_any = True
        return left_any

    def _caveats_hold(self, nation: str, fill: list[Candidate] | None) -> bool:
        st = self.state
        for line in self.conditional[nation]:
            if isinstance(line, RequiresPartner):
                partners = RequiresPartnerRule.partners(line, self.scenario, nation)
                if sum(1 for p in partners if st.personnel[p] > 0) < line.min:
                    return False
            elif st.personnel[nation] < line.personnel:
                if fill is None:
                    return False
                # Top up, where its units are worth most: lines still short first, the smallest units.
                options = sorted(
                    self.b.options_of_nation(nation),
                    key=lambda c: (-self._remaining_need(c.requirement), c.unit.personnel, c.key, c.requirement.id),
                )
                for c in options:
                    while st.personnel[nation] < line.personnel and self.accepts(c):
                        self.place(c)
                        fill.append(c)
                if st.personnel[nation] < line.personnel:
                    return False
        return True

    def run(self) -> dict[Pair, int] | None:
        if not self.essentials() or not self.nations():
            return None
        fill = self.desirables()
        self.settle(fill, top_up=True)
        if not self.afford(fill):
            return None
        while True:
            left = self.settle([], top_up=False)
            if not self.shares():
                return None
            if not left:
                break
        return {pair: n for pair, n in self.state.assignment.items() if n > 0}


def construct(
    builder: ModelBuilder, time_limit_s: float, workers: int = 1, cancel: threading.Event | None = None
) -> Construction | None:
    """A package of the built model by the rules of thumb above, completed and checked by CP-SAT.

    Returns None when the construction breaks a rule it does not model (the completion finds no
    solution) or falls short of an essential line or a target.
    """
    start = time.perf_counter()
    # With the nations whose partners or contingent the fill can satisfy first (more supply, a
    # better package), then, if their caveats end unmet after all, without them.
    for extended in (True, False):
        assignment = _Constructor(builder, extended=extended).run()
        if assignment is None:
            logger.debug("construction (extended=%s): no package (%.2fs)", extended, time.perf_counter() - start)
            continue
        done = complete(builder, assignment, time_limit_s - (time.perf_counter() - start), workers, cancel)
        if done is not None:
            return done
    return None


def complete(
    builder: ModelBuilder,
    assignment: Mapping[Pair, int],
    time_limit_s: float,
    workers: int = 1,
    cancel: threading.Event | None = None,
) -> Construction | None:
    """The package with these units (pairs the model lacks left out), every other variable of the
    model found by CP-SAT with the units fixed; None when no such package honours every rule."""
    start = time.perf_counter()
    fixed = {var.index: assignment.get(pair, 0) for pair, var in builder.vars.units.items()}
    solver = solve_fixed(builder.model, fixed, time_limit_s, workers, cancel)
    if solver is None:
        return None
    values = list(solver.response_proto.solution)
    v = builder.vars
    package = Package.of(
        {pair: values[var.index] for pair, var in v.units.items()},
        {key: values[var.index] for key, var in v.flows.items()},
    )
    return Construction(package, values, time.perf_counter() - start, solver)


def solve_fixed(
    model: cp_model.CpModel,
    fixed: Mapping[int, int],
    time_limit_s: float,
    workers: int = 1,
    cancel: threading.Event | None = None,
    near: Mapping[int, int] | None = None,
) -> cp_model.CpSolver | None:
    """CP-SAT on a copy of the model with these variables (by index) fixed, no hint, and no
    objective, or with `near` the distance to those values (by index) minimised: its solver holding
    a value of every variable, or None when no such solution is found."""
    start = time.perf_counter()
    trial = model.clone()
    trial.clear_objective()  # type: ignore[no-untyped-call]
    trial.clear_hints()  # type: ignore[no-untyped-call]
    proto = trial.proto
    for index, value in fixed.items():
        domain = proto.variables[index].domain
        domain.clear()
        domain.extend([value, value])
    if near:
        distances = []
        for index, value in near.items():
            var = trial.get_int_var_from_proto_index(index)
            most = max(abs(value - bound) for bound in proto.variables[index].domain)
            distance = trial.new_int_var(0, most, f"distance[{index}]")
            trial.add(distance >= var - value)
            trial.add(distance >= value - var)
            distances.append(distance)
        trial.minimize(sum(distances))
    solver = new_solver()
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, time_limit_s)
    p.num_workers = workers
    # The flows are found by the linear relaxation; without it the search wanders the dollar domains.
    p.linearization_level = 2
    with cancellable(solver, cancel):
        code = solver.solve(trial)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        logger.debug("completion: %s (%.2fs)", solver.status_name(code), time.perf_counter() - start)
        return None
    return solver
